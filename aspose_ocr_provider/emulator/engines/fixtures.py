"""An engine that "recognises" an image by looking up its exact bytes among known answers.

Tests and offline DAG runs need recognition that is instant and exact; a folder of images with a
sibling CSV each (same stem) gives that. The CSV holds the table rows as they should come back
(no column-index row: the emulator adds it when rendering CSV). An empty line in the CSV starts
another table, for images holding several tables.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path

from aspose_ocr_provider.emulator.engines.base import RecognitionError, Table
from aspose_ocr_provider.models import TableSettings

log = logging.getLogger(__name__)

IMAGE_SUFFIXES: tuple[str, ...] = (".png", ".jpg", ".jpeg", ".jpe", ".gif", ".bmp", ".tif", ".tiff")
DEFAULT_FIXTURES_DIR = Path(__file__).resolve().parents[2] / "samples"
"""The sample images shipped inside the package (may be absent: then no fixture is known)."""


def parse_fixture_csv(text: str) -> list[Table]:
    """Tables from a fixture CSV; blank lines separate tables, a BOM is ignored."""
    tables: list[Table] = []
    current: list[list[str]] = []
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        if not row:
            if current:
                tables.append(Table.of(current))
                current = []
            continue
        current.append(row)
    if current:
        tables.append(Table.of(current))
    return tables


class FixturesEngine:
    """Answers with the tables of the fixture whose image bytes equal the submitted image.

    :param fixtures_dir: Folder of ``<stem>.<image suffix>`` + ``<stem>.csv`` pairs; None uses the
        package samples. A missing folder is treated as empty. The folder is read again when an
        image is not found and the folder changed since the last read.
    """

    name = "fixtures"

    def __init__(self, fixtures_dir: str | os.PathLike[str] | None = None) -> None:
        self.fixtures_dir = Path(fixtures_dir) if fixtures_dir is not None else DEFAULT_FIXTURES_DIR
        self._from_dir: dict[str, tuple[Table, ...]] = {}
        self._added: dict[str, tuple[Table, ...]] = {}
        self._dir_stamp: float | None = None
        self._lock = threading.Lock()
        self._scan()

    @staticmethod
    def key(image: bytes) -> str:
        return hashlib.sha256(image).hexdigest()

    def add(self, image: bytes, tables: Sequence[Table]) -> None:
        """Teach the engine one more image (kept in memory, not written to the folder)."""
        self._added[self.key(image)] = tuple(tables)

    def add_csv(self, image: bytes, csv_text: str) -> None:
        self.add(image, parse_fixture_csv(csv_text))

    def __len__(self) -> int:
        return len(self._from_dir.keys() | self._added.keys())

    def _stamp(self) -> float | None:
        try:
            return self.fixtures_dir.stat().st_mtime
        except OSError:
            return None

    def _scan(self) -> None:
        with self._lock:
            stamp = self._stamp()
            found: dict[str, tuple[Table, ...]] = {}
            if stamp is not None:
                for image_path in sorted(self.fixtures_dir.iterdir()):
                    if image_path.suffix.lower() not in IMAGE_SUFFIXES:
                        continue
                    csv_path = image_path.with_suffix(".csv")
                    if not csv_path.is_file():
                        log.warning("Fixture image %s has no sibling %s; skipped.", image_path, csv_path.name)
                        continue
                    found[self.key(image_path.read_bytes())] = tuple(
                        parse_fixture_csv(csv_path.read_text(encoding="utf-8"))
                    )
            self._from_dir = found
            self._dir_stamp = stamp

    def recognize(self, image: bytes, settings: TableSettings) -> list[Table]:
        key = self.key(image)
        tables = self._added.get(key)
        if tables is None:  # an added fixture with no table is an answer too: "no table found"
            tables = self._from_dir.get(key)
        if tables is None and self._stamp() != self._dir_stamp:
            self._scan()
            tables = self._from_dir.get(key)
        if tables is None:
            raise RecognitionError(
                f"The fixtures engine knows no table for this image (sha256 {key[:12]}..., "
                f"{len(image)} bytes): add an image with a sibling .csv of the same stem to "
                f"{self.fixtures_dir}, or call add_fixture() on the emulator handle."
            )
        return list(tables)

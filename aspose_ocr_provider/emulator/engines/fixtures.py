"""An engine that "recognises" an image by looking up its exact bytes among known answers.

Tests and offline DAG runs need recognition that is instant and exact; a folder of images with a
sibling CSV each (same stem) gives that. The CSV holds the table rows as they should come back
(no column-index row: the emulator adds it when rendering CSV). An empty line in the CSV starts
another table, for images holding several tables.

A PDF or multi-page TIFF in the folder has one CSV per page with tables, ``<stem>.page-<N>.csv``.
Like the service, the emulator only ever receives page images, so the engine renders the
document as the submit operator does (at its default dpi) and knows each page image.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import io
import logging
import os
import re
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from aspose_ocr_provider.documents.pages import DEFAULT_DPI, DocumentError, rendered_pages
from aspose_ocr_provider.emulator.engines.base import RecognitionError, Table
from aspose_ocr_provider.models import TableSettings

log = logging.getLogger(__name__)

IMAGE_SUFFIXES: tuple[str, ...] = (".png", ".jpg", ".jpeg", ".jpe", ".gif", ".bmp", ".tif", ".tiff")
DOCUMENT_SUFFIXES: tuple[str, ...] = (".pdf", ".tif", ".tiff")
_PAGE_CSV = re.compile(r"\.page-(\d+)\.csv", re.IGNORECASE)
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


def _page_csvs(document: Path) -> dict[int, Path]:
    """``<stem>.page-<N>.csv`` files beside a document, by page number."""
    found: dict[int, Path] = {}
    for path in document.parent.glob(f"{glob.escape(document.stem)}.page-*.csv"):
        match = _PAGE_CSV.fullmatch(path.name[len(document.stem) :])
        if match:
            found[int(match.group(1))] = path
    return found


def _document_fixtures(document: Path, page_csvs: dict[int, Path]) -> dict[str, tuple[Table, ...]]:
    try:
        images = rendered_pages(document.read_bytes())
    except (DocumentError, OSError) as exc:
        log.warning("Fixture document %s cannot be split into pages (%s); skipped.", document, exc)
        return {}
    extra = sorted(page for page in page_csvs if page > len(images))
    if extra:
        log.warning(
            "Fixture document %s has %d page(s); CSVs for pages %s ignored.", document, len(images), extra
        )
    return {
        FixturesEngine.key(image): tuple(
            parse_fixture_csv(page_csvs[page].read_text(encoding="utf-8")) if page in page_csvs else ()
        )
        for page, image in enumerate(images, start=1)
    }


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

    def add_document(
        self, document: bytes, csv_by_page: Mapping[int, str], dpi: int = DEFAULT_DPI
    ) -> list[bytes]:
        """Teach every page of a PDF or multi-page TIFF as rendered at ``dpi``; a page missing
        from ``csv_by_page`` holds no table. Returns the page images in page order."""
        images = rendered_pages(document, dpi)
        for page, image in enumerate(images, start=1):
            self.add_csv(image, csv_by_page.get(page, ""))
        return images

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
                    suffix = image_path.suffix.lower()
                    page_csvs = _page_csvs(image_path) if suffix in DOCUMENT_SUFFIXES else {}
                    if page_csvs:
                        found.update(_document_fixtures(image_path, page_csvs))
                        continue
                    if suffix not in IMAGE_SUFFIXES:
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
                f"The emulator's fixtures engine knows no table for this image (sha256 {key[:12]}, "
                f"{len(image)} bytes): it only answers for the images in {self.fixtures_dir}. To "
                "recognise your own images, restart the emulator with --engine local (real OCR, "
                "offline); to answer with tables you wrote, restart it with --fixtures DIR, a folder "
                "of your images each with a .csv of its rows under the same name (in tests: "
                "add_fixture() on the emulator handle)."
            )
        return list(tables)

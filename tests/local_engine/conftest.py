"""Shared pieces of the local-engine tests: one engine per session, samples and a scorer."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from aspose_ocr_provider.emulator.engines.base import Table
from aspose_ocr_provider.emulator.engines.fixtures import parse_fixture_csv
from aspose_ocr_provider.emulator.engines.local_accuracy import Document, load_documents
from aspose_ocr_provider.sample_data import iter_samples, sample_dir

pytest.importorskip("rapidocr", reason="needs the 'local' extra")
pytest.importorskip("cv2", reason="needs the 'local' extra")


def sample(stem: str) -> tuple[bytes, list[Table]]:
    """The sample image's bytes and its ground-truth tables."""
    folder: Path = sample_dir()
    image = (folder / f"{stem}.png").read_bytes()
    truth = parse_fixture_csv((folder / f"{stem}.csv").read_text(encoding="utf-8"))
    return image, truth


RECOGNITION_TIMEOUT = 300.0
"""Seconds a page may take on a machine whose two cores are shared (a few seconds when idle)."""

HARD_SAMPLES = Path(__file__).resolve().parents[2] / "bench" / "hard_samples"
"""The harder set (scripts/make_hard_samples.py): documents that look like what users send."""


def hard_samples() -> list[tuple[Path, Path]]:
    """(image, ground-truth csv) of every image in the harder set."""
    return list(iter_samples(HARD_SAMPLES))


def hard_documents() -> list[Document]:
    """Every document of the harder set (images and PDFs) with its pages and ground truth."""
    return load_documents(HARD_SAMPLES)


def exact_rate(truth: Sequence[Table], got: Sequence[Sequence[Sequence[str]]]) -> float:
    """Share of ground-truth cells recognised exactly; missing tables, rows or cells count as wrong."""
    cells = exact = 0
    for t, table in enumerate(truth):
        rows = got[t] if t < len(got) else []
        for r, row in enumerate(table.rows):
            for c, cell in enumerate(row):
                cells += 1
                exact += r < len(rows) and c < len(rows[r]) and rows[r][c] == cell
    return exact / cells


@pytest.fixture(scope="session")
def local_engine():  # type: ignore[no-untyped-def]
    from aspose_ocr_provider.emulator.engines.local import LocalTableEngine

    return LocalTableEngine()

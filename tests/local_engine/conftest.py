"""Shared pieces of the local-engine tests: one engine per session, samples and a scorer."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
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


PageTables = list[list[list[str]]]


@pytest.fixture(scope="module")
def read_over_http(local_engine) -> Iterator[Callable[[bytes], PageTables]]:  # type: ignore[no-untyped-def]
    """Send one page image through the emulator's HTTP API (local engine) with the hook, as the
    submit operator does; its tables come back as a user decodes them (index rows dropped)."""
    from aspose_ocr_provider.emulator.testing import run_emulator
    from aspose_ocr_provider.hooks.aspose_ocr import AsposeOcrHook
    from aspose_ocr_provider.models import TableSettings, TaskStatus
    from aspose_ocr_provider.tables.clean import is_index_row
    from aspose_ocr_provider.tables.decode import decode_result_rows

    conn_id = "aspose_ocr_local_http"
    with run_emulator(engine=local_engine, pending_polls=0, processing_polls=0) as emu, pytest.MonkeyPatch.context() as mp:
        mp.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", emu.airflow_conn_json())
        hook = AsposeOcrHook(aspose_ocr_conn_id=conn_id)

        def tables_of(page: bytes) -> PageTables:
            task_id = hook.submit_table(page, TableSettings())
            emu.wait_idle(timeout=RECOGNITION_TIMEOUT)
            result = hook.get_result(task_id)
            assert result.task_status is TaskStatus.COMPLETED, result.messages
            return [[list(r) for r in rows if not is_index_row(r)] for rows in decode_result_rows(result)]

        yield tables_of

"""Every kind of the harder set end to end: image -> emulator HTTP API (local engine) -> rows.

What a user checks is whether the rows they copy out of the result are the document's rows:
each ground-truth row's cells in separate cells of one output row, in order (row-structure
accuracy), and the text inside them letter for letter (cell exactness).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aspose_ocr_provider.emulator.engines.fixtures import parse_fixture_csv
from aspose_ocr_provider.emulator.engines.local_accuracy import score_rows
from aspose_ocr_provider.emulator.testing import EmulatorHandle, run_emulator
from aspose_ocr_provider.hooks.aspose_ocr import AsposeOcrHook
from aspose_ocr_provider.models import TableSettings, TaskStatus
from aspose_ocr_provider.tables.clean import is_index_row
from aspose_ocr_provider.tables.decode import decode_result_rows

from .conftest import RECOGNITION_TIMEOUT, hard_samples

CONN_ID = "aspose_ocr_hardset"
SAMPLES = hard_samples()


@pytest.fixture(scope="module")
def emulator(local_engine) -> Iterator[EmulatorHandle]:  # type: ignore[no-untyped-def]
    with run_emulator(engine=local_engine, pending_polls=0, processing_polls=0) as emu:
        yield emu


def test_the_harder_set_covers_every_kind_of_document() -> None:
    kinds = {image.stem.split("_", 1)[0] for image, _ in SAMPLES}
    assert kinds == {"form", "german", "invoice", "scanned", "statement", "web", "zebra"}


@pytest.mark.parametrize(("image", "truth_csv"), SAMPLES, ids=[image.stem for image, _ in SAMPLES])
def test_document_rows_come_back_through_the_http_api(
    emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, image: Path, truth_csv: Path
) -> None:
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", emulator.airflow_conn_json())
    hook = AsposeOcrHook(aspose_ocr_conn_id=CONN_ID)
    task_id = hook.submit_table(image.read_bytes(), TableSettings())
    emulator.wait_idle(timeout=RECOGNITION_TIMEOUT)
    result = hook.get_result(task_id)
    assert result.task_status is TaskStatus.COMPLETED, result.messages

    got = [row for rows in decode_result_rows(result) for row in rows if not is_index_row(row)]
    truth = [row for table in parse_fixture_csv(truth_csv.read_text(encoding="utf-8")) for row in table.rows]
    score = score_rows(truth, got)
    assert score.rows == sum(1 for row in truth if any(cell.strip() for cell in row))
    assert score.row_accuracy >= 0.8, f"{image.name}: rows found {score.rows_ok}/{score.rows}; got {got}"
    assert score.exactness >= 0.8, f"{image.name}: exact cells {score.cells_exact}/{score.cells}; got {got}"

"""End to end: a sample scan through the emulator's HTTP API with the local engine, via the hook."""

from __future__ import annotations

import pytest

from aspose_ocr_provider.emulator.testing import run_emulator
from aspose_ocr_provider.hooks.aspose_ocr import AsposeOcrHook
from aspose_ocr_provider.models import ResultTypeTable, TableSettings, TaskStatus
from aspose_ocr_provider.tables.clean import is_index_row
from aspose_ocr_provider.tables.decode import decode_result_rows

from .conftest import RECOGNITION_TIMEOUT, exact_rate, sample

CONN_ID = "aspose_ocr_localtest"


def test_sample_scan_is_recognised_through_the_emulator(
    local_engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    image, truth = sample("ruled_zebra")
    with run_emulator(engine=local_engine, pending_polls=0, processing_polls=0) as emu:
        monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", emu.airflow_conn_json())
        hook = AsposeOcrHook(aspose_ocr_conn_id=CONN_ID)
        task_id = hook.submit_table(image, TableSettings(result_type_table=ResultTypeTable.CSV_AND_EXCEL))
        emu.wait_idle(timeout=RECOGNITION_TIMEOUT)
        result = hook.get_result(task_id)
    assert result.task_status is TaskStatus.COMPLETED, result.messages
    assert result.result_of_kind("excel") is not None
    tables = [[row for row in rows if not is_index_row(row)] for rows in decode_result_rows(result)]
    assert exact_rate(truth, tables) >= 0.95

"""The messages a user reads when something goes wrong: what happened and what to do, one
sentence each, no claim that is not true (issue 15's list)."""

from __future__ import annotations

import sqlite3
import urllib.parse
from pathlib import Path

import pytest

from aspose_ocr_provider.emulator.engines.fixtures import FixturesEngine
from aspose_ocr_provider.emulator.testing import run_emulator
from aspose_ocr_provider.exceptions import AsposeOcrError
from aspose_ocr_provider.models import RECOGNIZE_TABLE_PATH, TableSettings
from aspose_ocr_provider.operators.load import AsposeOcrTableToSqlOperator
from aspose_ocr_provider.operators.submit import AsposeOcrSubmitTableOperator
from aspose_ocr_provider.warehouse.writer import LoadError, TableBatch, TableWriter
from tests.airflow_runs import BareTaskInstance
from tests.job.job_images import png


def test_a_fixtures_miss_names_the_local_engine_and_the_fixtures_option(tmp_path: Path) -> None:
    from aspose_ocr_provider.emulator.engines.base import RecognitionError

    with pytest.raises(RecognitionError) as caught:
        FixturesEngine(tmp_path).recognize(png(7), TableSettings())
    message = str(caught.value)
    assert "--engine local" in message and "--fixtures DIR" in message
    assert str(tmp_path) in message
    assert ".." not in message.replace("...", "")


def test_a_submit_refused_before_any_image_does_not_promise_reuse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for seed in range(2):
        (tmp_path / f"{seed}.png").write_bytes(png(seed))
    with run_emulator(faults={"submit": {"rate": 1.0, "kinds": ["500"]}}) as emu:
        monkeypatch.setenv("AIRFLOW_CONN_ASPOSE_OCR_DEFAULT", emu.airflow_conn_json(max_retries=0))
        op = AsposeOcrSubmitTableOperator(task_id="submit", images=str(tmp_path / "*.png"), max_concurrency=1)
        with pytest.raises(AsposeOcrError) as caught:
            op.execute({"ti": BareTaskInstance()})  # type: ignore[arg-type]
        assert emu.count("POST", RECOGNIZE_TABLE_PATH) >= 1
    message = str(caught.value)
    assert "before any of 2 page(s) was accepted" in message
    assert "Nothing was paid for" in message
    assert "reuse" not in message
    assert ".." not in message


def test_a_failed_recognition_is_quoted_without_a_double_full_stop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with run_emulator(pending_polls=0, processing_polls=0) as emu:
        monkeypatch.setenv("AIRFLOW_CONN_ASPOSE_OCR_DEFAULT", emu.airflow_conn_json())
        from aspose_ocr_provider.hooks.aspose_ocr import AsposeOcrHook

        task_id = AsposeOcrHook().submit_table(png(3), TableSettings())  # no fixture: ends in Error
        emu.wait_idle()
        op = AsposeOcrTableToSqlOperator(
            task_id="load",
            ocr_task_ids=[{"task_id": task_id, "source": "/scans/3.png"}],
            conn_id="w",
            table="t",
        )
        with pytest.raises(AsposeOcrError) as caught:
            op.execute({"ti": BareTaskInstance(), "run_id": "r"})  # type: ignore[arg-type]
    message = str(caught.value)
    assert "/scans/3.png" in message and "Error" in message and "--engine local" in message
    assert ".." not in message, message


def test_schema_table_on_sqlite_explains_attached_databases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pandas as pd
    from airflow.providers.sqlite.hooks.sqlite import SqliteHook

    path = tmp_path / "warehouse.db"
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", "sqlite://" + urllib.parse.quote(str(path), safe=""))
    writer = TableWriter(SqliteHook(sqlite_conn_id="warehouse"), "analytics.invoices")
    with pytest.raises(LoadError) as caught:
        writer.write([TableBatch(pd.DataFrame({"item": ["apple"]}))])
    message = str(caught.value)
    assert "SQLite has no schemas" in message and "attached database 'analytics'" in message
    assert "'analytics_invoices'" in message
    assert "type" not in message, "the hint about column types does not apply here"
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == [], "nothing half-written"

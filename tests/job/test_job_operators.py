"""The operators outside a DAG run: parse-time checks and on_kill."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from job_images import png

from aspose_ocr_provider.emulator.testing import run_emulator
from aspose_ocr_provider.models import RECOGNIZE_TABLE_PATH, TableSettings
from aspose_ocr_provider.operators.submit import AsposeOcrSubmitTableOperator
from aspose_ocr_provider.sensors.task import AsposeOcrTaskSensor, site_default_deferrable
from tests.airflow_runs import BareTaskInstance


def test_a_static_bad_setting_fails_when_the_dag_is_parsed() -> None:
    with pytest.raises(
        ValueError,
        match=r"invalid recognition settings: Unknown language 'Klingon'; valid values are: English",
    ):
        AsposeOcrSubmitTableOperator(task_id="s", images="x.png", language="Klingon")
    with pytest.raises(ValueError, match="Unknown recognition setting 'langauge'"):
        AsposeOcrSubmitTableOperator(task_id="s", images="x.png", settings={"langauge": "English"})
    with pytest.raises(ValueError, match="valid values are: Text, Excel, Csv, CsvAndExcel"):
        AsposeOcrSubmitTableOperator(task_id="s", images="x.png", result_type_table="Word")


def test_templated_settings_are_checked_after_rendering() -> None:
    op = AsposeOcrSubmitTableOperator(
        task_id="s",
        images="x.png",
        language="{{ params.lang }}",
        make_upsampling="{{ params.up }}",
        rotate="{{ 90 }}",
    )
    op.language, op.make_upsampling, op.rotate = "german", "True", "90"  # what Jinja renders
    settings = op.table_settings()
    assert (settings.language, settings.make_upsampling, settings.rotate) == ("German", True, 90)
    op.language = "Klingon"
    with pytest.raises(ValueError, match="Unknown language 'Klingon'"):
        op.table_settings()


def test_keyword_settings_override_the_settings_dict() -> None:
    op = AsposeOcrSubmitTableOperator(
        task_id="s",
        images="x.png",
        settings={"resultTypeTable": "Excel", "dsrMode": "Regions"},
        dsr_mode="LineDetector",
    )
    assert op.table_settings() == TableSettings(result_type_table="Excel", dsr_mode="LineDetector")
    assert set(AsposeOcrSubmitTableOperator.template_fields) >= {
        "images",
        "settings",
        "language",
        "regions",
        "rotate",
    }


def test_sensor_defaults_to_deferrable_unless_the_site_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert AsposeOcrTaskSensor(task_id="w", ocr_task_ids=["a"]).deferrable is True
    assert site_default_deferrable() is True
    monkeypatch.setenv("AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE", "False")
    assert site_default_deferrable() is False
    monkeypatch.setenv("AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE", "True")
    assert site_default_deferrable() is True
    assert AsposeOcrTaskSensor.template_fields == ("ocr_task_ids",)


@pytest.fixture
def slow_emu(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with run_emulator(pending_polls=10**6) as emulator:
        monkeypatch.setenv("AIRFLOW_CONN_ASPOSE_OCR_DEFAULT", emulator.airflow_conn_json())
        emulator.configure(faults={"submit": {"rate": 1.0, "kinds": ["slow"], "slow_seconds": 0.3}})
        yield emulator


def test_on_kill_stops_submitting_and_cancels_what_was_submitted(slow_emu: Any, tmp_path: Path) -> None:
    for seed in range(12):
        (tmp_path / f"{seed:02d}.png").write_bytes(png(seed))
    op = AsposeOcrSubmitTableOperator(task_id="submit", images=str(tmp_path / "*.png"), max_concurrency=2)
    outcome: dict[str, BaseException] = {}
    two_accepted = threading.Event()

    def run() -> None:
        try:
            op.execute({"ti": BareTaskInstance()})  # type: ignore[arg-type]
        except BaseException as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=run)
    worker.start()
    while not two_accepted.is_set() and worker.is_alive():
        two_accepted.wait(0.02)
        if len(op.__dict__.get("_ids_this_try", [])) >= 2:
            two_accepted.set()
    op.on_kill()
    worker.join(timeout=30)

    submitted = op._ids_this_try
    posts = slow_emu.count("POST", RECOGNIZE_TABLE_PATH)
    assert "error" in outcome and "stopped by a kill" in str(outcome["error"]), outcome
    assert 2 <= len(submitted) < 12 and posts == len(submitted)
    assert slow_emu.count("DELETE", RECOGNIZE_TABLE_PATH) == len(submitted)
    assert all(slow_emu.task_status(i) != "Pending" for i in submitted)
    assert "error" in outcome


def test_sensor_reads_ids_from_a_jinja_rendered_list() -> None:
    records = [{"source": "/a.png", "task_id": "id-1"}, {"source": "/b.png", "task_id": "id-2"}]
    sensor = AsposeOcrTaskSensor(
        task_id="w", ocr_task_ids="{{ ti.xcom_pull(task_ids='submit', key='submissions') }}"
    )
    sensor.ocr_task_ids = str(records)  # what a non-native Jinja environment renders
    assert sensor._ids_and_sources() == (["id-1", "id-2"], {"id-1": "/a.png", "id-2": "/b.png"})

"""The recognition job in real Airflow: ``dag.test()`` against the emulator over loopback HTTP."""

from __future__ import annotations

import logging
import signal
import time
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from airflow.sdk import DAG, XComArg
from job_images import png

from aspose_ocr_provider.compat import AIRFLOW_V_3_1_PLUS, AirflowSensorTimeout, Asset
from aspose_ocr_provider.documents.events import TriggeringDocuments
from aspose_ocr_provider.documents.listing import list_documents
from aspose_ocr_provider.emulator.testing import run_emulator
from aspose_ocr_provider.exceptions import AsposeOcrError
from aspose_ocr_provider.models import RECOGNIZE_TABLE_PATH, TASK_STATUS_PATH
from aspose_ocr_provider.operators.execution_deadline import GRACE_SECONDS
from aspose_ocr_provider.operators.submit import AsposeOcrSubmitTableOperator
from aspose_ocr_provider.sensors.task import AsposeOcrTaskSensor
from tests.airflow_runs import TaskFailures, register_dag, task_instance, xcom

START = datetime(2026, 1, 1, tzinfo=UTC)
CSV = "0,1\nitem,qty\napple,3\n"


@pytest.fixture
def emu(airflow_db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with run_emulator(pending_polls=2, processing_polls=1) as emulator:
        monkeypatch.setenv("AIRFLOW_CONN_ASPOSE_OCR_DEFAULT", emulator.airflow_conn_json())
        yield emulator


def _images(emu: Any, folder: Path, count: int, first: int = 0) -> list[Path]:
    paths = []
    for seed in range(first, first + count):
        data = png(seed)
        emu.add_fixture(data, CSV)
        path = folder / f"table-{seed:04d}.png"
        path.write_bytes(data)
        paths.append(path)
    return paths


def _run(dag: DAG) -> Any:
    register_dag(dag)
    return dag.test(logical_date=START)


def _submit_and_wait(dag_id: str, images: str, **sensor_kwargs: Any) -> DAG:
    """submit >> wait, the sensor given the submit records and test timing."""
    with DAG(dag_id, schedule=None, start_date=START) as dag:
        submit = AsposeOcrSubmitTableOperator(task_id="submit", images=images)
        AsposeOcrTaskSensor(
            task_id="wait",
            ocr_task_ids=XComArg(submit, key="submissions"),
            poll_interval=0.05,
            max_poll_interval=0.1,
            **sensor_kwargs,
        )
    return dag


def test_ids_reach_xcom_and_the_sensor_defers(
    emu: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    paths = _images(emu, tmp_path, 3)
    raw = png(99)
    emu.add_fixture(raw, CSV)
    with DAG("job_happy", schedule=None, start_date=START) as dag:
        submit = AsposeOcrSubmitTableOperator(
            task_id="submit", images=[str(tmp_path / "*.png"), raw], language="{{ 'English' }}"
        )
        AsposeOcrTaskSensor(
            task_id="wait",
            ocr_task_ids=XComArg(submit, key="submissions"),
            poll_interval=0.05,
            max_poll_interval=0.2,
        )
    with caplog.at_level(logging.INFO, logger="airflow.sdk.definitions.dag"):
        dr = _run(dag)

    assert dr.state == "success"
    ids = xcom(dr, "submit")
    records = xcom(dr, "submit", "submissions")
    assert len(ids) == 4 and len(set(ids)) == 4
    assert [r["task_id"] for r in records] == ids
    assert [r["source"] for r in records] == [str(p) for p in paths] + ["<bytes input #1>"]
    assert all(datetime.fromisoformat(r["submitted_at"]).tzinfo for r in records)
    assert emu.count("POST", RECOGNIZE_TABLE_PATH) == 4
    assert all(emu.task_status(i) == "Completed" for i in ids)
    # The sensor deferred: dag.test ran its trigger in line, and the trigger polled the status endpoint.
    assert "running trigger in line" in caplog.text
    assert emu.count("GET", TASK_STATUS_PATH) >= 4 * 3
    assert xcom(dr, "wait") == {"completed": ids, "failed": []}


@pytest.mark.parametrize(
    "mode",
    [
        "poke",
        pytest.param(
            "reschedule",
            marks=pytest.mark.skipif(
                not AIRFLOW_V_3_1_PLUS,
                reason="Airflow 3.0's dag.test() hands a rescheduled sensor its first reschedule date as "
                "text (the in-process supervisor skips the decoding a worker does), so BaseSensorOperator "
                "fails computing its run time; deferrable (the default) and poke are tested on 3.0",
            ),
        ),
    ],
)
def test_poke_and_reschedule_modes_reach_the_same_verdict(emu: Any, tmp_path: Path, mode: str) -> None:
    _images(emu, tmp_path, 2)
    with DAG(f"job_{mode}", schedule=None, start_date=START) as dag:
        submit = AsposeOcrSubmitTableOperator(task_id="submit", images=str(tmp_path / "*.png"))
        AsposeOcrTaskSensor(
            task_id="wait",
            ocr_task_ids=submit.output,
            deferrable=False,
            mode=mode,
            poll_interval=0.05,
            max_poll_interval=0.1,
        )
    dr = _run(dag)
    assert dr.state == "success"
    assert xcom(dr, "wait") == {"completed": xcom(dr, "submit"), "failed": []}


def test_error_fails_with_the_api_messages_and_the_source(emu: Any, tmp_path: Path) -> None:
    (path,) = _images(emu, tmp_path, 1)
    emu.configure(task_error_rate=1.0)
    with TaskFailures() as failures:
        dr = _run(_submit_and_wait("job_error", str(path)))
    assert dr.state == "failed"
    (task_id,) = xcom(dr, "submit")
    error = failures.by_task["wait"]
    assert isinstance(error, AsposeOcrError)
    text = str(error)
    assert f"{task_id} ({path}): Error:" in text
    assert emu.task_status(task_id) == "Error"


def test_error_reported_not_raised_when_asked(emu: Any, tmp_path: Path) -> None:
    (path,) = _images(emu, tmp_path, 1)
    emu.configure(task_error_rate=1.0)
    dr = _run(_submit_and_wait("job_error_soft", str(path), fail_on_error=False))
    assert dr.state == "success"
    report = xcom(dr, "wait")
    (task_id,) = xcom(dr, "submit")
    assert report["completed"] == []
    (failed,) = report["failed"]
    assert failed["task_id"] == task_id and failed["status"] == "Error" and failed["source"] == str(path)
    assert failed["messages"]


def test_not_exist_fails_and_says_results_are_kept_24_hours(emu: Any, tmp_path: Path) -> None:
    from airflow.providers.standard.operators.python import PythonOperator

    (path,) = _images(emu, tmp_path, 1)
    with DAG("job_expired", schedule=None, start_date=START) as dag:
        submit = AsposeOcrSubmitTableOperator(task_id="submit", images=str(path))
        a_day_later = PythonOperator(
            task_id="a_day_later", python_callable=lambda: emu.advance_clock(25 * 3600)
        )
        wait = AsposeOcrTaskSensor(task_id="wait", ocr_task_ids=submit.output, poll_interval=0.05)
        submit >> a_day_later >> wait
    with TaskFailures() as failures:
        dr = _run(dag)
    assert dr.state == "failed"
    (task_id,) = xcom(dr, "submit")
    text = str(failures.by_task["wait"])
    assert f"{task_id} (source unknown): NotExist" in text
    assert "keeps results for 24 hours" in text


def test_timeout_fires_in_deferrable_mode(emu: Any, tmp_path: Path) -> None:
    _images(emu, tmp_path, 2)
    emu.configure(pending_polls=10**6)
    with DAG("job_timeout", schedule=None, start_date=START) as dag:
        submit = AsposeOcrSubmitTableOperator(task_id="submit", images=str(tmp_path / "*.png"))
        AsposeOcrTaskSensor(
            task_id="wait",
            ocr_task_ids=submit.output,
            poll_interval=0.1,
            max_poll_interval=0.3,
            timeout=1,
        )
    with TaskFailures() as failures:
        dr = _run(dag)
    assert dr.state == "failed"
    error = failures.by_task["wait"]
    assert isinstance(error, AirflowSensorTimeout)
    assert "2 Aspose.OCR task(s) not finished" in str(error)
    for task_id in xcom(dr, "submit"):
        assert task_id in str(error)


def test_mapped_submit_over_batches(emu: Any, tmp_path: Path) -> None:
    paths = _images(emu, tmp_path, 5)
    with DAG("job_mapped", schedule=None, start_date=START) as dag:
        submit = AsposeOcrSubmitTableOperator.partial(task_id="submit", max_concurrency=2).expand(
            images=[[str(p) for p in paths[:3]], [str(p) for p in paths[3:]]]
        )
        AsposeOcrTaskSensor(
            task_id="wait",
            ocr_task_ids=XComArg(submit, key="submissions"),
            poll_interval=0.05,
            max_poll_interval=0.1,
            fail_on_error=False,
        )
    emu.configure(task_error_rate=1.0)  # recognition fails; the report must still name each image
    dr = _run(dag)
    assert dr.state == "success"
    first, second = xcom(dr, "submit", map_index=0), xcom(dr, "submit", map_index=1)
    assert (len(first), len(second)) == (3, 2)
    assert [r["source"] for r in xcom(dr, "submit", "submissions", map_index=1)] == [
        str(p) for p in paths[3:]
    ]
    report = xcom(dr, "wait")
    assert report["completed"] == []
    assert {f["task_id"]: f["source"] for f in report["failed"]} == dict(
        zip(first + second, [str(p) for p in paths], strict=True)
    )
    assert emu.count("POST", RECOGNIZE_TABLE_PATH) == 5


def test_a_retried_submit_reuses_the_ids_of_the_killed_try(emu: Any, tmp_path: Path) -> None:
    _images(emu, tmp_path, 6)
    # Each POST is answered slowly, so execution_timeout interrupts the first try mid-batch.
    emu.configure(faults={"submit": {"rate": 1.0, "kinds": ["slow"], "slow_seconds": 0.4}})

    def heal(context: Any) -> None:
        emu.configure(faults={})
        submit.execution_timeout = None  # the first try's interruption is under test, not the retry's speed

    with DAG("job_retry", schedule=None, start_date=START) as dag:
        submit = AsposeOcrSubmitTableOperator(
            task_id="submit",
            images=str(tmp_path / "*.png"),
            max_concurrency=1,
            execution_timeout=timedelta(seconds=1),
            retries=1,
            retry_delay=timedelta(0),
            on_retry_callback=heal,
        )
    dr = _run(dag)
    assert dr.state == "success"
    assert task_instance(dr, "submit").try_number == 2
    ids = xcom(dr, "submit")
    assert len(set(ids)) == 6
    # Every image was paid for exactly once, across both tries.
    assert emu.count("POST", RECOGNIZE_TABLE_PATH) == 6


@dataclass(frozen=True)
class _AlarmLostInAWeakrefCallback(TriggeringDocuments):
    """The folder's documents, listed after a weakref callback held the main thread until the
    execution_timeout alarm went off inside it: what the cyclic garbage collector does at random
    on a loaded machine, made certain. CPython drops an exception raised in a weakref callback."""

    def for_run(self, context: Mapping[str, Any], log: Any) -> list[dict[str, Any]]:
        if context["ti"].try_number > 1:  # the retry runs undisturbed
            return [d.to_xcom() for d in list_documents(self.folder)]

        def hold(_: Any) -> None:
            while signal.getitimer(signal.ITIMER_REAL)[0] > 0:
                time.sleep(
                    0.01
                )  # interrupted by the alarm: its AirflowTaskTimeout is raised here, and dropped

        def hold_past_grace(ref: Any) -> None:
            try:
                hold(ref)
            finally:  # and the main thread stays here until the submit step's check is due
                expired = time.monotonic()
                while time.monotonic() < expired + GRACE_SECONDS:
                    time.sleep(0.01)

        class Doomed:
            pass

        doomed = Doomed()
        ref = weakref.ref(doomed, hold_past_grace)
        del doomed  # the callback runs now, in this (the main) thread
        assert ref() is None
        return [d.to_xcom() for d in list_documents(self.folder)]


def test_a_timeout_whose_exception_python_dropped_still_ends_the_try(emu: Any, tmp_path: Path) -> None:
    _images(emu, tmp_path, 3)
    def unlimit(context: Any) -> None:
        submit.execution_timeout = None  # the retry is not under test: no limit a loaded machine could miss

    with DAG("job_lost_timeout", schedule=None, start_date=START) as dag:
        submit = AsposeOcrSubmitTableOperator(
            task_id="submit",
            images=_AlarmLostInAWeakrefCallback(Asset("job_lost_timeout_documents"), folder=str(tmp_path)),
            execution_timeout=timedelta(seconds=1),
            retries=1,
            retry_delay=timedelta(0),
            on_retry_callback=unlimit,
        )
    dr = _run(dag)
    # The first try's alarm went off in the callback and its exception was dropped; the try still
    # ended as timed out (before any POST), and the retry submitted every image once.
    assert dr.state == "success"
    assert task_instance(dr, "submit").try_number == 2
    assert len(set(xcom(dr, "submit"))) == 3
    assert emu.count("POST", RECOGNIZE_TABLE_PATH) == 3


def test_a_batch_of_hundreds_in_one_task(emu: Any, tmp_path: Path) -> None:
    emu.configure(pending_polls=0, processing_polls=0)
    paths = _images(emu, tmp_path, 200)
    duplicate = paths[0].read_bytes()
    with DAG("job_batch", schedule=None, start_date=START) as dag:
        submit = AsposeOcrSubmitTableOperator(task_id="submit", images=[str(tmp_path / "*.png"), duplicate])
        AsposeOcrTaskSensor(task_id="wait", ocr_task_ids=submit.output, poll_interval=0.05)
    dr = _run(dag)
    assert dr.state == "success"
    ids = xcom(dr, "submit")
    assert len(ids) == 201
    assert ids[200] == ids[0]  # the same bytes with the same settings are submitted once
    assert emu.count("POST", RECOGNIZE_TABLE_PATH) == 200

"""The event-driven example DAG's one task, run after run into both real warehouses.

``dag.test()`` cannot hand a run watcher events, so these runs are what a sweep or a run started by
hand does (the whole folder, skipping what is loaded); what a run does with events is checked
below on ``TriggeringDocuments`` itself, and in a real deployment by tests/e2e. Checked as a user
would: POSTs counted at the emulator, rows and records in the warehouse, the task's state.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from airflow.utils.state import DagRunState

from aspose_ocr_provider.documents.events import TriggeringDocuments, event_payload
from aspose_ocr_provider.documents.listing import list_documents
from aspose_ocr_provider.emulator.testing import run_emulator
from aspose_ocr_provider.models import RECOGNIZE_TABLE_PATH
from aspose_ocr_provider.operators.documents_to_sql import AsposeOcrDocumentsToSqlOperator
from tests.airflow_runs import TaskFailures, dag_bag, task_states
from tests.faults.conftest import point_connection
from tests.faults.images import FaultImages, make_images
from tests.fixtures.warehouses import Warehouse, warehouse
from tests.ground_truth import assert_exactly_once, read_rows

__all__ = ["warehouse"]

DAGS = Path(__file__).resolve().parents[2] / "dags"
DAG_ID = "aspose_ocr_on_new_documents"
TASK = "load_new_documents"
TABLE = "inbox_tables"


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An emulator whose tasks complete after one Processing poll, behind ``aspose_ocr_default``."""
    with run_emulator(pending_polls=0, processing_polls=1) as emu:
        point_connection(monkeypatch, emu)
        yield emu


@pytest.fixture
def inbox(tmp_path: Path, emulator: Any) -> FaultImages:
    images = make_images(tmp_path / "inbox", count=3)
    images.teach(emulator)
    for name in images.csv:  # the fixture CSVs beside the scans are not documents of the folder
        (images.folder / name).with_suffix(".csv").unlink()
    return images


@pytest.fixture
def event_dag(airflow_db: Path, inbox: FaultImages, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The example as a deployment configures it: the watched folder and table from the environment."""
    monkeypatch.setenv("ASPOSE_OCR_WATCH_URI", str(inbox.folder))
    monkeypatch.setenv("ASPOSE_OCR_WATCH_TABLE", TABLE)
    monkeypatch.setenv("ASPOSE_OCR_WATCH_SWEEP", "none")
    dag = dag_bag(DAGS).dags[DAG_ID]
    dag.get_task(TASK).poll_interval = 0.05
    return dag


def posts(emulator: Any) -> int:
    return int(emulator.count("POST", RECOGNIZE_TABLE_PATH))


def rows(warehouse: Warehouse, table: str = TABLE) -> Any:
    conn = warehouse.connect()
    try:
        return read_rows(conn, table)
    finally:
        conn.close()


def test_one_task_loads_what_is_new_and_a_run_with_nothing_new_pays_nothing(
    event_dag: Any, inbox: FaultImages, emulator: Any, warehouse: Warehouse
) -> None:
    # The whole run is one task: no XCom hand-offs, no deferral, one process to start.
    assert [t.task_id for t in event_dag.tasks] == [TASK]

    first = event_dag.test()
    assert first.state == DagRunState.SUCCESS
    assert posts(emulator) == 3
    loaded = assert_exactly_once(rows(warehouse), first.run_id, inbox.csv)

    # A scan lands and a file that is not an image: one POST, for the scan; the other is set aside.
    new = inbox.add("scan-new.png", (inbox.folder / "scan-000.png").read_bytes()[:-1] + b"\x01", "a,b\n1,2\n")
    new.with_suffix(".csv").unlink()
    emulator.add_fixture(new.read_bytes(), "a,b\n1,2\n")
    (inbox.folder / "notes.png").write_bytes(b"date,amount\n2026-01-01,3\n")
    second = event_dag.test()
    assert second.state == DagRunState.SUCCESS
    assert posts(emulator) == 4
    after = rows(warehouse)
    assert assert_exactly_once(after, second.run_id, {"scan-new.png": "a,b\n1,2\n"}) == 1
    assert len(after) == loaded + 1  # the first run's rows untouched
    rejected = warehouse.query(f"SELECT source, reason FROM {TABLE}__rejected_inputs")
    assert [(Path(s).name, "not an image" in r) for s, r in rejected] == [("notes.png", True)]

    # Nothing new: the task skips, pays for nothing and writes nothing.
    third = event_dag.test()
    assert third.state == DagRunState.SUCCESS
    assert task_states(third)[TASK][0] == "skipped"
    assert posts(emulator) == 4
    assert len(rows(warehouse)) == len(after)


@pytest.mark.parametrize(
    ("service", "said"),
    [
        # Every recognition ends in Error: the task names the scans.
        ({"task_error_rate": 1.0}, ["3 of 3 Aspose.OCR task(s) did not complete", "scan-001.png"]),
        # None ever finishes: the wait gives up after wait_timeout, naming the ids.
        ({"pending_polls": 1_000_000}, ["3 Aspose.OCR task(s) not finished after 0.5 s", "A retry reuses their ids"]),
    ],
    ids=["errors", "never-finish"],
)
def test_recognitions_that_fail_or_never_finish_fail_the_task_saying_so_and_load_nothing(
    event_dag: Any, emulator: Any, warehouse: Warehouse, service: dict[str, Any], said: list[str]
) -> None:
    emulator.configure(**service)
    task = event_dag.get_task(TASK)
    task.retries, task.wait_timeout = 0, 0.5
    with TaskFailures() as failures:
        run = event_dag.test()
    assert run.state == DagRunState.FAILED
    error = str(failures.by_task[TASK])
    for words in said:
        assert words in error
    assert rows(warehouse).empty  # nothing half-loaded
    assert posts(emulator) == 3


def test_a_retry_after_a_wait_timeout_reuses_the_ids_and_pays_nothing_again(
    event_dag: Any, inbox: FaultImages, emulator: Any, warehouse: Warehouse
) -> None:
    # Recognitions take 2 s; the task waits 0.5 s a try. Each retry submits again (the task's
    # XComs are cleared between tries) and must find the ids the first try paid for.
    emulator.configure(processing_seconds=2.0)
    task = event_dag.get_task(TASK)
    task.retries, task.wait_timeout = 10, 0.5
    run = event_dag.test()
    assert run.state == DagRunState.SUCCESS
    state, tries = task_states(run)[TASK]
    assert state == "success" and tries > 1, (state, tries)
    assert posts(emulator) == 3
    assert_exactly_once(rows(warehouse), run.run_id, inbox.csv)


def _event(folder: Path, *names: str) -> dict[str, Any]:
    listed = {d.source: d for d in list_documents(folder)}
    return {"payload": event_payload(str(folder), [listed[str(folder / n)] for n in names])}


def test_a_run_takes_the_documents_its_events_name_still_there_with_todays_fingerprints(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for name in ("a.png", "b.png", "c.png"):
        (folder / name).write_bytes(name.encode())
    asset = object()
    events = [_event(folder, "b.png"), _event(folder, "c.png", "b.png")]
    (folder / "c.png").unlink()  # deleted after its event
    (folder / "b.png").write_bytes(b"rewritten")  # changed after its event: read as it is now
    log = logging.getLogger("test")
    with caplog.at_level(logging.INFO):
        entries = TriggeringDocuments(asset, str(folder)).for_run({"triggering_asset_events": {asset: events}}, log)
    assert [Path(e["source"]).name for e in entries] == ["b.png"]
    assert entries[0] == next(d.to_xcom() for d in list_documents(folder) if d.source.endswith("b.png"))
    assert "1 document(s) the events name are gone from the folder" in caplog.text
    # No watcher event (a sweep, or a run started by hand): the whole folder.
    everything = TriggeringDocuments(asset, str(folder)).for_run({"triggering_asset_events": {}}, log)
    assert sorted(Path(e["source"]).name for e in everything) == ["a.png", "b.png"]
    with pytest.raises(ValueError, match="ASPOSE_OCR_WATCH_URI"):
        TriggeringDocuments(asset, "").for_run({}, log)


def test_an_option_the_parts_do_not_take_fails_at_parse_time_naming_it() -> None:
    with pytest.raises(ValueError, match=r"submit_kwargs has option\(s\) AsposeOcrSubmitTableOperator does not take: lanugage"):
        AsposeOcrDocumentsToSqlOperator(
            task_id="t", images="/in", conn_id="w", table="t", submit_kwargs={"lanugage": "German"}
        )
    with pytest.raises(ValueError, match=r"load_kwargs has option.*: table"):
        AsposeOcrDocumentsToSqlOperator(task_id="t", images="/in", conn_id="w", table="t", load_kwargs={"table": "x"})

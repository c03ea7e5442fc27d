"""The example DAGs as a user's deployment sees them: they import cleanly, do no work at parse
time, and are wired the way their documentation says."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aspose_ocr_provider.compat import AssetOrTimeSchedule
from aspose_ocr_provider.operators.documents_to_sql import AsposeOcrDocumentsToSqlOperator
from aspose_ocr_provider.operators.load import AsposeOcrTableToSqlOperator
from aspose_ocr_provider.operators.submit import AsposeOcrSubmitTableOperator
from aspose_ocr_provider.sensors.task import AsposeOcrTaskSensor
from aspose_ocr_provider.triggers.new_documents import AsposeOcrNewDocumentsTrigger
from tests.airflow_runs import dag_bag

DAGS = Path(__file__).resolve().parents[2] / "dags"
SCHEDULED = {
    "aspose_ocr_tables_to_warehouse": DAGS / "aspose_ocr_tables_to_warehouse.py",
    "aspose_ocr_tables_to_postgres": DAGS / "aspose_ocr_tables_to_postgres.py",
    "aspose_ocr_declared_tables": DAGS / "aspose_ocr_declared_tables.py",
}
EVENT_DRIVEN = {"aspose_ocr_on_new_documents": DAGS / "aspose_ocr_on_new_documents.py"}
EXAMPLES = {**SCHEDULED, **EVENT_DRIVEN}


@pytest.fixture(scope="module")
def watched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The folder the event-driven example is told to watch, as a deployment tells it."""
    folder = tmp_path_factory.mktemp("inbox")
    (folder / "scan.png").write_bytes(b"\x89PNG a document a parse-time listing would see")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ASPOSE_OCR_WATCH_URI", str(folder))
        env.setenv("ASPOSE_OCR_WATCH_TABLE", "inbox_tables")
        env.setenv("ASPOSE_OCR_WATCH_POKE_INTERVAL", "7")
        env.setenv("ASPOSE_OCR_WATCH_SWEEP", "5 4 * * *")
        yield folder


@pytest.fixture(scope="module")
def dagbag(watched: Path) -> Any:
    return dag_bag(DAGS)


def test_every_example_imports_without_errors(dagbag: Any) -> None:
    assert dagbag.import_errors == {}
    assert set(EXAMPLES) <= set(dagbag.dag_ids)


@pytest.mark.parametrize("dag_id", sorted(EXAMPLES))
def test_example_is_scheduled_documented_and_parametrised(dagbag: Any, dag_id: str) -> None:
    dag = dagbag.dags[dag_id]
    if dag_id in SCHEDULED:
        assert dag.schedule == "@daily"
        assert dag.max_active_runs == 1  # runs write the same table (the event-driven one serialises its task)
    assert dag.catchup is False
    assert dag.doc_md and "Connections" in dag.doc_md
    for name, param in dag.params.items():
        assert param.description, f"param {name!r} of {dag_id} is not documented"
    # Every parameter is used by some task's templates, so none is decoration.
    templates = " ".join(
        str(getattr(task, field, "")) for task in dag.tasks for field in task.template_fields
    )
    for name in dag.params:
        assert f"params.{name}" in templates, f"param {name!r} of {dag_id} is never used"


@pytest.mark.parametrize("dag_id", sorted(SCHEDULED))
def test_example_submits_waits_in_the_triggerer_then_loads(dagbag: Any, dag_id: str) -> None:
    dag = dagbag.dags[dag_id]
    by_type: dict[type[Any], list[Any]] = {}
    for task in dag.tasks:
        by_type.setdefault(type(task), []).append(task)
    (submit,) = by_type[AsposeOcrSubmitTableOperator]
    (sensor,) = by_type[AsposeOcrTaskSensor]
    (load,) = by_type[AsposeOcrTableToSqlOperator]
    assert sensor.deferrable is True
    assert sensor.task_id in submit.downstream_task_ids
    assert load.task_id in sensor.downstream_task_ids
    assert load.mode == "idempotent"


def test_event_driven_example_runs_on_the_folder_its_environment_names(dagbag: Any, watched: Path) -> None:
    dag = dagbag.dags["aspose_ocr_on_new_documents"]
    # Scheduled on the watched asset, or on a sweep at the time ASPOSE_OCR_WATCH_SWEEP says.
    assert isinstance(dag.schedule, AssetOrTimeSchedule)
    assert "5 4 * * *" in str(dag.timetable.summary if hasattr(dag.timetable, "summary") else dag.schedule)
    (asset,) = dag.schedule.asset_condition.objects
    (watcher,) = asset.watchers
    trigger = watcher.trigger
    assert isinstance(trigger, AsposeOcrNewDocumentsTrigger)
    assert (trigger.folder, trigger.poke_interval) == (str(watched), 7.0)
    (task,) = dag.tasks  # one task a run: each more would cost seconds of scheduling
    assert isinstance(task, AsposeOcrDocumentsToSqlOperator)
    # Runs start as events come (none waits behind a busy run), their loads one after another.
    assert (dag.max_active_runs, task.max_active_tis_per_dag) == (16, 1)
    assert (task.table, task.conn_id, task.load_kwargs["mode"]) == ("inbox_tables", "warehouse", "idempotent")
    assert (task.images.asset, task.images.folder) == (asset, str(watched))


def test_event_driven_example_without_a_folder_parses_and_says_what_to_set() -> None:
    probe = (
        "import runpy, sys; found = runpy.run_path(sys.argv[1]); "
        "print(len(found['NEW_DOCUMENTS'].watchers)); print(found['aspose_ocr_on_new_documents']().description)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASPOSE_OCR_WATCH")}
    result = subprocess.run(
        [sys.executable, "-c", probe, str(EVENT_DRIVEN["aspose_ocr_on_new_documents"])],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=env,
    )
    assert result.stdout.splitlines()[-2:] == [
        "0",
        "Watching nothing: set ASPOSE_OCR_WATCH_URI to the folder to watch",
    ]


# Run in a fresh interpreter: import everything the DAG file imports (warm-up), then watch the
# second execution of its top level through audit hooks. Parse-time work shows up as file
# listings, sockets, subprocesses or database connections.
_PROBE = textwrap.dedent(
    """
    import runpy, sys
    path = sys.argv[1]
    runpy.run_path(path, run_name="warm_up")
    seen = []
    WATCHED = ("socket.connect", "socket.getaddrinfo", "subprocess.Popen", "os.listdir", "os.scandir",
               "glob.glob", "sqlite3.connect", "urllib.Request", "os.system")
    def hook(event, args):
        if event in WATCHED:
            seen.append(f"PARSE-TIME-WORK: {event} {args!r}"[:200])
    sys.addaudithook(hook)
    runpy.run_path(path, run_name="parse")
    print("\\n".join(seen))
    """
)


@pytest.mark.parametrize("dag_id", sorted(EXAMPLES))
def test_example_does_no_work_at_parse_time(dag_id: str, watched: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, str(EXAMPLES[dag_id])],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    work = [line for line in result.stdout.splitlines() if line.startswith("PARSE-TIME-WORK: ")]
    assert work == [], f"{dag_id} does work when parsed:\n" + "\n".join(work)

"""The example DAG in a real Airflow deployment: separate scheduler (LocalExecutor), DAG processor,
triggerer and API server, the emulator CLI as the OCR service, a run triggered over the REST API.

What a user would check after deploying: the run succeeds, the rows are in the warehouse, and the
sensor really waited in the triggerer (it deferred, the trigger ran in the triggerer process and
polled the OCR service from there) rather than holding a worker slot.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aspose_ocr_provider.emulator.process import EmulatorProcess
from tests.e2e.deployment import Deployment, deployment_env, free_port, wait_for
from tests.ground_truth import assert_exactly_once, csv_of, fixture_images, sqlite_rows

ROOT = Path(__file__).resolve().parents[2]
DAG_ID = "aspose_ocr_tables_to_warehouse"
SENSOR = "wait_for_ocr"
TABLE = "ocr_tables"
RUN_ID = "e2e-manual-1"
TRIGGER_LOGGER = "AsposeOcrTaskTrigger"


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of table images, each with the CSV the emulator answers for it."""
    from PIL import Image

    folder = tmp_path_factory.mktemp("scans")
    for number in range(3):
        image = folder / f"scan-{number}.png"
        Image.new("RGB", (80, 40), (60 * number, 120, 30)).save(image)
        rows = "\n".join(f"widget-{number}-{row},{row * 10 + number}" for row in range(1, 5))
        image.with_suffix(".csv").write_text(f"item,count\n{rows}\n")
    return folder


@pytest.fixture(scope="module")
def emulator(scans: Path) -> Iterator[EmulatorProcess]:
    # Two Pending answers and one Processing per task: the trigger must poll several times.
    emu = EmulatorProcess("--fixtures", str(scans), "--pending-polls", "2", "--processing-polls", "1")
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory, emulator: EmulatorProcess) -> Iterator[Deployment]:
    home = tmp_path_factory.mktemp("airflow-deployment")
    warehouse = home / "warehouse.db"
    api_port = free_port()
    connections = {
        "AIRFLOW_CONN_ASPOSE_OCR_DEFAULT": json.dumps(
            {
                "conn_type": "aspose_ocr",
                "login": "emulator-client-id",
                "password": "emulator-client-secret",
                "host": emulator.url,
            }
        ),
        "AIRFLOW_CONN_WAREHOUSE": "sqlite://" + urllib.parse.quote(str(warehouse), safe=""),
    }
    dep = Deployment(
        home=home, env=deployment_env(home, ROOT / "dags", api_port, connections), api_port=api_port
    )
    dep.airflow("db", "migrate")
    dep.start()
    try:
        wait_for(
            "the API server, scheduler and triggerer to report healthy",
            lambda: _healthy(dep),
            timeout=120,
        )
        yield dep
    finally:
        dep.stop()


def _healthy(dep: Deployment) -> bool | None:
    health = dep.get_or_none("/monitor/health")
    if not health:
        return None
    parts = ("metadatabase", "scheduler", "triggerer", "dag_processor")
    return True if all(health.get(p, {}).get("status") == "healthy" for p in parts) else None


def _parsed_dag(dep: Deployment) -> dict[str, Any] | None:
    dag = dep.get_or_none(f"/dags/{DAG_ID}")
    return dag if dag and dag.get("next_dagrun_logical_date") else None


def _run_state(dep: Deployment) -> str | None:
    run = dep.get_or_none(f"/dags/{DAG_ID}/dagRuns/{RUN_ID}")
    if run and run["state"] in ("success", "failed"):
        return str(run["state"])
    return None


def _triggerer_job_ids(dep: Deployment) -> set[int]:
    jobs = dep.request("GET", "/jobs?job_type=TriggererJob&limit=100")["jobs"]
    return {int(job["id"]) for job in jobs}


def _log_events(path: Path) -> list[dict[str, Any]]:
    events = []
    for line in path.read_text(errors="replace").splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            continue
    return events


def test_example_dag_runs_in_a_real_deployment(
    deployment: Deployment, emulator: EmulatorProcess, scans: Path
) -> None:
    dep = deployment
    dag = wait_for("the DAG processor to parse the example DAG", lambda: _parsed_dag(dep), 120)
    # Trigger with the logical date of the run the scheduler would create on unpausing: it then
    # finds that run existing and creates no scheduled run next to ours.
    dep.request(
        "POST",
        f"/dags/{DAG_ID}/dagRuns",
        {
            "dag_run_id": RUN_ID,
            "logical_date": dag["next_dagrun_logical_date"],
            "conf": {"images_folder": scans.as_uri()},
        },
    )
    dep.request("PATCH", f"/dags/{DAG_ID}", {"is_paused": False})

    state = wait_for("the DAG run to finish", lambda: _run_state(dep), timeout=240)
    tis = dep.request("GET", f"/dags/{DAG_ID}/dagRuns/{RUN_ID}/taskInstances")["task_instances"]
    assert state == "success", {ti["task_id"]: ti["state"] for ti in tis}

    # The rows are in the warehouse: one source per submitted image, rows from every one.
    submitted = dep.request(
        "GET", f"/dags/{DAG_ID}/dagRuns/{RUN_ID}/taskInstances/submit/xcomEntries/return_value"
    )
    ocr_ids = json.loads(submitted["value"]) if isinstance(submitted["value"], str) else submitted["value"]
    assert ocr_ids
    warehouse = Path(urllib.parse.unquote(dep.env["AIRFLOW_CONN_WAREHOUSE"].removeprefix("sqlite://")))
    images = fixture_images(scans)
    assert assert_exactly_once(sqlite_rows(warehouse, TABLE), RUN_ID, csv_of(images)) == 4 * len(images)

    # 1. The sensor went through the deferred state (the audit log of its state changes).
    events = dep.request("GET", f"/eventLogs?dag_id={DAG_ID}&run_id={RUN_ID}&task_id={SENSOR}&limit=100")[
        "event_logs"
    ]
    assert "deferred" in [e["event"] for e in events], [e["event"] for e in events]

    # 2. Its trigger ran in the triggerer process: the triggerer writes a trigger's log next to the
    #    task's log, named after the triggerer's job id, and the trigger polled from there.
    task_logs = dep.home / "logs" / f"dag_id={DAG_ID}" / f"run_id={RUN_ID}" / f"task_id={SENSOR}"
    trigger_logs = sorted(task_logs.glob("attempt=*.log.trigger.*.log"))
    assert trigger_logs, f"no trigger log under {task_logs}: the sensor did not wait in the triggerer"
    job_ids = {int(p.name.rsplit(".trigger.", 1)[1].removesuffix(".log")) for p in trigger_logs}
    assert job_ids <= _triggerer_job_ids(dep)
    polls = [
        e
        for p in trigger_logs
        for e in _log_events(p)
        if TRIGGER_LOGGER in str(e.get("logger", "")) and "still running" in str(e.get("event", ""))
    ]
    assert polls, "the trigger never reported a poll of a task still running"

    # 3. The worker only deferred and resumed: no status polling there.
    worker_logs = sorted(p for p in task_logs.glob("attempt=*.log") if ".trigger." not in p.name)
    worker_events = [str(e.get("event", "")) for p in worker_logs for e in _log_events(p)]
    assert any("DEFERRED" in e for e in worker_events)
    assert not any("still running" in e for e in worker_events)

    # 4. The OCR service saw the polls: every task was read Pending twice and Processing once.
    stats = emulator.stats()
    assert stats["endpoints"].get("status", 0) >= 3 * len(ocr_ids), stats["endpoints"]

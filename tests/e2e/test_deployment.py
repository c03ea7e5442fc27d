"""The example DAG in a real Airflow deployment: separate scheduler (LocalExecutor), DAG processor,
triggerer and API server, the emulator CLI as the OCR service, a run triggered over the REST API.
The deployment is the README's: ``scripts/airflow-up.sh`` starts it and ``--down`` stops it.

What a user would check after deploying: the run succeeds, the rows are in the warehouse, and the
sensor really waited in the triggerer (it deferred, the trigger ran in the triggerer process and
polled the OCR service from there) rather than holding a worker slot.
"""

from __future__ import annotations

import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from aspose_ocr_provider.emulator.process import EmulatorProcess
from tests.e2e.deployment import Deployment, log_events, scripted_deployment, wait_for
from tests.ground_truth import assert_exactly_once, csv_of, fixture_images, sqlite_rows

# A whole deployment starts (about a minute, longer on a busy machine) before the test's own runs.
pytestmark = [pytest.mark.deployment, pytest.mark.timeout(900)]

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
def deployed(tmp_path_factory: pytest.TempPathFactory, scans: Path) -> Iterator[tuple[Deployment, EmulatorProcess]]:
    """The README's scripts/airflow-up.sh, its emulator answering from the scans' CSVs: two
    Pending answers and one Processing per task, so the trigger must poll several times."""
    home = tmp_path_factory.mktemp("airflow-deployment")
    emulator_args = ["--fixtures", str(scans), "--pending-polls", "2", "--processing-polls", "1"]
    with scripted_deployment(home, emulator_args) as started:
        yield started


@pytest.fixture(scope="module")
def deployment(deployed: tuple[Deployment, EmulatorProcess]) -> Deployment:
    return deployed[0]


@pytest.fixture(scope="module")
def emulator(deployed: tuple[Deployment, EmulatorProcess]) -> EmulatorProcess:
    return deployed[1]


def test_example_dag_runs_in_a_real_deployment(
    deployment: Deployment, emulator: EmulatorProcess, scans: Path
) -> None:
    dep = deployment
    dep.trigger(DAG_ID, RUN_ID, {"images_folder": scans.as_uri()})

    state = wait_for("the DAG run to finish", lambda: dep.run_state(DAG_ID, RUN_ID), timeout=240)
    assert state == "success", dep.task_states(DAG_ID, RUN_ID)

    # The rows are in the warehouse: one source per submitted image, rows from every one.
    ocr_ids = dep.xcom(DAG_ID, RUN_ID, "submit")
    assert ocr_ids
    warehouse = Path(urllib.parse.unquote(dep.env["AIRFLOW_CONN_WAREHOUSE"].removeprefix("sqlite://")))
    images = fixture_images(scans)
    assert assert_exactly_once(sqlite_rows(warehouse, TABLE), RUN_ID, csv_of(images)) == 4 * len(images)

    # 1. The sensor went through the deferred state (the audit log of its state changes).
    events = dep.task_events(DAG_ID, RUN_ID, SENSOR)
    assert "deferred" in events, events

    # 2. Its trigger ran in the triggerer process: the triggerer writes a trigger's log next to the
    #    task's log, named after the triggerer's job id, and the trigger polled from there.
    trigger_logs = dep.trigger_logs(DAG_ID, RUN_ID, SENSOR)
    assert trigger_logs, "no trigger log: the sensor did not wait in the triggerer"
    assert set(trigger_logs) <= dep.triggerer_job_ids()
    polls = [
        e
        for p in trigger_logs.values()
        for e in log_events(p)
        if TRIGGER_LOGGER in str(e.get("logger", "")) and "still running" in str(e.get("event", ""))
    ]
    assert polls, "the trigger never reported a poll of a task still running"

    # 3. The worker only deferred and resumed: no status polling there.
    worker_events = dep.worker_log_events(DAG_ID, RUN_ID, SENSOR)
    assert any("DEFERRED" in e for e in worker_events)
    assert not any("still running" in e for e in worker_events)

    # 4. The OCR service saw the polls: every task was read Pending twice and Processing once.
    stats = emulator.stats()
    assert stats["endpoints"].get("status", 0) >= 3 * len(ocr_ids), stats["endpoints"]

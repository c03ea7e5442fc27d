"""The example DAG on a Celery deployment: what changes when submit, wait and load run on
different machines and several triggerers share the deferred sensors.

The deployment: Redis as the Celery broker, PostgreSQL as the metadata database (and, in another
database, as the warehouse), two Celery workers, two triggerers, scheduler, DAG processor and API
server, each a separate process; the emulator CLI is the OCR service, answering 200 distinct
images from a fixtures folder.

1. A plain run of 200 images: succeeds, every row exactly once, the sensor deferred.
2. A second run where one worker is SIGKILLed (with every process it started) while submit is
   posting, and the triggerer running the sensor's trigger is SIGKILLed while it waits: the
   scheduler notices the dead task, retries it on the other worker, which reuses the ids the first
   try recorded; the other triggerer takes the trigger over; the run completes with every row
   exactly once. The POSTs the service saw are counted against the images: the only extra ones
   allowed are those the design cannot prevent (see ``_post_bound``).

Starts about 1.5 GB of processes for a few minutes, so it runs where ``CI`` is set (``.ci/run``)
or with ``ASPOSE_OCR_CELERY_E2E=1``; deselect with ``-m "not celery_deployment"``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from aspose_ocr_provider.emulator.process import EmulatorProcess
from tests.e2e.deployment import Deployment, deployment_env, free_port, wait_for
from tests.faults.images import FaultImages, make_images
from tests.fixtures.postgres import PostgresServer
from tests.fixtures.redis import running_redis
from tests.ground_truth import assert_exactly_once, postgres_rows

ROOT = Path(__file__).resolve().parents[2]
DAG_ID = "aspose_ocr_tables_to_warehouse"
SUBMIT, SENSOR, LOAD = "submit", "wait_for_ocr", "load"
TABLE = "ocr_tables"
IMAGES = 200
SUBMIT_CONCURRENCY = 4  # the example DAG's max_concurrency
SLOW_SUBMIT_SECONDS = 0.2
"""Added to every POST in the second run, so submitting 200 images takes ~10 s: time to kill."""

pytestmark = [
    pytest.mark.celery_deployment,
    pytest.mark.timeout(1200),
    pytest.mark.skipif(
        not (
            os.environ.get("CI", "").lower() in ("1", "true", "yes")
            or os.environ.get("ASPOSE_OCR_CELERY_E2E") == "1"
        ),
        reason="starts a whole Celery deployment (minutes, ~1.5 GB): runs in CI, or set ASPOSE_OCR_CELERY_E2E=1",
    ),
]

COMPONENTS: dict[str, tuple[str, ...]] = {
    "scheduler": ("scheduler",),
    "dag-processor": ("dag-processor",),
    "api-server": ("api-server",),
    # Two of each on one machine: each gets its own name, and none serves logs (they would all
    # want the same port; the API server reads the log files directly).
    "worker-1": (
        "celery",
        "worker",
        "--celery-hostname",
        "worker-1@%h",
        "--concurrency",
        "2",
        "--skip-serve-logs",
    ),
    "worker-2": (
        "celery",
        "worker",
        "--celery-hostname",
        "worker-2@%h",
        "--concurrency",
        "2",
        "--skip-serve-logs",
    ),
    "triggerer-1": ("triggerer", "--skip-serve-logs"),
    "triggerer-2": ("triggerer", "--skip-serve-logs"),
}


@dataclass
class CeleryDeployment:
    dep: Deployment
    emulator: EmulatorProcess
    images: FaultImages
    warehouse: PostgresServer
    triggerers: dict[int, str]
    """Triggerer job id -> component name."""


@pytest.fixture(scope="module")
def celery(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer
) -> Iterator[CeleryDeployment]:
    images = make_images(tmp_path_factory.mktemp("scans"), IMAGES)
    metadata, warehouse = (
        PostgresServer(
            postgres_server.host, postgres_server.port, postgres_server.user, name, postgres_server.socket_dir
        )
        for name in ("airflow_celery_e2e", "warehouse_celery_e2e")
    )
    for db in (metadata, warehouse):
        postgres_server.execute(f'CREATE DATABASE "{db.dbname}"')
    home = tmp_path_factory.mktemp("airflow-celery-deployment")
    api_port = free_port()
    sql = f"postgresql+psycopg://{metadata.user}@{metadata.host}:{metadata.port}/{metadata.dbname}"
    with EmulatorProcess("--fixtures", str(images.folder)) as emulator, running_redis() as redis:
        settings = {
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": sql,
            "AIRFLOW__CELERY__BROKER_URL": redis.url(),
            "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + sql,
            # Notice a dead task within seconds (default 5 minutes), and a dead triggerer too.
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "20",
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
            "AIRFLOW__TRIGGERER__TRIGGERER_HEALTH_CHECK_THRESHOLD": "10",
            "AIRFLOW_CONN_ASPOSE_OCR_DEFAULT": (
                '{"conn_type": "aspose_ocr", "login": "emulator-client-id", '
                f'"password": "emulator-client-secret", "host": "{emulator.url}"}}'
            ),
            "AIRFLOW_CONN_WAREHOUSE": warehouse.airflow_conn_json(),
        }
        dep = Deployment(
            home=home,
            env=deployment_env(home, ROOT / "dags", api_port, settings),
            api_port=api_port,
            components=COMPONENTS,
        )
        try:
            dep.airflow("db", "migrate", timeout=600)
            # One triggerer first, then the other, to know which job id is which process.
            dep.start(*(c for c in COMPONENTS if c != "triggerer-2"))
            wait_for("the deployment to report healthy", dep.healthy, timeout=240)
            first = wait_for("triggerer-1's job", lambda: _one_new_job(dep, set()), timeout=120)
            dep.start("triggerer-2")
            second = wait_for("triggerer-2's job", lambda: _one_new_job(dep, {first}), timeout=120)
            for worker in ("worker-1", "worker-2"):
                wait_for(f"{worker} to be ready", lambda w=worker: _worker_ready(dep, w), timeout=180)
            yield CeleryDeployment(
                dep, emulator, images, warehouse, {first: "triggerer-1", second: "triggerer-2"}
            )
        finally:
            dep.stop()
            for db in (metadata, warehouse):
                postgres_server.execute(f'DROP DATABASE IF EXISTS "{db.dbname}" WITH (FORCE)')


def _one_new_job(dep: Deployment, known: set[int]) -> int | None:
    dep.check_alive()
    new = dep.triggerer_job_ids() - known
    return next(iter(new)) if len(new) == 1 else None


def _worker_ready(dep: Deployment, worker: str) -> bool | None:
    dep.check_alive()
    return True if " ready." in dep.log_of(worker).read_text(errors="replace") else None


def _submit_posts(emulator: EmulatorProcess) -> int:
    return int(emulator.stats()["endpoints"].get("submit", 0))


def _finished(c: CeleryDeployment, run_id: str, timeout: float) -> None:
    try:
        state = wait_for(f"run {run_id} to finish", lambda: c.dep.run_state(DAG_ID, run_id), timeout=timeout)
    except TimeoutError as exc:
        raise AssertionError(f"{exc} Task states: {c.dep.task_states(DAG_ID, run_id)}") from exc
    tis = c.dep.request("GET", f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances")["task_instances"]
    print("[e2e] " + ", ".join(f"{ti['task_id']} {ti['state']} {ti['duration'] or 0:.1f} s" for ti in tis))
    assert state == "success", c.dep.task_states(DAG_ID, run_id)


def _check_rows(c: CeleryDeployment, run_id: str) -> int:
    """Every table of every image, exactly once for ``run_id``; returns the rows checked."""
    loaded = postgres_rows(c.warehouse.dsn, TABLE)
    return assert_exactly_once(loaded, run_id, c.images.csv)


LEDGER_WINDOW_SECONDS = 5.0
"""How far back before a SIGKILL an accepted POST's id may not be in the submission ledger yet:
the ledger write under way (an Airflow Variable or task-state write over the execution API: a
few hundred ms on a quiet machine, seconds on a loaded one) plus the answers arriving meanwhile."""


def _post_bound(answered_before_kill: list[float], killed_at: float) -> int:
    """The POSTs a SIGKILLed submit can make the retry repeat, which the design cannot prevent.

    The submit operator records each id in its ledger as POSTs return, one write at a time; a
    SIGKILL loses the ids answered since the last completed write, and the ids of POSTs still in
    flight (at most ``max_concurrency``: the service makes the task, the answer never arrives).
    The retry cannot know those images were paid for, and posts them again.
    """
    recent = sum(1 for t in answered_before_kill if t >= killed_at - LEDGER_WINDOW_SECONDS)
    return recent + SUBMIT_CONCURRENCY


def test_example_dag_over_200_images_on_celery(celery: CeleryDeployment) -> None:
    c, run_id = celery, "celery-e2e-1"
    posts_before = _submit_posts(c.emulator)
    c.dep.trigger(DAG_ID, run_id, {"images_folder": c.images.folder.as_uri()})
    _finished(c, run_id, timeout=300)

    assert _check_rows(c, run_id) > IMAGES
    assert "deferred" in c.dep.task_events(DAG_ID, run_id, SENSOR)
    assert set(c.dep.trigger_logs(DAG_ID, run_id, SENSOR)) <= set(c.triggerers)
    # One POST per image, no more: nothing was retried.
    assert _submit_posts(c.emulator) - posts_before == IMAGES
    # The tasks went through the broker to the Celery workers: find_images, submit, the sensor
    # (deferring, then resuming) and load are at least five Celery tasks received.
    received = sum(
        c.dep.log_of(w).read_text(errors="replace").count(" received") for w in ("worker-1", "worker-2")
    )
    assert received >= 5, received


def test_run_survives_a_killed_worker_and_a_killed_triggerer(celery: CeleryDeployment) -> None:
    c, dep, run_id = celery, celery.dep, "celery-e2e-2"
    posts_before = _submit_posts(c.emulator)
    # Slow POSTs give time to kill submit mid-way; tasks stay Pending until we let them finish,
    # so the sensor is certainly waiting when its triggerer dies.
    c.emulator.configure(
        faults={"submit": {"rate": 1.0, "kinds": ["slow"], "slow_seconds": SLOW_SUBMIT_SECONDS}},
        pending_seconds=1e6,
    )
    # The same images again, not skipped as already loaded: recognised and reloaded, their rows
    # replacing run 1's.
    dep.trigger(DAG_ID, run_id, {"images_folder": c.images.folder.as_uri(), "incremental": False})

    # 1. Kill the worker running submit, once a quarter of the images are posted.
    def submitting() -> dict[str, Any] | None:
        ti = dep.task_instance(DAG_ID, run_id, SUBMIT)
        posted = _submit_posts(c.emulator) - posts_before
        return ti if ti and ti["state"] == "running" and ti["pid"] and posted >= IMAGES // 4 else None

    ti = wait_for("submit to be a quarter done", submitting, timeout=300)
    worker = dep.owner_of(int(ti["pid"]))
    assert worker in ("worker-1", "worker-2"), f"submit's process {ti['pid']} is in no worker"
    dep.kill(worker)
    killed_at = time.time()
    posted_at_kill = _submit_posts(c.emulator) - posts_before
    answered = [r["time"] for r in c.emulator.requests() if r["endpoint"] == "submit" and r["status"] == 200]
    assert posted_at_kill < IMAGES, "submit finished before the kill; the test needs slower POSTs"

    # 2. Kill the triggerer running the sensor's trigger while it waits; the other takes over.
    def deferred_on() -> int | None:
        sensor = dep.task_instance(DAG_ID, run_id, SENSOR) or {}
        trigger = sensor.get("trigger") or {}
        return trigger.get("triggerer_id") if sensor.get("state") == "deferred" else None

    holder = wait_for("the sensor to defer to a triggerer", deferred_on, timeout=400)
    assert holder in c.triggerers, (holder, c.triggerers)
    dep.kill(c.triggerers[holder])
    survivor = next(job for job in c.triggerers if job != holder)
    wait_for(
        "the other triggerer to take the trigger over",
        lambda: True if deferred_on() == survivor else None,
        timeout=120,
    )
    c.emulator.configure(faults={}, pending_seconds=0)
    _finished(c, run_id, timeout=300)

    # The run completed with every row exactly once; run 1's rows of the same images were
    # replaced, not duplicated: the table holds this run's rows and nothing else.
    checked = _check_rows(c, run_id)
    assert checked > IMAGES
    assert len(postgres_rows(c.warehouse.dsn, TABLE)) == checked
    submit = dep.task_instance(DAG_ID, run_id, SUBMIT) or {}
    assert submit.get("try_number") == 2, "submit should have failed once (its worker died) and then succeeded"
    ocr_ids = dep.xcom(DAG_ID, run_id, SUBMIT)
    assert len(ocr_ids) == len(set(ocr_ids)) == IMAGES, "each image has one OCR task id of its own"
    # The sensor deferred; its trigger, first on the killed triggerer, ran to the end on the other.
    assert "deferred" in dep.task_events(DAG_ID, run_id, SENSOR)
    assert survivor in dep.trigger_logs(DAG_ID, run_id, SENSOR)

    # POSTs counted: the retry reused what the first try recorded; only the unrecorded tail repeats.
    posts = _submit_posts(c.emulator) - posts_before
    repeated = posts - IMAGES
    bound = _post_bound(answered, killed_at)
    print(
        f"[e2e] POSTs: {posts} for {IMAGES} images; {posted_at_kill} before the kill of {worker}, "
        f"{repeated} repeated by the retry (bound {bound})"
    )
    assert 0 <= repeated <= bound
    assert repeated < posted_at_kill, "the retry reused none of the first try's ids"

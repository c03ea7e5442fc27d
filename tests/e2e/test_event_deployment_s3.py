"""The event-driven example in a real deployment, watching a prefix of an S3-compatible store.

The local-folder test's three steps (``test_event_deployment.py``), with the watched URI an
``s3://`` prefix on SeaweedFS and the scans PUT there: three scans start a run that loads them;
two more start a second run that pays for those two only; a triggerer SIGKILLed and restarted
names every object again, and the run that follows pays for nothing and duplicates no row.

The store sits behind the counting proxy of ``tests.fixtures.s3``: the deployment (the watcher in
the triggerer, the task on a worker) talks to the proxy through an ``aws`` connection whose extra
holds its ``endpoint_url``; the scans are PUT straight to the server, so the tally is only what
the deployment asked the store for. Object GETs per run are the S3-specific check: a run reads
only the objects it has to, never one an earlier run loaded.

What is asserted depends on no task id or XCom name: runs (count, state, run type), the documents
their triggering asset events name (the watcher's payload, as the REST API shows the events),
POSTs counted at the emulator, the rows in the SQLite warehouse, and object GETs at the wire.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from aspose_ocr_provider.documents.events import documents_of_events
from aspose_ocr_provider.emulator.process import EmulatorProcess
from tests.e2e.deployment import Deployment, wait_for
from tests.e2e.test_event_deployment import (
    DAG_ID,
    TABLE,
    assert_restart_cost_nothing,
    event_deployment,
    finished_run,
    submit_posts,
    watching,
)
from tests.fixtures.s3 import S3Server, Tally, running_s3
from tests.ground_truth import assert_exactly_once, csv_of, sqlite_rows

# A whole deployment starts (about a minute, longer on a busy machine) before the test's own runs.
pytestmark = [pytest.mark.deployment, pytest.mark.timeout(900)]

CONN_ID = "inbox_store"
BUCKET = "inbox"
PREFIX = "scans"
WATCH_URI = f"s3://{CONN_ID}@{BUCKET}/{PREFIX}/"


@dataclass
class S3EventDeployment:
    dep: Deployment
    emulator: EmulatorProcess
    s3: S3Server
    scans: list[Path]  # images with a fixture CSV each, not yet in the bucket
    warehouse: Path


def key_of(scan: Path) -> str:
    """The object's path as the proxy sees a GET of it."""
    return f"/{BUCKET}/{PREFIX}/{scan.name}"


def upload(s3: S3Server, scan: Path) -> None:
    """PUT a scan into the watched prefix, straight to the server (not the deployment's traffic).

    An object store shows an object only once its upload completes: no temporary name needed.
    """
    s3.put(BUCKET, f"{PREFIX}/{scan.name}", scan.read_bytes())


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3EventDeployment]:
    home = tmp_path_factory.mktemp("airflow-events-s3")
    with running_s3() as s3:
        s3.make_bucket(BUCKET)
        # The watched "folder": S3 has none, and an empty prefix lists as missing. A zero-byte
        # "<prefix>/" object (what the AWS console's "Create folder" makes) makes it an empty one.
        s3.put(BUCKET, f"{PREFIX}/", b"")
        # The store: an `aws` connection to the proxy (endpoint_url in its extra), named in the
        # watched URI; the triggerer (the watcher) and the workers (the run) both read it.
        store = {f"AIRFLOW_CONN_{CONN_ID.upper()}": s3.airflow_conn_json()}
        with event_deployment(home, WATCH_URI, store) as (dep, emulator, scans, warehouse):
            yield S3EventDeployment(dep, emulator, s3, scans, warehouse)


def named_by_events(dep: Deployment, run_id: str) -> list[str]:
    """File names the watcher events that started ``run_id`` name (read as the run reads them)."""
    events = dep.request("GET", f"/dags/{DAG_ID}/dagRuns/{run_id}/upstreamAssetEvents")["asset_events"]
    named = documents_of_events([event.get("extra") or {} for event in events])
    assert named.events == len(events), f"an event without the watcher's payload: {events}"
    return sorted(source.rsplit("/", 1)[-1] for source in named.sources)


def store_traffic(s3: S3Server, step: str, started: float) -> Tally:
    """What the deployment asked the store for since the last call, printed with the step's time."""
    tally = s3.proxy.reset()
    print(
        f"[e2e] {step}: {time.monotonic() - started:.1f} s; store requests {dict(tally.requests)}, "
        f"bytes out {dict(tally.bytes_out)}, objects read {Counter(tally.objects_read)}"
    )
    return tally


def test_new_objects_start_runs_that_load_them_once(deployed: S3EventDeployment) -> None:
    dep, emulator, s3 = deployed.dep, deployed.emulator, deployed.s3
    dep.unpause(DAG_ID)
    wait_for("the triggerer to run the prefix watcher", lambda: watching(dep), timeout=120)
    assert dep.dag_runs(DAG_ID) == []  # an empty prefix starts nothing
    s3.proxy.reset()

    # 1. Three scans are PUT: one run loads exactly them, one POST each, reading only them.
    first, second = deployed.scans[:3], deployed.scans[3:]
    started = time.monotonic()
    for scan in first:
        upload(s3, scan)
    run_1 = finished_run(dep, set())
    tally = store_traffic(s3, "run 1 (3 new objects)", started)
    assert named_by_events(dep, run_1["dag_run_id"]) == [s.name for s in first]
    assert submit_posts(emulator) == 3
    assert sorted(tally.objects_read) == sorted(key_of(s) for s in first)  # one GET each: hashed and sent
    assert tally.requests["list"] >= 1  # the watcher found them by listing
    loaded_1 = sqlite_rows(deployed.warehouse, TABLE)
    rows_1 = assert_exactly_once(loaded_1, run_1["dag_run_id"], csv_of(first))
    assert loaded_1["_source"].str.startswith(WATCH_URI).all()

    # 2. Two more: a second run with exactly two POSTs, reading those two objects and no other.
    started = time.monotonic()
    for scan in second:
        upload(s3, scan)
    run_2 = finished_run(dep, {run_1["dag_run_id"]})
    tally = store_traffic(s3, "run 2 (2 new objects)", started)
    assert named_by_events(dep, run_2["dag_run_id"]) == [s.name for s in second]
    assert submit_posts(emulator) == 5
    assert sorted(tally.objects_read) == sorted(key_of(s) for s in second), "run 2 read an object run 1 loaded"
    loaded = sqlite_rows(deployed.warehouse, TABLE)
    rows_2 = assert_exactly_once(loaded, run_2["dag_run_id"], csv_of(second))
    assert len(loaded) == rows_1 + rows_2  # run 1's rows untouched

    # 3. The triggerer dies (SIGKILL) and comes back: the re-created watcher names all five
    #    objects again; the run that follows submits nothing and writes nothing.
    started = time.monotonic()
    dep.kill("triggerer")
    dep.start("triggerer")
    run_3 = finished_run(dep, {run_1["dag_run_id"], run_2["dag_run_id"]}, timeout=180)
    tally = store_traffic(s3, "run 3 (triggerer restarted, nothing new)", started)
    assert named_by_events(dep, run_3["dag_run_id"]) == [s.name for s in deployed.scans]
    assert_restart_cost_nothing(emulator, deployed.warehouse, loaded, [run_1, run_2])
    # The restart's run reads no object: the events' documents reach the submit step as listing
    # entries, and each one's fingerprint is recorded beside the table.
    reads = Counter(tally.objects_read)
    assert reads.total() == 0, f"the restart's run read objects it had loaded: {reads}"
    print(f"[e2e] run 3 read {reads.total()} object(s), {tally.bytes_out['get']} bytes")

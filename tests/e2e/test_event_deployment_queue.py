"""The event-driven example in a real deployment, woken by the bucket's notifications, not a listing.

The S3 test's scenario (``test_event_deployment_s3.py``) with ``ASPOSE_OCR_WATCH_QUEUE`` set: the
bucket (moto over HTTP, ``tests.fixtures.moto``) sends an S3 event message to an SQS queue for
every object written under the watched prefix, and the watcher in the triggerer reads the queue.
Three scans PUT start runs that load them; two more start runs that pay for those two only; a
duplicate delivery of a loaded scan's message and an ``s3:TestEvent`` pay for nothing and add no
row. The store's requests are counted at the wire for each step: no listing ever, one HEAD (the
run's look-up) and one GET (the read that is hashed and sent) per new object, none for a repeat.
At the end the queue is empty: every message was deleted once its event was stored.

Uploads made together usually share a run, but may be split over two (a message can arrive
between two receives): the checks are over the step's runs, whatever their number.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from aspose_ocr_provider.emulator.process import EmulatorProcess
from tests.e2e.deployment import Deployment, wait_for
from tests.e2e.test_event_deployment import DAG_ID, TABLE, event_deployment, submit_posts, watching
from tests.e2e.test_event_deployment_s3 import named_by_events
from tests.fixtures.moto import MotoServer, running_moto
from tests.fixtures.s3 import Tally
from tests.ground_truth import assert_exactly_once, csv_of, sqlite_rows

# A whole deployment starts (about a minute, longer on a busy machine) before the test's own runs.
pytestmark = [pytest.mark.deployment, pytest.mark.timeout(900)]

CONN_ID = "inbox_store"
BUCKET = "inbox"
PREFIX = "scans"
WATCH_URI = f"s3://{CONN_ID}@{BUCKET}/{PREFIX}/"
TEST_EVENT = {"Service": "Amazon S3", "Event": "s3:TestEvent", "Time": "2026-12-07T10:00:00.000Z", "Bucket": BUCKET}


@dataclass
class QueueDeployment:
    dep: Deployment
    emulator: EmulatorProcess
    store: MotoServer
    queue_url: str
    scans: list[Path]
    warehouse: Path

    def upload(self, scan: Path) -> None:
        """PUT straight to the server (not the deployment's traffic); the bucket notifies the queue."""
        self.store.client().put_object(Bucket=BUCKET, Key=f"{PREFIX}/{scan.name}", Body=scan.read_bytes())

    def queued(self) -> int:
        """Messages in the queue, waiting or received and not yet deleted."""
        attributes = self.store.client(service="sqs").get_queue_attributes(
            QueueUrl=self.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return sum(int(v) for v in attributes.values())


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QueueDeployment]:
    home = tmp_path_factory.mktemp("airflow-events-queue")
    with running_moto() as store:
        # What a user sets up in S3: an event notification for new objects under the prefix, sent
        # to a queue (which first receives an s3:TestEvent).
        queue_url = store.notifying_bucket(BUCKET, f"{PREFIX}/", "scans-inbox")
        env = {f"AIRFLOW_CONN_{CONN_ID.upper()}": store.airflow_conn_json(), "ASPOSE_OCR_WATCH_QUEUE": queue_url}
        with event_deployment(home, WATCH_URI, env) as (dep, emulator, scans, warehouse):
            yield QueueDeployment(dep, emulator, store, queue_url, scans, warehouse)


def key_of(scan: Path) -> str:
    return f"/{BUCKET}/{PREFIX}/{scan.name}"


def finished_runs(deployed: QueueDeployment, known: set[str], loaded: set[str], timeout: float = 150) -> list[dict[str, Any]]:
    """The runs not in ``known``, once every scan in ``loaded`` has rows and every new run finished."""
    dep = deployed.dep

    def probe() -> list[dict[str, Any]] | None:
        dep.check_alive()
        new = [r for r in dep.dag_runs(DAG_ID) if r["dag_run_id"] not in known]
        if not new or any(r["state"] not in ("success", "failed") for r in new):
            return None
        try:
            names = set(sqlite_rows(deployed.warehouse, TABLE)["_source"].str.rsplit("/", n=1).str[-1])
        except Exception:  # the table does not exist yet
            return None
        return new if loaded <= names else None

    runs = wait_for(f"runs loading {sorted(loaded) or 'nothing'} to finish", probe, timeout=timeout)
    for run in runs:
        print(f"[e2e] {run['dag_run_id']} ({run['run_type']}): {dep.task_states(DAG_ID, run['dag_run_id'])}")
        assert run["state"] == "success"
        assert run["run_type"] == "asset_triggered"
    return runs


def store_traffic(deployed: QueueDeployment, step: str, started: float) -> Tally:
    tally = deployed.store.proxy.reset()
    print(
        f"[e2e] {step}: {time.monotonic() - started:.1f} s; store requests {dict(tally.requests)}, "
        f"objects read {Counter(tally.objects_read)}"
    )
    return tally


def assert_loaded_once_by(deployed: QueueDeployment, runs: list[dict[str, Any]], scans: list[Path]) -> int:
    """Each scan's rows exactly once, written by one of ``runs``; the number of rows."""
    loaded = sqlite_rows(deployed.warehouse, TABLE)
    names = loaded["_source"].str.rsplit("/", n=1).str[-1]
    by_run: dict[str, list[Path]] = {}
    for scan in scans:
        writers = set(loaded[names == scan.name]["_dag_run_id"])
        assert len(writers) == 1 and writers <= {r["dag_run_id"] for r in runs}, (scan.name, writers)
        by_run.setdefault(writers.pop(), []).append(scan)
    return sum(assert_exactly_once(loaded, run_id, csv_of(mine)) for run_id, mine in by_run.items())


def test_notified_objects_start_runs_that_load_them_once_and_never_list(deployed: QueueDeployment) -> None:
    dep, emulator, store = deployed.dep, deployed.emulator, deployed.store
    dep.unpause(DAG_ID)
    wait_for("the triggerer to run the queue watcher", lambda: watching(dep), timeout=120)
    # The queue's first message, the s3:TestEvent of the notification's set-up, is dropped.
    wait_for("the set-up's test event to be deleted", lambda: True if deployed.queued() == 0 else None, 60)
    assert dep.dag_runs(DAG_ID) == []
    store.proxy.reset()

    # 1. Three scans are PUT: runs load exactly them, one POST each; no listing, one HEAD and one
    #    GET per object.
    first, second = deployed.scans[:3], deployed.scans[3:]
    started = time.monotonic()
    for scan in first:
        deployed.upload(scan)
    runs_1 = finished_runs(deployed, set(), {s.name for s in first})
    tally = store_traffic(deployed, f"{len(runs_1)} run(s) for 3 new objects", started)
    assert sorted(n for r in runs_1 for n in named_by_events(dep, r["dag_run_id"])) == [s.name for s in first]
    assert submit_posts(emulator) == 3
    assert tally.requests["list"] == 0, tally.requests
    assert tally.requests["head"] == 3, tally.requests
    assert sorted(tally.objects_read) == sorted(key_of(s) for s in first)  # one GET each
    rows_1 = assert_loaded_once_by(deployed, runs_1, first)

    # 2. Two more: runs that pay for those two only, reading no object run 1 loaded.
    known = {r["dag_run_id"] for r in runs_1}
    started = time.monotonic()
    for scan in second:
        deployed.upload(scan)
    runs_2 = finished_runs(deployed, known, {s.name for s in first + second})
    tally = store_traffic(deployed, f"{len(runs_2)} run(s) for 2 new objects", started)
    assert sorted(n for r in runs_2 for n in named_by_events(dep, r["dag_run_id"])) == [s.name for s in second]
    assert submit_posts(emulator) == 5
    assert tally.requests["list"] == 0 and tally.requests["head"] == 2, tally.requests
    assert sorted(tally.objects_read) == sorted(key_of(s) for s in second)
    rows_2 = assert_loaded_once_by(deployed, runs_2, second)
    assert len(sqlite_rows(deployed.warehouse, TABLE)) == rows_1 + rows_2  # run 1's rows untouched

    # 3. SQS delivers at least once: the message of a loaded scan comes again, beside a test event.
    #    A run looks the scan up (one HEAD), finds it loaded and pays for nothing; the test event
    #    starts nothing.
    known |= {r["dag_run_id"] for r in runs_2}
    again = deployed.scans[0]
    etag = store.client().head_object(Bucket=BUCKET, Key=f"{PREFIX}/{again.name}")["ETag"].strip('"')
    duplicate = {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": "us-east-1",
                "eventTime": "2026-12-07T10:00:01.000Z",
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "bucket": {"name": BUCKET, "arn": f"arn:aws:s3:::{BUCKET}"},
                    "object": {"key": f"{PREFIX}/{again.name}", "size": again.stat().st_size, "eTag": etag},
                },
            }
        ]
    }
    sqs = store.client(service="sqs")
    started = time.monotonic()
    sqs.send_message(QueueUrl=deployed.queue_url, MessageBody=json.dumps(TEST_EVENT))
    sqs.send_message(QueueUrl=deployed.queue_url, MessageBody=json.dumps(duplicate))
    [run_3] = finished_runs(deployed, known, set(), timeout=180)
    tally = store_traffic(deployed, "a duplicate delivery and a test event", started)
    assert named_by_events(dep, run_3["dag_run_id"]) == [again.name]
    assert dep.task_states(DAG_ID, run_3["dag_run_id"]) == {"load_new_documents": "skipped"}
    assert submit_posts(emulator) == 5, "the duplicate was paid for again"
    after = sqlite_rows(deployed.warehouse, TABLE)
    assert len(after) == rows_1 + rows_2
    keys = Counter(zip(after["_source"], after["_source_table"], after["_source_row"], strict=True))
    assert max(keys.values()) == 1, "a row was loaded twice"
    assert tally.requests["list"] == 0 and tally.requests["head"] == 1 and not tally.objects_read, tally.requests
    # Every message was deleted once its event was stored, or dropped: nothing comes back.
    wait_for("the queue to be empty", lambda: True if deployed.queued() == 0 else None, 60)
    said = dep.log_of("triggerer").read_text(errors="replace")
    assert said.count("Dropped a message") >= 2 and "s3:TestEvent" in said
    assert [r["dag_run_id"] for r in dep.dag_runs(DAG_ID) if r["dag_run_id"] not in known] == [run_3["dag_run_id"]]

"""The queue watcher against a real S3 + SQS endpoint (moto over HTTP): what it fires, what it
deletes and when, and what the run it starts asks the store.

Objects are PUT straight to the server, which sends the bucket's notifications to the queue as S3
does (URL-encoded keys, an ``s3:TestEvent`` first); the watcher reaches the queue through an
``aws`` connection whose ``endpoint_url`` is the counting proxy, as a user reaches AWS. What the
queue still holds is asked of the queue itself (its approximate message counts), and what the
run asked the store is counted at the wire.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from aspose_ocr_provider import compat
from aspose_ocr_provider.documents.events import VIA_NOTIFICATIONS, TriggeringDocuments, documents_of_events
from aspose_ocr_provider.documents.listing import list_documents
from aspose_ocr_provider.documents.reading import check_images
from aspose_ocr_provider.triggers import s3_notifications as module
from aspose_ocr_provider.triggers.s3_notifications import (
    AsposeOcrS3NotificationsTrigger,
    NotificationQueue,
    ReceivedMessages,
    _NotificationsProducer,
)
from tests.fixtures.moto import MotoServer, moto_server

__all__ = ["moto_server"]

CONN_ID = "notified_store"
_names = itertools.count()


@dataclass
class NotifiedFolder:
    server: MotoServer
    bucket: str
    queue_url: str

    @property
    def uri(self) -> str:
        return f"s3://{CONN_ID}@{self.bucket}/scans/"

    def put(self, key: str, data: bytes = b"scan") -> None:
        self.server.client().put_object(Bucket=self.bucket, Key=key, Body=data)

    def queued(self) -> tuple[int, int]:
        """(messages waiting, messages received and not yet deleted), as the queue counts them."""
        attributes = self.server.client(service="sqs").get_queue_attributes(
            QueueUrl=self.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]), int(attributes["ApproximateNumberOfMessagesNotVisible"])

    def trigger(self, **kwargs: Any) -> AsposeOcrS3NotificationsTrigger:
        return AsposeOcrS3NotificationsTrigger(queue=self.queue_url, folder=self.uri, wait_time_seconds=1, **kwargs)


@pytest.fixture
def folder(moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[NotifiedFolder]:
    """A bucket whose writes under ``scans/`` notify a queue of its own, behind connection ``notified_store``."""
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", moto_server.airflow_conn_json())
    number = next(_names)
    url = moto_server.notifying_bucket(f"inbox-{number}", "scans/", f"scans-{number}")
    moto_server.proxy.reset()
    yield NotifiedFolder(moto_server, f"inbox-{number}", url)


async def take(events: AsyncIterator[Any], timeout: float = 30) -> Any:
    return (await asyncio.wait_for(anext(events), timeout)).payload


def names(payload: dict[str, Any]) -> list[str]:
    return sorted(d["source"].rsplit("/", 1)[1] for d in payload["documents"])


async def test_uploads_fire_one_event_naming_them_and_the_rest_is_dropped_and_deleted(
    folder: NotifiedFolder, caplog: pytest.LogCaptureFixture
) -> None:
    # The queue already holds the s3:TestEvent; add a delete and writes outside the folder (the
    # bucket notifies writes under scans/ only: archive/d.png sends nothing).
    for key in ("scans/a.png", "scans/my scan+1.jpg", "scans/notes.txt", "scans/2026/c.png", "archive/d.png"):
        folder.put(key)
    folder.server.client().delete_object(Bucket=folder.bucket, Key="scans/notes.txt")
    events = folder.trigger().run()
    with caplog.at_level(logging.INFO):
        first = await take(events)
    assert first["via"] == VIA_NOTIFICATIONS and first["folder"] == folder.uri
    assert names(first) == ["a.png", "my scan+1.jpg"]  # the key URL-decoded
    said = caplog.text
    assert "s3:TestEvent" in said and "ObjectRemoved:Delete" in said and "notes.txt" in said and "2026/c.png" in said
    assert folder.queued() == (0, 6)  # received, hidden, not deleted until the event is handed over

    folder.put("scans/b.png")
    second = await take(events)
    assert names(second) == ["b.png"]
    assert folder.queued() == (0, 1)  # the first batch (event and dropped messages alike) is deleted
    # Each object listed with the fingerprint the notification carried.
    listed = {d.source: d.fingerprint for d in await asyncio.to_thread(list_documents, folder.uri)}
    assert {d["source"]: d["fingerprint"] for d in first["documents"]} == {
        s: f for s, f in listed.items() if s.endswith(("a.png", "1.jpg"))
    }
    await events.aclose()


@pytest.mark.skipif(not compat.ACKED_TRIGGER_STREAMS, reason="ack-mode shared streams are Airflow 3.3's")
async def test_a_queue_of_only_messages_to_drop_fires_nothing_and_empties(folder: NotifiedFolder) -> None:
    folder.put("scans/notes.txt")
    producer = _NotificationsProducer(NotificationQueue(folder.trigger().serialize()[1]))
    stream = producer.open_stream()
    received, handles = await asyncio.wait_for(anext(stream), 30)
    assert isinstance(received, ReceivedMessages) and len(handles) == 2  # the test event, a file that is no document
    assert folder.trigger().event_of(received.bodies) is None
    # A watcher rejects such a batch; the producer deletes rejected messages.
    from airflow.triggers.shared_stream import AdvanceItem, AdvanceOutcome

    await producer.advance([AdvanceItem(handles, AdvanceOutcome(acked=0, failed=0, rejected=1))])
    assert folder.queued() == (0, 0)
    await stream.aclose()


@pytest.mark.skipif(not compat.ACKED_TRIGGER_STREAMS, reason="ack-mode shared streams are Airflow 3.3's")
@pytest.mark.parametrize(
    ("outcome", "deleted"),
    [
        ({"acked": 1, "failed": 0}, True),  # every watcher's event stored
        ({"acked": 1, "failed": 1}, False),  # one watcher's event never confirmed stored: redeliver
        ({"acked": 0, "failed": 0}, False),  # no watcher was there to see it: redeliver
    ],
)
async def test_a_message_is_deleted_only_once_its_event_is_stored(
    folder: NotifiedFolder, outcome: dict[str, int], deleted: bool
) -> None:
    from airflow.triggers.shared_stream import AdvanceItem, AdvanceOutcome

    folder.put("scans/a.png")
    producer = _NotificationsProducer(NotificationQueue(folder.trigger().serialize()[1]))
    stream = producer.open_stream()
    received, handles = await asyncio.wait_for(anext(stream), 30)
    assert len(received.bodies) == 2  # the test event and the upload
    assert folder.queued() == (0, 2)
    await producer.advance([AdvanceItem(handles, AdvanceOutcome(**outcome))])
    assert folder.queued() == ((0, 0) if deleted else (0, 2))
    await stream.aclose()


async def test_a_queue_that_does_not_answer_is_logged_and_asked_again_until_it_does(
    folder: NotifiedFolder, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(module, "RETRY_SECONDS", 0.1)
    sqs = folder.server.client(service="sqs")
    missing = folder.queue_url.rsplit("/", 1)[0] + "/not-yet"
    trigger = AsposeOcrS3NotificationsTrigger(queue=missing, folder=folder.uri, wait_time_seconds=1)
    events = trigger.run()
    with caplog.at_level(logging.INFO):
        pending = asyncio.ensure_future(take(events))
        deadline = asyncio.get_running_loop().time() + 30
        while "Cannot receive from" not in caplog.text:
            assert asyncio.get_running_loop().time() < deadline, caplog.text
            await asyncio.sleep(0.05)
        assert not pending.done()  # the watcher waits, it does not fail
        sqs.create_queue(QueueName="not-yet")
        sqs.send_message(QueueUrl=missing, MessageBody=folder_record(folder.bucket, "scans/late.png"))
        payload = await pending
    assert names(payload) == ["late.png"]
    assert caplog.text.count("Cannot receive from") == 1  # the same failure is not logged every try
    assert "works again" in caplog.text
    await events.aclose()


def folder_record(bucket: str, key: str) -> str:
    """An S3 event body for ``key`` as moto sends it (sent by hand: a delivery S3 did not make)."""
    import json
    from urllib.parse import quote_plus

    return json.dumps(
        {
            "Records": [
                {
                    "eventVersion": "2.1",
                    "eventSource": "aws:s3",
                    "eventName": "ObjectCreated:Put",
                    "s3": {"bucket": {"name": bucket}, "object": {"key": quote_plus(key), "size": 4, "eTag": "x"}},
                }
            ]
        }
    )


def test_bad_settings_are_refused_naming_what_to_give() -> None:
    with pytest.raises(ValueError, match="SQS queue URL"):
        AsposeOcrS3NotificationsTrigger(queue="scans", folder="s3://b/scans/")
    with pytest.raises(ValueError, match="s3:// URI"):
        AsposeOcrS3NotificationsTrigger(queue="https://sqs.eu-west-1.amazonaws.com/1/q", folder="/data/inbox")
    with pytest.raises(ValueError, match="wait_time_seconds must be a whole number from 0 to 20"):
        AsposeOcrS3NotificationsTrigger(queue="https://sqs.eu-west-1.amazonaws.com/1/q", folder="s3://b/s/", wait_time_seconds=30)


def test_the_trigger_round_trips_and_watchers_of_one_queue_share_a_loop() -> None:
    queue = "https://sqs.eu-west-1.amazonaws.com/123456789012/scans"
    trigger = AsposeOcrS3NotificationsTrigger(queue=queue, folder="s3://store@invoices/inbox/")
    path, kwargs = trigger.serialize()
    assert path == "aspose_ocr_provider.triggers.s3_notifications.AsposeOcrS3NotificationsTrigger"
    assert kwargs["aws_conn_id"] == "store"  # the connection named in the folder
    again = AsposeOcrS3NotificationsTrigger(**kwargs)
    assert again.serialize() == (path, kwargs)
    other_folder = AsposeOcrS3NotificationsTrigger(queue=queue, folder="s3://store@invoices/archive/")
    assert other_folder.shared_stream_key() == trigger.shared_stream_key()  # one receive loop
    assert "password" not in repr(kwargs) and "secret" not in repr(kwargs).lower()


async def test_a_run_over_notification_events_heads_each_object_and_never_lists(
    folder: NotifiedFolder, caplog: pytest.LogCaptureFixture
) -> None:
    """What the run's task does with the events: one HEAD per named object, no listing, and an
    object overwritten after its notification is taken as it is now (its newer version)."""
    for key in ("scans/a.png", "scans/b.png", "scans/c.png"):
        folder.put(key)
    events = folder.trigger().run()
    payload = await take(events)
    await events.aclose()
    folder.put("scans/b.png", b"written again")  # after its notification
    folder.server.client().delete_object(Bucket=folder.bucket, Key="scans/c.png")
    asset = object()
    twice = [{"payload": payload}, {"payload": payload}]  # a duplicate delivery
    folder.server.proxy.reset()
    with caplog.at_level(logging.INFO):
        entries = await asyncio.to_thread(
            TriggeringDocuments(asset, folder.uri).for_run,
            {"triggering_asset_events": {asset: twice}},
            logging.getLogger("test"),
        )
    tally = folder.server.proxy.reset()
    assert sorted(e["source"].rsplit("/", 1)[1] for e in entries) == ["a.png", "b.png"]
    assert tally.requests["list"] <= 1  # c.png is gone: the store's 404 may be checked as a folder
    listed = {d.source: d.fingerprint for d in await asyncio.to_thread(list_documents, folder.uri)}
    assert {e["source"]: e["fingerprint"] for e in entries} == listed  # today's fingerprints
    assert "written again after their notification" in caplog.text and "b.png" in caplog.text
    assert "gone from the folder" in caplog.text
    assert documents_of_events(twice).events == 2


async def test_a_run_over_new_objects_makes_one_head_each_and_no_listing(folder: NotifiedFolder) -> None:
    for key in ("scans/a.png", "scans/b.png", "scans/c.png"):
        folder.put(key)
    events = folder.trigger().run()
    payload = await take(events)
    await events.aclose()
    asset = object()
    folder.server.proxy.reset()
    entries = await asyncio.to_thread(
        TriggeringDocuments(asset, folder.uri).for_run,
        {"triggering_asset_events": {asset: [{"payload": payload}]}},
        logging.getLogger("test"),
    )
    tally = folder.server.proxy.reset()
    assert len(entries) == 3
    assert tally.requests == {"head": 3}, tally.requests
    # Reading them (what the submit step hashes and sends): one GET each, no HEAD before it.
    checked = await asyncio.to_thread(check_images, entries)
    tally = folder.server.proxy.reset()
    assert tally.requests == {"get": 3}, tally.requests
    assert len(checked.rejected) == 3  # b"scan" is no image: read, then set aside


def test_the_example_dag_watches_the_queue_when_told_and_sweeps_daily(monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    from tests.airflow_runs import dag_bag

    queue = "https://sqs.eu-west-1.amazonaws.com/123456789012/scans"
    monkeypatch.setenv("ASPOSE_OCR_WATCH_URI", "s3://store@invoices/inbox/")
    monkeypatch.setenv("ASPOSE_OCR_WATCH_QUEUE", queue)
    monkeypatch.delenv("ASPOSE_OCR_WATCH_SWEEP", raising=False)
    bag = dag_bag(Path(__file__).resolve().parents[2] / "dags" / "aspose_ocr_on_new_documents.py")
    assert not bag.import_errors, bag.import_errors
    dag = bag.dags["aspose_ocr_on_new_documents"]
    [asset] = dag.timetable.asset_condition.objects
    [watcher] = asset.watchers
    assert isinstance(watcher.trigger, AsposeOcrS3NotificationsTrigger)
    assert watcher.trigger.serialize()[1]["queue"] == queue
    # The sweep, the only listing: daily (the SDK's timetable has `expression`, 3.0's `_expression`).
    sweep = dag.timetable.timetable
    assert getattr(sweep, "expression", getattr(sweep, "_expression", None)) == "0 0 * * *"

    # Not an SQS URL, and no common.messaging provider to take it: the DAG says what to install.
    monkeypatch.setenv("ASPOSE_OCR_WATCH_QUEUE", "kafka://broker:9092/scans")
    bag = dag_bag(Path(__file__).resolve().parents[2] / "dags" / "aspose_ocr_on_new_documents.py")
    [error] = bag.import_errors.values()
    assert "common-messaging" in error or "MessageQueueTrigger" in error or "not recognized" in error, error

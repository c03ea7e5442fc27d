"""Reading S3 event notifications: the message shapes S3 sends, and every message that must be dropped.

The bodies are the shapes S3 documents ("Event message structure", event version 2.1: a record
with userIdentity, requestParameters, a versioned object with a sequencer), what S3 sends when a
notification is configured (``s3:TestEvent``), what an SNS topic fanned out to SQS wraps around it,
and, in tests/events/test_s3_notifications_trigger.py, what a real S3 + SQS endpoint (moto) sends.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from aspose_ocr_provider.documents.events import (
    PAYLOAD_KIND,
    VIA_NOTIFICATIONS,
    documents_of_events,
    event_payload,
)
from aspose_ocr_provider.documents.listing import fingerprint_of
from aspose_ocr_provider.documents.s3_notifications import WatchedPrefix, message_bodies, read_messages

FOLDER = "s3://inbox_store@invoices/inbox/"
WATCHED = WatchedPrefix(FOLDER)


def record(key: str, event: str = "ObjectCreated:Put", bucket: str = "invoices", **obj: Any) -> dict[str, Any]:
    """One record as S3 documents it (event version 2.1), key as given (S3 sends it URL-encoded)."""
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": "eu-west-1",
        "eventTime": "2026-12-07T09:15:02.123Z",
        "eventName": event,
        "userIdentity": {"principalId": "AWS:AIDAEXAMPLE"},
        "requestParameters": {"sourceIPAddress": "203.0.113.7"},
        "responseElements": {"x-amz-request-id": "C3D13FE58DE4C810", "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "new-scans",
            "bucket": {"name": bucket, "ownerIdentity": {"principalId": "A3NL1KOZZKExample"}, "arn": f"arn:aws:s3:::{bucket}"},
            "object": {"key": key, "size": 1024, "eTag": "d41d8cd98f00b204e9800998ecf8427e", "sequencer": "0055AED6DCD90281E5", **obj},
        },
    }


def body(*records: dict[str, Any]) -> str:
    return json.dumps({"Records": list(records)})


def test_a_created_object_names_its_document_with_the_key_decoded() -> None:
    read = read_messages([body(record("inbox/march+invoice%2B1%C3%A9.png", versionId="3HL4kqtJlcpXroDTDmjVBH40Nrjfkd"))], WATCHED)
    assert read.dropped == []
    [notified] = read.objects
    assert notified.source == "s3://inbox_store@invoices/inbox/march invoice+1é.png"  # as a listing names it
    assert (notified.size, notified.etag, notified.version_id) == (1024, "d41d8cd98f00b204e9800998ecf8427e", "3HL4kqtJlcpXroDTDmjVBH40Nrjfkd")
    # The fingerprint a listing of the same object gives (size and ETag; no version id in a listing).
    assert notified.fingerprint == fingerprint_of({"size": 1024, "ETag": '"d41d8cd98f00b204e9800998ecf8427e"'})
    assert notified.to_payload()["source"] == notified.source


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Time": "2026-12-07T09:00:00.000Z", "Bucket": "invoices", "RequestId": "5582815E1AEA5ADF", "HostId": "8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE"}), "s3:TestEvent"),
        (body(record("inbox/a.png", event="ObjectRemoved:Delete")), "ObjectRemoved:Delete of s3://invoices/inbox/a.png"),
        (body(record("inbox/a.png", event="ObjectRemoved:DeleteMarkerCreated")), "not a new object"),
        (body(record("archive/a.png")), "not a document directly in"),  # outside the prefix
        (body(record("inbox/2026/a.png")), "not a document directly in"),  # a sub-folder, as the listing watcher
        (body(record("inbox/notes.txt")), "not a document directly in"),  # not a document ending
        (body(record("inbox/")), "not a document directly in"),  # the folder marker object
        (body(record("inbox/a.png", bucket="other-bucket")), "s3://other-bucket/inbox/a.png"),
        ("this is not JSON", "not S3 event JSON"),
        (json.dumps({"Records": []}), "no S3 event records"),
        (json.dumps({"hello": "world"}), "no S3 event records"),
        (json.dumps([1, 2]), "not S3 event JSON"),
        (json.dumps({"Records": [{"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": "invoices"}}}]}), "without s3.bucket.name and s3.object.key"),
        (body(record("inbox/a.png", size="big")), "is not a number"),
    ],
)
def test_what_names_no_new_document_is_dropped_with_its_reason(message: str, reason: str) -> None:
    read = read_messages([message], WATCHED)
    assert read.objects == []
    assert len(read.dropped) == 1 and reason in read.dropped[0], read.dropped


def test_a_bad_message_does_not_stop_the_good_ones_beside_it() -> None:
    read = read_messages(
        ["{broken", body(record("inbox/a.png"), record("inbox/b.png", event="ObjectRemoved:Delete")), body(record("inbox/c.jpg"))],
        WATCHED,
    )
    assert [o.source.rsplit("/", 1)[1] for o in read.objects] == ["a.png", "c.jpg"]
    assert len(read.dropped) == 2


def test_a_key_notified_twice_is_one_document_as_last_notified() -> None:
    """A duplicate delivery, or an object written twice before the run: one document, the last
    notification's version (the run then looks the object up as it is now)."""
    first = record("inbox/a.png", eTag="aaaa", sequencer="0055AED6DCD90281E5")
    again = record("inbox/a.png", eTag="bbbb", sequencer="0055AED6DCD90281F0")
    read = read_messages([body(first), body(record("inbox/b.png")), body(again), body(again)], WATCHED)
    assert [(o.source.rsplit("/", 1)[1], o.etag) for o in read.objects] == [("b.png", "d41d8cd98f00b204e9800998ecf8427e"), ("a.png", "bbbb")]


def test_an_sns_notification_carrying_the_s3_event_is_read() -> None:
    sns = {"Type": "Notification", "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324", "TopicArn": "arn:aws:sns:eu-west-1:123456789012:scans", "Subject": "Amazon S3 Notification", "Message": body(record("inbox/a.png"))}
    read = read_messages([json.dumps(sns)], WATCHED)
    assert [o.source for o in read.objects] == [f"{FOLDER}a.png"]


def test_a_folder_that_is_not_s3_is_refused_with_what_to_do() -> None:
    with pytest.raises(ValueError, match=r"s3://bucket/inbox/"):
        WatchedPrefix("/data/inbox")


def test_a_folder_without_connection_or_trailing_slash_names_sources_as_its_listing() -> None:
    watched = WatchedPrefix("s3://invoices/inbox")
    assert watched.source_of("invoices", "inbox/a.png") == "s3://invoices/inbox/a.png"
    assert watched.source_of("invoices", "inboxes/a.png") is None


def test_other_queue_triggers_payloads_are_read_by_the_run() -> None:
    """``common.messaging``'s SQS trigger puts the received messages under ``message_batch``: the
    run reads the S3 records in their bodies, dropping the test event among them."""
    sqs_payload = {
        "status": "success",
        "message_batch": [
            {"MessageId": "1", "ReceiptHandle": "AQEB...", "MD5OfBody": "x", "Body": json.dumps({"Event": "s3:TestEvent", "Bucket": "invoices"})},
            {"MessageId": "2", "ReceiptHandle": "AQEB...", "MD5OfBody": "y", "Body": body(record("inbox/a.png"))},
        ],
    }
    assert len(message_bodies(sqs_payload)) == 2
    named = documents_of_events([{"payload": sqs_payload}], FOLDER)
    assert named.sources == [f"{FOLDER}a.png"] and named.events == 1 and named.listed_events == 0
    assert any("s3:TestEvent" in reason for reason in named.dropped)
    # Without the watched folder such an event is not the watcher's (a run takes the whole folder).
    assert documents_of_events([{"payload": sqs_payload}]).other_events == 1


def test_the_queue_watchers_payload_is_the_listing_watchers_with_what_was_notified() -> None:
    read = read_messages([body(record("inbox/a.png"))], WATCHED)
    payload = event_payload(FOLDER, read.documents(), via=VIA_NOTIFICATIONS)
    assert payload["kind"] == PAYLOAD_KIND and payload["via"] == VIA_NOTIFICATIONS
    assert json.loads(json.dumps(payload)) == payload  # plain JSON, as the metadata database stores it
    named = documents_of_events([{"payload": payload}, {"payload": payload}])  # delivered twice
    assert named.sources == [f"{FOLDER}a.png"] and named.events == 2 and named.listed_events == 0
    assert named.notified == {f"{FOLDER}a.png": read.objects[0].fingerprint}

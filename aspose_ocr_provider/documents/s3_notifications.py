"""What an S3 event notification says about a watched prefix: the one reader of its JSON.

S3 (and S3-compatible stores: MinIO, moto) announce each new object with a JSON message on a queue
(SQS, or a Kafka topic, an SNS topic fanned out to SQS...): ``{"Records": [{"eventName":
"ObjectCreated:Put", "s3": {"bucket": {"name"}, "object": {"key", "size", "eTag", "versionId",
"sequencer"}}}]}``, the key URL-encoded (``my+scan.png`` for ``my scan.png``). Setting up a
notification sends an ``s3:TestEvent`` first; deletes are records too. The queue watcher turns the
messages into the documents of a watched folder, and the run reads the same documents back from
any other message-queue trigger's payload: both go through here, so the two cannot read a message
differently.

Nothing here fails on a message: what is not a new document of the watched folder (a test event, a
delete, a key outside the prefix or of another file type, a body that is not S3 event JSON) is
returned as a reason to log, and dropped. A notifications queue is shared with whatever else
writes to it, and one odd message must never stop the documents behind it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus, urlsplit

from aspose_ocr_provider.documents.listing import fingerprint_of
from aspose_ocr_provider.documents.reading import INPUT_SUFFIXES

CREATED = "ObjectCreated:"
"""Event names of new or overwritten objects start so (``ObjectCreated:Put``, ``:Copy``,
``:CompleteMultipartUpload``); ``ObjectRemoved:*``, ``ObjectRestore:*``... name no new bytes."""


@dataclass(frozen=True)
class NotifiedObject:
    """One object a notification says was written.

    :param source: the document as the folder's listing names it (``s3://[conn@]bucket/key``), so a
        notified document and a listed one are the same input to the submit step.
    :param size: bytes, as notified.
    :param etag: the ETag of the version written (no quotes), if given.
    :param version_id: the version written, in a versioned bucket.
    :param event_time: when S3 says it happened (ISO 8601 text).
    :param sequencer: S3's ordering of events on one key (hex text; longer is later at equal prefix).
    """

    source: str
    size: int
    etag: str | None = None
    version_id: str | None = None
    event_time: str | None = None
    sequencer: str | None = None

    @property
    def fingerprint(self) -> str:
        """The fingerprint a listing would give this version (size and ETag; a listing shows no
        version id, so it is left out here too)."""
        return fingerprint_of({"size": self.size, "ETag": self.etag})

    def to_payload(self) -> dict[str, Any]:
        """The document as an asset event names it: a listing entry's keys, plus what was notified."""
        return {
            "source": self.source,
            "size": self.size,
            "fingerprint": self.fingerprint,
            "modified": None,
            "etag": self.etag,
            "version_id": self.version_id,
            "event_time": self.event_time,
        }


@dataclass(frozen=True)
class WatchedPrefix:
    """The folder a notification must fall in: bucket, key prefix and file endings.

    :param folder: the watched folder's URI, ``s3://bucket/prefix/`` or, with the connection named
        in it, ``s3://conn_id@bucket/prefix/``. Documents directly in it count, as for the
        listing watcher: not those in sub-folders.
    :param suffixes: file name endings to keep, compared case-insensitively.
    """

    folder: str
    suffixes: tuple[str, ...] = tuple(INPUT_SUFFIXES)
    bucket: str = field(init=False)
    prefix: str = field(init=False)
    _base: str = field(init=False)

    def __post_init__(self) -> None:
        parts = urlsplit(self.folder.strip())
        bucket = parts.netloc.rsplit("@", 1)[-1]
        if parts.scheme not in ("s3", "s3a") or not bucket:
            raise ValueError(
                f"S3 event notifications name objects of an S3 bucket: the watched folder must be an "
                f"s3:// URI such as s3://bucket/inbox/ or s3://conn_id@bucket/inbox/, got {self.folder!r}."
            )
        prefix = parts.path.lstrip("/")
        object.__setattr__(self, "bucket", bucket)
        object.__setattr__(self, "prefix", prefix if not prefix or prefix.endswith("/") else prefix + "/")
        object.__setattr__(self, "_base", f"{parts.scheme}://{parts.netloc}/")
        object.__setattr__(self, "suffixes", tuple(s.lower() for s in self.suffixes))

    def source_of(self, bucket: str, key: str) -> str | None:
        """The document's source if ``bucket``/``key`` is a document directly in the folder, else None."""
        if bucket != self.bucket or not key.startswith(self.prefix):
            return None
        name = key[len(self.prefix) :]
        if not name or "/" in name or not name.lower().endswith(self.suffixes):
            return None
        return self._base + key


@dataclass
class ReadMessages:
    """What a batch of messages names in a watched folder.

    :param objects: each notified object once, the last notification of it winning (a key written
        twice is one document, looked up as it is when the run starts).
    :param dropped: one line per message or record that names no new document, saying why.
    """

    objects: list[NotifiedObject] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    def documents(self) -> list[dict[str, Any]]:
        """The objects as an asset event's ``documents``."""
        return [o.to_payload() for o in self.objects]


def read_messages(bodies: Iterable[Any], watched: WatchedPrefix) -> ReadMessages:
    """The documents of ``watched`` that message ``bodies`` (JSON text or parsed) say were written.

    :param bodies: message bodies as the queue delivered them: S3 event JSON, or an SNS
        notification whose ``Message`` is S3 event JSON (a topic fanned out to the queue).
    """
    read = ReadMessages()
    found: dict[str, NotifiedObject] = {}
    for body in bodies:
        for record in _records(body, read.dropped):
            notified = _notified(record, watched, read.dropped)
            if notified is not None:
                found.pop(notified.source, None)  # re-inserted: the document's place is its last event
                found[notified.source] = notified
    read.objects = list(found.values())
    return read


def _records(body: Any, dropped: list[str]) -> list[Mapping[str, Any]]:
    """The S3 event records of one message body (none, with a reason, for anything else)."""
    parsed = _parsed(body)
    if isinstance(parsed, Mapping) and parsed.get("Type") == "Notification" and "Message" in parsed:
        parsed = _parsed(parsed["Message"])  # SNS -> SQS: the S3 event is the SNS message
    if not isinstance(parsed, Mapping):
        dropped.append(f"not S3 event JSON: {_excerpt(body)}")
        return []
    if parsed.get("Event") == "s3:TestEvent":
        dropped.append(f"s3:TestEvent for bucket {parsed.get('Bucket')!r} (sent when a notification is set up)")
        return []
    records = parsed.get("Records")
    if not isinstance(records, list) or not records:
        dropped.append(f"no S3 event records: {_excerpt(body)}")
        return []
    good = [r for r in records if isinstance(r, Mapping)]
    if len(good) < len(records):
        dropped.append(f"{len(records) - len(good)} record(s) that are not objects: {_excerpt(body)}")
    return good


def _notified(record: Mapping[str, Any], watched: WatchedPrefix, dropped: list[str]) -> NotifiedObject | None:
    name = str(record.get("eventName") or "")
    s3 = record.get("s3")
    bucket = s3.get("bucket") if isinstance(s3, Mapping) else None
    obj = s3.get("object") if isinstance(s3, Mapping) else None
    if not isinstance(bucket, Mapping) or not isinstance(obj, Mapping) or not isinstance(obj.get("key"), str):
        dropped.append(f"a record without s3.bucket.name and s3.object.key: {_excerpt(record)}")
        return None
    bucket_name, key = str(bucket.get("name") or ""), unquote_plus(obj["key"])
    where = f"s3://{bucket_name}/{key}"
    if not name.startswith(CREATED):
        dropped.append(f"{name or 'an event with no eventName'} of {where}: not a new object")
        return None
    source = watched.source_of(bucket_name, key)
    if source is None:
        dropped.append(
            f"{name} of {where}: not a document directly in {watched.folder} ending in {', '.join(watched.suffixes)}"
        )
        return None
    try:
        size = int(obj.get("size") or 0)
    except (TypeError, ValueError):
        dropped.append(f"{name} of {where}: size {obj.get('size')!r} is not a number")
        return None
    return NotifiedObject(
        source,
        size,
        _text(obj.get("eTag")),
        _text(obj.get("versionId")),
        _text(record.get("eventTime")),
        _text(obj.get("sequencer")),
    )


def message_bodies(payload: Any) -> list[Any]:
    """The message bodies inside another message-queue trigger's event payload.

    ``common.messaging``'s triggers put what they received in the event, each in its broker's
    shape: the Amazon provider's SQS trigger as ``{"message_batch": [{"Body": "<json>", ...}]}``,
    others as a message, a value, a list of them. Every text or mapping found (walking lists and
    the usual keys) that reads as an S3 event or an SNS notification is a body; the rest is not.
    """
    found: list[Any] = []
    _walk(payload, found, depth=0)
    return found


_CARRIERS = ("message_batch", "messages", "Messages", "Body", "body", "message", "value", "payload", "data")


def _walk(value: Any, found: list[Any], depth: int) -> None:
    if depth > 6:
        return
    if isinstance(value, (list, tuple)):
        for item in value:
            _walk(item, found, depth + 1)
        return
    parsed = _parsed(value) if isinstance(value, (str, bytes)) else value
    if not isinstance(parsed, Mapping):
        return
    if "Records" in parsed or parsed.get("Event") == "s3:TestEvent" or parsed.get("Type") == "Notification":
        found.append(parsed)
        return
    for key in _CARRIERS:
        if key in parsed:
            _walk(parsed[key], found, depth + 1)


def _parsed(body: Any) -> Any:
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    if isinstance(body, str):
        try:
            return json.loads(body)
        except ValueError:
            return None
    return body


def _text(value: Any) -> str | None:
    return None if value in (None, "", "null") else str(value).strip('"')


def _excerpt(value: Any, limit: int = 120) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


"""Start a run when S3 notifies a queue of new documents: an event trigger for an ``AssetWatcher``.

A bucket of a million scans cannot be listed every few seconds (a request per 1,000 objects per
poke). S3 can instead send a message to an SQS queue for every object written; this trigger waits
on that queue and fires an asset event naming the new documents of the watched folder, listing
nothing. It is our own rather than ``common.messaging``'s ``MessageQueueTrigger`` (the Amazon
provider's ``SqsSensorTrigger`` behind it), because that one, checked on Airflow 3.3 with the
Amazon provider 9.39:

- deletes each message as soon as it is received, before Airflow has stored the asset event: a
  triggerer that dies in between loses the message. Here a message is deleted only once the event
  naming its documents is stored (Airflow 3.3's shared-stream ack mode), so it is redelivered
  otherwise;
- starts a run for every message, a test event or a delete included, or, with its message filter,
  leaves the messages it filters out in the queue to come back after every visibility timeout
  forever. Here what names no new document of the folder is logged and deleted, and starts
  nothing;
- ends after each event and is created again by the triggerer, sleeping ``waiter_delay`` (60 s by
  default) after an empty poll. Here one loop long-polls for as long as the watcher lives;
- puts the raw messages (receipt handles included) in the event; here the event names documents,
  in the listing watcher's payload, so the run is the same either way.

It reaches the queue through an ``aws`` connection like any Amazon hook, so an ``endpoint_url`` in
the connection's extra points it at an S3-compatible store's queue (moto in the tests).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aspose_ocr_provider.compat import (
    BaseEventTrigger,
    SharedStreamProducer,
    TriggerEvent,
    reject_shared_stream_event,
)
from aspose_ocr_provider.documents.events import VIA_NOTIFICATIONS, event_payload
from aspose_ocr_provider.documents.reading import INPUT_SUFFIXES
from aspose_ocr_provider.documents.s3_notifications import WatchedPrefix, read_messages

log = logging.getLogger(__name__)

STREAM_NAME = "aspose-ocr-s3-notifications"
RETRY_SECONDS = 5.0
"""Wait before asking a queue that failed to answer again."""
REPEAT_FAILURE_LOG_SECONDS = 600.0
"""A queue that keeps failing the same way is logged again this often, not every try."""


@dataclass(frozen=True)
class ReceivedMessages:
    """One receive's messages (ids and bodies): what the shared stream broadcasts to watchers."""

    queue: str
    message_ids: tuple[str, ...]
    bodies: tuple[Any, ...]


class NotificationQueue:
    """Receives and deletes messages of one SQS queue, over the Amazon provider's async client.

    :param settings: the trigger's serialized kwargs (``queue``, ``aws_conn_id``,
        ``wait_time_seconds``, ``visibility_timeout``, ``max_messages_per_event``).
    """

    def __init__(self, settings: dict[str, Any]) -> None:
        self.url = str(settings["queue"])
        self.aws_conn_id = settings["aws_conn_id"]
        self.wait_time_seconds = int(settings["wait_time_seconds"])
        self.visibility_timeout = int(settings["visibility_timeout"])
        self.max_messages = int(settings["max_messages_per_event"])
        self.gather_seconds = int(settings.get("gather_seconds", 1))
        self._client: Any = None
        self._last_failure = ""
        self._logged_at = 0.0

    async def batches(self) -> AsyncIterator[tuple[ReceivedMessages, list[str]]]:
        """Every non-empty receive, with its receipt handles, forever; a queue that does not
        answer is logged and asked again every few seconds (the watcher recovers by itself)."""
        try:
            from airflow.providers.amazon.aws.hooks.sqs import SqsHook
        except ImportError as exc:
            raise RuntimeError(
                "Watching an SQS queue needs the Amazon provider: pip install 'airflow-provider-aspose-ocr[s3]'."
            ) from exc
        while True:
            try:
                async with await SqsHook(aws_conn_id=self.aws_conn_id).get_async_conn() as client:
                    self._client = client
                    while True:
                        messages = await self._receive(client)
                        self._recovered()
                        if messages:
                            yield (
                                ReceivedMessages(
                                    self.url,
                                    tuple(str(m.get("MessageId", "")) for m in messages),
                                    tuple(m.get("Body") for m in messages),
                                ),
                                [str(m["ReceiptHandle"]) for m in messages],
                            )
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._note_failure(exc)
            finally:
                self._client = None
            await asyncio.sleep(RETRY_SECONDS)

    async def _receive(self, client: Any) -> list[dict[str, Any]]:
        """A long poll, then whatever else comes with less than ``gather_seconds`` between two
        messages (up to ``max_messages``): uploads made together are named by one event.

        One event, not one per message, because Airflow gives a run the events stored before its
        asset's queue entry was made, and leaves the ones stored while the run is being created
        for the next event (apache/airflow#56050): a burst of single-message events would load
        the first upload and keep the others waiting for the next one.
        """
        wait = self.wait_time_seconds
        messages: list[dict[str, Any]] = []
        while len(messages) < self.max_messages:
            answer = await client.receive_message(
                QueueUrl=self.url,
                MaxNumberOfMessages=min(10, self.max_messages - len(messages)),
                WaitTimeSeconds=wait,
                VisibilityTimeout=self.visibility_timeout,
            )
            got = answer.get("Messages") or []
            if not got:
                break
            messages.extend(got)
            wait = self.gather_seconds
        return messages

    async def delete(self, receipt_handles: Sequence[str]) -> None:
        """Delete received messages (ten a request); those not deleted come back after the
        visibility timeout, and name documents the run then finds loaded."""
        client = self._client
        if client is None or not receipt_handles:
            return
        for start in range(0, len(receipt_handles), 10):
            chunk = receipt_handles[start : start + 10]
            answer = await client.delete_message_batch(
                QueueUrl=self.url,
                Entries=[{"Id": str(n), "ReceiptHandle": handle} for n, handle in enumerate(chunk)],
            )
            failed = answer.get("Failed") or []
            if failed:
                log.warning(
                    "%d message(s) of %s could not be deleted and will be delivered again: %s",
                    len(failed),
                    self.url,
                    [f.get("Message") or f.get("Code") for f in failed],
                )

    def _note_failure(self, exc: BaseException) -> None:
        text = f"{type(exc).__name__}: {exc}"
        now = time.monotonic()
        if text != self._last_failure or now - self._logged_at >= REPEAT_FAILURE_LOG_SECONDS:
            log.warning(
                "Cannot receive from %s (%s); trying again every %s s. Check the queue URL and that "
                "connection %r may receive and delete its messages.",
                self.url,
                text,
                RETRY_SECONDS,
                self.aws_conn_id,
            )
            self._last_failure, self._logged_at = text, now

    def _recovered(self) -> None:
        if self._last_failure:
            log.info("Receiving from %s works again.", self.url)
            self._last_failure = ""


class _NotificationsProducer(SharedStreamProducer):
    """Airflow 3.3's ack mode: a message is deleted once every watcher has stored its event (or
    dropped the message); one that a watcher failed on, or that no watcher saw, is left to come
    back after the visibility timeout."""

    def __init__(self, queue: NotificationQueue) -> None:
        self.queue = queue

    async def open_stream(self) -> AsyncIterator[tuple[Any, Any]]:
        async for received, handles in self.queue.batches():
            yield received, handles

    async def advance(self, batch: Sequence[Any]) -> None:
        done = [
            handle
            for item in batch
            if item.outcome.failed == 0 and item.outcome.acked + item.outcome.rejected > 0
            for handle in item.broker_payload
        ]
        await self.queue.delete(done)


class AsposeOcrS3NotificationsTrigger(BaseEventTrigger):
    """
    Fire an asset event naming the new documents of an S3 folder, as its notifications say.

    The bucket sends an event notification (``s3:ObjectCreated:*``) for every object written to
    an SQS queue; this trigger long-polls the queue and fires, per batch of messages, one event
    naming the documents written directly in ``folder`` with the watched endings. The payload is
    the listing watcher's (``{"kind": "aspose_ocr.new_documents", "folder", "via":
    "s3-notifications", "documents": [{"source", "size", "fingerprint", "etag", "version_id",
    ...}]}``), read back by :func:`~aspose_ocr_provider.documents.events.documents_of_events`;
    the run looks up each named object (one HEAD) and lists nothing.

    Messages that name no new document of the folder (the ``s3:TestEvent`` S3 sends when the
    notification is set up, deletes, keys outside the prefix or of other file types, bodies that
    are not S3 event JSON) are logged and deleted, and fire nothing.

    A message is deleted from the queue only once the event naming its documents is stored in
    Airflow's database (Airflow 3.3; before, right after the event is handed to the triggerer), so
    a triggerer that dies in between has it delivered again. SQS delivers at least once: a message
    may come twice, and the run that follows finds its documents loaded (their fingerprints are
    recorded beside the table) and pays for nothing. Watchers of one queue share one receive loop.

    :param queue: the SQS queue URL (``https://sqs.eu-west-1.amazonaws.com/123456789012/scans``;
        the queue's URL at an S3-compatible store's endpoint).
    :param folder: the watched folder, ``s3://bucket/prefix/`` or ``s3://conn_id@bucket/prefix/``:
        the one the notifications are about, and the one a sweep lists.
    :param aws_conn_id: the ``aws`` connection that receives and deletes messages (an
        ``endpoint_url`` in its extra for a store other than AWS). Default: the one named in
        ``folder``, else ``aws_default``.
    :param suffixes: file name endings to watch, case-insensitive (default: what the submit
        operator accepts).
    :param wait_time_seconds: SQS long poll, 1 to 20 seconds (default 20: a message is received
        as soon as it arrives; an idle queue costs three receives a minute).
    :param visibility_timeout: seconds a received message stays hidden from other receivers
        before it is delivered again if not deleted (default 300, Airflow's wait for an event to
        be stored).
    :param max_messages_per_event: most messages one event is made of (default 100).
    :param gather_seconds: after a message, keep receiving while the next comes within this many
        seconds (default 1; 0: only what is already waiting), so that uploads made together start
        one run: Airflow can leave an event stored while a run is being created for the next
        event (apache/airflow#56050).
    """

    def __init__(
        self,
        queue: str,
        folder: str,
        aws_conn_id: str | None = None,
        suffixes: Sequence[str] | None = None,
        wait_time_seconds: int = 20,
        visibility_timeout: int = 300,
        max_messages_per_event: int = 100,
        gather_seconds: int = 1,
    ) -> None:
        super().__init__()
        if not isinstance(queue, str) or urlsplit(queue.strip()).scheme not in ("http", "https"):
            raise ValueError(
                "queue must be an SQS queue URL such as "
                f"https://sqs.eu-west-1.amazonaws.com/123456789012/scans, got {queue!r}."
            )
        self.watched = WatchedPrefix(folder, tuple(INPUT_SUFFIXES if suffixes is None else suffixes))
        if not self.watched.suffixes:
            raise ValueError("suffixes must name at least one file name ending, such as '.png'.")
        for name, value, low, high in (
            ("wait_time_seconds", wait_time_seconds, 0, 20),
            ("visibility_timeout", visibility_timeout, 0, 43200),
            ("max_messages_per_event", max_messages_per_event, 1, 10_000),
            ("gather_seconds", gather_seconds, 0, 20),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{name} must be a whole number from {low} to {high}, got {value!r}.")
        self.queue = queue.strip()
        self.folder = folder.strip()
        named_conn = urlsplit(self.folder).netloc.rpartition("@")[0]
        self.aws_conn_id = aws_conn_id or named_conn or "aws_default"
        self.suffixes = list(self.watched.suffixes)
        self.wait_time_seconds = wait_time_seconds
        self.visibility_timeout = visibility_timeout
        self.max_messages_per_event = max_messages_per_event
        self.gather_seconds = gather_seconds

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "queue": self.queue,
                "folder": self.folder,
                "aws_conn_id": self.aws_conn_id,
                "suffixes": list(self.suffixes),
                "wait_time_seconds": self.wait_time_seconds,
                "visibility_timeout": self.visibility_timeout,
                "max_messages_per_event": self.max_messages_per_event,
                "gather_seconds": self.gather_seconds,
            },
        )

    def shared_stream_key(self) -> Hashable | None:
        """Watchers of one queue through one connection, polled alike, share a receive loop."""
        return (
            STREAM_NAME,
            self.queue,
            self.aws_conn_id,
            self.wait_time_seconds,
            self.visibility_timeout,
            self.max_messages_per_event,
            self.gather_seconds,
        )

    @classmethod
    def create_shared_stream_producer(cls, kwargs: dict[str, Any]) -> Any:
        """The receive loop of a group of watchers, deleting messages once their events are
        stored (Airflow 3.3's triggerer calls this)."""
        return _NotificationsProducer(NotificationQueue(kwargs))

    async def filter_shared_stream(self, shared_stream: AsyncIterator[Any]) -> AsyncIterator[TriggerEvent]:
        """This watcher's event for each batch of messages naming documents of its folder; other
        batches are rejected, which deletes them."""
        self.log.info("Watching queue %s for new documents of %s.", self.queue, self.folder)
        async for received in shared_stream:
            if not isinstance(received, ReceivedMessages):
                continue
            event = self.event_of(received.bodies)
            if event is not None:
                yield event
            elif reject_shared_stream_event is not None:
                reject_shared_stream_event()

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Triggerers without ack-mode shared streams (Airflow < 3.3) run this: the same events,
        each batch deleted once its event is handed over."""
        queue = NotificationQueue(self.serialize()[1])
        self.log.info("Watching queue %s for new documents of %s.", self.queue, self.folder)
        async for received, handles in queue.batches():
            event = self.event_of(received.bodies)
            if event is not None:
                yield event
            await queue.delete(handles)

    def event_of(self, bodies: Iterable[Any]) -> TriggerEvent | None:
        """The event naming the documents of this watcher's folder that ``bodies`` announce, or
        None (every message logged as dropped)."""
        read = read_messages(bodies, self.watched)
        for reason in read.dropped:
            log.info("Dropped a message from %s: %s", self.queue, reason)
        if not read.objects:
            return None
        log.info("%d new document(s) in %s notified.", len(read.objects), self.folder)
        return TriggerEvent(event_payload(self.folder, read.documents(), via=VIA_NOTIFICATIONS))


def queue_watcher_trigger(queue: str, folder: str, **kwargs: Any) -> BaseEventTrigger:
    """The event trigger that watches ``queue`` for notifications about ``folder``.

    An SQS queue URL (``https://...``) gets :class:`AsposeOcrS3NotificationsTrigger`; any other
    URI goes to ``common.messaging``'s ``MessageQueueTrigger`` (``kafka://...``, whatever the
    installed providers support), whose events carry the raw messages: the run reads the S3
    records in them (:func:`~aspose_ocr_provider.documents.events.documents_of_events` with the
    folder) and drops the rest, but such a trigger starts a run for every message and deletes
    what it receives before the event is stored.

    :param kwargs: more :class:`AsposeOcrS3NotificationsTrigger` settings, for an SQS queue.
    """
    if urlsplit(queue.strip()).scheme in ("http", "https"):
        return AsposeOcrS3NotificationsTrigger(queue=queue, folder=folder, **kwargs)
    WatchedPrefix(folder)  # the run reads S3 notifications: refuse a folder they cannot be about, now
    try:
        from airflow.providers.common.messaging.triggers.msg_queue import MessageQueueTrigger
    except ImportError as exc:
        raise ValueError(
            f"{queue!r} is not an SQS queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME); other "
            "queues are watched through apache-airflow-providers-common-messaging, which is not installed."
        ) from exc
    trigger: BaseEventTrigger = MessageQueueTrigger(queue=queue)
    return trigger

"""One listing loop per watched folder, shared by every watcher of that folder.

Listing is blocking I/O (a directory scan, an S3 ``ListObjectsV2`` page after page): it runs in a
worker thread so the triggerer's event loop, which runs every trigger of the deployment, never
waits on it. Each listing is the folder's whole state, so a watcher that joins late or misses
one listing loses nothing: the next one tells it everything.

Airflow 3.3's triggerer shares one poll loop among event triggers with the same
``shared_stream_key``; older triggerers run each trigger's own ``run()``, and
:func:`shared_listings` gives those the same one-loop-per-folder sharing inside the triggerer
process.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Hashable, Sequence
from dataclasses import dataclass, field

from aspose_ocr_provider.documents.listing import ListedDocument, list_documents

log = logging.getLogger(__name__)

REPEAT_FAILURE_LOG_SECONDS = 600.0
"""A listing that keeps failing the same way is logged again this often, not every poke."""


@dataclass(frozen=True)
class FolderListing:
    """The documents of ``folder`` as one listing saw them."""

    folder: str
    documents: tuple[ListedDocument, ...]


@dataclass
class _FailureNotes:
    """Log a failing listing when its error changes, and as a reminder now and then."""

    last: str = ""
    logged_at: float = 0.0

    def note(self, folder: str, exc: BaseException, poke_interval: float) -> None:
        text = f"{type(exc).__name__}: {exc}"
        now = time.monotonic()
        if text != self.last or now - self.logged_at >= REPEAT_FAILURE_LOG_SECONDS:
            hint = (
                " Create the folder or correct the watched URI (ASPOSE_OCR_WATCH_URI in the example DAG)."
                if isinstance(exc, FileNotFoundError)
                else ""
            )
            log.warning(
                "Cannot list %s (%s); trying again every %s s until it answers.%s",
                folder,
                text,
                poke_interval,
                hint,
            )
            self.last, self.logged_at = text, now

    def recovered(self, folder: str) -> None:
        if self.last:
            log.info("Listing %s works again.", folder)
            self.last = ""


async def folder_listings(
    folder: str, suffixes: Sequence[str], poke_interval: float
) -> AsyncIterator[FolderListing]:
    """List ``folder`` now and then every ``poke_interval`` seconds, forever.

    A listing that fails (missing folder, store not answering, permissions) yields nothing and
    is tried again next time: the documents already seen stay seen, and the watcher recovers by
    itself once the folder answers.
    """
    failures = _FailureNotes()
    while True:
        try:
            documents = await asyncio.to_thread(list_documents, folder, suffixes)
        except Exception as exc:
            failures.note(folder, exc, poke_interval)
        else:
            failures.recovered(folder)
            yield FolderListing(folder, tuple(documents))
        await asyncio.sleep(poke_interval)


@dataclass
class _Fanout:
    """One listing loop and the queues of the watchers reading it."""

    task: asyncio.Task[None] | None = None
    queues: set[asyncio.Queue[FolderListing]] = field(default_factory=set)

    def publish(self, item: FolderListing) -> None:
        for queue in self.queues:
            if queue.full():  # a slow reader only needs the newest listing: it is the whole state
                queue.get_nowait()
            queue.put_nowait(item)


_FANOUTS: dict[Hashable, _Fanout] = {}


async def _pump(fanout: _Fanout, folder: str, suffixes: Sequence[str], poke_interval: float) -> None:
    async for listing in folder_listings(folder, suffixes, poke_interval):
        fanout.publish(listing)


async def shared_listings(
    key: Hashable, folder: str, suffixes: Sequence[str], poke_interval: float
) -> AsyncIterator[FolderListing]:
    """:func:`folder_listings`, one loop per ``key`` however many readers iterate it at once.

    The loop starts with its first reader and stops when its last reader stops (the triggerer
    cancels a trigger whose asset watcher is removed). For triggerers without shared streams.
    """
    fanout = _FANOUTS.get(key)
    if fanout is None:
        fanout = _FANOUTS[key] = _Fanout()
        fanout.task = asyncio.create_task(_pump(fanout, folder, suffixes, poke_interval))
    queue: asyncio.Queue[FolderListing] = asyncio.Queue(maxsize=1)
    fanout.queues.add(queue)
    try:
        while True:
            yield await queue.get()
    finally:
        fanout.queues.discard(queue)
        if not fanout.queues and _FANOUTS.get(key) is fanout:
            del _FANOUTS[key]
            if fanout.task is not None:
                fanout.task.cancel()

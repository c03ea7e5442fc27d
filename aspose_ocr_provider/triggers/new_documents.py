"""Start a run when documents land in a folder: an event trigger for an ``AssetWatcher``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Hashable, Sequence
from typing import Any

from aspose_ocr_provider.compat import BaseEventTrigger, TriggerEvent
from aspose_ocr_provider.documents.events import event_payload
from aspose_ocr_provider.documents.listing import ListedDocument
from aspose_ocr_provider.documents.reading import INPUT_SUFFIXES
from aspose_ocr_provider.triggers.folder_listings import FolderListing, folder_listings, shared_listings

STREAM_NAME = "aspose-ocr-folder-listing"


def _oldest_first(document: ListedDocument) -> tuple[float, str]:
    return (document.modified if document.modified is not None else 0.0, document.source)


class AsposeOcrNewDocumentsTrigger(BaseEventTrigger):
    """
    Fire an asset event naming each document that is new or changed in a folder.

    The folder (local or any ``ObjectStoragePath`` URI) is listed every ``poke_interval``
    seconds through :func:`~aspose_ocr_provider.documents.listing.list_documents`, in a worker thread, never
    on the triggerer's event loop. A document is "new or changed" when its listing fingerprint
    (size plus ETag, version id or modification time) differs from the one the previous listing
    showed; nothing is read or downloaded. Watchers of the same folder share one listing loop:
    through the triggerer's shared streams on Airflow 3.3, inside the triggerer process before.

    The trigger remembers what it has seen in memory only. Re-created (a triggerer restart, the
    DAG unpaused, a changed watcher), its first listing names every document in the folder, so
    nothing that landed while no one watched is missed; the run that follows skips, unread by
    the service and unpaid, every document the warehouse already holds (the submit operator's
    ``incremental`` check), and its load replaces rather than duplicates rows.

    The event payload (``extra["payload"]`` of the asset event, JSON) is
    ``{"kind": "aspose_ocr.new_documents", "folder": ..., "documents": [{"source", "fingerprint",
    "size", "modified"}, ...]}``, oldest document first; read it with
    :func:`~aspose_ocr_provider.documents.events.documents_of_events`.

    Write documents into a local folder under another name (``scan.png.part``) and rename them
    when complete, so a half-written file is never listed; object stores show an object only
    once its upload is complete.

    :param folder: The folder to watch: a local path, ``file://`` URI or object storage URI
        (``s3://bucket/scans/`` with the Amazon provider). Documents directly in it are watched,
        not those in sub-folders.
    :param poke_interval: Seconds between listings (default 10). A local folder lists in well
        under a millisecond per file; on S3 each listing is one request per 1,000 objects.
    :param suffixes: File name endings to watch, case-insensitive (default: the images, PDFs and
        TIFFs the submit operator accepts).
    :param max_documents_per_event: Most documents one event names (default 1,000); a bigger
        backlog fires several events, which still start a single run when they arrive together.
    """

    def __init__(
        self,
        folder: str,
        poke_interval: float = 10.0,
        suffixes: Sequence[str] | None = None,
        max_documents_per_event: int = 1000,
    ) -> None:
        super().__init__()
        if not isinstance(folder, str) or not folder.strip():
            raise ValueError(
                f"folder must be a folder path or URI such as /data/scans or s3://bucket/scans/, got {folder!r}."
            )
        if (
            isinstance(poke_interval, bool)
            or not isinstance(poke_interval, (int, float))
            or poke_interval <= 0
        ):
            raise ValueError(f"poke_interval must be a positive number of seconds, got {poke_interval!r}.")
        if (
            isinstance(max_documents_per_event, bool)
            or not isinstance(max_documents_per_event, int)
            or max_documents_per_event < 1
        ):
            raise ValueError(
                f"max_documents_per_event must be a positive integer, got {max_documents_per_event!r}."
            )
        self.folder = folder.strip()
        self.poke_interval = float(poke_interval)
        self.suffixes = [s.lower() for s in (INPUT_SUFFIXES if suffixes is None else suffixes)]
        if not self.suffixes:
            raise ValueError("suffixes must name at least one file name ending, such as '.png'.")
        self.max_documents_per_event = max_documents_per_event

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "folder": self.folder,
                "poke_interval": self.poke_interval,
                "suffixes": list(self.suffixes),
                "max_documents_per_event": self.max_documents_per_event,
            },
        )

    def shared_stream_key(self) -> Hashable | None:
        """Watchers of one folder, listed at one pace for the same endings, share a listing loop."""
        return (STREAM_NAME, self.folder.rstrip("/") or "/", self.poke_interval, tuple(sorted(self.suffixes)))

    @classmethod
    async def open_shared_stream(cls, kwargs: dict[str, Any]) -> AsyncIterator[Any]:
        """The one listing loop of a group of watchers (Airflow 3.3's triggerer calls this)."""
        async for listing in folder_listings(kwargs["folder"], kwargs["suffixes"], kwargs["poke_interval"]):
            yield listing

    async def filter_shared_stream(self, shared_stream: AsyncIterator[Any]) -> AsyncIterator[TriggerEvent]:
        """This watcher's events: the documents each listing shows new or changed since its last."""
        seen: dict[str, str] | None = None
        async for listing in shared_stream:
            if not isinstance(listing, FolderListing):
                continue
            changed = sorted(
                (d for d in listing.documents if seen is None or seen.get(d.source) != d.fingerprint),
                key=_oldest_first,
            )
            if seen is None:
                self.log.info(
                    "Watching %s every %s s: %d document(s) there now; firing for all of them (the run "
                    "skips those already loaded).",
                    self.folder,
                    self.poke_interval,
                    len(listing.documents),
                )
            seen = {d.source: d.fingerprint for d in listing.documents}
            if not changed:
                continue
            self.log.info("%d new or changed document(s) in %s.", len(changed), self.folder)
            step = self.max_documents_per_event
            for start in range(0, len(changed), step):
                yield TriggerEvent(event_payload(self.folder, changed[start : start + step]))

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Triggerers without shared streams (Airflow < 3.3) run this: the same events, and still
        one listing loop per folder in the triggerer process."""
        key = self.shared_stream_key()
        listings = shared_listings(key, self.folder, self.suffixes, self.poke_interval)
        async for event in self.filter_shared_stream(listings):
            yield event

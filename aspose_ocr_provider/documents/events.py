"""What a "new documents" asset event says, written by the folder watcher and read by the run.

The watcher (:class:`~aspose_ocr_provider.triggers.new_documents.AsposeOcrNewDocumentsTrigger`)
puts its payload in the asset event Airflow records (``extra["payload"]``); the run it starts
reads every triggering event and loads exactly the documents they name. One module holds both
sides so the two cannot drift apart. The payload is plain JSON (text and numbers): it is stored
in the metadata database and shown in the UI.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aspose_ocr_provider.documents.listing import ListedDocument, describe_documents, list_documents
from aspose_ocr_provider.documents.s3_notifications import WatchedPrefix, message_bodies, read_messages

DESCRIBE_AT_MOST = 200
"""A run whose events name at most this many documents asks the store about each (a stat or a
HEAD); beyond, one listing of the folder (a request per 1,000 objects) is cheaper."""

PAYLOAD_KIND = "aspose_ocr.new_documents"
"""Marks our payloads among whatever else may update the same asset (a hand-made event, say)."""


VIA_LISTING = "listing"
VIA_NOTIFICATIONS = "s3-notifications"
"""How a watcher learnt of its documents: a listing of the folder, or the store's notifications.
A run whose events all came from notifications never lists the folder, however many they name."""


def event_payload(
    folder: str, documents: Sequence[ListedDocument | Mapping[str, Any]], via: str = VIA_LISTING
) -> dict[str, Any]:
    """The JSON payload of one event naming new or changed ``documents`` of ``folder``.

    :param documents: listing entries, or payload entries (``NotifiedObject.to_payload()``).
    :param via: :data:`VIA_LISTING` or :data:`VIA_NOTIFICATIONS`.
    """
    return {
        "kind": PAYLOAD_KIND,
        "folder": folder,
        "via": via,
        # listing entries, as the submit step takes them
        "documents": [dict(d) if isinstance(d, Mapping) else d.to_xcom() for d in documents],
    }


@dataclass(frozen=True)
class EventDocuments:
    """The documents a run's triggering events name.

    :param sources: each document once, in the order the events named them (oldest first).
    :param events: how many of the run's events were the watcher's.
    :param other_events: events without a watcher payload (a hand-made asset event, say).
    :param notified: the fingerprint each notified document had when its notification was sent
        (the last one, if several name it), for the run to tell what was overwritten since.
    :param listed_events: how many of ``events`` came from a listing (the rest from notifications).
    :param dropped: why messages in the events name no document (another queue trigger's
        payloads: test events, deletes, keys outside the folder).
    """

    sources: list[str]
    events: int
    other_events: int
    notified: dict[str, str] = field(default_factory=dict)
    listed_events: int = 0
    dropped: list[str] = field(default_factory=list)

    def to_load(self, listed: Sequence[str]) -> tuple[list[str], list[str]]:
        """``(to load, gone)``: the named documents still in the folder's current listing, and
        those deleted since their event. A run no watcher event started (by hand, or by a
        hand-made asset event) loads the whole listing; its submit step skips what is loaded.

        :param listed: the sources a listing of the watched folder shows now.
        """
        if not self.events:
            return list(listed), []
        there = set(listed)
        return [s for s in self.sources if s in there], [s for s in self.sources if s not in there]


def _payload_of(event: Any) -> Mapping[str, Any] | None:
    """The watcher payload of a triggering asset event (an Airflow event object or its extra)."""
    payload = _extra_of(event).get("payload")
    if isinstance(payload, Mapping) and payload.get("kind") == PAYLOAD_KIND:
        return payload
    return None


def documents_of_events(events: Iterable[Any], folder: str | None = None) -> EventDocuments:
    """Every document the watcher's events name, each once.

    A document named by several events (it changed twice before the run started, a restarted
    triggerer named it again, a notification was delivered twice) is loaded once: the run reads its
    bytes as they are now.

    :param events: the run's triggering asset events, oldest first (``context
        ["triggering_asset_events"][asset]``), or their ``extra`` mappings.
    :param folder: the watched ``s3://`` folder, to read also the S3 notifications inside other
        message-queue triggers' events (``common.messaging``'s ``MessageQueueTrigger``); without
        it such events count as ``other_events``.
    """
    sources: dict[str, None] = {}
    notified: dict[str, str] = {}
    dropped: list[str] = []
    ours = others = listed = 0
    watched = _watched_prefix(folder)
    for event in events:
        payload = _payload_of(event)
        documents: list[Any]
        if payload is not None:
            documents = list(payload.get("documents") or [])
            listed += payload.get("via", VIA_LISTING) == VIA_LISTING
        else:
            bodies = message_bodies(_extra_of(event).get("payload")) if watched is not None else []
            if not bodies or watched is None:
                others += 1
                continue
            read = read_messages(bodies, watched)
            documents, dropped = read.documents(), dropped + read.dropped
        ours += 1
        for document in documents:
            source = document.get("source") if isinstance(document, Mapping) else None
            if isinstance(source, str) and source:
                sources[source] = None
                if payload is None or payload.get("via") == VIA_NOTIFICATIONS:
                    notified[source] = str(document.get("fingerprint") or "")
    return EventDocuments(list(sources), ours, others, notified, listed, dropped)


def _extra_of(event: Any) -> Mapping[str, Any]:
    extra = getattr(event, "extra", event)
    return extra if isinstance(extra, Mapping) else {}


def _watched_prefix(folder: str | None) -> WatchedPrefix | None:
    if not folder or not folder.strip().lower().startswith(("s3://", "s3a://")):
        return None
    return WatchedPrefix(folder)


@dataclass(frozen=True)
class TriggeringDocuments:
    """The documents a run's watcher events name, given as ``images`` to the submit step.

    Resolved when the run executes, in the task that submits: reading the events in a task of
    its own would cost the run another task process and scheduler round, several seconds on a
    small deployment, for a few milliseconds of work. The documents come back as the folder's
    current listing entries, so the submit step sees today's fingerprints and skips, unread,
    any it has loaded before (a restarted watcher names every document again).

    :param asset: the asset the folder watcher updates (its events are the run's
        ``triggering_asset_events[asset]``).
    :param folder: the watched folder. The named documents are looked up one by one (a stat or
        HEAD each, up to ``DESCRIBE_AT_MOST``; a listing of the folder beyond), so a run over a big
        bucket costs what its events name, not the bucket; those deleted since their event are
        left out (and logged). A run no watcher event started (by hand, or on the DAG's sweep
        schedule) lists the whole folder, for the submit step to skip what is loaded.
    """

    asset: Any
    folder: str

    def for_run(self, context: Mapping[str, Any], log: Any) -> list[dict[str, Any]]:
        """The listing entries (``ListedDocument.to_xcom()``) this run loads, oldest event first."""
        if not self.folder:  # checked here, not when the DAG is parsed: a DAG watching nothing still parses
            raise ValueError(
                "No watched folder to list (an empty path or URI). In the example DAG, set "
                "ASPOSE_OCR_WATCH_URI to the folder its watcher lists."
            )
        events = context.get("triggering_asset_events") or {}
        named = documents_of_events(events.get(self.asset, []) if events else [], self.folder)
        for reason in named.dropped:
            log.info("Dropped a message: %s", reason)
        # A restarted listing watcher names the whole folder: beyond DESCRIBE_AT_MOST one listing is
        # cheaper than a HEAD each. Notifications name only what was written: they are never listed.
        if named.events and (not named.listed_events or len(named.sources) <= DESCRIBE_AT_MOST):
            listed = describe_documents(named.sources)
        else:
            listed = {d.source: d for d in list_documents(self.folder)}
        to_load, gone = named.to_load(list(listed))
        if gone:
            log.warning("%d document(s) the events name are gone from the folder: %s", len(gone), gone)
        rewritten = [s for s in to_load if named.notified.get(s) not in (None, "", listed[s].fingerprint)]
        if rewritten:
            log.info(
                "%d document(s) were written again after their notification; loading them as they are "
                "now (each version is loaded once): %s",
                len(rewritten),
                rewritten,
            )
        if named.events:
            log.info("%d watcher event(s) name %d document(s): %s", named.events, len(named.sources), to_load)
        else:
            log.info("No watcher event (a sweep, or a run started by hand): all %d document(s) of %s.", len(listed), self.folder)
        return [listed[source].to_xcom() for source in to_load]

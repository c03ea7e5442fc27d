"""What a "new documents" asset event says, written by the folder watcher and read by the run.

The watcher (:class:`~aspose_ocr_provider.triggers.new_documents.AsposeOcrNewDocumentsTrigger`)
puts its payload in the asset event Airflow records (``extra["payload"]``); the run it starts
reads every triggering event and loads exactly the documents they name. One module holds both
sides so the two cannot drift apart. The payload is plain JSON (text and numbers): it is stored
in the metadata database and shown in the UI.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aspose_ocr_provider.documents.listing import ListedDocument, describe_documents, list_documents

DESCRIBE_AT_MOST = 200
"""A run whose events name at most this many documents asks the store about each (a stat or a
HEAD); beyond, one listing of the folder (a request per 1,000 objects) is cheaper."""

PAYLOAD_KIND = "aspose_ocr.new_documents"
"""Marks our payloads among whatever else may update the same asset (a hand-made event, say)."""


def event_payload(folder: str, documents: Sequence[ListedDocument]) -> dict[str, Any]:
    """The JSON payload of one event naming new or changed ``documents`` of ``folder``."""
    return {
        "kind": PAYLOAD_KIND,
        "folder": folder,
        "documents": [d.to_xcom() for d in documents],  # listing entries, as the submit step takes them
    }


@dataclass(frozen=True)
class EventDocuments:
    """The documents a run's triggering events name.

    :param sources: each document once, in the order the events named them (oldest first).
    :param events: how many of the run's events were the watcher's.
    :param other_events: events without a watcher payload (a hand-made asset event, say).
    """

    sources: list[str]
    events: int
    other_events: int

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
    extra = getattr(event, "extra", event)
    if not isinstance(extra, Mapping):
        return None
    payload = extra.get("payload")
    if isinstance(payload, Mapping) and payload.get("kind") == PAYLOAD_KIND:
        return payload
    return None


def documents_of_events(events: Iterable[Any]) -> EventDocuments:
    """Every document the watcher's events name, each once.

    A document named by several events (it changed twice before the run started, or a restarted
    triggerer named it again) is loaded once: the run reads its bytes as they are now.

    :param events: the run's triggering asset events, oldest first (``context
        ["triggering_asset_events"][asset]``), or their ``extra`` mappings.
    """
    sources: dict[str, None] = {}
    ours = others = 0
    for event in events:
        payload = _payload_of(event)
        if payload is None:
            others += 1
            continue
        ours += 1
        for document in payload.get("documents") or []:
            source = document.get("source") if isinstance(document, Mapping) else None
            if isinstance(source, str) and source:
                sources[source] = None
    return EventDocuments(list(sources), ours, others)


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
        named = documents_of_events(events.get(self.asset, []) if events else [])
        if named.events and len(named.sources) <= DESCRIBE_AT_MOST:
            listed = describe_documents(named.sources)
        else:
            listed = {d.source: d for d in list_documents(self.folder)}
        to_load, gone = named.to_load(list(listed))
        if gone:
            log.warning("%d document(s) the events name are gone from the folder: %s", len(gone), gone)
        if named.events:
            log.info("%d watcher event(s) name %d document(s): %s", named.events, len(named.sources), to_load)
        else:
            log.info("No watcher event (a sweep, or a run started by hand): all %d document(s) of %s.", len(listed), self.folder)
        return [listed[source].to_xcom() for source in to_load]

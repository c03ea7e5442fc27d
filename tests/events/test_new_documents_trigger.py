"""The folder watcher on a real folder: what it fires, what it does not, and what it shares."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

import pytest

from aspose_ocr_provider import compat
from aspose_ocr_provider.documents.events import PAYLOAD_KIND, documents_of_events
from aspose_ocr_provider.documents.listing import list_documents
from aspose_ocr_provider.triggers import folder_listings as listings_module
from aspose_ocr_provider.triggers.folder_listings import FolderListing, shared_listings
from aspose_ocr_provider.triggers.new_documents import AsposeOcrNewDocumentsTrigger

POKE = 0.05


def drop(folder: Path, name: str, data: bytes) -> Path:
    """Land a document the way the docs ask: written under another name, then renamed."""
    part = folder / f"{name}.part"
    part.write_bytes(data)
    return part.rename(folder / name)


def listing(folder: Path) -> FolderListing:
    return FolderListing(str(folder), tuple(list_documents(folder)))


async def stream_of(listings: Iterable[FolderListing]) -> AsyncIterator[FolderListing]:
    for item in listings:
        yield item


async def events_of(trigger: AsposeOcrNewDocumentsTrigger, listings: list[FolderListing]) -> list[Any]:
    return [event.payload async for event in trigger.filter_shared_stream(stream_of(listings))]


def named(payloads: list[Any]) -> list[list[str]]:
    return [[Path(d["source"]).name for d in p["documents"]] for p in payloads]


async def take(events: AsyncIterator[Any], count: int, timeout: float = 10) -> list[Any]:
    return [(await asyncio.wait_for(anext(events), timeout)).payload for _ in range(count)]


@pytest.fixture
def listing_threads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The thread of every listing the watcher makes (the real listing runs; only observed)."""
    threads: list[int] = []
    real = listings_module.list_documents

    def observed(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(listings_module, "list_documents", observed)
    return threads


async def test_first_listing_names_every_document_then_only_new_or_changed(tmp_path: Path) -> None:
    drop(tmp_path, "a.png", b"\x89PNG a")
    drop(tmp_path, "b.pdf", b"%PDF b")
    (tmp_path / "notes.txt").write_text("not a document")
    first = listing(tmp_path)
    unchanged = listing(tmp_path)
    drop(tmp_path, "c.png", b"\x89PNG c")
    scan_b = tmp_path / "b.pdf"
    scan_b.write_bytes(b"%PDF b, second version")
    with_changes = listing(tmp_path)
    (tmp_path / "a.png").unlink()
    a_gone = listing(tmp_path)
    drop(tmp_path, "a.png", b"\x89PNG a")
    a_back = listing(tmp_path)

    trigger = AsposeOcrNewDocumentsTrigger(folder=str(tmp_path), poke_interval=POKE)
    payloads = await events_of(trigger, [first, unchanged, with_changes, a_gone, a_back])

    # No event for the unchanged listing nor for the one where a.png only went away.
    assert [sorted(n) for n in named(payloads)] == [["a.png", "b.pdf"], ["b.pdf", "c.png"], ["a.png"]]
    for payload in payloads:
        assert payload["kind"] == PAYLOAD_KIND
        assert payload["folder"] == str(tmp_path)
        assert json.loads(json.dumps(payload)) == payload  # stored as JSON in the metadata DB
    changed_b = next(d for d in payloads[1]["documents"] if d["source"].endswith("b.pdf"))
    assert changed_b["fingerprint"] == next(
        d.fingerprint for d in with_changes.documents if d.source.endswith("b.pdf")
    )
    assert changed_b["fingerprint"] != payloads[0]["documents"][1]["fingerprint"]


async def test_a_recreated_trigger_names_everything_again(tmp_path: Path) -> None:
    """What a triggerer restart does: the run it starts must skip them (see the e2e test)."""
    drop(tmp_path, "a.png", b"\x89PNG a")
    drop(tmp_path, "b.png", b"\x89PNG b")
    trigger = AsposeOcrNewDocumentsTrigger(folder=str(tmp_path), poke_interval=POKE)
    before = await events_of(trigger, [listing(tmp_path), listing(tmp_path)])

    classpath, kwargs = trigger.serialize()
    assert classpath == "aspose_ocr_provider.triggers.new_documents.AsposeOcrNewDocumentsTrigger"
    recreated = AsposeOcrNewDocumentsTrigger(**kwargs)
    after = await events_of(recreated, [listing(tmp_path)])

    assert named(after) == named(before) == [["a.png", "b.png"]]


async def test_a_backlog_is_split_into_events_oldest_first(tmp_path: Path) -> None:
    for number in range(5):
        scan = drop(tmp_path, f"scan-{number}.png", b"\x89PNG %d" % number)
        os.utime(scan, ns=(0, (1_000 - number) * 10**9))  # scan-4 is the oldest
    trigger = AsposeOcrNewDocumentsTrigger(
        folder=str(tmp_path), poke_interval=POKE, max_documents_per_event=2
    )

    payloads = await events_of(trigger, [listing(tmp_path)])

    assert named(payloads) == [["scan-4.png", "scan-3.png"], ["scan-2.png", "scan-1.png"], ["scan-0.png"]]
    assert documents_of_events([{"payload": p} for p in payloads]).sources == [
        d["source"] for p in payloads for d in p["documents"]
    ]


async def test_run_lists_in_a_thread_and_fires_as_documents_land(
    tmp_path: Path, listing_threads: list[int]
) -> None:
    drop(tmp_path, "a.png", b"\x89PNG a")
    trigger = AsposeOcrNewDocumentsTrigger(folder=str(tmp_path), poke_interval=POKE)
    events = trigger.run()
    try:
        assert named(await take(events, 1)) == [["a.png"]]
        drop(tmp_path, "b.png", b"\x89PNG b")
        assert named(await take(events, 1)) == [["b.png"]]
    finally:
        await events.aclose()
    assert listing_threads
    assert threading.get_ident() not in listing_threads, "a listing ran on the event loop's thread"


async def test_a_missing_folder_is_logged_with_the_fix_and_watched_until_it_appears(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, listing_threads: list[int]
) -> None:
    folder = tmp_path / "inbox"
    trigger = AsposeOcrNewDocumentsTrigger(folder=str(folder), poke_interval=POKE)
    events = trigger.run()
    first = asyncio.ensure_future(anext(events))
    try:
        with caplog.at_level(logging.WARNING, logger=listings_module.__name__):
            while len(listing_threads) < 3:  # three failed listings: warned once, no event
                await asyncio.sleep(POKE / 5)
            assert not first.done()
            warnings = [r.getMessage() for r in caplog.records if str(folder) in r.getMessage()]
            assert len(warnings) == 1, warnings
            assert "ASPOSE_OCR_WATCH_URI" in warnings[0]
            folder.mkdir()
            drop(folder, "a.png", b"\x89PNG a")
            assert named([(await asyncio.wait_for(first, 10)).payload]) == [["a.png"]]
    finally:
        first.cancel()
        await events.aclose()


async def test_watchers_of_one_folder_share_one_listing_loop(
    tmp_path: Path, listing_threads: list[int]
) -> None:
    drop(tmp_path, "a.png", b"\x89PNG a")
    one = AsposeOcrNewDocumentsTrigger(folder=str(tmp_path), poke_interval=POKE)
    two = AsposeOcrNewDocumentsTrigger(folder=str(tmp_path) + "/", poke_interval=POKE)
    other_pace = AsposeOcrNewDocumentsTrigger(folder=str(tmp_path), poke_interval=POKE * 2)
    assert one.shared_stream_key() == two.shared_stream_key() != other_pace.shared_stream_key()

    key = one.shared_stream_key()
    readers = [shared_listings(key, str(tmp_path), one.suffixes, POKE) for _ in range(2)]

    async def three(reader: AsyncIterator[FolderListing]) -> list[FolderListing]:
        return [await asyncio.wait_for(anext(reader), 10) for _ in range(3)]

    try:
        first, second = await asyncio.gather(three(readers[0]), three(readers[1]))
        # Both readers got the very same listings, and there were no more listings than that.
        assert [id(item) for item in first] == [id(item) for item in second]
        assert len(listing_threads) <= 4
    finally:
        for reader in readers:
            await reader.aclose()
    assert key not in listings_module._FANOUTS  # the loop stopped with its last reader


@pytest.mark.skipif(not compat.SHARED_TRIGGER_STREAMS, reason="the triggerer shares streams from Airflow 3.3")
async def test_the_triggerer_shared_stream_runs_one_listing_for_all_watchers(
    tmp_path: Path, listing_threads: list[int]
) -> None:
    from airflow.triggers.shared_stream import SharedStreamManager

    drop(tmp_path, "a.png", b"\x89PNG a")
    manager = SharedStreamManager()
    pace = 1.0
    triggers = [
        AsposeOcrNewDocumentsTrigger(folder=str(tmp_path), poke_interval=pace, max_documents_per_event=n)
        for n in (10, 20, 30)
    ]
    streams = [
        t.filter_shared_stream(manager.subscribe(trigger_id=i, trigger=t, key=t.shared_stream_key()))
        for i, t in enumerate(triggers)
    ]
    try:
        firsts = [await take(s, 1) for s in streams]
        # Three watchers fired from a single listing (a loop each would have listed three times).
        assert len(listing_threads) == 1
        drop(tmp_path, "b.png", b"\x89PNG b")
        seconds = [await take(s, 1) for s in streams]
        assert named(firsts[0]) == named(firsts[1]) == named(firsts[2]) == [["a.png"]]
        assert named(seconds[0]) == named(seconds[1]) == named(seconds[2]) == [["b.png"]]
        assert len(listing_threads) <= 3  # a loop each: at least six by now
        assert len(manager._groups) == 1
        assert threading.get_ident() not in listing_threads
    finally:
        for stream in streams:
            await stream.aclose()
        await manager.stop_all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"folder": " "}, "folder must be a folder path or URI"),
        ({"folder": "/data", "poke_interval": 0}, "poke_interval must be a positive number"),
        ({"folder": "/data", "max_documents_per_event": 0}, "max_documents_per_event must be a positive"),
        ({"folder": "/data", "suffixes": []}, "suffixes must name at least one"),
    ],
)
def test_bad_settings_are_named(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AsposeOcrNewDocumentsTrigger(**kwargs)


def test_the_run_reads_each_document_once_and_ignores_other_events() -> None:
    def event(*sources: str) -> dict[str, Any]:
        return {
            "from_trigger": True,
            "payload": {"kind": PAYLOAD_KIND, "documents": [{"source": s} for s in sources]},
        }

    class AssetEvent:  # the shape Airflow hands a task: the asset event with its extra
        def __init__(self, extra: dict[str, Any]) -> None:
            self.extra = extra

    found = documents_of_events(
        [AssetEvent(event("/in/a.png", "/in/b.png")), AssetEvent({}), event("/in/b.png", "/in/c.png")]
    )

    assert found.sources == ["/in/a.png", "/in/b.png", "/in/c.png"]
    assert (found.events, found.other_events) == (2, 1)


def test_a_run_loads_the_named_documents_still_there_or_everything_when_started_by_hand() -> None:
    def event(*sources: str) -> dict[str, Any]:
        return {"payload": {"kind": PAYLOAD_KIND, "documents": [{"source": s} for s in sources]}}

    listed = ["/in/a.png", "/in/c.png", "/in/d.png"]

    assert documents_of_events([event("/in/c.png", "/in/b.png", "/in/a.png")]).to_load(listed) == (
        ["/in/c.png", "/in/a.png"],
        ["/in/b.png"],  # deleted after its event: not submitted, named in the log
    )
    assert documents_of_events([]).to_load(listed) == (listed, [])
    assert documents_of_events([{"note": "made by hand in the UI"}]).to_load(listed) == (listed, [])
    assert documents_of_events([event()]).to_load(listed) == ([], [])

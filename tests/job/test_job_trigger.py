"""The trigger on its own: one session, status endpoint only, survives a triggerer restart."""

from __future__ import annotations

import asyncio
import importlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from job_images import png

from aspose_ocr_provider.emulator.testing import run_emulator
from aspose_ocr_provider.hooks.aspose_ocr import AsposeOcrHook
from aspose_ocr_provider.models import RECOGNIZE_TABLE_PATH, TASK_STATUS_PATH
from aspose_ocr_provider.triggers.task_status import AsposeOcrTaskTrigger, backoff_delays

CSV = "0,1\nitem,qty\napple,3\n"


@pytest.fixture
def emu(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with run_emulator(pending_polls=3, processing_polls=2) as emulator:
        monkeypatch.setenv("AIRFLOW_CONN_ASPOSE_OCR_DEFAULT", emulator.airflow_conn_json())
        yield emulator


def _submit(emu: Any, count: int) -> list[str]:
    hook = AsposeOcrHook(aspose_ocr_conn_id="aspose_ocr_default")
    ids = []
    for seed in range(count):
        data = png(seed)
        emu.add_fixture(data, CSV)
        ids.append(hook.submit_table(data, None))
    return ids


def _restore(trigger: AsposeOcrTaskTrigger) -> AsposeOcrTaskTrigger:
    """What the triggerer does after a restart: rebuild from the serialized row."""
    classpath, kwargs = trigger.serialize()
    stored = json.loads(json.dumps(kwargs))
    module, _, name = classpath.rpartition(".")
    restored = getattr(importlib.import_module(module), name)(**stored)
    assert isinstance(restored, AsposeOcrTaskTrigger)
    return restored


async def test_recreated_mid_wait_fires_the_same_event(emu: Any) -> None:
    ids = _submit(emu, 3)
    trigger = AsposeOcrTaskTrigger(ids, poll_interval=0.05, max_poll_interval=0.1)
    kwargs_text = json.dumps(trigger.serialize()[1])
    assert "emulator-client-secret" not in kwargs_text and "Bearer" not in kwargs_text

    first_run = asyncio.ensure_future(trigger.run().__anext__())
    while emu.count("GET", TASK_STATUS_PATH) < len(ids):  # the first poll round reached the service
        await asyncio.sleep(0.01)
    assert not first_run.done()
    first_run.cancel()  # the triggerer stops: the trigger is destroyed mid-wait
    with pytest.raises(asyncio.CancelledError):
        await first_run

    event = await _restore(trigger).run().__anext__()
    assert event.payload["status"] == "done"
    assert event.payload["tasks"] == {i: {"status": "Completed", "messages": []} for i in ids}
    # An uninterrupted trigger over the same ids fires the very same event.
    again = await AsposeOcrTaskTrigger(ids, poll_interval=0.05).run().__anext__()
    assert again.payload == event.payload
    # Waiting used the status-only endpoint, never the result download.
    assert emu.count("GET", RECOGNIZE_TABLE_PATH) == 0


async def test_unknown_id_is_final_as_not_exist(emu: Any) -> None:
    unknown = "00000000-0000-0000-0000-000000000000"
    event = await AsposeOcrTaskTrigger([unknown], poll_interval=0.05).run().__anext__()
    assert event.payload["tasks"][unknown]["status"] == "NotExist"


async def test_deadline_in_the_past_gives_a_timeout_event(emu: Any) -> None:
    ids = _submit(emu, 2)
    emu.configure(pending_polls=10**6)
    event = await AsposeOcrTaskTrigger(ids, poll_interval=0.05, end_time=0.0).run().__anext__()
    assert event.payload["status"] == "timeout"
    assert sorted(event.payload["pending"]) == sorted(ids)


def test_backoff_doubles_to_the_cap_with_jitter() -> None:
    delays = backoff_delays(1.0, 8.0, jitter=0.2)
    seen = [next(delays) for _ in range(7)]
    for got, base in zip(seen, [1, 2, 4, 8, 8, 8, 8], strict=True):
        assert base * 0.8 <= got <= base * 1.2
    assert len(set(seen)) == len(seen)  # jittered, not lock-step


@pytest.fixture
def flaky_emu(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An emulator whose connection gives up after one quick retry, so failures reach the trigger."""
    with run_emulator(pending_polls=0, processing_polls=0, fault_seed=7) as emulator:
        conn = emulator.airflow_conn_json(max_retries=0, backoff_base=0.01, backoff_max=0.01)
        monkeypatch.setenv("AIRFLOW_CONN_ASPOSE_OCR_DEFAULT", conn)
        yield emulator


async def test_a_failed_poll_round_is_retried_next_round(flaky_emu: Any) -> None:
    ids = _submit(flaky_emu, 2)
    # Exactly the first status request fails; the hook does not retry it, the trigger does.
    flaky_emu.configure(faults={"status": {"rate": 1.0, "kinds": ["500"]}})
    trigger = AsposeOcrTaskTrigger(ids, poll_interval=0.05, max_concurrency=1)
    run = asyncio.ensure_future(trigger.run().__anext__())
    while flaky_emu.count("GET", TASK_STATUS_PATH) < 1:
        await asyncio.sleep(0.01)
    flaky_emu.configure(faults={})
    event = await run
    assert event.payload["status"] == "done"
    assert set(event.payload["tasks"]) == set(ids)


async def test_the_wait_ends_in_words_when_the_service_keeps_failing(flaky_emu: Any) -> None:
    ids = _submit(flaky_emu, 1)
    flaky_emu.configure(faults={"status": {"rate": 1.0, "kinds": ["503"]}})
    event = await AsposeOcrTaskTrigger(ids, poll_interval=0.01).run().__anext__()
    assert event.payload["status"] == "error"
    assert "HTTP 503" in event.payload["message"]
    assert event.payload["pending"] == ids

"""Fixtures for the hook tests: an emulator, a connection to it, and the same calls on both hooks."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PIL import Image

from aspose_ocr_provider.emulator.testing import EmulatorHandle, run_emulator
from aspose_ocr_provider.hooks.aspose_ocr import AsposeOcrAsyncHook, AsposeOcrHook
from aspose_ocr_provider.hooks.token_cache import TokenCache

CONN_ID = "aspose_ocr_hooktest"
FAST_RETRIES = {"backoff_base": 0.01, "backoff_max": 0.05, "max_retries": 3}
"""Backoff small enough that retry tests stay quick; Retry-After from the server still wins."""


def png(seed: int) -> bytes:
    """A tiny image whose bytes (and so the emulator's fixture key) depend on ``seed``."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (seed % 256, (seed * 7) % 256, 9)).save(buffer, format="PNG")
    return buffer.getvalue()


class HookClient:
    """One API surface over either hook, so every behaviour is asserted for both.

    The async hook is driven in its own event loop per call (no ``async with``), the way a
    trigger that polls now and then would use it; the shared-session form has its own test.
    """

    def __init__(self, kind: str, conn_id: str = CONN_ID) -> None:
        self.kind = kind
        self.cache = TokenCache()
        self.delays: list[float] = []
        self.on_sleep: Callable[[float], None] | None = None
        self.hook: Any
        if kind == "sync":
            self.hook = AsposeOcrHook(aspose_ocr_conn_id=conn_id)
            self.hook.sleep = self._sleep
        else:
            self.hook = AsposeOcrAsyncHook(aspose_ocr_conn_id=conn_id)
            self.hook.sleep = self._asleep
        self.hook.token_cache = self.cache

    def _sleep(self, seconds: float) -> None:
        self.delays.append(seconds)
        if self.on_sleep is not None:
            self.on_sleep(seconds)
        time.sleep(seconds)

    async def _asleep(self, seconds: float) -> None:
        self.delays.append(seconds)
        if self.on_sleep is not None:
            await asyncio.to_thread(self.on_sleep, seconds)
        await asyncio.sleep(seconds)

    def __call__(self, method: str, *args: Any) -> Any:
        result = getattr(self.hook, method)(*args)
        if self.kind == "async":
            return asyncio.run(result)
        return result


@pytest.fixture
def emulator() -> Iterator[EmulatorHandle]:
    with run_emulator(pending_polls=0, processing_polls=0, client_secret="s3cr3t-Known-Secret-Value") as emu:
        yield emu


@pytest.fixture
def connection(emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> EmulatorHandle:
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", emulator.airflow_conn_json(**FAST_RETRIES))
    return emulator


@pytest.fixture(params=["sync", "async"])
def client(request: pytest.FixtureRequest, connection: EmulatorHandle) -> HookClient:
    return HookClient(request.param)

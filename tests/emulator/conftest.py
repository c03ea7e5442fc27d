"""Shared helpers for the emulator tests: tiny real PNGs and a thin HTTP client of the API."""

from __future__ import annotations

import asyncio
import base64
import io
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
from PIL import Image

from aspose_ocr_provider.emulator.testing import EmulatorHandle, run_emulator
from aspose_ocr_provider.models import RECOGNIZE_TABLE_PATH, TOKEN_PATH, TaskStatus


def make_png(seed: int, size: int = 6) -> bytes:
    """A distinct, valid PNG per seed (pixel values depend on the seed)."""
    image = Image.new("RGB", (size, size), "white")
    for i in range(size * size):
        value = (seed * 7919 + i * 104729) % 256
        image.putpixel((i % size, i // size), (value, (seed >> 8) % 256, (seed >> 16) % 256))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


class Api:
    """Plain HTTP calls against one emulator, as any client would make them."""

    def __init__(self, session: aiohttp.ClientSession, emu: EmulatorHandle) -> None:
        self.session = session
        self.emu = emu
        self.url = emu.url
        self._token: str | None = None

    async def token(self) -> str:
        async with self.session.post(
            self.url + TOKEN_PATH,
            data={
                "grant_type": "client_credentials",
                "client_id": self.emu.client_id,
                "client_secret": self.emu.client_secret,
            },
        ) as resp:
            assert resp.status == 200, await resp.text()
            return str((await resp.json())["access_token"])

    async def auth(self) -> dict[str, str]:
        if self._token is None:
            self._token = await self.token()
        return {"Authorization": f"Bearer {self._token}"}

    async def submit_raw(self, body: Any, path: str = RECOGNIZE_TABLE_PATH) -> aiohttp.ClientResponse:
        headers = {**(await self.auth()), "Content-Type": "application/json", "Accept": "text/plain"}
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        resp = await self.session.post(self.url + path, data=data, headers=headers)
        await resp.read()
        return resp

    async def submit(self, image: bytes, settings: dict[str, Any] | None = None) -> str:
        body = {"image": base64.b64encode(image).decode(), "settings": {} if settings is None else settings}
        resp = await self.submit_raw(body)
        assert resp.status == 200, await resp.text()
        return await resp.text()

    async def get(self, task_id: str, path: str = RECOGNIZE_TABLE_PATH) -> dict[str, Any]:
        async with self.session.get(
            self.url + path, params={"id": task_id}, headers=await self.auth()
        ) as resp:
            assert resp.status == 200, await resp.text()
            assert resp.content_type == "application/json"
            return dict(await resp.json())

    async def wait_final(
        self, task_id: str, path: str = RECOGNIZE_TABLE_PATH, limit: int = 200
    ) -> dict[str, Any]:
        """Poll until the task reports a final status (bounded by a poll count, not by time)."""
        for _ in range(limit):
            body = await self.get(task_id, path)
            if TaskStatus.parse(body["taskStatus"]).is_final:
                return body
            # Engines run on threads: wait until they are done rather than spinning.
            await asyncio.to_thread(self.emu.wait_idle)
        raise AssertionError(f"task {task_id} not final after {limit} polls")


def decode(result: dict[str, Any]) -> bytes:
    return base64.b64decode(result["data"])


@pytest.fixture
def emu() -> Iterator[EmulatorHandle]:
    with run_emulator() as handle:
        yield handle


@pytest.fixture
async def api(emu: EmulatorHandle) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as session:
        yield Api(session, emu)

"""Fault injection: seeded, per endpoint, settable at run time; and a server that never blocks."""

from __future__ import annotations

import asyncio
import base64
import threading

import aiohttp
import pytest

from aspose_ocr_provider.emulator.engines.base import Table
from aspose_ocr_provider.emulator.testing import EmulatorHandle, run_emulator
from aspose_ocr_provider.models import RECOGNIZE_TABLE_PATH, TASK_STATUS_PATH, TableSettings
from tests.emulator.conftest import Api, make_png


async def _status_of_get(api: Api, task_id: str = "x") -> int:
    async with api.session.get(
        api.url + TASK_STATUS_PATH, params={"id": task_id}, headers=await api.auth()
    ) as resp:
        await resp.read()
        return resp.status


@pytest.mark.parametrize("kind", ["429", "500", "502", "503"])
async def test_status_faults(api: Api, emu: EmulatorHandle, kind: str) -> None:
    await api.auth()
    emu.configure(faults={"status": {"rate": 1.0, "kinds": [kind], "retry_after": 7}})
    async with api.session.get(
        api.url + TASK_STATUS_PATH, params={"id": "x"}, headers=await api.auth()
    ) as resp:
        assert resp.status == int(kind)
        if kind in ("429", "503"):
            assert resp.headers["Retry-After"] == "7"
    # Other endpoints are untouched.
    async with api.session.get(
        api.url + RECOGNIZE_TABLE_PATH, params={"id": "x"}, headers=await api.auth()
    ) as resp:
        assert resp.status == 200
    emu.configure(faults={})
    assert await _status_of_get(api) == 200


async def test_dropped_connection(api: Api, emu: EmulatorHandle) -> None:
    await api.auth()
    emu.configure(faults={"result": {"rate": 1.0, "kinds": ["drop"]}})
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api.get("x")
    # aiohttp retries a GET once on a reused connection; every attempt was dropped.
    dropped = [r.status for r in emu.requests if r.endpoint == "result"]
    assert dropped and set(dropped) == {None}
    # The server survives and keeps answering.
    assert await _status_of_get(api) == 200


async def test_wildcard_applies_to_endpoints_without_their_own_rule(api: Api, emu: EmulatorHandle) -> None:
    await api.auth()
    emu.configure(faults={"*": {"rate": 1.0, "kinds": ["503"]}, "status": {"rate": 0.0}})
    assert await _status_of_get(api) == 200
    async with api.session.post(
        api.url + "/connect/token", data={"grant_type": "client_credentials"}
    ) as resp:
        assert resp.status == 503


def _fault_sequence(seed: int) -> list[int]:
    async def run() -> list[int]:
        with run_emulator(fault_seed=seed, faults={"status": {"rate": 0.5, "kinds": ["500", "503"]}}) as emu:
            async with aiohttp.ClientSession() as session:
                api = Api(session, emu)
                return [await _status_of_get(api) for _ in range(40)]

    return asyncio.run(run())


def test_same_seed_same_faults() -> None:
    first, second, other = _fault_sequence(7), _fault_sequence(7), _fault_sequence(8)
    assert first == second
    assert first != other
    assert {200, 500, 503} == set(first)


async def test_rate_is_a_fraction(api: Api, emu: EmulatorHandle) -> None:
    await api.auth()
    emu.configure(fault_seed=1, faults={"status": {"rate": 0.25, "kinds": ["500"]}})
    statuses = [await _status_of_get(api) for _ in range(400)]
    faulted = statuses.count(500)
    # Binomial(400, 0.25): mean 100, sd ~8.7; the seed makes this exact, the bounds make it honest.
    assert 60 < faulted < 140
    assert emu.stats()["endpoints"]["status"] == 400


async def test_task_error_rate(api: Api, emu: EmulatorHandle) -> None:
    image = make_png(1)
    emu.add_fixture_table(image, [["a"]])
    emu.configure(task_error_rate=1.0, pending_polls=0, processing_polls=0)
    body = await api.wait_final(await api.submit(image))
    assert body["taskStatus"] == "Error"
    assert "Injected fault" in body["error"]["messages"][0]
    emu.configure(task_error_rate=0.0)
    assert (await api.wait_final(await api.submit(image)))["taskStatus"] == "Completed"


async def test_slow_answer_does_not_block_other_requests(api: Api, emu: EmulatorHandle) -> None:
    await api.auth()
    emu.configure(faults={"result": {"rate": 1.0, "kinds": ["slow"], "slow_seconds": 30}})
    slow = asyncio.ensure_future(api.get("x"))
    # Wait until the slow request has reached the server, then talk to it meanwhile.
    while emu.stats()["endpoints"].get("result", 0) == 0 and not slow.done():
        await asyncio.to_thread(emu.wait_idle)
        await asyncio.sleep(0)
    assert await _status_of_get(api) == 200
    assert not slow.done()
    slow.cancel()


async def test_bad_fault_config_is_refused_in_words(emu: EmulatorHandle) -> None:
    with pytest.raises(ValueError, match="valid endpoints"):
        emu.configure(faults={"results": {"rate": 0.1}})
    with pytest.raises(ValueError, match="valid kinds"):
        emu.configure(faults={"result": {"rate": 0.1, "kinds": ["404"]}})
    with pytest.raises(ValueError, match="between 0 and 1"):
        emu.configure(faults={"result": {"rate": 2}})
    with pytest.raises(ValueError, match="settable here"):
        emu.configure(client_secret="x")


class _GatedEngine:
    """An engine that blocks its worker thread until released, to show the loop stays free."""

    name = "gated"

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started = threading.Event()

    def recognize(self, image: bytes, settings: TableSettings) -> list[Table]:
        self.started.set()
        self.release.wait(timeout=30)
        return [Table.of([["done"]])]


async def test_engine_runs_off_the_event_loop() -> None:
    engine = _GatedEngine()
    with run_emulator(engine=engine, pending_polls=0, processing_polls=0) as emu:
        async with aiohttp.ClientSession() as session:
            api = Api(session, emu)
            task_id = await api.submit(make_png(2), {"resultTypeTable": "Csv"})
            assert await asyncio.to_thread(engine.started.wait, 30)
            # The engine thread is blocked, yet the server answers, and honestly says Processing.
            assert (await api.get(task_id))["taskStatus"] == "Processing"
            assert await api.token()
            engine.release.set()
            assert (await api.wait_final(task_id))["taskStatus"] == "Completed"


async def test_many_tasks_and_concurrent_pollers() -> None:
    count = 400
    with run_emulator(pending_polls=1, processing_polls=1) as emu:
        images = [make_png(1000 + i) for i in range(count)]
        for i, image in enumerate(images):
            emu.add_fixture_table(image, [["n"], [str(i)]])
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100)) as session:
            api = Api(session, emu)
            await api.auth()
            ids = await asyncio.gather(*(api.submit(image, {"resultTypeTable": "Csv"}) for image in images))
            answers = await asyncio.gather(*(api.wait_final(task_id) for task_id in ids))
        assert len(set(ids)) == count
        csvs = [base64.b64decode(a["results"][0]["data"]).decode() for a in answers]
        assert csvs == [f"0\nn\n{i}\n" for i in range(count)]
        assert emu.stats()["tasks"]["by_status"] == {"Completed": count}

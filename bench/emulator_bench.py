"""Load bench of the emulator: N tasks submitted and polled concurrently against one process.

Starts ``aspose-ocr-emulator --port 0`` (one process) with N distinct tiny PNG fixtures, then from
this process submits all N images at once with aiohttp, polls each task until Completed and checks
every CSV against its fixture. As a baseline measured in the same run, it drives a bare aiohttp
server (one route answering "ok") with the same number of requests at the same concurrency, so the
printed ratio says how much of the floor the emulator keeps, whatever the machine.

    .venv/bin/python bench/emulator_bench.py --tasks 2000
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import json
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

import aiohttp
from PIL import Image

TOKEN_PATH = "/connect/token"
TABLE_PATH = "/v5.0/ocr/RecognizeTable"

BARE_SERVER = textwrap.dedent(
    """
    import sys
    from aiohttp import web
    async def ok(request):
        return web.Response(text="ok")
    async def main():
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", ok)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        print("Listening on http://127.0.0.1:%d" % runner.addresses[0][1], flush=True)
        import asyncio
        await asyncio.Event().wait()
    import asyncio
    asyncio.run(main())
    """
)


def png(seed: int) -> bytes:
    image = Image.new("RGB", (8, 8), "white")
    for i in range(64):
        image.putpixel((i % 8, i // 8), ((seed + i) % 256, (seed >> 8) % 256, (seed * 31 + i) % 256))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def fixture_rows(seed: int) -> list[list[str]]:
    return [["id", "name", "amount"], [str(seed), f"item-{seed}", f"{seed * 1.25:.2f}"]]


def expected_csv(seed: int) -> str:
    rows = fixture_rows(seed)
    return "0,1,2\n" + "".join(",".join(r) + "\n" for r in rows)


def start(command: list[str]) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.fullmatch(r"Listening on (http://\S+)\n", line)
    if not match:
        proc.kill()
        raise SystemExit(f"server did not announce its address: {line!r}")
    return proc, match.group(1)


class Meter:
    def __init__(self) -> None:
        self.requests = 0
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}

    async def call(self, session: aiohttp.ClientSession, method: str, url: str, **kwargs: Any) -> tuple[int, bytes]:
        started = time.perf_counter()
        async with session.request(method, url, **kwargs) as resp:
            body = await resp.read()
        self.latencies.append(time.perf_counter() - started)
        self.requests += 1
        self.statuses[resp.status] = self.statuses.get(resp.status, 0) + 1
        return resp.status, body


async def run_tasks(url: str, images: list[bytes], concurrency: int, poll_interval: float) -> dict[str, Any]:
    meter = Meter()
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        status, body = await meter.call(
            session,
            "POST",
            url + TOKEN_PATH,
            data={
                "grant_type": "client_credentials",
                "client_id": "emulator-client-id",
                "client_secret": "emulator-client-secret",
            },
        )
        assert status == 200, body
        headers = {"Authorization": "Bearer " + json.loads(body)["access_token"]}
        polls: list[int] = []
        seen_states: set[str] = set()

        async def one(seed: int, image: bytes) -> None:
            payload = {"image": base64.b64encode(image).decode(), "settings": {"resultTypeTable": "Csv"}}
            status, body = await meter.call(session, "POST", url + TABLE_PATH, json=payload, headers=headers)
            assert status == 200, body
            task_id = body.decode()
            for count in range(1, 10_000):
                status, body = await meter.call(session, "GET", url + TABLE_PATH, params={"id": task_id}, headers=headers)
                assert status == 200, body
                answer = json.loads(body)
                seen_states.add(answer["taskStatus"])
                if answer["taskStatus"] == "Completed":
                    csv_text = base64.b64decode(answer["results"][0]["data"]).decode("utf-8")
                    if csv_text != expected_csv(seed):
                        raise AssertionError(f"task {task_id} (fixture {seed}) returned {csv_text!r}")
                    polls.append(count)
                    return
                if answer["taskStatus"] in ("Error", "NotExist"):
                    raise AssertionError(f"task {task_id} ended {answer}")
                await asyncio.sleep(poll_interval)
            raise AssertionError(f"task {task_id} never completed")

        started = time.perf_counter()
        await asyncio.gather(*(one(i, image) for i, image in enumerate(images)))
        wall = time.perf_counter() - started
    return {"wall": wall, "meter": meter, "polls": polls, "states": seen_states}


async def run_baseline(url: str, requests: int, concurrency: int) -> dict[str, Any]:
    meter = Meter()
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        semaphore = asyncio.Semaphore(concurrency)

        async def one() -> None:
            async with semaphore:
                await meter.call(session, "GET", url + TABLE_PATH, params={"id": "x"})

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(requests)))
        wall = time.perf_counter() - started
    return {"wall": wall, "meter": meter}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=200, help="client connections (default 200)")
    parser.add_argument("--poll-interval", type=float, default=0.05, help="seconds between polls of one task")
    parser.add_argument("--pending-polls", type=int, default=1)
    parser.add_argument("--processing-polls", type=int, default=1)
    args = parser.parse_args()

    images = [png(i) for i in range(args.tasks)]
    assert len(set(images)) == len(images), "fixture images must be distinct"
    with tempfile.TemporaryDirectory(prefix="emulator-bench-") as folder:
        for i, image in enumerate(images):
            (Path(folder) / f"t{i:05d}.png").write_bytes(image)
            (Path(folder) / f"t{i:05d}.csv").write_text(
                "".join(",".join(r) + "\n" for r in fixture_rows(i)), encoding="utf-8"
            )
        emulator, url = start(
            [
                sys.executable,
                "-m",
                "aspose_ocr_provider.emulator",
                "--port",
                "0",
                "--fixtures",
                folder,
                "--pending-polls",
                str(args.pending_polls),
                "--processing-polls",
                str(args.processing_polls),
                "--log-level",
                "WARNING",
            ]
        )
        try:
            result = asyncio.run(run_tasks(url, images, args.concurrency, args.poll_interval))
            stats = asyncio.run(_stats(url))
        finally:
            emulator.terminate()
            emulator.wait(timeout=30)

    bare, bare_url = start([sys.executable, "-c", BARE_SERVER])
    try:
        baseline = asyncio.run(run_baseline(bare_url, result["meter"].requests, args.concurrency))
    finally:
        bare.terminate()
        bare.wait(timeout=30)

    meter: Meter = result["meter"]
    rps = meter.requests / result["wall"]
    base_rps = baseline["meter"].requests / baseline["wall"]
    print(f"emulator bench: {args.tasks} tasks, concurrency {args.concurrency}, poll interval {args.poll_interval}s")
    print(f"  all {len(result['polls'])} tasks Completed with the right CSV; states seen: {sorted(result['states'])}")
    print(f"  wall time            {result['wall']:.2f} s")
    print(f"  requests             {meter.requests} (statuses {meter.statuses})")
    print(f"  requests/s           {rps:.0f}")
    print(f"  tasks/s              {args.tasks / result['wall']:.0f}")
    print(f"  polls per task       median {statistics.median(result['polls']):.0f}, max {max(result['polls'])}")
    print(f"  latency ms           p50 {pct(meter.latencies, 0.5):.1f}, p95 {pct(meter.latencies, 0.95):.1f}, max {max(meter.latencies) * 1000:.1f}")
    print(f"  emulator counters    {stats['endpoints']}, tasks {stats['tasks']['by_status']}")
    print(f"baseline (bare aiohttp server, same request count and concurrency): {base_rps:.0f} requests/s")
    print(f"  ratio emulator/baseline requests/s: {rps / base_rps:.2f}")
    return 0


async def _stats(url: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session, session.get(url + "/_emulator/stats") as resp:
        return dict(await resp.json())


if __name__ == "__main__":
    raise SystemExit(main())

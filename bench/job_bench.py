"""Job bench: 1,000 images through submit -> wait -> load against an emulator that answers every
request 100 ms late, measured against the limit the service itself sets, in the same run.

The three steps are the provider's own code, run one after the other in this process as a worker
and the triggerer would run them: ``AsposeOcrSubmitTableOperator.execute``, the sensor's
``AsposeOcrTaskTrigger`` in an asyncio loop, ``AsposeOcrTableToSqlOperator.execute`` into a
SQLite warehouse, every step with the same ``--concurrency``. Airflow's own per-task cost
(scheduling, starting a task process) is not in the figure: it does not grow with the images.
The emulator runs as another process (the CLI) with the fixtures engine: ``--images`` distinct
images, each with its own table, answered Completed at the first status read.

The service-bound limit: every request waits ``--latency`` seconds at the service and each step
keeps ``--concurrency`` requests in flight, so no client can finish sooner than

    limit = sum over endpoints (requests to it / concurrency) x latency + processing

where the requests are the ones the emulator counted in this run (tokens, POSTs, status polls,
result GETs) and ``processing`` is the emulator's own recognition time for the images (the engine
timed on the same images in this process, divided by the emulator's engine threads). The
figures: wall time of the three steps, the limit, their ratio (target at most 1.5x), and the peak
RSS of this process (sampled every 20 ms) against its RSS before the run.

    .venv/bin/python bench/job_bench.py                  # 1,000 images, 100 ms, concurrency 16
    .venv/bin/python bench/job_bench.py --images 200     # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="aspose-ocr-job-bench-airflow-")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")

import psutil

from aspose_ocr_provider.emulator.process import EmulatorProcess
from tests.faults.images import make_images

EMULATOR_WORKERS = 4
TABLE = "ocr_tables"
ENDPOINTS = ("token", "submit", "status", "result")


class PeakRss:
    """The most resident memory this process used while the run went on."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.process = psutil.Process()
        self.before = self.process.memory_info().rss
        self.peak = self.before
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)


def processing_seconds(folder: Path) -> float:
    """The emulator's recognition time for every image, spread over its engine threads."""
    from aspose_ocr_provider.emulator.engines.fixtures import FixturesEngine
    from aspose_ocr_provider.emulator.state import recognize_in_thread
    from aspose_ocr_provider.models import TableSettings

    engine = FixturesEngine(folder)
    settings = TableSettings()
    images = [p.read_bytes() for p in sorted(folder.glob("*.png"))]
    start = time.perf_counter()
    for image in images:
        recognize_in_thread(engine, image, settings)
    return (time.perf_counter() - start) / EMULATOR_WORKERS


def run_job(folder: Path, concurrency: int, poll_interval: float, steps: dict[str, float]) -> dict[str, Any]:
    """submit -> wait -> load, as a worker and the triggerer run them; the load's XCom.

    ``steps`` receives each step's wall time.
    """
    import asyncio

    from aspose_ocr_provider.operators.load import AsposeOcrTableToSqlOperator
    from aspose_ocr_provider.operators.submit import SUBMISSIONS_XCOM_KEY, AsposeOcrSubmitTableOperator
    from aspose_ocr_provider.triggers.task_status import AsposeOcrTaskTrigger
    from tests.airflow_runs import BareTaskInstance

    ti = BareTaskInstance()
    start = time.perf_counter()
    ids = AsposeOcrSubmitTableOperator(
        task_id="submit", images=str(folder / "*.png"), max_concurrency=concurrency
    ).execute({"ti": ti})  # type: ignore[arg-type]
    steps["submit"] = time.perf_counter() - start
    trigger = AsposeOcrTaskTrigger(ids, poll_interval=poll_interval, max_concurrency=concurrency)

    async def first_event() -> Any:
        async for event in trigger.run():
            return event.payload
        return None

    start = time.perf_counter()
    event = asyncio.run(first_event())
    steps["wait"] = time.perf_counter() - start
    if not event or event.get("status") != "done":
        raise RuntimeError(f"The wait ended with {event!r}")
    load = AsposeOcrTableToSqlOperator(
        task_id="load",
        ocr_task_ids=ti.xcom[SUBMISSIONS_XCOM_KEY],
        conn_id="warehouse",
        table=TABLE,
        max_concurrency=concurrency,
    )
    start = time.perf_counter()
    loaded = dict(load.execute({"ti": ti, "run_id": "job-bench", "outlet_events": {}}))  # type: ignore[arg-type]
    steps["load"] = time.perf_counter() - start
    return loaded


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=1000, help="distinct images in the run (default 1000)")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds added to every request (default 0.1)")
    parser.add_argument(
        "--concurrency", type=int, default=16, help="max_concurrency of submit, wait and load (default 16)"
    )
    parser.add_argument(
        "--poll-interval", type=float, default=5.0, help="the trigger's first wait between polls (default 5)"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="aspose-ocr-job-bench-"))
    folder = work / "scans"
    images = make_images(folder, args.images)
    warehouse = work / "warehouse.db"
    os.environ["AIRFLOW_CONN_WAREHOUSE"] = "sqlite://" + urllib.parse.quote(str(warehouse), safe="")
    processing = processing_seconds(folder)

    # Tasks complete as soon as the engine has answered (no Pending/Processing polls to wait out):
    # what is left to measure is the requests' latency and our own work.
    faults = {"*": {"rate": 1.0, "kinds": ["slow"], "slow_seconds": args.latency}}
    with EmulatorProcess(
        "--fixtures", str(folder), "--workers", str(EMULATOR_WORKERS), "--pending-polls", "0",
        "--processing-polls", "0", "--faults-json", json.dumps(faults),
    ) as emulator:
        os.environ["AIRFLOW_CONN_ASPOSE_OCR_DEFAULT"] = json.dumps(
            {"conn_type": "aspose_ocr", "login": "emulator-client-id", "password": "emulator-client-secret",
             "host": emulator.url}
        )
        # Airflow, pandas and the provider are imported before the clock starts: a worker has them.
        import aspose_ocr_provider.operators.load
        import aspose_ocr_provider.operators.submit
        import aspose_ocr_provider.triggers.task_status  # noqa: F401
        import tests.airflow_runs  # noqa: F401

        steps: dict[str, float] = {}
        with PeakRss() as rss:
            start = time.perf_counter()
            loaded = run_job(folder, args.concurrency, args.poll_interval, steps)
            wall = time.perf_counter() - start
        counts = {e: int(emulator.stats()["endpoints"].get(e, 0)) for e in ENDPOINTS}

    import sqlite3

    with sqlite3.connect(warehouse) as conn:
        rows = conn.execute(f"SELECT COUNT(*), COUNT(DISTINCT _source) FROM {TABLE}").fetchone()
    ok = rows[1] == len(images.csv) and loaded["rows"] == rows[0]

    requests = sum(counts.values())
    service = requests / args.concurrency * args.latency
    limit = service + processing
    ratio = wall / limit
    print()
    print(f"{args.images} images, {args.latency * 1000:.0f} ms added to every request, concurrency {args.concurrency}")
    print(f"loaded {loaded['rows']} rows; the warehouse holds {rows[0]} rows from {rows[1]} images")
    print("requests the emulator answered: " + ", ".join(f"{e} {n}" for e, n in counts.items()) + f" (total {requests})")
    print(f"limit: {requests} / {args.concurrency} x {args.latency:.3f} s = {service:.1f} s "
          f"+ emulator processing {processing:.2f} s = {limit:.1f} s")
    print("steps: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in steps.items()))
    print(f"wall time: {wall:.1f} s = {ratio:.2f}x the limit (target <= 1.5x: {'yes' if ratio <= 1.5 else 'NO'})")
    print(f"peak RSS: {rss.peak / 2**20:.0f} MiB ({rss.before / 2**20:.0f} MiB before the run, "
          f"+{(rss.peak - rss.before) / 2**20:.0f} MiB during it)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

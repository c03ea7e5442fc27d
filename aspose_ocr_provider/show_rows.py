"""``aspose-ocr-show``: print a loaded table one source, page and table at a time.

One warehouse table holds the columns of every image ever loaded into it, so ``SELECT *`` prints
dozens of mostly empty columns per row: unreadable in a terminal. Each image's rows are shown
here with only the columns that image filled, under a line naming the image, page and table,
which is how a person checks what recognition made of their scans.

Reads an SQLite file (the demo's and the README's warehouse); for other databases, query with
their own tools.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from aspose_ocr_provider.tables.provenance import DEFAULT_PROVENANCE


def render(frame: pd.DataFrame, table: str, width: int = 120) -> str:
    """The rows grouped by source, page and table number, each group with its own columns."""
    source, page, number = (DEFAULT_PROVENANCE[key] for key in ("source", "source_page", "source_table"))
    if frame.empty:
        return f"Table {table!r} holds no rows."
    keys = [column for column in (source, page, number) if column in frame.columns]
    provenance = [c for c in frame.columns if str(c).startswith("_")]
    out: list[str] = []
    with pd.option_context("display.max_rows", 1000, "display.max_columns", 60, "display.width", width):
        groups = frame.groupby(keys, sort=True, dropna=False) if keys else [((), frame)]
        for key, rows in groups:
            values: dict[str, Any] = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
            label = Path(str(values.get(source, "?"))).name
            for column, word in ((page, "page"), (number, "table")):
                if values.get(column) is not None and not pd.isna(values[column]):
                    label += f", {word} {int(values[column])}"
            data = rows.drop(columns=provenance).dropna(axis="columns", how="all")
            out.append(f"--- {label}: {len(rows)} row(s) ---")
            out.append(data.to_string(index=False) if not data.empty else "(no data columns)")
            out.append("")
    images = frame[source].nunique() if source in frame.columns else "?"
    out.append(f"{len(frame)} row(s) from {images} source(s) in table {table!r}.")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="aspose-ocr-show",
        description="Print a loaded table of an SQLite warehouse, one source, page and table at a time.",
    )
    parser.add_argument("database", help="path of the SQLite warehouse file, e.g. warehouse.db")
    parser.add_argument("table", nargs="?", default="ocr_tables", help="table name (default: ocr_tables)")
    args = parser.parse_args(argv)
    path = Path(args.database)
    if not path.is_file():
        print(f"aspose-ocr-show: {path} is not a file; give the SQLite warehouse's path.", file=sys.stderr)
        return 2
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        found = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (args.table,))
        if found.fetchone() is None:
            print(f"aspose-ocr-show: {path} has no table {args.table!r}.", file=sys.stderr)
            return 2
        quoted = '"' + args.table.replace('"', '""') + '"'
        frame = pd.read_sql_query(f"SELECT * FROM {quoted}", db, dtype_backend="numpy_nullable")  # noqa: S608
    print(render(frame, args.table))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What a user checks after a run: every table of every image in the warehouse, exactly once.

The ground truth is each image's fixture CSV, cleaned the way the load operator documents
(header row, type inference) by the library's own ``csv_to_table``; the rows a run wrote for an
image's table must be exactly those rows, each once, with equal cells. One checker for the DAG,
fault-suite and deployment tests, so they all mean the same thing by "loaded correctly".
"""

from __future__ import annotations

import csv
import io
import math
import sqlite3
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from aspose_ocr_provider.emulator.engines.fixtures import IMAGE_SUFFIXES, parse_fixture_csv
from aspose_ocr_provider.tables import csv_to_table, provenance_columns


def fixture_images(folder: Path) -> list[Path]:
    """The images of a fixtures folder that have a CSV answer next to them."""
    return sorted(
        p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.with_suffix(".csv").is_file()
    )


def csv_of(images: Iterable[Path]) -> dict[str, str]:
    """Image file name -> its fixture CSV text."""
    return {p.name: p.with_suffix(".csv").read_text(encoding="utf-8") for p in images}


def _cell(value: Any) -> Any:
    """One comparable form for a cell from pandas or from a database driver (numbers as floats)."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return round(float(value), 6)
    if isinstance(value, (datetime, date)):
        value = value.isoformat()
    text = str(value)
    try:
        # SQLite's column affinity stores "300" as 300 in a column an earlier image made INTEGER.
        return round(float(text), 6)
    except ValueError:
        pass
    for midnight in ("T00:00:00", " 00:00:00"):
        text = text.removesuffix(midnight)
    return text


def expected_tables(csv_text: str) -> list[pd.DataFrame]:
    """The cleaned, typed tables of one fixture CSV, as the load operator would write them."""
    reserved = list(provenance_columns(True).values())
    frames = []
    for table in parse_fixture_csv(csv_text):
        buffer = io.StringIO()
        csv.writer(buffer).writerows(table.rows)
        frames.append(csv_to_table(buffer.getvalue(), reserved_names=reserved).frame)
    return frames


def table_exists(conn: Any, table: str) -> bool:
    if isinstance(conn, sqlite3.Connection):
        return (
            conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone()
            is not None
        )
    return conn.execute("SELECT to_regclass(%s)", (f'"{table}"',)).fetchone()[0] is not None


def read_rows(conn: Any, table: str) -> pd.DataFrame:
    """Every row of ``table`` through an sqlite3 or psycopg connection (empty when it is missing)."""
    if not table_exists(conn, table):
        return pd.DataFrame()
    cur = conn.execute(f'SELECT * FROM "{table}"')
    names = [d[0] for d in cur.description]
    return pd.DataFrame([tuple(r) for r in cur.fetchall()], columns=names)


def sqlite_rows(path: Path, table: str = "ocr_tables") -> pd.DataFrame:
    with sqlite3.connect(path) as conn:
        return read_rows(conn, table)


def postgres_rows(dsn: str, table: str) -> pd.DataFrame:
    import psycopg

    with psycopg.connect(dsn) as conn:
        return read_rows(conn, table)


def assert_exactly_once(
    loaded: pd.DataFrame, run_id: str, csv_by_image: dict[str, str], *, by_page: bool = False
) -> int:
    """Assert the run wrote every table of ``csv_by_image`` exactly once and nothing else.

    ``loaded`` is the whole warehouse table; rows of other runs are not this run's business.
    With ``by_page`` the keys are ``"<file name> page <n>"``, one per page of a document.
    Returns the number of rows checked.
    """
    assert not loaded.empty, "the warehouse table is missing or empty"
    rows = loaded[loaded["_dag_run_id"] == run_id].copy()
    rows["_image"] = rows["_source"].astype(str).str.rsplit("/", n=1).str[-1]
    if by_page:
        rows["_image"] = rows["_image"] + " page " + rows["_source_page"].astype(int).astype(str)
    keys = Counter(zip(rows["_image"], rows["_source_table"], rows["_source_row"], strict=True))
    duplicated = {k: n for k, n in keys.items() if n > 1}
    assert not duplicated, f"rows loaded more than once (image, table, row): {duplicated}"
    assert sorted(set(rows["_image"])) == sorted(csv_by_image), "images loaded differ from the images given"
    checked = 0
    for image, text in sorted(csv_by_image.items()):
        for number, expected in enumerate(expected_tables(text), start=1):
            got = rows[(rows["_image"] == image) & (rows["_source_table"] == number)].sort_values(
                "_source_row"
            )
            assert [int(v) for v in got["_source_row"]] == list(expected.index), (
                f"{image} table {number}: row numbers"
            )
            missing = [c for c in expected.columns if c not in got.columns]
            assert not missing, f"{image} table {number}: columns {missing} are not in the warehouse table"
            want = [[_cell(v) for v in row] for row in expected.itertuples(index=False)]
            have = [[_cell(v) for v in row] for row in got[list(expected.columns)].itertuples(index=False)]
            assert have == want, f"{image} table {number} differs from its ground truth: {have} != {want}"
            checked += len(want)
    assert checked == len(rows), f"{len(rows) - checked} rows of this run match no table of any image"
    return checked

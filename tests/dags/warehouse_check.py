"""Compare what a DAG run loaded into an SQLite warehouse with the fixture CSVs of its images.

The fixture CSV next to each image is the ground truth of what the image holds. Each of its
tables is read with the same defaults the load operator uses (header row, type inference), and
the rows the run wrote for that image and table must equal it, row by row and cell by cell.
"""

from __future__ import annotations

import csv
import io
import math
import sqlite3
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


def _norm(value: Any) -> Any:
    """One comparable form for a cell read from pandas or from SQLite (numbers as floats)."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
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


def expected_tables(csv_path: Path) -> list[pd.DataFrame]:
    """The tables of one fixture CSV, cleaned and typed as the load operator does."""
    reserved = list(provenance_columns(True).values())
    frames = []
    for table in parse_fixture_csv(csv_path.read_text(encoding="utf-8")):
        buffer = io.StringIO()
        csv.writer(buffer).writerows(table.rows)
        frames.append(csv_to_table(buffer.getvalue(), reserved_names=reserved).frame)
    return frames


def sqlite_rows(warehouse: Path, table: str, run_id: str) -> pd.DataFrame:
    """The rows one DAG run wrote into an SQLite warehouse table."""
    with sqlite3.connect(warehouse) as db:
        return pd.read_sql_query(f'SELECT * FROM "{table}" WHERE "_dag_run_id" = ?', db, params=(run_id,))


def postgres_rows(dsn: str, table: str, run_id: str) -> pd.DataFrame:
    """The rows one DAG run wrote into a PostgreSQL warehouse table."""
    import psycopg

    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(f'SELECT * FROM "{table}" WHERE "_dag_run_id" = %s', (run_id,))
        names = [column.name for column in cur.description or ()]
        return pd.DataFrame(cur.fetchall(), columns=names)


def assert_loaded_equals_fixtures(warehouse: Path, table: str, run_id: str, images: list[Path]) -> int:
    """Assert the run's rows in an SQLite warehouse equal the fixtures of ``images``."""
    return assert_rows_equal_fixtures(sqlite_rows(warehouse, table, run_id), table, images)


def assert_rows_equal_fixtures(loaded: pd.DataFrame, table: str, images: list[Path]) -> int:
    """Assert loaded rows equal the fixtures of ``images``; returns the number of rows checked."""
    loaded = loaded.copy()
    loaded["_image"] = loaded["_source"].str.rsplit("/", n=1).str[-1]
    assert sorted(set(loaded["_image"])) == sorted(p.name for p in images)
    checked = 0
    for image in images:
        for number, expected in enumerate(expected_tables(image.with_suffix(".csv")), start=1):
            rows = loaded[(loaded["_image"] == image.name) & (loaded["_source_table"] == number)]
            rows = rows.sort_values("_source_row")
            assert list(rows["_source_row"]) == list(expected.index), (
                f"{image.name} table {number}: row numbers"
            )
            missing = [c for c in expected.columns if c not in rows.columns]
            assert not missing, f"{image.name} table {number}: columns {missing} not in {table}"
            got = [[_norm(v) for v in row] for row in rows[list(expected.columns)].itertuples(index=False)]
            want = [[_norm(v) for v in row] for row in expected.itertuples(index=False)]
            assert got == want, f"{image.name} table {number} differs from its fixture: {got} != {want}"
            checked += len(want)
    assert checked == len(loaded), f"{len(loaded) - checked} loaded rows match no fixture row"
    return checked

"""A load that writes rows in chunks as the results arrive, against the one that writes them all at the
end: dag.test() runs against the emulator into real SQLite and PostgreSQL, compared table by table."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from aspose_ocr_provider.emulator.testing import EmulatorHandle
from aspose_ocr_provider.operators.load import AsposeOcrTableToSqlOperator
from aspose_ocr_provider.tables.schema import Column
from aspose_ocr_provider.warehouse.writer import LoadError, StreamedLoad, TableBatch, TableWriter
from tests.fixtures.warehouses import Warehouse
from tests.load.ocr_tasks import submit
from tests.load.test_operator import emu, run_load

__all__ = ["emu"]

RUN_COLUMNS = {"_dag_run_id", "_loaded_by", "_loaded_at"}
"""Provenance that differs between any two runs, whatever they wrote."""

# Image 1 makes qty an integer and day a date; image 3 brings a decimal into qty; image 4 text into
# qty and day and a new column; image 5 is a table with a header only (no rows).
IMAGES = [
    [["Item", "Qty", "Unit Price", "Day"], ["Widget, large", "1,200", "$3.50", "2026-01-02"], ["Gadget", "7", "$12.00", ""]],
    [["Item", "Qty", "Unit Price", "Day"], ["Bolt", "40", "$0.10", "2026-01-05"]],
    [["Item", "Qty", "Unit Price"], ["Nut", "2.5", "$0.05"], ["Washer", "", "$0.01"]],
    [["Item", "Qty", "Note", "Day"], ["Spring", "n/a", "backorder", "soon"], ["Pin", "3", "", "2026-02-01"]],
    [["Item", "Qty"]],
]


def unwritable(warehouse: Warehouse) -> object:
    """A value the warehouse's driver refuses: PostgreSQL takes no NUL in text (psycopg2's COPY
    would write any object as its repr), sqlite3 cannot bind an arbitrary object."""
    return "nul \x00 byte" if warehouse.kind == "postgres" else object()


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def records(emu: EmulatorHandle, images: list[list[list[str]]], prefix: str = "scan") -> list[dict[str, Any]]:
    return [
        {"source": f"{prefix}{i}.png", "task_id": submit(emu, image), "sha256": sha(f"{prefix}{i}"), "page": 1}
        for i, image in enumerate(images, start=1)
    ]


def snapshot(warehouse: Warehouse, table: str) -> tuple[list[tuple[str, str]], list[tuple[Any, ...]]]:
    """The table as a user sees it: columns in order with their SQL types, and every row (with each
    value's own type on SQLite, where a column's type does not fix its values'), run-specific
    provenance left out."""
    if warehouse.kind == "sqlite":
        columns = [(r[1], r[2]) for r in warehouse.query(f"SELECT * FROM pragma_table_info('{table}')")]
    else:
        columns = [
            (r[0], r[1])
            for r in warehouse.query(
                "SELECT column_name, data_type FROM information_schema.columns "
                f"WHERE table_name = '{table}' ORDER BY ordinal_position"
            )
        ]
    kept = [name for name, _ in columns if name not in RUN_COLUMNS]
    values = ", ".join(f'"{n}"' for n in kept)
    if warehouse.kind == "sqlite":
        values += ", " + ", ".join(f'typeof("{n}")' for n in kept)
    rows = warehouse.query(f"SELECT {values} FROM {table}")
    return columns, sorted(rows, key=repr)


def run(tmp_path: Path, day: int, **kwargs: Any) -> dict[str, Any]:
    state, xcom = run_load(tmp_path, datetime(2026, 4, day, tzinfo=UTC), **kwargs)
    assert state == "success"
    assert xcom is not None
    return xcom


def same_xcom(streamed: dict[str, Any], whole: dict[str, Any]) -> None:
    """What the two loads report is the same but for the table's name."""
    for key in ("rows", "rows_per_source", "quarantined", "skipped", "columns"):
        assert streamed[key] == whole[key], key
    assert list(streamed["rows_per_table"].values()) == list(whole["rows_per_table"].values())


@pytest.mark.parametrize("rows_per_write", [1, 3])
def test_a_streamed_load_makes_the_table_a_load_at_the_end_makes(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path, rows_per_write: int
) -> None:
    given = records(emu, IMAGES)
    whole = run(tmp_path, 1, ocr_task_ids=given, table="whole", rows_per_write=None)
    streamed = run(tmp_path, 2, ocr_task_ids=given, table="streamed", rows_per_write=rows_per_write)

    columns, rows = snapshot(warehouse, "streamed")
    assert (columns, rows) == snapshot(warehouse, "whole")
    names = [n for n, _ in columns]
    # The column image 4 brought sits with the data columns, before the provenance columns.
    assert names[:5] == ["item", "qty", "unit_price", "day", "note"]
    assert all(n.startswith("_") for n in names[5:]) and "_source" in names[5:]
    # Widened to text, qty holds each number as its image shows it.
    assert sorted(r[1] for r in rows if r[1] is not None) == ["1,200", "2.5", "3", "40", "7", "n/a"]
    same_xcom(streamed, whole)
    assert streamed["rows"] == 7
    assert snapshot(warehouse, "streamed__no_table")[1] == snapshot(warehouse, "whole__no_table")[1]
    assert [r[0] for r in warehouse.query('SELECT "_source" FROM streamed__no_table')] == ["scan5.png"]


def test_a_streamed_load_into_a_table_earlier_runs_wrote(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    first = records(emu, IMAGES[:2])
    for table in ("whole", "streamed"):
        run(tmp_path, 1, ocr_task_ids=first, table=table, rows_per_write=None)
    # A new version of scan1.png (other bytes), scan2.png again, and new images widening columns.
    second = [{**first[0], "sha256": sha("scan1, edited")}, first[1], *records(emu, IMAGES[2:4], prefix="more")]
    whole = run(tmp_path, 2, ocr_task_ids=second, table="whole", rows_per_write=None)
    streamed = run(tmp_path, 3, ocr_task_ids=second, table="streamed", rows_per_write=1)
    assert snapshot(warehouse, "streamed") == snapshot(warehouse, "whole")
    same_xcom(streamed, whole)
    # One copy per input: the older version of scan1.png went, scan2.png's rows were replaced.
    sources = [r[0] for r in warehouse.query('SELECT "_source" FROM streamed ORDER BY "_source", "_source_row"')]
    assert sources == ["more1.png", "more1.png", "more2.png", "more2.png", "scan1.png", "scan1.png", "scan2.png"]
    # Run again: still one copy of each input.
    run(tmp_path, 4, ocr_task_ids=second, table="streamed", rows_per_write=1)
    assert snapshot(warehouse, "streamed")[1] == snapshot(warehouse, "whole")[1]


def test_two_versions_of_one_source_in_one_streamed_load_keep_both(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    # Same name, other bytes: the second's "older version" condition must not delete the rows the
    # first wrote a chunk earlier in this same load.
    given = [
        {"source": "same.png", "task_id": submit(emu, IMAGES[0]), "sha256": sha("one"), "page": 1},
        {"source": "same.png", "task_id": submit(emu, IMAGES[1]), "sha256": sha("two"), "page": 1},
    ]
    run(tmp_path, 1, ocr_task_ids=given, table="whole", rows_per_write=None)
    streamed = run(tmp_path, 2, ocr_task_ids=given, table="streamed", rows_per_write=1)
    assert streamed["rows"] == 3
    assert snapshot(warehouse, "streamed") == snapshot(warehouse, "whole")


def test_replace_mode_deletes_once_before_the_first_chunk(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    given = records(emu, IMAGES[:4])
    for table in ("whole", "streamed"):
        run(tmp_path, 1, ocr_task_ids=given[1:2], table=table, mode="replace")
    streamed = run(tmp_path, 2, ocr_task_ids=given, table="streamed", mode="replace", rows_per_write=1)
    run(tmp_path, 3, ocr_task_ids=given, table="whole", mode="replace", rows_per_write=None)
    assert streamed["rows"] == 7
    assert snapshot(warehouse, "streamed") == snapshot(warehouse, "whole")


@pytest.mark.parametrize("type_conflicts", ["quarantine", "fail"])
def test_type_conflicts_and_quarantine_rows_as_at_the_end(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path, type_conflicts: str
) -> None:
    given = records(emu, IMAGES)
    (whole_state, whole), (streamed_state, streamed) = (
        run_load(
            tmp_path,
            datetime(2026, 4, day, tzinfo=UTC),
            ocr_task_ids=given,
            table=table,
            quarantine_table=f"{table}_quarantine",
            rows_per_write=rows_per_write,
            type_conflicts=type_conflicts,
        )
        for table, day, rows_per_write in (("whole", 1, None), ("streamed", 2, 1))
    )
    assert streamed_state == whole_state == ("success" if type_conflicts == "quarantine" else "failed")
    if type_conflicts == "fail":
        # Nothing of the chunks written before the failing image is left, not even the table.
        assert warehouse.columns("streamed") == []
        return
    assert streamed is not None and whole is not None
    same_xcom(streamed, whole)
    assert streamed["quarantined"] > 0
    assert snapshot(warehouse, "streamed") == snapshot(warehouse, "whole")
    quarantined = "source, page, source_row, column_name, raw_text, reason"
    assert sorted(warehouse.query(f"SELECT {quarantined} FROM streamed_quarantine"), key=repr) == sorted(
        warehouse.query(f"SELECT {quarantined} FROM whole_quarantine"), key=repr
    )


def test_declared_columns_stream_as_they_load_at_the_end(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    given = records(emu, IMAGES)
    for table, day, rows_per_write in (("whole", 1, None), ("streamed", 2, 1)):
        columns = [
            Column("item", "text", aliases=["Item"], required=True),
            Column("qty", "decimal", aliases=["Qty"]),
            Column("unit_price", "decimal", aliases=["Unit Price"]),
        ]
        run(tmp_path, day, ocr_task_ids=given, table=table, columns=columns, rows_per_write=rows_per_write)
    assert snapshot(warehouse, "streamed") == snapshot(warehouse, "whole")


def test_a_failure_after_chunks_were_written_leaves_the_warehouse_as_it_was(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    given = records(emu, IMAGES[:4])
    run(tmp_path, 1, ocr_task_ids=given[:1], table="streamed", rows_per_write=1)
    before = snapshot(warehouse, "streamed")

    def poison_third_image(frame: pd.DataFrame) -> pd.DataFrame:
        if "Nut" in frame["item"].tolist():
            frame = frame.assign(item=[unwritable(warehouse)] * len(frame))
        return frame

    # Chunks 1 and 2 (scan1 replacing its rows, scan2) are written when chunk 3 fails.
    state, _ = run_load(
        tmp_path,
        datetime(2026, 4, 2, tzinfo=UTC),
        ocr_task_ids=given,
        table="streamed",
        transform=poison_third_image,
        rows_per_write=1,
    )
    assert state == "failed"
    assert snapshot(warehouse, "streamed") == before
    # A result that cannot be loaded after some chunks were written: the new table is not left behind.
    missing = {"source": "gone.png", "task_id": "00000000-0000-0000-0000-000000000000", "sha256": sha("gone"), "page": 1}
    state, _ = run_load(
        tmp_path, datetime(2026, 4, 3, tzinfo=UTC), ocr_task_ids=[*given, missing], table="fresh", rows_per_write=1
    )
    assert state == "failed"
    assert warehouse.columns("fresh") == []
    assert warehouse.columns("fresh__no_table") == []


def test_rows_per_write_must_be_a_positive_whole_number() -> None:
    for bad in (0, -5, 2.5, True, "100"):
        with pytest.raises(ValueError, match="rows_per_write"):
            AsposeOcrTableToSqlOperator(task_id="t", ocr_task_ids=[], conn_id="c", table="t", rows_per_write=bad)


def test_chunks_widened_to_decimal_and_timestamp_as_written_at_once(warehouse: Warehouse) -> None:
    # Kinds a transform or a typed frame can bring: integers then decimals, dates then timestamps.
    frames = [
        pd.DataFrame({"n": pd.array([1, None], dtype="Int64"), "at": pd.to_datetime(["2026-01-02", None])}),
        pd.DataFrame({"n": pd.array([2], dtype="Int64"), "at": pd.to_datetime(["2026-01-03"])}),
        pd.DataFrame({"n": pd.array([2.5], dtype="Float64"), "at": pd.to_datetime(["2026-01-04 10:30"])}),
        pd.DataFrame({"n": pd.array([7], dtype="Int64"), "at": pd.to_datetime(["2026-01-05"]), "extra": ["x"]}),
    ]

    def batches(part: slice) -> list[TableBatch]:
        return [TableBatch(f, constants={"_batch": i}) for i, f in enumerate(frames)][part]

    TableWriter(warehouse.hook(), "whole").write(batches(slice(None)))
    writer = TableWriter(warehouse.hook(), "streamed")
    with StreamedLoad([writer]) as load:
        assert load.write(writer, batches(slice(0, 1))) == [2]
        assert load.write(writer, batches(slice(1, 3))) == [1, 1]
        assert load.finish([(writer, batches(slice(3, None)))]) == [[1]]
    assert snapshot(warehouse, "streamed") == snapshot(warehouse, "whole")
    assert [n for n, _ in snapshot(warehouse, "streamed")[0]] == ["n", "at", "extra", "_batch"]
    assert sorted(r[0] for r in snapshot(warehouse, "streamed")[1] if r[0] is not None) == [1.0, 2.0, 2.5, 7.0]


def test_an_error_in_a_chunk_rolls_back_the_chunks_before_it(warehouse: Warehouse) -> None:
    writer = TableWriter(warehouse.hook(), "streamed")
    with pytest.raises(LoadError, match="rolled back"), StreamedLoad([writer]) as load:
        load.write(writer, [TableBatch(pd.DataFrame({"a": ["x", "y"]}))])
        load.write(writer, [TableBatch(pd.DataFrame({"a": [unwritable(warehouse)]}))])
    assert warehouse.columns("streamed") == []
    # An error outside the writer after a chunk (a result that cannot be read): nothing either.
    with pytest.raises(RuntimeError, match="stop"), StreamedLoad([writer]) as load:
        load.write(writer, [TableBatch(pd.DataFrame({"a": ["x", "y"]}))])
        raise RuntimeError("stop")
    assert warehouse.columns("streamed") == []


def test_held_rows_keep_the_precision_of_a_table_earlier_runs_made(warehouse: Warehouse) -> None:
    # A user's NUMERIC column: the rows held for the end go in as they would have at once.
    for table in ("whole", "streamed"):
        warehouse.execute(f"CREATE TABLE {table} (v NUMERIC(30, 17), note TEXT)")
    frames = [pd.DataFrame({"v": pd.array([1.2345678901234567], dtype="Float64")}), pd.DataFrame({"v": [2.5]})]
    TableWriter(warehouse.hook(), "whole").write([TableBatch(f) for f in frames])
    writer = TableWriter(warehouse.hook(), "streamed")
    with StreamedLoad([writer]) as load:
        load.write(writer, [TableBatch(frames[0])])
        load.finish([(writer, [TableBatch(frames[1])])])
    assert snapshot(warehouse, "streamed") == snapshot(warehouse, "whole")


@pytest.mark.parametrize("warehouse", ["postgres"], indirect=True)
def test_a_role_without_temporary_tables_is_told_what_to_do(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks are held in a temporary table; a role an administrator denied TEMPORARY gets an
    error saying so and what to do, and the same load written at the end still works for it."""
    from dataclasses import replace
    from uuid import uuid4

    assert warehouse.server is not None
    role = f"no_temp_{uuid4().hex[:8]}"
    warehouse.execute(
        f"CREATE ROLE {role} LOGIN",
        f'REVOKE TEMPORARY ON DATABASE "{warehouse.server.dbname}" FROM PUBLIC',
        f"GRANT CREATE, USAGE ON SCHEMA public TO {role}",
    )
    monkeypatch.setenv("AIRFLOW_CONN_NO_TEMP", replace(warehouse.server, user=role).uri)
    from aspose_ocr_provider.compat import BaseHook

    hook = BaseHook.get_connection("no_temp").get_hook()
    writer = TableWriter(hook, "denied")
    with pytest.raises(LoadError) as refused, StreamedLoad([writer]) as load:
        load.write(writer, [TableBatch(pd.DataFrame({"a": ["x", "y"]}))])
    message = str(refused.value)
    assert "rolled back" in message and "TEMPORARY" in message and "rows_per_write=None" in message
    assert warehouse.columns("denied") == []
    assert writer.write([TableBatch(pd.DataFrame({"a": ["x", "y"]}))]) == [2]
    assert warehouse.query('SELECT a FROM denied ORDER BY a') == [("x",), ("y",)]

"""Declared tables, routing by header, quarantine and stable columns, through dag.test() against the
emulator into real SQLite and PostgreSQL: what a data engineer checks in their warehouse."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from aspose_ocr_provider.emulator.testing import EmulatorHandle
from aspose_ocr_provider.sample_data import sample_dir
from aspose_ocr_provider.tables.schema import Column, TableSchema
from tests.fixtures.warehouses import Warehouse
from tests.load.ocr_tasks import submit, submit_image
from tests.load.test_operator import emu, run_load

__all__ = ["emu"]

INVOICES = TableSchema(
    "invoices",
    [
        Column("item", "text", aliases=["Item", "Description"], required=True),
        Column("qty", "integer", aliases=["Qty", "Quantity"]),
        Column("unit_price", "decimal", aliases=["Unit Price", "Price"]),
        Column("amount", "decimal", aliases=["Amount", "Total"]),
    ],
)
STOCK = TableSchema(
    "stock",
    [
        Column("code", "text", aliases=["Code", "SKU"], required=True),
        Column("description", "text"),
        Column("price", "decimal"),
        Column("stock", "integer", aliases=["Stock", "On hand"]),
    ],
)
PROVENANCE = ["_source", "_source_sha256", "_source_page", "_ocr_task_id", "_source_table", "_source_row"]
PROVENANCE += ["_source_rows", "_row_kind", "_dag_run_id", "_loaded_by", "_loaded_at"]


def column_types(warehouse: Warehouse, table: str) -> dict[str, str]:
    """Column -> declared SQL type, as the database reports it."""
    if warehouse.kind == "sqlite":
        return {r[1]: r[2] for r in warehouse.query(f"SELECT * FROM pragma_table_info('{table}')")}
    rows = warehouse.query(
        "SELECT column_name, data_type FROM information_schema.columns "
        f"WHERE table_name = '{table}' ORDER BY ordinal_position"
    )
    return {r[0]: r[1] for r in rows}


def sample(name: str, emu: EmulatorHandle) -> str:
    return submit_image(emu, (sample_dir() / f"{name}.png").read_bytes())


def quarantine(warehouse: Warehouse) -> list[dict[str, Any]]:
    names = [
        "target_table",
        "source",
        "sha256",
        "page",
        "source_table",
        "source_row",
        "column_name",
        "header_text",
        "raw_text",
        "reason",
        "row_text",
    ]
    quoted = ", ".join(f'"{n}"' for n in names)
    rows = warehouse.query(f'SELECT {quoted} FROM ocr_quarantine ORDER BY "source", "source_row"')
    return [dict(zip(names, row, strict=True)) for row in rows]


def test_two_layouts_land_in_their_two_tables_with_the_declared_types(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    records = [
        {"source": "invoice.png", "task_id": sample("ruled_invoice", emu)},
        {"source": "stock.png", "task_id": sample("unruled_noisy", emu)},
    ]
    state, xcom = run_load(
        tmp_path, datetime(2026, 4, 1, tzinfo=UTC), ocr_task_ids=records, schemas=[INVOICES, STOCK]
    )
    assert state == "success"
    assert xcom is not None and xcom["rows_per_table"] == {"invoices": 6, "stock": 6}
    assert xcom["quarantined"] == 0
    integer, decimal, text = (
        ("INTEGER", "REAL", "TEXT") if warehouse.kind == "sqlite" else ("bigint", "double precision", "text")
    )
    invoice_types = column_types(warehouse, "invoices")
    # The declared columns in declared order, provenance last.
    assert list(invoice_types)[:4] == ["item", "qty", "unit_price", "amount"]
    assert sorted(list(invoice_types)[4:]) == sorted(PROVENANCE)
    assert [invoice_types[c] for c in ("item", "qty", "unit_price", "amount")] == [
        text,
        integer,
        decimal,
        decimal,
    ]
    stock_types = column_types(warehouse, "stock")
    assert list(stock_types)[:4] == ["code", "description", "price", "stock"]
    assert [stock_types[c] for c in ("code", "description", "price", "stock")] == [
        text,
        text,
        decimal,
        integer,
    ]
    assert warehouse.query(
        'SELECT item, qty, unit_price, amount, "_source" FROM invoices ORDER BY "_source_row"'
    )[:2] == [
        ("Widget", 1327, 198.72, 263701.44, "invoice.png"),
        ("Gadget", 1618, 854.19, 1382079.42, "invoice.png"),
    ]
    assert warehouse.query('SELECT code, price, stock FROM stock ORDER BY "_source_row"')[:2] == [
        ("A-101", 1810.58, 8445),
        ("B-220", 2491.45, 10118),
    ]


def test_headers_with_ocr_slips_map_to_their_columns(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    slipped = [["ITEM:", "Qty.", "Unit  Pr1ce", "Amout"], ["Bolt", "40", "$0.10", "$4.00"]]
    clean = [["Item", "Quantity", "unit price", "TOTAL:"], ["Nut", "1,000", "0.05", "50"]]
    records = [
        {"source": "slipped.png", "task_id": submit(emu, slipped)},
        {"source": "clean.png", "task_id": submit(emu, clean)},
    ]
    state, xcom = run_load(
        tmp_path,
        datetime(2026, 4, 2, tzinfo=UTC),
        ocr_task_ids=records,
        table="invoices",
        columns=INVOICES.columns,
    )
    assert state == "success"
    assert warehouse.query('SELECT item, qty, unit_price, amount FROM invoices ORDER BY "_source" DESC') == [
        ("Bolt", 40, 0.1, 4.0),
        ("Nut", 1000, 0.05, 50.0),
    ]
    assert xcom is not None and xcom["quarantined"] == 0


@pytest.mark.parametrize("on_bad_data", ["quarantine", "fail"])
def test_a_cell_that_does_not_parse_goes_to_quarantine_with_its_source_while_the_other_rows_load(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path, on_bad_data: str
) -> None:
    rows = [["Item", "Qty", "Unit Price", "Amount", "Colour"], ["Bolt", "4", "$3.10", "12,5O", "red"]]
    rows += [["Nut", "2", "$1.00", "2.00", "blue"], ["", "1", "$1.00", "1.00", ""]]
    records = [{"source": "scans/bad.png", "task_id": submit(emu, rows), "sha256": "ab" * 32, "page": 2}]
    state, xcom = run_load(
        tmp_path,
        datetime(2026, 4, 3, tzinfo=UTC),
        ocr_task_ids=records,
        schemas=[INVOICES],
        on_bad_data=on_bad_data,
    )
    if on_bad_data == "fail":
        assert state == "failed"
        assert warehouse.columns("invoices") == [] and warehouse.columns("ocr_quarantine") == []
        return
    assert state == "success"
    assert warehouse.query("SELECT item, qty, unit_price, amount FROM invoices") == [("Nut", 2, 1.0, 2.0)]
    assert xcom is not None and xcom["quarantined"] == 3
    found = quarantine(warehouse)
    by_kind = {(q["source_row"], q["column_name"]): q for q in found}
    cell = by_kind[(2, "amount")]
    assert (
        cell["source"] == "scans/bad.png" and cell["target_table"] == "invoices" and cell["source_table"] == 1
    )
    assert cell["raw_text"] == "12,5O" and "'12,5O' is not a number" in cell["reason"]
    assert (cell["sha256"], cell["page"]) == ("ab" * 32, 2)
    assert json.loads(cell["row_text"]) == {
        "Item": "Bolt",
        "Qty": "4",
        "Unit Price": "$3.10",
        "Amount": "12,5O",
        "Colour": "red",
    }
    assert "required value missing" in by_kind[(4, "item")]["reason"]
    unknown = by_kind[(None, "colour")]
    assert unknown["header_text"] == "Colour" and "matches no declared column" in unknown["reason"]
    # A re-run of the same DAG run replaces its quarantine rows as it replaces its data rows.
    state, _ = run_load(
        tmp_path, datetime(2026, 4, 3, tzinfo=UTC), ocr_task_ids=records, schemas=[INVOICES]
    )
    assert state == "success" and len(quarantine(warehouse)) == 3
    # Once the scan is fixed (new bytes, same file), a re-run loads every row and nothing stays set aside.
    fixed = [
        ["Item", "Qty", "Unit Price", "Amount"],
        ["Bolt", "4", "$3.10", "12.50"],
        ["Nut", "2", "$1.00", "2.00"],
    ]
    records = [{"source": "scans/bad.png", "task_id": submit(emu, fixed), "sha256": "cd" * 32, "page": 2}]
    state, _ = run_load(
        tmp_path, datetime(2026, 4, 3, tzinfo=UTC), ocr_task_ids=records, schemas=[INVOICES]
    )
    assert state == "success" and quarantine(warehouse) == []
    assert warehouse.query("SELECT item, amount FROM invoices ORDER BY item") == [
        ("Bolt", 12.5),
        ("Nut", 2.0),
    ]


def test_a_table_of_no_declared_layout_is_quarantined_whole(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    records = [
        {"source": "invoice.png", "task_id": sample("ruled_invoice", emu)},
        {"source": "staff.png", "task_id": sample("unruled_staff", emu)},
    ]
    state, xcom = run_load(
        tmp_path, datetime(2026, 4, 4, tzinfo=UTC), ocr_task_ids=records, schemas=[INVOICES, STOCK]
    )
    assert state == "success"
    assert xcom is not None and xcom["rows_per_table"] == {"invoices": 6, "stock": 0}
    [record] = quarantine(warehouse)
    assert record["source"] == "staff.png" and record["target_table"] is None
    assert "fit none of the declared tables (invoices, stock)" in record["reason"]


def test_the_same_header_in_three_images_is_one_column(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    first = [["Item", "Amount"], ["a", "1"]]
    second = [["Item", "Amount ($)", "AMOUNT "], ["b", "$2.00", "2"]]
    third = [["item", "amount"], ["c", "3"]]
    for day, rows in enumerate([first, second, third], start=5):
        state, _ = run_load(
            tmp_path,
            datetime(2026, 4, day, tzinfo=UTC),
            ocr_task_ids=[submit(emu, rows)],
            table="ocr",
        )
        assert state == "success"
    assert [c for c in warehouse.columns("ocr") if not c.startswith("_")] == ["item", "amount", "amount_usd"]
    assert warehouse.query("SELECT item, amount, amount_usd FROM ocr ORDER BY item") == [
        ("a", 1, None),
        ("b", 2, 2.0),
        ("c", 3, None),
    ]


@pytest.mark.parametrize("type_conflicts", ["widen", "quarantine"])
def test_a_text_cell_in_a_numeric_column_in_a_later_run_is_widened_or_quarantined(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path, type_conflicts: str
) -> None:
    first = [["Code", "Qty"], ["A-1", "7"], ["A-2", "1,204"]]
    later = [["Code", "Qty"], ["12", "1O5"], ["13", "9"]]
    for day, rows in ((6, first), (7, later)):
        state, _ = run_load(
            tmp_path,
            datetime(2026, 4, day, tzinfo=UTC),
            ocr_task_ids=[{"source": f"day{day}.png", "task_id": submit(emu, rows)}],
            table="counts",
            type_conflicts=type_conflicts,
        )
        assert state == "success"
    loaded = warehouse.query('SELECT code, qty FROM counts ORDER BY "_source", "_source_row"')
    if type_conflicts == "widen":
        # A code that reads as a number goes into the text column as the image wrote it, never '12.0'.
        if warehouse.kind == "postgres":
            assert column_types(warehouse, "counts")["qty"] == "text"
            assert loaded == [("A-1", "7"), ("A-2", "1204"), ("12", "1O5"), ("13", "9")]
        else:
            # SQLite keeps each value's own type (text that reads as a number becomes one in an
            # INTEGER column); the column's declared type stays.
            assert loaded == [("A-1", 7), ("A-2", 1204), ("12", "1O5"), ("13", 9)]
        assert warehouse.columns("ocr_quarantine") == []
        return
    assert loaded == [("A-1", 7), ("A-2", 1204), ("13", 9)]
    [record] = quarantine(warehouse)
    assert (record["source"], record["source_row"], record["column_name"], record["raw_text"]) == (
        "day7.png",
        2,
        "qty",
        "1O5",
    )
    assert "not integer" in record["reason"]


def test_a_type_conflict_fails_naming_the_source_and_cell_when_told_to(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    run_load(
        tmp_path,
        datetime(2026, 4, 8, tzinfo=UTC),
        ocr_task_ids=[submit(emu, [["Qty"], ["7"]])],
        table="c",
    )
    state, _ = run_load(
        tmp_path,
        datetime(2026, 4, 9, tzinfo=UTC),
        ocr_task_ids=[{"source": "late.png", "task_id": submit(emu, [["Qty"], ["1O5"]])}],
        table="c",
        type_conflicts="fail",
    )
    assert state == "failed"
    assert warehouse.query("SELECT qty FROM c") == [(7,)]


def test_the_merged_header_sample_loads_its_numbers_as_numbers(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    state, xcom = run_load(
        tmp_path,
        datetime(2026, 4, 10, tzinfo=UTC),
        ocr_task_ids=[sample("ruled_merged_header", emu)],
        table="sales",
    )
    assert state == "success"
    assert warehouse.columns("sales")[:4] == ["region", "sales_2025_h1", "sales_2025_h2", "growth"]
    assert xcom is not None and xcom["columns"]["sales_2025_h1"] == "Sales 2025 H1"
    assert warehouse.query(
        'SELECT region, sales_2025_h1, sales_2025_h2, growth FROM sales ORDER BY "_source_row"'
    ) == [
        ("North", 47959, 64937, 0.0),
        ("South", 80868, 25439, 0.1),
        ("East", 83434, 99391, 0.02),
        ("West", 23507, 86231, 0.03),
        ("Central", 58810, 22770, -0.05),
    ]
    # An override reads it as one header row: the sub-header row is data, so the columns are text.
    state, _ = run_load(
        tmp_path,
        datetime(2026, 4, 11, tzinfo=UTC),
        ocr_task_ids=[sample("ruled_merged_header", emu)],
        table="sales_flat",
        header_rows=1,
    )
    assert state == "success"
    assert warehouse.query('SELECT region, sales_2025 FROM sales_flat ORDER BY "_source_row"')[:2] == [
        (None, "H1"),
        ("North", "47,959"),
    ]

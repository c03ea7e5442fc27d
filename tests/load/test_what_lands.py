"""What lands is what the document says (issue 32): wrapped names, headers holding values, totals,
decimal commas and new layouts, through the emulator's HTTP API and the load operator into a real
SQLite file and the suite's PostgreSQL, over several runs."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aspose_ocr_provider.emulator.testing import EmulatorHandle
from tests.fixtures.warehouses import Warehouse
from tests.load.ocr_tasks import fake_png, submit, submit_image
from tests.load.test_operator import emu, run_load
from tests.tables.documents import BANK_ROWS, CENTRED_CSV, INVOICE_CSV, LAYOUTS, RECEIPT_ROWS

__all__ = ["emu"]


def _submit_csv(emu: EmulatorHandle, csv_text: str) -> str:
    image = fake_png()
    emu.add_fixture(image, csv_text)
    return submit_image(emu, image)


def _user_columns(warehouse: Warehouse, table: str) -> list[str]:
    return [c for c in warehouse.columns(table) if not c.startswith("_")]


def _is_number(warehouse: Warehouse, table: str, column: str) -> bool:
    if warehouse.kind == "sqlite":
        kinds = {r[0] for r in warehouse.query(f'SELECT DISTINCT typeof("{column}") FROM {table}')}
        return kinds <= {"real", "integer", "null"}
    [(kind,)] = warehouse.query(
        f"SELECT data_type FROM information_schema.columns WHERE table_name = '{table}' AND column_name = '{column}'"
    )
    return kind in ("double precision", "bigint", "numeric", "integer")


def _load(tmp_path: Path, day: int, task_ids: Any, table: str | None, **kwargs: Any) -> dict[str, Any]:
    state, xcom = run_load(tmp_path, datetime(2026, 6, day, tzinfo=UTC), ocr_task_ids=task_ids, table=table, **kwargs)
    assert state == "success"
    assert xcom is not None
    return xcom


def test_a_wrapped_name_is_one_row_below_or_above_its_values(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    records = [
        {"source": "invoice.png", "task_id": _submit_csv(emu, INVOICE_CSV)},
        {"source": "centred.png", "task_id": _submit_csv(emu, CENTRED_CSV)},
    ]
    xcom = _load(tmp_path, 1, records, "items")
    rows = warehouse.query(
        'SELECT "_source", description, qty, "_source_row", "_source_rows", "_row_kind" FROM items '
        'ORDER BY "_source", "_source_row"'
    )
    assert rows == [
        ("centred.png", "Emancipation Proclamation", 2, 2, "2-3", "data"),
        ("centred.png", "Bible", 1, 4, "4", "data"),
        ("invoice.png", "Bible", 1, 2, "2", "data"),
        ("invoice.png", "Emancipation Proclamation", 2, 3, "3-4", "data"),
        ("invoice.png", "Fountain pen", 3, 5, "5", "data"),
        ("invoice.png", "TOTAL DUE", None, 6, "6", "total"),
    ]
    assert xcom["rows_per_source"] == {"invoice.png": 4, "centred.png": 2}
    # No row of NULLs holding one word: every data row has its values.
    assert warehouse.query("SELECT COUNT(*) FROM items WHERE qty IS NULL AND \"_row_kind\" = 'data'") == [(0,)]


def test_total_due_is_kept_as_a_total_and_unit_price_stays_numeric(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    _load(tmp_path, 2, [{"source": "invoice.png", "task_id": _submit_csv(emu, INVOICE_CSV)}], "invoices")
    assert _is_number(warehouse, "invoices", "unit_price") and _is_number(warehouse, "invoices", "total")
    assert warehouse.query(
        'SELECT description, unit_price, total FROM invoices WHERE "_row_kind" = \'total\''
    ) == [("TOTAL DUE", None, 42.0)]
    # A user summing the items gets the invoice's total once, not twice.
    [(items,)] = warehouse.query("SELECT SUM(total) FROM invoices WHERE \"_row_kind\" = 'data'")
    [(stated,)] = warehouse.query("SELECT total FROM invoices WHERE \"_row_kind\" = 'total'")
    assert items == stated == 42.0


def test_the_bank_statement_first_row_keeps_both_amounts_and_no_name_holds_one(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    _load(tmp_path, 3, [{"source": "bank.jpg", "task_id": submit(emu, BANK_ROWS)}], "statement")
    columns = _user_columns(warehouse, "statement")
    assert columns == [
        "particulars",
        "previous_quarter_ending_2078_asoj_end",
        "corresponding_previous_year_quarter_ending_2077_paush_end",
    ]
    # No figure of the statement is in a name: digits in names are the header's own years.
    assert all(re.findall(r"\d+", c) in (["2078"], ["2077"], []) for c in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    assert warehouse.query(f'SELECT {names} FROM statement ORDER BY "_source_row"') == [
        ("Share Capital", 3787113.71, 2979354.20),
        ("Reserves", 998210.55, 1204330.10),
        ("Deposits", 120000.0, 135500.0),
    ]


def test_decimal_commas_and_euro_signs_land_as_numbers(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    _load(tmp_path, 4, [{"source": "beleg.png", "task_id": submit(emu, RECEIPT_ROWS)}], "beleg")
    assert _is_number(warehouse, "beleg", "preis")
    rows = warehouse.query('SELECT artikel, preis, "_row_kind" FROM beleg ORDER BY "_source_row"')
    assert rows == [
        ("Kaffee", 19.90, "data"),
        ("Milch", 1.29, "data"),
        ("Papier", 1234.56, "data"),
        ("Zwischensumme (inkl. MwSt.)", 1255.75, "total"),
    ]


def _every_value_lands(warehouse: Warehouse, table: str) -> None:
    """Each cell of every layout is in a column or in ``_rescued``, under its header."""
    columns = warehouse.columns(table)
    rows = [dict(zip(columns, row, strict=True)) for row in warehouse.query(f"SELECT * FROM {table}")]
    for number, layout in enumerate(LAYOUTS, 1):
        header, *body = layout
        mine = sorted((r for r in rows if r["_source"] == f"report{number}.png"), key=lambda r: r["_source_row"])
        assert len(mine) == len(body)
        for cells, row in zip(body, mine, strict=True):
            rescued = json.loads(row["_rescued"]) if row["_rescued"] else {}
            kept = {str(v) for k, v in row.items() if not k.startswith("_") and v is not None}
            for title, cell in zip(header, cells, strict=True):
                assert cell in kept or rescued.get(title) == cell, (title, cell, row)


def test_four_layouts_under_rescue_keep_the_first_layouts_columns_and_every_value(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    records = [{"source": f"report{n}.png", "task_id": submit(emu, rows)} for n, rows in enumerate(LAYOUTS, 1)]
    xcom = _load(tmp_path, 5, records, "lab", on_new_columns="rescue")
    assert xcom["rows"] == 5
    assert _user_columns(warehouse, "lab") == ["sample", "result", "unit"]
    assert "_rescued" in warehouse.columns("lab")
    assert _is_number(warehouse, "lab", "result")
    _every_value_lands(warehouse, "lab")
    # "Water Sample" is another header (kept aside); "Units" a variant of "Unit" (mapped).
    assert warehouse.query("SELECT sample, unit, \"_rescued\" FROM lab WHERE \"_source\" = 'report2.png'") == [
        (None, "mg/L", json.dumps({"Water Sample": "B-1"}))
    ]
    # "SAMPLE" is sample, "Resuit" an OCR slip of "Result"; only the analyst is kept aside.
    assert warehouse.query("SELECT sample, result, \"_rescued\" FROM lab WHERE \"_source\" = 'report3.png'") == [
        ("C-1", 0.4, json.dumps({"Analyst": "Ann Lee"}))
    ]


def test_runs_a_new_layout_a_rerun_and_a_changed_policy(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    first = [{"source": "report1.png", "task_id": submit(emu, LAYOUTS[0])}]
    later = [{"source": "report4.png", "task_id": submit(emu, LAYOUTS[3])}]
    _load(tmp_path, 10, first, "reports", on_new_columns="rescue")
    # A second run brings a new layout: the table keeps its columns, the new cells are rescued.
    _load(tmp_path, 11, later, "reports", on_new_columns="rescue")
    assert _user_columns(warehouse, "reports") == ["sample", "result", "unit"]
    assert warehouse.query("SELECT \"_rescued\" FROM reports WHERE \"_source\" = 'report4.png'") == [
        (json.dumps({"Method": "ISO 7027", "Date": "2025-03-04"}),)
    ]
    before = warehouse.query('SELECT * FROM reports ORDER BY "_source", "_source_row"')
    # The same run again: the same rows, none twice.
    _load(tmp_path, 11, later, "reports", on_new_columns="rescue")
    after = warehouse.query('SELECT * FROM reports ORDER BY "_source", "_source_row"')
    loaded_at = warehouse.columns("reports").index("_loaded_at")
    assert [r[:loaded_at] + r[loaded_at + 1 :] for r in after] == [
        r[:loaded_at] + r[loaded_at + 1 :] for r in before
    ]
    # The policy turns to "fail": the new layout is refused and the warehouse is as it was.
    state, _ = run_load(
        tmp_path, datetime(2026, 6, 12, tzinfo=UTC), ocr_task_ids=later, table="reports", on_new_columns="fail"
    )
    assert state == "failed"
    assert warehouse.query('SELECT * FROM reports ORDER BY "_source", "_source_row"') == after
    # Then to "add": the reload of that document adds its columns and its cells leave _rescued.
    _load(tmp_path, 13, later, "reports", on_new_columns="add")
    assert _user_columns(warehouse, "reports") == ["sample", "result", "unit", "method", "date"]
    assert warehouse.query(
        'SELECT sample, method, "_rescued" FROM reports ORDER BY "_source"'
    ) == [("A-1", None, None), ("A-2", None, None), ("D-1", "ISO 7027", None)]


def test_an_ocr_slip_in_a_header_goes_into_the_existing_column(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    _load(tmp_path, 20, [{"source": "a.png", "task_id": submit(emu, LAYOUTS[0])}], "slips")
    _load(tmp_path, 21, [{"source": "c.png", "task_id": submit(emu, LAYOUTS[2])}], "slips")
    # SAMPLE (case) and Resuit (one slip) are sample and result; Analyst is new ("add").
    assert _user_columns(warehouse, "slips") == ["sample", "result", "unit", "analyst"]
    assert warehouse.query("SELECT result, analyst FROM slips WHERE sample = 'C-1'") == [(0.4, "Ann Lee")]


def test_a_declared_table_keeps_skips_or_routes_its_totals(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    from aspose_ocr_provider.tables.schema import Column, TableSchema

    def schema(table: str, totals: str) -> TableSchema:
        columns = [
            Column("description", "text", required=True),
            Column("qty", "integer"),
            Column("unit_price", "decimal", aliases=["Unit Price"]),
            Column("total", "decimal"),
        ]
        return TableSchema(table, columns, totals=totals)

    task_id = _submit_csv(emu, INVOICE_CSV)
    xcom = _load(tmp_path, 22, task_id, None, schemas=[schema("kept", "keep")])
    assert xcom["rows_per_table"] == {"kept": 4}
    assert warehouse.query("SELECT description, total FROM kept WHERE \"_row_kind\" = 'total'") == [("TOTAL DUE", 42.0)]
    xcom = _load(tmp_path, 23, task_id, None, schemas=[schema("skipped", "skip")])
    assert xcom["rows_per_table"] == {"skipped": 3}
    assert warehouse.query("SELECT COUNT(*) FROM skipped WHERE \"_row_kind\" = 'total'") == [(0,)]
    xcom = _load(tmp_path, 24, task_id, None, schemas=[schema("lines", "line_totals")])
    assert xcom["rows_per_table"] == {"lines": 3, "line_totals": 1}
    assert warehouse.query("SELECT description, unit_price, total FROM line_totals") == [("TOTAL DUE", None, 42.0)]
    assert warehouse.columns("ocr_quarantine") == []  # nothing set aside

"""Header detection and column naming on what lands: tables the emulator answers over HTTP, loaded
by the operator (dag.test) into a real SQLite file and the suite's PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from aspose_ocr_provider.emulator.testing import EmulatorHandle
from aspose_ocr_provider.tables.schema import Column, TableSchema
from tests.fixtures.warehouses import Warehouse
from tests.load.ocr_tasks import submit
from tests.load.test_operator import emu, run_load
from tests.tables.layouts import BALANCE, WEB_HEADER, WEB_ROWS

__all__ = ["emu"]

CUSTOMERS = TableSchema(
    "customers",
    [
        Column("customer_id", "text", aliases=["Customer ID"], required=True),
        Column("user", "text", aliases=["User"]),
        Column("joined", "date", aliases=["Joined"], date_format="%m/%d/%Y"),
        Column("status", "text", aliases=["Status"]),
    ],
)


def _user_columns(warehouse: Warehouse, table: str) -> list[str]:
    return [c for c in warehouse.columns(table) if not c.startswith("_")]


def test_a_table_of_look_alike_rows_keeps_its_first_row_as_data(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    task_id = submit(emu, [WEB_HEADER, *WEB_ROWS])
    state, xcom = run_load(
        tmp_path, datetime(2026, 5, 1, tzinfo=UTC), ocr_task_ids=task_id, table="web"
    )
    assert state == "success"
    assert _user_columns(warehouse, "web") == ["customer_id", "user", "joined", "status", "col__5", "actions"]
    assert xcom is not None and xcom["rows"] == 15
    rows = warehouse.query('SELECT customer_id, "user", status, col__5 FROM web ORDER BY "_source_row"')
    assert rows[0] == ("#1006", "John Smith john@shuffle.dev", "Paid", "Monthly Subscription")
    assert [r[0] for r in rows] == [f"#{n}" for n in range(1006, 1021)]


def test_the_same_image_with_a_declared_table_loads_every_row_without_header_rows(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    task_id = submit(emu, [WEB_HEADER, *WEB_ROWS])
    state, xcom = run_load(
        tmp_path, datetime(2026, 5, 2, tzinfo=UTC), ocr_task_ids=task_id, schemas=[CUSTOMERS]
    )
    assert state == "success"
    assert xcom is not None and xcom["rows_per_table"] == {"customers": 15}
    first = warehouse.query(
        'SELECT customer_id, "user", joined, status FROM customers ORDER BY "_source_row"'
    )[0]
    assert first[:2] == ("#1006", "John Smith john@shuffle.dev") and first[3] == "Paid"
    assert str(first[2]).startswith("2021-09-04")
    # Only the two headers no column declares are set aside; no row, and never the whole table.
    reasons = [r[0] for r in warehouse.query('SELECT "reason" FROM ocr_quarantine')]
    assert len(reasons) == 2 and all("matches no declared column" in r for r in reasons)


def test_a_units_line_above_a_table_is_in_no_column_and_no_value_is_lost(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    titled = [["Example of Data Table 1", "", ""], ["Name", "Age", "City"], ["Ann", "31", "Oslo"]]
    task_ids = [submit(emu, BALANCE), submit(emu, titled)]
    for number, (task_id, table) in enumerate(zip(task_ids, ["balance", "people"], strict=True)):
        state, _ = run_load(
            tmp_path, datetime(2026, 5, 3 + number, tzinfo=UTC), ocr_task_ids=task_id, table=table
        )
        assert state == "success"
    balance_columns = _user_columns(warehouse, "balance")
    assert balance_columns == [
        "col__1",
        "previous_corresponding_quarter_previous_year_ending",
        "previous_quarter_ending_2078_asoj_end",
    ]
    names = ", ".join(f'"{c}"' for c in balance_columns)
    loaded = warehouse.query(f'SELECT {names} FROM balance ORDER BY "_source_row"')
    assert loaded == [tuple(cell or None for cell in row) for row in BALANCE[2:]]
    assert _user_columns(warehouse, "people") == ["name", "age", "city"]
    assert warehouse.query("SELECT name, age, city FROM people") == [("Ann", 31, "Oslo")]
    for table in ("balance", "people"):
        # The title or units text is nowhere in the table: not a column, not a row.
        cells = warehouse.query(f"SELECT * FROM {table}")
        assert not any("Rs. in" in str(v) or "Example of" in str(v) for row in cells for v in row)


def test_a_real_col_2_header_and_an_empty_header_never_share_a_column_across_runs(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    first = [["Item", "", "Qty"], ["a", "unnamed", "1"]]
    later = [["Item", "Col 1", "Col 2"], ["b", "one", "two"]]
    for day, rows in ((5, first), (6, later)):
        state, _ = run_load(
            tmp_path,
            datetime(2026, 5, day, tzinfo=UTC),
            ocr_task_ids=[{"source": f"day{day}.png", "task_id": submit(emu, rows)}],
            table="mixed",
        )
        assert state == "success"
    assert _user_columns(warehouse, "mixed") == ["item", "col__2", "qty", "col_1", "col_2"]
    assert warehouse.query('SELECT item, col__2, qty, col_1, col_2 FROM mixed ORDER BY "_source"') == [
        ("a", "unnamed", 1, None, None),
        ("b", None, None, "one", "two"),
    ]


def test_a_header_written_twice_in_two_cases_lands_in_the_same_columns_in_every_image(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    first = [["Item", "amount", "Amount"], ["a", "1", "2"]]
    later = [["Item", "Amount", "amount"], ["b", "20", "10"]]
    columns = []
    for day, rows in ((7, first), (8, later)):
        state, xcom = run_load(
            tmp_path,
            datetime(2026, 5, day, tzinfo=UTC),
            ocr_task_ids=[{"source": f"day{day}.png", "task_id": submit(emu, rows)}],
            table="amounts",
        )
        assert state == "success" and xcom is not None
        columns.append(xcom["columns"])
    assert columns[0] == columns[1] == {"item": "Item", "amount": "Amount", "amount__2": "amount"}
    assert _user_columns(warehouse, "amounts") == ["item", "amount__2", "amount"]
    # "Amount" in one column, "amount" in the other, in both images whatever their order.
    assert warehouse.query('SELECT item, amount, amount__2 FROM amounts ORDER BY "_source"') == [
        ("a", 2, 1),
        ("b", 20, 10),
    ]

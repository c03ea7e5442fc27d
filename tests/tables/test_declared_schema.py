"""Header matching, multi-row headers, cell parsing and schema mapping, without a database."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from aspose_ocr_provider.tables import csv_to_table
from aspose_ocr_provider.tables.cells import CellError, parse_number
from aspose_ocr_provider.tables.clean import clean_table
from aspose_ocr_provider.tables.header_match import header_key, match_headers
from aspose_ocr_provider.tables.header_rows import combine_header_rows, detect_header_rows
from aspose_ocr_provider.tables.quarantine import CellOrigin
from aspose_ocr_provider.tables.schema import Column, TableSchema, apply_schema, route

COLUMNS = {
    "item": ["Item", "Description"],
    "qty": ["Qty", "Quantity"],
    "unit_price": ["Unit Price"],
    "amount": ["Amount"],
    "total": ["Total"],
}


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("TOTAL:", "total"),
        ("Amout", "amount"),
        ("Am0unt", "amount"),
        ("AMOUNT ($)", "amount"),  # a unit in brackets is punctuation to matching
        ("Unit  price", "unit_price"),
        ("unit-price.", "unit_price"),
        ("Unit Pr1ce", "unit_price"),
        ("Quantlty", "qty"),
        ("qty.", "qty"),
        ("Qtr", None),  # three letters: no slip allowed
        ("Notes", None),
    ],
)
def test_a_header_with_ocr_slips_matches_its_column_and_nothing_else(header: str, column: str | None) -> None:
    assert match_headers([header], COLUMNS).get(0) == column


def test_look_alike_digits_are_letters_only_inside_words() -> None:
    assert header_key("Sales 2025") == "sales2025"
    assert header_key("T0TAL:") == "total"


def test_two_headers_for_one_column_the_closer_wins_and_the_other_is_left_unmatched() -> None:
    assert match_headers(["Amout", "Amount"], COLUMNS) == {1: "amount"}


def test_a_header_equally_close_to_two_columns_is_not_guessed() -> None:
    assert match_headers(["Prise"], {"price": ["Price"], "prize": ["Prize"]}) == {}


def test_a_group_header_over_sub_headers_is_detected_and_combined() -> None:
    rows = [
        ["Region", "Sales 2025", None, "Growth"],
        [None, "H1", "H2", None],
        ["North", "47,959", "64,937", "0%"],
    ]
    assert detect_header_rows(rows) == 2
    assert combine_header_rows(rows[:2]) == ["Region", "Sales 2025 H1", "Sales 2025 H2", "Growth"]


@pytest.mark.parametrize(
    "rows",
    [
        [["Item", "Qty"], ["Bolt", "4"]],  # one plain header row
        [["Item", "Qty", None], ["Bolt", None, "red"]],  # a gap, but the next row holds no sub-header
        [["Region", "Sales", None], [None, "1,200", "900"]],  # numbers under the span are data
    ],
)
def test_a_single_header_row_stays_single(rows: list[list[str | None]]) -> None:
    assert detect_header_rows(rows) == 1


def test_header_rows_override_reads_the_table_as_told() -> None:
    text = 'Region,Sales 2025,,Growth\n,H1,H2,\nNorth,"47,959","64,937",0%\n'
    assert list(csv_to_table(text).frame.columns) == ["region", "sales_2025_h1", "sales_2025_h2", "growth"]
    flat = csv_to_table(text, header_rows=1, infer_types=False)
    assert flat.frame.iloc[0].tolist() == [None, "H1", "H2", None]
    with pytest.raises(ValueError, match="header_rows must be 'auto' or a whole number"):
        clean_table([["a"], ["b"]], header_rows=0)


@pytest.mark.parametrize(
    ("text", "integer", "mark", "value"),
    [
        ("1,204", True, ".", 1204),
        ("$1,382,079.42", False, ".", 1382079.42),
        ("12.5%", False, ".", 0.125),
        ("(45.00)", False, ".", -45.0),
        ("12.00 EUR", True, ".", 12),
        ("1.234,50", False, ",", 1234.5),
        ("007", True, ".", 7),
    ],
)
def test_numbers_read_separators_currency_percent_and_brackets(
    text: str, integer: bool, mark: str, value: float
) -> None:
    assert parse_number(text, integer=integer, decimal_mark=mark) == value


@pytest.mark.parametrize(
    ("text", "integer", "reason"), [("12,5O", False, "is not a number"), ("12.5", True, "whole")]
)
def test_a_cell_that_does_not_read_says_why(text: str, integer: bool, reason: str) -> None:
    with pytest.raises(CellError, match=reason):
        parse_number(text, integer=integer)


def test_a_schema_maps_headers_parses_cells_and_sets_the_rest_aside() -> None:
    schema = TableSchema(
        "orders",
        [
            Column("item", required=True),
            Column("qty", "integer", aliases=["Quantity"]),
            Column("due", "date", date_format="%d.%m.%Y"),
            Column("code", parse=lambda text: text.upper()),
        ],
    )
    rows = [["ITEM:", "Quantlty", "Due", "Code", "Colour"], ["bolt", "1,200", "03.04.2025", "ab", "red"]]
    rows += [["nut", "12,5O", "04.04.2025", "cd", "blue"], ["", "3", "05.04.2025", "ef", ""]]
    mapped = apply_schema(schema, clean_table(rows), CellOrigin("scan.png", source_table=1))
    assert mapped.frame.to_dict("records") == [
        {"item": "bolt", "qty": 1200, "due": pd.Timestamp(dt.date(2025, 4, 3)), "code": "AB"}
    ]
    assert str(mapped.frame["qty"].dtype) == "Int64"
    problems = {(r.row, r.column): r for r in mapped.records}
    assert set(problems) == {(None, "colour"), (3, "qty"), (4, "item")}
    assert problems[(3, "qty")].raw_text == "12,5O"
    assert (
        problems[(3, "qty")].describe()
        == "scan.png, table 1, row 3, column 'qty' ('12,5O'): '12,5O' is not a number (column qty, integer)"
    )
    assert problems[(3, "qty")].row_text["Colour"] == "blue"


def test_a_table_missing_a_required_column_is_set_aside_whole() -> None:
    schema = TableSchema("orders", [Column("item", required=True), Column("qty", "integer")])
    mapped = apply_schema(schema, clean_table([["Qty"], ["4"]]), CellOrigin("scan.png"))
    assert mapped.frame.empty
    [record] = mapped.records
    assert "required column(s) item not found" in record.reason


def test_routing_picks_the_layout_the_headers_fit_best() -> None:
    invoices = TableSchema("invoices", [Column("item", required=True), Column("qty"), Column("amount")])
    stock = TableSchema(
        "stock", [Column("code", required=True), Column("item"), Column("on_hand", aliases=["Stock"])]
    )
    assert route([invoices, stock], ["Item", "Qty", "Amount"]) is invoices
    assert route([invoices, stock], ["Code", "Item", "Stock"]) is stock
    assert route([invoices, stock], ["Employee", "Salary"]) is None


def test_declarations_that_cannot_work_fail_in_words() -> None:
    with pytest.raises(ValueError, match="unknown type 'money'"):
        Column("x", "money")
    with pytest.raises(ValueError, match="declares column"):
        TableSchema("t", [Column("a"), Column("A")])

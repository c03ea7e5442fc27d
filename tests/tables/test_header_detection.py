"""Which leading rows are column titles: titles and units lines dropped, data rows never absorbed,
real multi-row headers still combined. Checked on the names and rows a load would write."""

from __future__ import annotations

import logging

import pytest

from aspose_ocr_provider.tables import clean_table, csv_to_table
from aspose_ocr_provider.tables.cell_kinds import cell_kind, is_value
from aspose_ocr_provider.tables.header_rows import detect_header_rows, find_header, title_rows
from tests.tables.layouts import BALANCE, WEB_HEADER, WEB_ROWS


def _cells(rows: list[list[str]]) -> list[list[str | None]]:
    """Rows as a frame holds them: an empty cell is None (NULL)."""
    return [[cell or None for cell in row] for row in rows]


def _names(rows: list[list[str]], **options: object) -> list[str]:
    return list(clean_table(rows, **options).frame.columns)  # type: ignore[arg-type]


def _data(rows: list[list[str]], **options: object) -> list[list[str | None]]:
    return clean_table(rows, **options).frame.values.tolist()  # type: ignore[arg-type]


# -- what a cell is -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "1,204",
        "$3.50",
        "12%",
        "09/04/2021",
        "2021-04-09",
        "Mar 4, 2025",
        "#1006",
        "# 42",
        "INV-0042",
        "ACC-1976",
        "John Smith john@shuffle.dev",
        "3.787,113.71",
        "(1 200)",
        "12/04",
    ],
)
def test_numbers_dates_ids_and_addresses_are_values(text: str) -> None:
    assert is_value(text)


@pytest.mark.parametrize(
    "text",
    ["Customer ID", "H1", "Q2", "FY2024", "(Rs. in '000)", "# of items", "Unit Price ($)", "%", "Sales 2025"],
)
def test_words_are_not_values(text: str) -> None:
    assert not is_value(text)


def test_a_plain_year_is_its_own_kind() -> None:
    assert [cell_kind(c) for c in ["2024", "1364", "", "Jan"]] == ["year", "value", "empty", "text"]


# -- titles, captions and units lines --------------------------------------------------------------


def test_a_title_line_above_the_table_is_neither_header_nor_data(caplog: pytest.LogCaptureFixture) -> None:
    rows = [
        ["Example of Data Table 1", "", ""],
        ["Name", "Age", "City"],
        ["Ann", "31", "Oslo"],
        ["Bob", "", "Rome"],
    ]
    with caplog.at_level(logging.DEBUG, logger="aspose_ocr_provider.tables.clean"):
        table = clean_table(rows)
    assert list(table.frame.columns) == ["name", "age", "city"]
    assert table.frame.values.tolist() == [["Ann", "31", "Oslo"], ["Bob", None, "Rome"]]
    # Rows keep the number a person counts in the image: the title is row 1.
    assert table.frame.index.tolist() == [3, 4]
    assert "Row 1 ('Example of Data Table 1') is a title above the table" in caplog.text


def test_a_units_note_is_in_no_column_name_and_the_first_row_keeps_its_values() -> None:
    table = clean_table(BALANCE)
    assert list(table.frame.columns) == [
        "col__1",
        "previous_corresponding_quarter_previous_year_ending",
        "previous_quarter_ending_2078_asoj_end",
    ]
    assert not any("rs" in n.split("_") or "000" in n for n in table.frame.columns)
    assert table.frame.values.tolist() == _cells(BALANCE[2:])


def test_a_title_and_a_units_line_are_both_dropped() -> None:
    rows = [["Balance Sheet", "", ""], ["(Rs. in '000)", "", ""], *BALANCE[1:]]
    assert find_header(rows).titles == 2
    assert _data(rows) == _cells(BALANCE[2:])


def test_a_header_of_years_under_a_units_line_is_the_header() -> None:
    rows = [["", "(USD m)", ""], ["Item", "2023", "2024"], ["Cash", "100", "120"], ["Debt", "40", "35"]]
    assert _names(rows) == ["item", "col_2023", "col_2024"]
    assert _data(rows) == [["Cash", "100", "120"], ["Debt", "40", "35"]]


def test_one_filled_cell_over_a_row_of_data_is_the_header_not_a_title() -> None:
    rows = [["Name", "", ""], ["Ann", "31", "12.5"], ["Bob", "40", "9.0"]]
    assert title_rows(rows) == 0
    assert _names(rows) == ["name", "col__2", "col__3"]
    assert _data(rows) == rows[1:]


def test_a_one_column_table_keeps_its_header() -> None:
    rows = [["Name"], ["Ann"], ["Bob"]]
    assert _names(rows) == ["name"]
    assert _data(rows) == [["Ann"], ["Bob"]]


def test_a_header_that_is_all_words_stays_the_header() -> None:
    rows = [["Name", "Department", "City"], ["Ann", "Legal", "Oslo"], ["Bob", "Sales", "Rome"]]
    assert _names(rows) == ["name", "department", "city"]
    assert _data(rows) == rows[1:]


def test_an_explicit_header_rows_takes_the_rows_as_told_titles_included() -> None:
    rows = [["Example of Data Table 1", "", ""], ["Name", "Age", "City"], ["Ann", "31", "Oslo"]]
    assert _names(rows, header_rows=1) == ["example_of_data_table_1", "col__2", "col__3"]
    assert _data(rows, header_rows=1) == [["Name", "Age", "City"], ["Ann", "31", "Oslo"]]


# -- a first data row is never absorbed into the header ----------------------------------------------


def test_a_table_of_look_alike_rows_keeps_its_first_row_as_data() -> None:
    rows = [WEB_HEADER, *WEB_ROWS]
    table = clean_table(rows)
    assert list(table.frame.columns) == ["customer_id", "user", "joined", "status", "col__5", "actions"]
    assert len(table.frame) == 15
    assert table.frame.values.tolist() == _cells(WEB_ROWS)


def test_a_first_row_missing_its_values_is_still_data_the_layout_decides() -> None:
    # The first row of this image happens to hold no id, address or date: only words, one under
    # the empty header cell. Its columns hold words in the other rows too, so it is data.
    first = ["", "Jane Doe", "", "Paid", "Annual Subscription", ""]
    rows = [WEB_HEADER, first, *WEB_ROWS]
    assert detect_header_rows(rows) == 1
    assert clean_table(rows).frame.iloc[0].tolist() == [
        None,
        "Jane Doe",
        None,
        "Paid",
        "Annual Subscription",
        None,
    ]


def test_a_row_of_words_over_words_is_not_taken_as_a_sub_header() -> None:
    rows = [["Name", "Team", ""], ["Ann", "", "Red"], ["Bob", "Blue", "Green"], ["Cy", "Red", "Blue"]]
    assert detect_header_rows(rows) == 1


def test_a_long_sentence_is_not_a_sub_header() -> None:
    rows = [
        ["Region", "Sales 2025", "", "Growth"],
        ["", "first half of the year", "H2", ""],
        ["North", "1", "2", "3%"],
    ]
    assert detect_header_rows(rows) == 1


# -- real multi-row headers -------------------------------------------------------------------------


def test_quarter_groups_over_revenue_and_cost_are_combined() -> None:
    rows = [
        ["Q1", "", "Q2", ""],
        ["Revenue", "Cost", "Revenue", "Cost"],
        ["100", "60", "120", "70"],
        ["90", "50", "95", "55"],
    ]
    assert _names(rows) == ["q1_revenue", "q1_cost", "q2_revenue", "q2_cost"]
    assert _data(rows) == rows[2:]


def test_quarter_groups_beside_a_label_column_are_combined() -> None:
    rows = [
        ["Segment", "Q1", "", "Q2", ""],
        ["", "Revenue", "Cost", "Revenue", "Cost"],
        ["Retail", "100", "60", "120", "70"],
    ]
    assert _names(rows) == ["segment", "q1_revenue", "q1_cost", "q2_revenue", "q2_cost"]


def test_a_merged_header_under_a_title_is_found_below_it() -> None:
    text = 'Sales by region,,,\nRegion,Sales 2025,,Growth\n,H1,H2,\nNorth,"47,959","64,937",0%\n'
    table = csv_to_table(text, infer_types=False)
    assert list(table.frame.columns) == ["region", "sales_2025_h1", "sales_2025_h2", "growth"]
    assert table.frame.values.tolist() == [["North", "47,959", "64,937", "0%"]]


# -- a table with no header row at all ----------------------------------------------------------------


def test_look_alike_rows_without_a_header_row_are_all_data(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="aspose_ocr_provider.tables.clean"):
        table = clean_table(WEB_ROWS)
    assert list(table.frame.columns) == ["col__1", "col__2", "col__3", "col__4", "col__5"]
    assert table.frame.values.tolist() == [row[:5] for row in WEB_ROWS]  # the empty icon column is trimmed
    assert table.frame.index.tolist() == list(range(1, 16))
    assert "Row 1 reads as data like the rows below it" in caplog.text


@pytest.mark.parametrize(
    "rows",
    [
        # Dates as column titles over amounts: a date is not an amount.
        [["Item", "31/03/2024", "31/03/2023"], ["Cash", "1,000.50", "900.25"], ["Debt", "40.10", "35.00"]],
        # Day numbers and years are column titles too.
        [["Name", "1", "2", "3"], ["Ann", "5", "6", "7"], ["Bob", "1", "0", "2"]],
        [["Item", "2023", "2024"], ["Cash", "100", "120"], ["Debt", "40", "35"]],
    ],
)
def test_a_header_of_dates_days_or_years_stays_the_header(rows: list[list[str]]) -> None:
    assert detect_header_rows(rows) == 1
    assert _data(rows) == rows[1:]

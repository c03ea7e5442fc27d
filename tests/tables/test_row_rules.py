"""The cleaning rules of issue 32 one by one, without a database: continuation lines and their
direction, header cells holding a value, summary rows, decimal commas, header variants."""

from __future__ import annotations

import pandas as pd
import pytest

from aspose_ocr_provider.tables import clean_table, infer_types
from aspose_ocr_provider.tables.header_values import split_value
from aspose_ocr_provider.tables.summary_rows import is_summary_label
from aspose_ocr_provider.warehouse.batch import TableBatch
from aspose_ocr_provider.warehouse.new_columns import NewColumnsError, fit_batches, same_column

HEAD = ["Description", "Qty", "Price"]


def _rows(table: list[list[str]]) -> list[tuple[list[str | None], tuple[int, ...], str]]:
    clean = clean_table([HEAD, *table])
    cells = clean.frame.values.tolist()
    return list(zip(cells, clean.sources, clean.row_kinds, strict=True))


def test_a_second_line_below_its_row_is_merged_into_it() -> None:
    got = _rows([["Blue pen, pack", "2", "3.00"], ["of ten", "", ""], ["Ink", "1", "2.00"]])
    assert [(r[0][0], r[1]) for r in got] == [("Blue pen, pack of ten", (2, 3)), ("Ink", (4,))]


def test_a_first_line_above_its_row_is_merged_into_the_row_below() -> None:
    # Above the first row it can only belong below; a line ending in "of" goes on below too.
    got = _rows(
        [["Emancipation", "", ""], ["Proclamation", "2", "5.00"], ["Box of", "", ""], ["nails", "1", "2.00"], ["Ink", "1", "2.00"]]
    )
    assert [(r[0][0], r[1]) for r in got] == [
        ("Emancipation Proclamation", (2, 3)),
        ("Box of nails", (4, 5)),
        ("Ink", (6,)),
    ]


def test_a_hyphenated_word_is_joined_without_the_hyphen() -> None:
    got = _rows([["Ink", "1", "2.00"], ["Emanci-", "2", "5.00"], ["pation", "", ""]])
    assert got[1][0][0] == "Emancipation"


@pytest.mark.parametrize(
    "table",
    [
        [["Ink", "1", "2.00"], ["Pens", "", ""], ["Blue", "", ""], ["Red", "", ""], ["Pen", "2", "1.00"]],  # most rows lack values
        [["Ink", "1", "2.00"], ["Subtotal", "", ""], ["Pen", "2", "1.00"]],  # a summary label, never a line
    ],
)
def test_rows_that_are_not_continuations_stay_rows(table: list[list[str]]) -> None:
    assert len(_rows(table)) == len(table)


def test_a_header_cell_holding_an_amount_gives_it_back_to_the_first_row() -> None:
    assert split_value("Previous Quarter Ending (2078 Asoj End) 3,787,113.71") == (
        "Previous Quarter Ending (2078 Asoj End)",
        "3,787,113.71",
    )
    for title in ("Sales 2025", "Col 2", "MwSt. 19%", "Balance 31.03.2024", "Rate 7.5"):
        assert split_value(title) == (title, None)


def test_a_two_line_header_over_amounts_is_one_name_and_no_row() -> None:
    clean = clean_table([["Item", "Unit", "Amount"], ["", "Price", ""], ["Pen", "1.50", "3.00"]])
    assert list(clean.frame.columns) == ["item", "unit_price", "amount"]
    assert clean.frame.values.tolist() == [["Pen", "1.50", "3.00"]]


@pytest.mark.parametrize(
    "label", ["Total", "TOTAL DUE", "T0TAL:", "Grand total", "Sub-Total", "Zwischensumme (inkl. MwSt.)", "Gesamt"]
)
def test_summary_labels(label: str) -> None:
    assert is_summary_label(label)


@pytest.mark.parametrize("label", ["Summer dress", "Totally new", "Subscription", "Ink"])
def test_words_that_are_no_summary(label: str) -> None:
    assert not is_summary_label(label)


def test_a_summary_block_keeps_the_amount_columns_numeric() -> None:
    clean = clean_table(
        [HEAD, ["Ink", "1", "2.00"], ["Pen", "2", "1.00"], ["", "Tax 10%", "0.30"], ["", "TOTAL", "3.30"]]
    )
    assert clean.row_kinds == ["data", "data", "total", "total"]
    typed = infer_types(clean.frame)
    assert str(typed["price"].dtype) == "Float64"
    assert typed["description"].tolist() == ["Ink", "Pen", "Tax 10%", "TOTAL"]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["19,90 €", "5,00 €", "1.234,56 €"], [19.9, 5.0, 1234.56]),
        (["1,5", "2"], [1.5, 2.0]),
        (["1,234", "2,000"], [1234, 2000]),  # a thousands comma: both readings fit, the point wins
        (["19,90", "3.50"], ["19,90", "3.50"]),  # both marks: text, nothing guessed
    ],
)
def test_decimal_commas_are_read_per_column_when_unambiguous(cells: list[str], expected: list[object]) -> None:
    typed = infer_types(pd.DataFrame({"x": pd.Series(cells, dtype=object)}))
    assert typed["x"].tolist() == expected


@pytest.mark.parametrize(
    ("new", "known", "distance"),
    [("amout", "amount", 1), ("unit_prise", "unit_price", 1), ("units", "unit", 1), ("col_1", "col_2", None),
     ("sales_2024", "sales_2025", None), ("qtr", "qty", None), ("col__3", "col__2", None), ("water_sample", "sample", None)],
)  # fmt: skip
def test_header_variants(new: str, known: str, distance: int | None) -> None:
    assert same_column(new, known) == distance


def test_fail_names_the_new_columns() -> None:
    batch = TableBatch(pd.DataFrame({"sample": ["a"], "method": ["x"]}))
    with pytest.raises(NewColumnsError, match="'method'"):
        fit_batches([batch], ["sample"], policy="fail", table="lab")

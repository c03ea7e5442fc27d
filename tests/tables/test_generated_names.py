"""Names made for empty and repeated headers: never a name real header text gives, and one header
text gets one name whatever the order of the columns."""

from __future__ import annotations

import itertools

import pytest

from aspose_ocr_provider.tables import sql_safe_names
from aspose_ocr_provider.tables.sql_names import GENERATED_SEPARATOR, snake_case, sql_safe_name

TRICKY_TEXT = [
    "Col 2",
    "col_2",
    "col__2",
    "COL  2",
    "col 2 ",
    "Amount__2",
    "amount _ 2",
    "_col_2_",
    "2",
    "Col-2",
]


@pytest.mark.parametrize("text", TRICKY_TEXT)
def test_no_header_text_gives_a_generated_form(text: str) -> None:
    assert GENERATED_SEPARATOR not in snake_case(text)
    assert GENERATED_SEPARATOR not in sql_safe_name(text, 1)


def test_an_empty_header_and_a_header_reading_col_2_get_different_columns() -> None:
    empty, _ = sql_safe_names(["Item", ""])
    real, _ = sql_safe_names(["Col 1", "Col 2"])
    assert empty == ["item", "col__2"]
    assert real == ["col_1", "col_2"]
    assert not set(empty) & set(real)


def test_a_repeated_header_gets_a_generated_name_no_real_header_gives() -> None:
    names, mapping = sql_safe_names(["Qty", "Qty", "Qty 2"])
    assert names == ["qty", "qty__2", "qty_2"]
    assert mapping == {"qty": "Qty", "qty__2": "Qty", "qty_2": "Qty 2"}


@pytest.mark.parametrize("order", list(itertools.permutations(["Item", "amount", "Amount"])))
def test_one_header_text_gets_one_name_whatever_the_column_order(order: tuple[str, ...]) -> None:
    names, mapping = sql_safe_names(list(order))
    assert {text: name for name, text in mapping.items()} == {
        "Item": "item",
        "Amount": "amount",
        "amount": "amount__2",
    }
    assert len(names) == 3


def test_unnamed_columns_keep_their_position_names_beside_repeats() -> None:
    # A header reading "Col" twice never pushes the empty header at position 2 off its name.
    names, _ = sql_safe_names(["Col", "", "col"])
    assert names == ["col", "col__2", "col__3"]


def test_verbatim_names_never_take_a_generated_form() -> None:
    names, mapping = sql_safe_names(["qty", "qty", "qty__2", ""], sanitize=False)
    assert names == ["qty", "qty__2", "qty_2", "col__4"]
    assert mapping["qty_2"] == "qty__2"


def test_generated_names_fit_the_identifier_limit_with_their_number() -> None:
    names, _ = sql_safe_names(["x" * 80, "x" * 80])
    assert names[1].endswith("__2") and len(names[1].encode()) <= 63
    assert names[0] != names[1]

"""Type inference: a column converts only when every cell agrees, and the values are right."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from aspose_ocr_provider.tables import infer_types


def _infer(values: list[str | None]) -> pd.Series:
    return infer_types(pd.DataFrame({"c": pd.Series(values, dtype=object)}))["c"]


def _values(series: pd.Series) -> list[object]:
    return [None if pd.isna(v) else v for v in series.tolist()]


@pytest.mark.parametrize(
    ("cells", "dtype", "expected"),
    [
        (["1,234", "-5", None, "(7)", "1 000 000"], "Int64", [1234, -5, None, -7, 1_000_000]),
        (["1.5", "2", "3,000.25", ".5"], "Float64", [1.5, 2.0, 3000.25, 0.5]),
        (["10%", "5.5 %", "-1%"], "Float64", [0.10, 0.055, -0.01]),
        (["$1,200.00", "€3", "(4.50)", "12.00 EUR", "-$2"], "Float64", [1200.0, 3.0, -4.5, 12.0, -2.0]),
    ],
)
def test_numbers_percentages_and_money(cells: list[str | None], dtype: str, expected: list[object]) -> None:
    series = _infer(cells)
    assert str(series.dtype) == dtype
    assert _values(series) == pytest.approx(expected) if None not in expected else _values(series) == expected


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["2024-01-31", "2023-12-01"], [dt.date(2024, 1, 31), dt.date(2023, 12, 1)]),
        (["31.01.2024", "01.12.2023"], [dt.date(2024, 1, 31), dt.date(2023, 12, 1)]),
        (["01/31/2024", "12/01/2023"], [dt.date(2024, 1, 31), dt.date(2023, 12, 1)]),
        (["31/01/2024", "13/12/2023"], [dt.date(2024, 1, 31), dt.date(2023, 12, 13)]),
        (["Jan 31, 2024", "Dec 1, 2023"], [dt.date(2024, 1, 31), dt.date(2023, 12, 1)]),
    ],
)
def test_dates(cells: list[str], expected: list[dt.date]) -> None:
    series = _infer(cells)
    assert pd.api.types.is_datetime64_dtype(series.dtype)
    assert [v.date() for v in series.tolist()] == expected


@pytest.mark.parametrize(
    "cells",
    [
        ["00123", "1"],  # codes with leading zeros are identifiers
        ["105", "1O5"],  # one OCR slip keeps the column text, nothing becomes NULL
        ["12%", "7"],
        ["2024-01-31", "yesterday"],
        ["abc", "def"],
    ],
)
def test_mixed_or_coded_columns_stay_text(cells: list[str]) -> None:
    series = _infer(cells)
    assert series.dtype == object
    assert series.tolist() == cells


def test_empty_column_is_left_alone() -> None:
    assert _infer([None, None]).tolist() == [None, None]

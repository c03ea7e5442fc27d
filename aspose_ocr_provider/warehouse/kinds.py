"""Kinds of column values (text, integer, float, date, timestamp, boolean) and how they relate.

The writer creates columns from kinds (each dialect names the SQL type), reads kinds back from an
existing table's SQL types, and widens a kind when two images disagree.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from aspose_ocr_provider.warehouse.dialects import SqlDialect

KIND_NAMES: tuple[str, ...] = ("text", "integer", "float", "date", "timestamp", "boolean")

_WIDER = {frozenset({"integer", "float"}): "float", frozenset({"date", "timestamp"}): "timestamp"}


def kind_of_series(series: pd.Series) -> str:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if isinstance(dtype, pd.DatetimeTZDtype):
        return "timestamp"
    if pd.api.types.is_datetime64_dtype(dtype):
        return "date" if _is_midnight(series) else "timestamp"
    return "text"


def _is_midnight(series: pd.Series) -> bool:
    values = series.dropna()
    return bool((values == values.dt.normalize()).all())


def kind_of_value(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, dt.datetime):
        return "timestamp"
    if isinstance(value, dt.date):
        return "date"
    return "text"


def widen(a: str, b: str) -> str:
    """The narrowest kind holding values of both kinds (text holds everything)."""
    return a if a == b else _WIDER.get(frozenset({a, b}), "text")


def fits(kind: str, column: str) -> bool:
    """Whether values of ``kind`` go into a ``column`` kind without losing anything."""
    return kind == column or widen(kind, column) == column


def kinds_of_sql_type(sql_type: str, dialect: SqlDialect) -> tuple[str, ...]:
    """The kinds a column of this SQL type stores as themselves; the first is its own kind.

    Several kinds can share one SQL type (SQLite stores dates, timestamps and text as TEXT), so
    a date column there is not mistaken for a text column by the next load.
    """
    text = " ".join(sql_type.strip().lower().split())
    same = tuple(kind for kind in KIND_NAMES if dialect.column_type(kind).lower() == text)
    if same:
        return same
    if "int" in text or (text.startswith("number(") and "," not in text):
        return ("integer",)
    if any(word in text for word in ("double", "float", "real", "numeric", "decimal", "number")):
        return ("float",)
    if "bool" in text or text == "bit":
        return ("boolean",)
    if "timestamp" in text or "datetime" in text:
        return ("timestamp",)
    if "date" in text:
        return ("date",)
    return ("text",)

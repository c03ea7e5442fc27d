"""One cell of OCR text to one typed value, or a reason why not.

Declared columns and type conflicts both need a verdict per cell: the value, or words a person
can act on (``'12,5O' is not a number``). Inference (:mod:`.types`) decides per column; this
module decides per cell, reusing the same number grammar.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from aspose_ocr_provider.tables.types import (
    DATE_FORMATS,
    parse_currency,
    parse_decimal,
    parse_integer,
    parse_percent,
    swap_marks,
)

KINDS: tuple[str, ...] = ("text", "integer", "decimal", "date", "timestamp", "boolean")
"""Column types a schema declares; ``decimal`` is stored as the warehouse's double precision."""

WRITER_KINDS: dict[str, str] = {"decimal": "float"}
"""Declared type -> the writer's kind, where their names differ."""

_DTYPES = {"integer": "Int64", "decimal": "Float64", "float": "Float64", "boolean": "boolean"}

_PLAIN_INTEGER = re.compile(r"^[+-]?\d+$")
_TRUE = frozenset({"true", "yes", "y", "1", "x", "✓", "✔"})
_FALSE = frozenset({"false", "no", "n", "0", ""})


class CellError(ValueError):
    """A cell that does not read as its column's type; the message is the reason."""


CellParser = Callable[[str], Any]


def parse_number(text: str, *, integer: bool = False, decimal_mark: str = ".") -> int | float:
    """A number written with thousands separators, a currency symbol or code, ``%`` (a fraction)
    or accounting brackets; ``integer`` also refuses a fractional value."""
    body = text.strip()
    if decimal_mark == ",":
        body = swap_marks(body)
    value: float | None
    if integer:
        whole = parse_integer(body)
        if whole is not None:
            return whole
        if _PLAIN_INTEGER.match(body):
            return int(body)  # a declared integer column takes 007 as 7
    value = parse_decimal(body)
    if value is None:
        value = parse_currency(body)
    if value is None:
        value = parse_percent(body)
    if value is None:
        raise CellError(f"{text!r} is not a number")
    if integer:
        if not float(value).is_integer():
            raise CellError(f"{text!r} is not a whole number")
        return int(value)
    return value


def parse_date(text: str, date_format: str | None = None) -> dt.date:
    """A date in ``date_format`` (``strptime`` codes), or in the first common format that reads it."""
    return parse_timestamp(text, date_format).date()


def parse_timestamp(text: str, date_format: str | None = None) -> dt.datetime:
    body = text.strip()
    formats = (date_format,) if date_format else DATE_FORMATS
    for fmt in formats:
        try:
            return dt.datetime.strptime(body, fmt)
        except ValueError:
            continue
    if not date_format:
        try:
            return dt.datetime.fromisoformat(body)
        except ValueError:
            pass
    expected = f"the format {date_format!r}" if date_format else "a known date format"
    raise CellError(f"{text!r} is not a date in {expected}")


def parse_boolean(text: str) -> bool:
    key = text.strip().casefold()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise CellError(f"{text!r} is not yes/no or true/false")


def cell_parser(kind: str, *, date_format: str | None = None, decimal_mark: str = ".") -> CellParser:
    """The parser for a declared column type (see :data:`KINDS`)."""
    if kind == "text":
        return str
    if kind in ("integer", "decimal", "float"):
        integer = kind == "integer"
        return lambda text: parse_number(text, integer=integer, decimal_mark=decimal_mark)
    if kind == "date":
        return lambda text: parse_date(text, date_format)
    if kind == "timestamp":
        return lambda text: parse_timestamp(text, date_format)
    if kind == "boolean":
        return parse_boolean
    raise ValueError(f"Unknown column type {kind!r}; use one of: {', '.join(KINDS)}.")


def dtype_of(kind: str) -> Any:
    """The pandas dtype that holds parsed cells of a declared type or writer kind, NULLs included."""
    if kind in ("date", "timestamp"):
        return "datetime64[us]"
    return _DTYPES.get(kind, object)

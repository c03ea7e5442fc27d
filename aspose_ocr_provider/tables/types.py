"""Optional type inference: text cells that are all numbers, percentages, money or dates.

Numbers are read as the document writes them: a column whose cells can only be read with a
decimal comma (``19,90 €``, ``1.234,56``) is read that way; a column that could be either stays
with the decimal point, and one that mixes both stays text.

A column is converted only when *every* non-empty cell reads as the same kind, so one OCR slip
(``1O5`` for ``105``) leaves the column as text instead of silently turning a cell into NULL.
Codes with leading zeros (``00123``) stay text: they are identifiers, not quantities.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime

import pandas as pd

_SEP = r"[,\u00a0\u202f' ]"
_NUMBER = rf"(?:\d{{1,3}}(?:{_SEP}\d{{3}})+|\d+)"
_INT_RE = re.compile(rf"^(?P<sign>[+-]?)(?P<num>{_NUMBER})$")
_DEC_RE = re.compile(rf"^(?P<sign>[+-]?)(?P<num>{_NUMBER}?\.\d+)$")
_PCT_RE = re.compile(rf"^(?P<sign>[+-]?)(?P<num>{_NUMBER}(?:\.\d+)?|\.\d+)\s?%$")
_CURRENCY_SYMBOLS = "$€£¥₹₽₩₺₪"
_CUR_RE = re.compile(
    rf"^(?P<sign1>[+-]?)\s?(?:[{_CURRENCY_SYMBOLS}]|USD|EUR|GBP|JPY|CHF)?\s?(?P<sign2>[+-]?)"
    rf"(?P<num>{_NUMBER}(?:\.\d+)?|\.\d+)\s?(?:[{_CURRENCY_SYMBOLS}]|USD|EUR|GBP|JPY|CHF)?$"
)
_HAS_CURRENCY = re.compile(rf"[{_CURRENCY_SYMBOLS}]|USD|EUR|GBP|JPY|CHF")
DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%d.%m.%Y",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d %b %Y",
    "%d %B %Y",
)
"""Tried in order; the first that reads every cell of a column wins (so 03/04/2024 is US-style)."""


_SWAP_MARKS = str.maketrans(".,", ",.")
_COMMA_DECIMAL = re.compile(r"\d,\d{1,2}(?!\d)|\d\.\d{3},\d")
"""``19,90``, ``5,5``, ``1.234,56``: only a decimal comma reads like this."""
_POINT_DECIMAL = re.compile(r"\d\.\d{1,2}(?!\d)|\d,\d{3}\.\d")
"""``19.90``, ``1,234.56``: only a decimal point reads like this."""


def swap_marks(text: str) -> str:
    """``1.234,50`` -> ``1,234.50``: read a decimal comma with the decimal-point grammar."""
    return text.translate(_SWAP_MARKS)


def writes_decimal_comma(values: Sequence[str]) -> bool:
    """Whether a column's cells say, unambiguously, that its numbers use a decimal comma: some
    cell can only be read that way (``19,90 €``, ``1.234,56``) and none only the other way.
    ``1,234`` alone says nothing (a thousand, or one and a bit) and keeps the decimal point."""
    return any(_COMMA_DECIMAL.search(v) for v in values) and not any(_POINT_DECIMAL.search(v) for v in values)


def _strip_number(text: str) -> str:
    return re.sub(_SEP, "", text)


def _accounting(text: str) -> tuple[str, bool]:
    """``(1,234.50)`` is how ledgers print a negative amount."""
    if text.startswith("(") and text.endswith(")"):
        return text[1:-1].strip(), True
    return text, False


def _leading_zero(num: str) -> bool:
    digits = _strip_number(num)
    return len(digits) > 1 and digits.startswith("0") and not digits.startswith("0.")


def parse_integer(text: str) -> int | None:
    body, negative = _accounting(text)
    m = _INT_RE.match(body)
    if not m or _leading_zero(m["num"]):
        return None
    value = int(_strip_number(m["num"]))
    return -value if negative or m["sign"] == "-" else value


def parse_decimal(text: str) -> float | None:
    body, negative = _accounting(text)
    m = _DEC_RE.match(body) or _INT_RE.match(body)
    if not m or _leading_zero(m["num"]):
        return None
    value = float(_strip_number(m["num"]))
    return -value if negative or m["sign"] == "-" else value


def parse_percent(text: str) -> float | None:
    """``12.5%`` -> ``0.125``: stored as a fraction, the way spreadsheets store percentages."""
    m = _PCT_RE.match(text)
    if not m:
        return None
    value = float(_strip_number(m["num"])) / 100
    return -value if m["sign"] == "-" else value


def parse_currency(text: str) -> float | None:
    """``$1,234.50``, ``-€12``, ``12.00 EUR``, ``(45.00)`` -> a number; the symbol is dropped."""
    body, negative = _accounting(text)
    m = _CUR_RE.match(body)
    if not m or _leading_zero(m["num"]):
        return None
    value = float(_strip_number(m["num"]))
    return -value if negative or "-" in (m["sign1"], m["sign2"]) else value


def _all(values: Sequence[str], parse: Callable[[str], object]) -> list[object] | None:
    out = []
    for value in values:
        parsed = parse(value)
        if parsed is None:
            return None
        out.append(parsed)
    return out


def _dates(values: Sequence[str]) -> pd.Series | None:
    for fmt in DATE_FORMATS:
        try:
            datetime.strptime(values[0], fmt)
        except ValueError:
            continue
        try:
            # Vectorised parsing once the first cell has picked the format.
            parsed = pd.to_datetime(pd.Series(values, dtype=object), format=fmt, exact=True)
        except (ValueError, TypeError):
            continue
        return parsed.astype("datetime64[us]")
    return None


def _convert(values: Sequence[str]) -> pd.Series | None:
    """The first kind whose parser reads the first cell and then every cell, else None.

    Gating on the first cell keeps text columns (the common case) at O(1) cost: only a column
    that starts like a number or a date is scanned in full.
    """
    first = values[0]
    attempts: list[tuple[Callable[[str], object], str]] = [
        (parse_integer, "Int64"),
        (parse_decimal, "Float64"),
        (parse_currency, "Float64"),
    ]
    if first.endswith("%"):
        attempts.append((parse_percent, "Float64"))
    for parse, dtype in attempts:
        if parse(first) is None:
            continue
        parsed = _all(values, parse)
        if parsed is not None:
            return pd.Series(parsed, dtype=dtype)
    if any(ch.isdigit() for ch in first):
        dates = _dates(values)
        if dates is not None:
            return dates
    if writes_decimal_comma(values):
        swapped = [swap_marks(v) for v in values]
        for parse in (parse_decimal, parse_currency, parse_percent):
            parsed = _all(swapped, parse)
            if parsed is not None:
                return pd.Series(parsed, dtype="Float64")
    return None


def infer_column(series: pd.Series) -> pd.Series:
    """``series`` converted to Int64, Float64 or datetime64 when every non-empty cell allows it."""
    mask = series.notna()
    values = [v if isinstance(v, str) else str(v) for v in series[mask].tolist()]
    if not values:
        return series
    converted = _convert(values)
    if converted is None:
        return series
    if bool(mask.all()):
        return converted.set_axis(series.index)
    result = pd.Series(pd.NA, index=series.index, dtype=converted.dtype)
    result[mask] = converted.to_numpy()
    return result


def infer_types(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with each text column converted where every cell agrees on a type."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = infer_column(out[column])
    return out

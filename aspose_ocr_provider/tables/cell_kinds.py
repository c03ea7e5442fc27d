"""What one cell of recognised text is: a value (data) or words (which a header may be).

Header detection asks this of every cell near the top of a table. A column title is words; a
number, an amount, a date, an id such as ``#1006`` or ``INV-0042`` or an e-mail address is a value
of some row, so a row holding one is data and such a cell never becomes part of a column name.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from aspose_ocr_provider.tables.types import (
    DATE_FORMATS,
    parse_currency,
    parse_decimal,
    parse_percent,
    swap_marks,
)

CellKind = Literal["empty", "year", "value", "text"]
"""``year`` is a plain four-digit year: data in a row, but also a common column title (``2024``)."""

DataKind = Literal["empty", "integer", "number", "date", "id", "email", "text"]
"""Finer kinds of a cell, for telling a first row of data from a header row of dates or numbers."""

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ID = re.compile(r"^(?:#\s?[A-Za-z]{0,4}\d[\w/-]*|[A-Za-z]{1,6}[-/]\d[\w/-]*)$")
_YEAR = re.compile(r"^(1[89]|2[01])\d\d$")
_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
_PLAIN_INTEGER = re.compile(r"^\d+$")
_NUMERIC_DATE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")
_WORDY_DATE = re.compile(r"\b\d{4}\b")
"""A date written with a month name (``Mar 4, 2025``) has a four-digit year; all-digit dates
have no letter and are values already, so only text with such a year is tried as a date."""


def _is_date(text: str) -> bool:
    if not _WORDY_DATE.search(text):
        return False
    for fmt in DATE_FORMATS:
        try:
            datetime.strptime(text, fmt)
        except ValueError:
            continue
        return True
    return False


def is_value(text: str | None) -> bool:
    """Whether ``text`` reads as data: a number, amount, percentage, date, id or e-mail address.

    Text with digits and no letter at all (``3.787,113.71``, ``12/04``, ``(1 200)``) counts as a
    value too: an OCR slip in a number must not make it a header word.
    """
    if not text:
        return False
    body = text.strip()
    if not body:
        return False
    if not _DIGIT.search(body):
        return bool(_EMAIL.search(body))
    if not _LETTER.search(body):
        return True  # every number, amount, percentage and all-digit date is here
    if any(parse(text) is not None for parse in (parse_currency, parse_decimal, parse_percent) for text in (body, swap_marks(body))):
        return True  # 12.00 EUR, USD 5, 12,00 EUR
    return bool(_EMAIL.search(body) or _ID.match(body) or _is_date(body))


def cell_kind(text: str | None) -> CellKind:
    """The kind of one cell, for comparing rows by shape."""
    if not text or not text.strip():
        return "empty"
    body = text.strip()
    if _YEAR.match(body):
        return "year"
    return "value" if is_value(body) else "text"


def data_kind(text: str | None) -> DataKind:
    """What kind of value a cell is (``text`` when it is words): a plain integer (``1``, ``2024``)
    apart from other numbers, because day numbers and years are also column titles."""
    if not text or not text.strip():
        return "empty"
    body = text.strip()
    if not is_value(body):
        return "text"
    if _PLAIN_INTEGER.match(body):
        return "integer"
    if _EMAIL.search(body):
        return "email"
    if _NUMERIC_DATE.match(body) or (_LETTER.search(body) and _is_date(body)):
        return "date"
    if _ID.match(body):
        return "id"
    return "number"


def is_label(text: str | None, *, max_words: int = 4, max_chars: int = 40) -> bool:
    """Whether ``text`` is short enough to be a column title (sub-headers are a word or two)."""
    body = (text or "").strip()
    return bool(body) and len(body) <= max_chars and len(body.split()) <= max_words

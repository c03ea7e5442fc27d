"""A header cell that also holds the first row's value: the title kept as the name, the value as data.

Where the header sits right on top of the first row, recognition may read both into one cell:
``Previous Quarter Ending (2078 Asoj End) 3,787,113.71``. Named as it is, the column would hold
the figure in its name (cut at 63 characters, so even that may be lost) and the row below a
NULL. The trailing amount is split off: the title names the column and the amount goes back into
the first data row, or into a row of its own when that row already has a value there.

Only a formatted amount is split off (digits grouped or with decimals: ``3,787,113.71``,
``2,979``, ``19,90``), never a year, a plain number or a percentage, which titles hold
(``Sales 2025``, ``Col 2``, ``MwSt. 19%``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_LETTER = re.compile(r"[^\W\d_]")
_AMOUNT = re.compile(
    r"^\(?[-+]?[$€£¥₹]?\s?(?:\d{1,3}(?:[,.'\u00a0\u202f]\d{2,3})+(?:[.,]\d{1,2})?|\d+[.,]\d{2})\s?[$€£¥₹]?\)?$"
)
_DATE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")


@dataclass
class SplitHeader:
    """Header cells without their trailing amounts, and the amounts found, by column."""

    titles: list[str | None]
    values: dict[int, str]


def split_value(text: str | None) -> tuple[str | None, str | None]:
    """``(title, amount)`` of one header cell; ``(text, None)`` when it ends in no amount."""
    if not text:
        return text, None
    words = text.split()
    tail: list[str] = []
    while len(words) > 1 and not _LETTER.search(words[-1]) and any(c.isdigit() for c in words[-1]):
        tail.insert(0, words.pop())
    if not tail or not _LETTER.search(" ".join(words)):
        return text, None
    amount = " ".join(tail)
    if "%" in amount or _DATE.match(amount) or not _AMOUNT.match(amount):
        return text, None
    return " ".join(words), amount


def split_header_values(header: Sequence[str | None]) -> SplitHeader:
    """Split every header cell's trailing amount from its title."""
    titles: list[str | None] = []
    values: dict[int, str] = {}
    for col, cell in enumerate(header):
        title, value = split_value(cell)
        titles.append(title)
        if value is not None:
            values[col] = value
    return SplitHeader(titles, values)


def place_values(
    rows: list[list[str | None]], positions: list[int], values: dict[int, str], header_position: int, width: int
) -> None:
    """Put amounts split off the header into the first data row where its cells are empty, else
    into a row of their own before it (recorded as the header's row)."""
    if not values:
        return
    if rows and all(not rows[0][col] for col in values):
        for col, value in values.items():
            rows[0][col] = value
        return
    row: list[str | None] = [None] * width
    for col, value in values.items():
        row[col] = value
    rows.insert(0, row)
    positions.insert(0, header_position)

"""Headers spread over several rows: a group header over sub-headers (``Sales 2025`` over ``H1``, ``H2``).

Read as one header row, such a table loads its sub-header row as data, which turns every numeric
column under the group into text. Here the header rows are found and combined into one name per
column (``Sales 2025 H1``), so the rows below are data again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from aspose_ocr_provider.tables.types import parse_currency, parse_decimal, parse_percent

HeaderRowsSpec = Literal["auto"] | int

MAX_HEADER_ROWS = 3
"""More stacked header rows than this are not recognised automatically (give ``header_rows=``)."""


def _is_value(cell: str | None) -> bool:
    """Whether a cell reads as data (a number, amount or percentage), which no header cell is."""
    if not cell:
        return False
    return any(parse(cell) is not None for parse in (parse_decimal, parse_currency, parse_percent))


def _spans(row: Sequence[str | None]) -> bool:
    """Whether the row has an empty cell right of a filled one: the trace of a merged header cell."""
    seen = False
    for cell in row:
        if cell:
            seen = True
        elif seen:
            return True
    return False


def _is_sub_header(above: Sequence[str | None], row: Sequence[str | None]) -> bool:
    """``row`` continues the header ``above``: it fills cells under a span and holds no values.

    It must also leave a cell empty where ``above`` has text (a header cell merged over both
    rows, like ``Region``): a data row of plain text under a spanning header would not.
    """
    filled = [bool(c) for c in row]
    if not any(filled) or any(_is_value(c) for c in row):
        return False
    under_gap = any(f and not a for f, a in zip(filled, above, strict=False))
    open_above = any(a and not f for f, a in zip(filled, above, strict=False))
    return under_gap and open_above


def detect_header_rows(rows: Sequence[Sequence[str | None]]) -> int:
    """How many of the leading ``rows`` form the header (1 when nothing suggests more)."""
    if not rows or not _spans(rows[0]):
        return 1
    count = 1
    while count < min(MAX_HEADER_ROWS, len(rows) - 1) and _is_sub_header(rows[count - 1], rows[count]):
        count += 1
    return count


def combine_header_rows(rows: Sequence[Sequence[str | None]]) -> list[str | None]:
    """One header text per column from stacked header rows, group text first.

    A group cell covers the empty cells to its right (a merged cell leaves them empty) as long as
    the row below has text there; the parts are joined with a space (``Sales 2025 H1``).
    """
    if not rows:
        return []
    width = max(len(r) for r in rows)
    grid = [list(r) + [None] * (width - len(r)) for r in rows]
    for depth in range(len(grid) - 1):
        row, below = grid[depth], grid[depth + 1]
        for col in range(1, width):
            if not row[col] and row[col - 1] and below[col]:
                row[col] = row[col - 1]
    combined: list[str | None] = []
    for col in range(width):
        parts = [grid[depth][col] for depth in range(len(grid)) if grid[depth][col]]
        combined.append(" ".join(p for p in parts if p) or None)
    return combined

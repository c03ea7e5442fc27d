"""Which columns of a table hold values and which hold words, read off its data rows.

Merging continuation lines and finding summary rows both ask the same question of a table: in
the rows a person reads as data, does this column hold amounts, counts and dates, or names and
descriptions? The answer is the majority of the column's filled cells, so one odd cell (an OCR
slip, a label in the wrong column) never changes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from aspose_ocr_provider.tables.cell_kinds import cell_kind

Role = Literal["value", "text", "empty"]

Row = Sequence[str | None]


def column_roles(rows: Sequence[Row], width: int) -> list[Role]:
    """Per column: ``value`` when at least half the filled cells are values (a sub-header or a
    label over one amount does not make a column of words), ``text`` when most are words,
    ``empty`` when no row fills it."""
    roles: list[Role] = []
    for col in range(width):
        cells = [row[col] for row in rows if col < len(row) and row[col]]
        if not cells:
            roles.append("empty")
            continue
        values = sum(cell_kind(c) in ("value", "year") for c in cells)
        roles.append("value" if values * 2 >= len(cells) else "text")
    return roles


def filled_columns(row: Row) -> list[int]:
    return [col for col, cell in enumerate(row) if cell]

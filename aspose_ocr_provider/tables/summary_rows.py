"""Summary rows: the Total, Subtotal or Zwischensumme lines under a table's items.

They are part of what a document says, so they are kept, but a person summing a column must be
able to leave them out, and their label must not turn an amount column into text (``TOTAL DUE``
often sits in the unit price column, left of the amount). A row is a summary when the first
words it holds start with a summary word (in English, German, French, Dutch, Spanish or
Italian, OCR look-alike digits read as letters: ``T0TAL``), or when it is one of the last rows,
holds amounts only and leaves empty the text column every item fills.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from aspose_ocr_provider.tables.cell_kinds import cell_kind
from aspose_ocr_provider.tables.column_roles import Role, Row
from aspose_ocr_provider.tables.header_match import header_key

RowKind = Literal["data", "total"]
DATA: RowKind = "data"
TOTAL: RowKind = "total"
ROW_KINDS: tuple[str, ...] = (DATA, TOTAL)

_FIRST_WORDS = frozenset(
    {
        "total", "totals", "subtotal", "grandtotal", "sum", "summe", "gesamt", "gesamtsumme",
        "gesamtbetrag", "zwischensumme", "endsumme", "endbetrag", "nettosumme", "bruttosumme",
        "rechnungsbetrag", "rechnungssumme", "somme", "totale", "totaal", "subtotaal", "importe",
    }
)  # fmt: skip
"""A label whose first word is one of these is a summary (``Total due``, ``Gesamt (netto)``)."""

_FIRST_PAIRS = frozenset(
    {
        ("grand", "total"), ("sub", "total"), ("net", "total"), ("gross", "total"), ("amount", "due"),
        ("balance", "due"), ("invoice", "total"), ("order", "total"), ("sous", "total"),
    }
)  # fmt: skip
"""Labels whose first two words are these (``Grand Total``, ``Amount due``)."""

_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*", re.UNICODE)


def is_summary_label(text: str | None) -> bool:
    """Whether ``text`` names a summary line: ``Total``, ``TOTAL DUE``, ``Zwischensumme (inkl.
    MwSt.)``, ``Grand total``, ``Sub-Total``, ``T0TAL:``; never ``Summer dress`` or ``Totally``."""
    words = [header_key(w) for w in _WORD.findall(text or "")]
    words = [w for w in words if w]
    if not words:
        return False
    first = words[0].replace("-", "")
    if first in _FIRST_WORDS:
        return True
    return len(words) > 1 and (words[0], words[1]) in _FIRST_PAIRS


def _first_words(row: Row) -> str | None:
    """The leftmost cell of words (not a value) in the row."""
    for cell in row:
        if cell and cell_kind(cell) == "text":
            return cell
    return None


def summary_kinds(rows: Sequence[Row], roles: Sequence[Role]) -> list[RowKind]:
    """``data`` or ``total`` for each data row of a table (header excluded).

    Besides labelled rows, the block of rows at the bottom that leave the first text column
    empty (``| | Tax 10% | 110.00`` between ``Subtotal`` and ``TOTAL DUE``) is summary when it
    holds a labelled row or only amounts, and every item above fills that column.
    """
    kinds: list[RowKind] = [TOTAL if is_summary_label(_first_words(row)) else DATA for row in rows]
    text_columns = [col for col, role in enumerate(roles) if role == "text"]
    if not text_columns:
        return kinds
    key = text_columns[0]
    tail = len(rows)
    while tail > 0 and (kinds[tail - 1] == TOTAL or not rows[tail - 1][key]):
        tail -= 1
    block = range(tail, len(rows))
    items = [row for row, kind in zip(rows[:tail], kinds[:tail], strict=True) if kind == DATA]
    if not block or len(items) < 2 or not all(row[key] for row in items):
        return kinds
    if any(kinds[pos] == TOTAL for pos in block) or all(_amounts_only(rows[pos]) for pos in block):
        for pos in block:
            kinds[pos] = TOTAL
    return kinds


def _amounts_only(row: Row) -> bool:
    filled = [cell for cell in row if cell]
    return bool(filled) and all(cell_kind(cell) == "value" for cell in filled)


def place_labels(rows: list[list[str | None]], kinds: Sequence[RowKind], roles: Sequence[Role]) -> None:
    """Move a summary row's words out of value columns into the table's first text column.

    ``TOTAL DUE`` printed left of the amount often lands in the unit price column; there it
    would make the column text. In the first text column (the item's description) it is kept
    and read as the row's label; joined to what that cell holds if it is not empty.
    """
    text_columns = [col for col, role in enumerate(roles) if role == "text"]
    if not text_columns:
        return
    home = text_columns[0]
    for row, kind in zip(rows, kinds, strict=True):
        if kind != TOTAL:
            continue
        for col, cell in enumerate(row):
            if col == home or not cell or roles[col] != "value" or cell_kind(cell) != "text":
                continue
            row[home] = f"{row[home]} {cell}" if row[home] else cell
            row[col] = None

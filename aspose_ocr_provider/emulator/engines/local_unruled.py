"""Tables without vertical lines: columns from shared whitespace, rows from overlap and rules.

Most tables people send have no grid: invoice line items set apart by wide gaps, web tables with
a rule under each row, statements with two numeric columns, zebra-striped reports. A reader finds
their columns in the vertical strips of white that every multi-cell line leaves empty, and their
rows in what sits side by side: a cell wrapped over two lines belongs to the row whose other cells
overlap it vertically (centred neighbours) or, top-aligned, to the row right above it when no rule
or row gap separates them. Text around the table (titles, addresses, notes) is split off at tall
vertical gaps and never decides where the columns are.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from aspose_ocr_provider.emulator.engines.local_ocr import TextBox, TextLine

CELL_GAP = 0.8
"""Words further apart than this many line heights are two cells, not two words of one cell."""
COLUMN_GAP = 0.4
"""A strip of white at least this many line heights wide that no multi-cell line crosses is a
column boundary."""
CORE_CELLS = 0.6
"""Lines with this share of the fullest line's cells decide the columns."""
BLOCK_GAP = 1.8
"""A vertical gap of this many line heights ends one block of text (a table, an address block)."""
ROW_OVERLAP = 0.3
"""Boxes sharing this share of the smaller one's height sit on one table row."""
WRAP_GAP = 0.5
"""A line closer than this many line heights under a cell continues it (a top-aligned wrap)."""
SPACE = 0.3
"""A space between words, in line heights (wide enough for proportional fonts)."""
RULE_SPAN = 0.6
"""A horizontal line spanning this share of a table's width separates its rows."""


@dataclass(frozen=True)
class Rule:
    """A horizontal line on the page: its height and horizontal extent in pixels."""

    y: float
    x0: float
    x1: float


@dataclass
class _Piece:
    """Words of one line that fall into one column."""

    words: list[TextBox]
    column: int = 0

    @property
    def y0(self) -> float:
        return min(w.y0 for w in self.words)

    @property
    def y1(self) -> float:
        return max(w.y1 for w in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def _cells(line: TextLine, height: float) -> list[_Piece]:
    pieces = [_Piece([line.words[0]])]
    for prev, word in itertools.pairwise(line.words):
        if word.x0 - prev.x1 > CELL_GAP * height:
            pieces.append(_Piece([]))
        pieces[-1].words.append(word)
    return pieces


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def _rows(pieces: Sequence[_Piece]) -> list[list[_Piece]]:
    """Pieces that overlap vertically, chained top to bottom, make one row."""
    rows: list[list[_Piece]] = []
    top = bottom = 0.0
    for piece in sorted(pieces, key=lambda p: (p.y0, p.x0)):
        h = max(piece.y1 - piece.y0, 1.0)
        if rows and _overlap(piece.y0, piece.y1, top, bottom) >= ROW_OVERLAP * h:
            rows[-1].append(piece)
            bottom = max(bottom, piece.y1)
        else:
            rows.append([piece])
            top, bottom = piece.y0, piece.y1
    return rows


def _blocks(rows: list[list[_Piece]], height: float) -> list[list[list[_Piece]]]:
    blocks: list[list[list[_Piece]]] = [[rows[0]]]
    for prev, row in itertools.pairwise(rows):
        if min(p.y0 for p in row) - max(p.y1 for p in prev) > BLOCK_GAP * height:
            blocks.append([])
        blocks[-1].append(row)
    return blocks


def _columns(block: list[list[_Piece]], height: float) -> list[tuple[float, float]]:
    """Column extents from the block's fullest lines.

    Titles and wrapped tails hold one cell and totals lines a label and a figure; they would
    bridge the gaps between item columns, so only lines with at least ``CORE_CELLS`` of the
    fullest line's cell count vote on where the white strips are.
    """
    fullest = max(len(row) for row in block)
    voters = [row for row in block if len(row) >= 2 and len(row) >= CORE_CELLS * fullest]
    spans = sorted((p.x0, p.x1) for row in voters for p in row)
    columns: list[list[float]] = []
    for x0, x1 in spans:
        if columns and x0 <= columns[-1][1] + COLUMN_GAP * height:
            columns[-1][1] = max(columns[-1][1], x1)
        else:
            columns.append([x0, x1])
    return [(a, b) for a, b in columns]


def _column_of(word: TextBox, columns: Sequence[tuple[float, float]]) -> int:
    best, best_key = 0, (-1.0, 0.0)
    for i, (a, b) in enumerate(columns):
        key = (_overlap(word.x0, word.x1, a, b), -min(abs(word.cx - a), abs(word.cx - b)))
        if key > best_key:
            best, best_key = i, key
    return best


def _split(piece: _Piece, columns: Sequence[tuple[float, float]]) -> list[_Piece]:
    """The piece cut where its words change column (a caption across columns, a merged box)."""
    out: list[_Piece] = []
    for word in piece.words:
        col = _column_of(word, columns)
        if out and out[-1].column == col:
            out[-1].words.append(word)
        else:
            out.append(_Piece([word], col))
    return out


def _table_rules(rules: Sequence[Rule], block: list[list[_Piece]]) -> list[Rule]:
    x0 = min(p.x0 for row in block for p in row)
    x1 = max(p.x1 for row in block for p in row)
    return [r for r in rules if _overlap(r.x0, r.x1, x0, x1) >= RULE_SPAN * (x1 - x0)]


def _continues(upper: list[_Piece], lower: list[_Piece], height: float, right: Sequence[float]) -> bool:
    """Is ``lower`` the wrapped tail of some of ``upper``'s cells (top-aligned)?

    A line wraps because its next word did not fit: the tail sits right under its cell and its
    first word would have run past the column's right edge (``right``, per column). A short
    line followed by another line (a total, then a section heading) is two rows.
    """
    upper_cols = {p.column for p in upper}
    lower_cols = {p.column for p in lower}
    if not lower_cols <= upper_cols or len(lower_cols) >= len(upper_cols):
        return False
    for col in lower_cols:
        above = max((p for p in upper if p.column == col), key=lambda p: p.y1)
        below = min((p for p in lower if p.column == col), key=lambda p: p.y0)
        if below.y0 - above.y1 > WRAP_GAP * height:
            return False
        first = below.words[0]
        if above.x1 + SPACE * height + (first.x1 - first.x0) < right[col] - SPACE * height:
            return False
    return True


def _merge_rows(
    block: list[list[_Piece]], rules: Sequence[Rule], height: float, n_columns: int
) -> list[list[_Piece]]:
    """Join lines that belong to one table row.

    In a table ruled between its rows (about one rule per row), everything between two rules is
    one row; elsewhere (above the first rule, below the last, or in a table with a rule under
    its header only) a line joins the row above when it is that row's top-aligned wrapped tail.
    """
    top, bottom = min(p.y0 for p in block[0]), max(p.y1 for p in block[-1])
    between = sorted(r.y for r in rules if top < r.y < bottom)
    multi = sum(len(row) >= 2 for row in block)
    banded = len(between) >= max(2, (multi - 1) // 2)
    right = [max((p.x1 for row in block for p in row if p.column == c), default=0.0) for c in range(n_columns)]
    merged = [block[0]]
    for row in block[1:]:
        upper_bottom = max(p.y1 for p in merged[-1])
        lower_top = min(p.y0 for p in row)
        ruled_off = any(upper_bottom - 2 <= y <= lower_top + 2 for y in between)
        inside_band = banded and between[0] < upper_bottom and lower_top < between[-1]
        if not ruled_off and (inside_band or _continues(merged[-1], row, height, right)):
            merged[-1] = merged[-1] + row
        else:
            merged.append(row)
    return merged


def unruled_tables(lines: Sequence[TextLine], rules: Sequence[Rule]) -> list[tuple[float, list[list[str]]]]:
    """Tables (with their top y) from lines of text that no ruled grid holds, top to bottom."""
    if not lines:
        return []
    height = float(np.median([line.height for line in lines]))
    pieces = [p for line in lines for p in _cells(line, height)]
    tables: list[tuple[float, list[list[str]]]] = []
    for block in _blocks(_rows(pieces), height):
        columns = _columns(block, height)
        if len(columns) < 2 or sum(len(row) >= 2 for row in block) < 2:
            continue
        split = [[part for p in row for part in _split(p, columns)] for row in block]
        rows = _merge_rows(split, _table_rules(rules, block), height, len(columns))
        table = [_texts(row, len(columns)) for row in rows]
        used = [c for c in range(len(columns)) if any(r[c] for r in table)]
        tables.append((min(p.y0 for p in block[0]), [[r[c] for c in used] for r in table]))
    return tables


def _texts(row: list[_Piece], n_columns: int) -> list[str]:
    cells: list[list[_Piece]] = [[] for _ in range(n_columns)]
    for piece in row:
        cells[piece.column].append(piece)
    return [" ".join(p.text for p in sorted(c, key=lambda p: (p.y0, p.x0))) for c in cells]

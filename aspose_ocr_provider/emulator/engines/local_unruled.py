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
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from aspose_ocr_provider.emulator.engines.local_ocr import TextBox, TextLine
from aspose_ocr_provider.emulator.engines.local_shape import why_not_a_table

log = logging.getLogger(__name__)

CELL_GAP = 0.8
"""Words further apart than this many box heights are two cells, not two words of one cell.
(Character widths looked better in theory, but the gap between word boxes varies from half a
character to one and a half with the font, so a line's own spaces cannot be told from a tight
column gap; the shared white strips of ``_columns`` do that.)"""
COLUMN_GAP = 0.6
"""A strip of white at least this many character widths that no full line crosses is a column
boundary."""
CORE_CELLS = 0.6
"""Lines with this share of the fullest line's cells decide the columns."""
BLOCK_GAP = 1.8
"""A vertical gap of this many line heights ends one block of text (a table, an address block)."""
ROW_SPREAD = 0.75
"""Text whose middles are within this many text heights sits on one row (a centred cell beside
a two-line neighbour is half a line pitch from each line)."""
WRAP_PITCH = 2.3
"""A line whose middle is within this many text heights (ink, about a capital's height) under a
cell's last line can continue it: a top-aligned wrap is one line pitch down, about two."""
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
    """The line cut into cells where words stand further apart than ``CELL_GAP`` box heights."""
    pieces = [_Piece([line.words[0]])]
    for prev, word in itertools.pairwise(line.words):
        if word.x0 - prev.x1 > CELL_GAP * height:
            pieces.append(_Piece([]))
        pieces[-1].words.append(word)
    return pieces


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def _rows(pieces: Sequence[_Piece], text_height: float) -> list[list[_Piece]]:
    """Pieces whose middles lie within ``ROW_SPREAD`` text heights of a piece of the row make one
    row (chained top to bottom, so a cell centred beside a two-line neighbour joins both lines).

    Middles, not boxes: the detector pads boxes by up to a text height, so the boxes of a dense
    table's neighbouring rows overlap while their middles stay a row pitch apart.
    """
    rows: list[list[_Piece]] = []
    for piece in sorted(pieces, key=lambda p: ((p.y0 + p.y1) / 2, p.x0)):
        middle = (piece.y0 + piece.y1) / 2
        if rows and any(abs(middle - (p.y0 + p.y1) / 2) <= ROW_SPREAD * text_height for p in rows[-1]):
            rows[-1].append(piece)
        else:
            rows.append([piece])
    return rows


def _blocks(rows: list[list[_Piece]], height: float) -> list[list[list[_Piece]]]:
    blocks: list[list[list[_Piece]]] = [[rows[0]]]
    for prev, row in itertools.pairwise(rows):
        if min(p.y0 for p in row) - max(p.y1 for p in prev) > BLOCK_GAP * height:
            blocks.append([])
        blocks[-1].append(row)
    return blocks


def _columns(block: list[list[_Piece]], char: float) -> list[tuple[float, float]]:
    """Column extents from the block's fullest lines.

    Titles and wrapped tails hold one cell and totals lines a label and a figure; they would
    bridge the gaps between item columns, so only lines with at least ``CORE_CELLS`` of the
    fullest line's cell count vote on where the white strips are.
    """
    fullest = max(len(row) for row in block)
    voters = [row for row in block if len(row) >= 2 and len(row) >= CORE_CELLS * fullest]
    full = [row for row in voters if len(row) == fullest]
    if len(full) < 2:
        return _merged_spans(sorted((p.x0, p.x1) for row in voters for p in row), char)
    # The fullest lines set the columns; a shorter line (a header cell read as one with its
    # neighbour, a total) widens one column but never joins two.
    columns = _merged_spans(sorted((p.x0, p.x1) for row in full for p in row), char)
    for row in voters:
        if len(row) == fullest:
            continue
        for p in row:
            hits = [i for i, (a, b) in enumerate(columns) if _overlap(p.x0, p.x1, a, b) > 0]
            if len(hits) == 1:
                a, b = columns[hits[0]]
                columns[hits[0]] = (min(a, p.x0), max(b, p.x1))
            elif not hits:
                columns.append((p.x0, p.x1))
    return _merged_spans(sorted(columns), char)


def _merged_spans(spans: Sequence[tuple[float, float]], char: float) -> list[tuple[float, float]]:
    columns: list[list[float]] = []
    for x0, x1 in spans:
        if columns and x0 <= columns[-1][1] + COLUMN_GAP * char:
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


def _continues(
    upper: list[_Piece], lower: list[_Piece], text_height: float, char: float, right: Sequence[float]
) -> bool:
    """Is ``lower`` the wrapped tail of some of ``upper``'s cells (top-aligned)?

    A line wraps because its next word did not fit: the tail sits one line pitch under its
    cell, starts at the cell's left edge, and its first word would have run past the column's
    right edge (``right``, per column). A short line followed by another line (a total, then a
    section heading) is two rows.
    """
    upper_cols = {p.column for p in upper}
    lower_cols = {p.column for p in lower}
    if not lower_cols <= upper_cols or len(lower_cols) >= len(upper_cols):
        return False
    for col in lower_cols:
        above = max((p for p in upper if p.column == col), key=lambda p: p.y1)
        below = min((p for p in lower if p.column == col), key=lambda p: p.y0)
        if (below.y0 + below.y1) / 2 - (above.y0 + above.y1) / 2 > WRAP_PITCH * text_height:
            return False
        if abs(below.x0 - above.x0) > 1.5 * char:
            return False
        first = below.words[0]
        if above.x1 + 2 * char + (first.x1 - first.x0) < right[col]:
            return False
    return True


def _header_lines(upper: list[_Piece], lower: list[_Piece], between: Sequence[float], text_height: float) -> bool:
    """Are ``upper`` and ``lower`` two lines of one header, above the rule that closes it?"""
    if not between or len(upper) < 2 or len(lower) < 2:
        return False
    lower_middle = max((p.y0 + p.y1) / 2 for p in lower)
    if lower_middle >= between[0]:
        return False
    upper_middle = min((p.y0 + p.y1) / 2 for p in upper)
    return lower_middle - upper_middle <= WRAP_PITCH * text_height


def _merge_rows(
    block: list[list[_Piece]], rules: Sequence[Rule], text_height: float, char: float, n_columns: int
) -> list[list[_Piece]]:
    """Join lines that belong to one table row.

    In a table ruled between its rows (about one rule per row), everything between two rules is
    one row; above the rule under a header, header lines one line pitch apart are one header
    row (``Units`` over ``sold``); elsewhere a line joins the row above when it is that row's
    top-aligned wrapped tail.
    """
    top, bottom = min(p.y0 for p in block[0]), max(p.y1 for p in block[-1])
    between = sorted(r.y for r in rules if top < r.y < bottom)
    multi = sum(len(row) >= 2 for row in block)
    banded = len(between) >= max(2, (multi - 1) // 2)
    fullest = max(len(row) for row in block)
    voters = [row for row in block if len(row) >= CORE_CELLS * fullest]
    right = [max((p.x1 for row in voters for p in row if p.column == c), default=0.0) for c in range(n_columns)]
    merged = [block[0]]
    for row in block[1:]:
        # The detector pads boxes, so a rule may cut into them: it lies between two lines when
        # it lies between their middles.
        upper_bottom = max((p.y0 + p.y1) / 2 for p in merged[-1])
        lower_top = min((p.y0 + p.y1) / 2 for p in row)
        ruled_off = any(upper_bottom <= y <= lower_top for y in between)
        inside_band = banded and between[0] < upper_bottom and lower_top < between[-1]
        if not ruled_off and (
            inside_band
            or _header_lines(merged[-1], row, between, text_height)
            or _continues(merged[-1], row, text_height, char, right)
        ):
            merged[-1] = merged[-1] + row
        else:
            merged.append(row)
    return merged


def _char_width(lines: Sequence[TextLine], height: float) -> float:
    """Median width of one character over the page's words (box widths are tight, heights not)."""
    widths = [(w.x1 - w.x0) / len(w.text) for line in lines for w in line.words if len(w.text) >= 2]
    return float(np.median(widths)) if widths else 0.5 * height


def unruled_tables(
    lines: Sequence[TextLine], rules: Sequence[Rule], text_height: float | None = None
) -> list[tuple[tuple[float, float, float, float], list[list[str]]]]:
    """Tables (with their box x0, y0, x1, y1) from lines of text that no ruled grid holds.

    A block of text becomes a table only where it has table structure: titles, captions, units
    notes and footnotes at its top and bottom (one cell, or text running across its columns) are
    cut off, running text inside it splits it, and what is left must pass
    ``local_shape.why_not_a_table``. Everything left out is logged at DEBUG with the reason.

    :param text_height: Height of the page's text in pixels, ink only (the boxes are padded);
        None takes 60% of the median box height.
    """
    if not lines:
        return []
    height = float(np.median([line.height for line in lines]))
    char = _char_width(lines, height)
    pieces = [p for line in lines for p in _cells(line, height)]
    tables: list[tuple[tuple[float, float, float, float], list[list[str]]]] = []
    text_height = text_height or 0.6 * height
    for whole in _blocks(_rows(pieces, text_height), height):
        for block in _segments(whole, char, height):
            columns = _columns(block, char)
            if len(columns) < 2 or sum(len(row) >= 2 for row in block) < 2:
                _left_out(block, "fewer than two columns or two rows of cells")
                continue
            split = [[part for p in row for part in _split(p, columns)] for row in block]
            rows = _merge_rows(split, _table_rules(rules, block), text_height, char, len(columns))
            table = [_texts(row, len(columns)) for row in rows]
            used = [c for c in range(len(columns)) if any(r[c] for r in table)]
            table = [[r[c] for c in used] for r in table]
            why = why_not_a_table(table)
            if why is not None:
                _left_out(block, why)
                continue
            box = (
                min(p.x0 for row in block for p in row),
                min(p.y0 for p in block[0]),
                max(p.x1 for row in block for p in row),
                max(p.y1 for p in block[-1]),
            )
            tables.append((box, table))
    return tables


PROSE_GAP = 0.5
"""Words closer than this many box heights are set as running text (a space), not as two cells."""
SPACE_SPREAD = 1.6
"""A gap up to this many times a line's median word space is still an ordinary space."""


def _crossing(row: list[_Piece], columns: Sequence[tuple[float, float]], height: float) -> tuple[bool, bool]:
    """(does a piece of ``row`` run across a column boundary, is it running text doing so)."""
    crossing = prose = False
    for piece in row:
        parts = _split(piece, columns)
        if len(parts) < 2:
            continue
        crossing = True
        if len(piece.words) < 3:
            continue
        cuts = [b.words[0].x0 - a.words[-1].x1 for a, b in itertools.pairwise(parts)]
        spaces = [b.x0 - a.x1 for part in parts for a, b in itertools.pairwise(part.words)]
        # Running text crosses a column boundary at an ordinary space; a header cell read as one
        # with its neighbour ("Q2 2025 Change") leaves a wider gap there than between its words.
        ordinary = max(SPACE_SPREAD * float(np.median(spaces)), 1.0) if spaces else PROSE_GAP * height
        prose = prose or min(cuts) <= min(ordinary, PROSE_GAP * height)
    return crossing, prose


def _segments(block: list[list[_Piece]], char: float, height: float) -> list[list[list[_Piece]]]:
    """The table-like runs of a block: split at lines of running text that cross its columns,
    each run stripped of the lines at its top and bottom that hold one cell, or two running
    across its columns (a title, a caption, a units note such as ``(Rs. in '000)``, a footnote,
    a page number); a header whose two titles were read as one keeps its other cells."""
    columns = _columns(block, char)
    if len(columns) < 2:
        return [block]
    flags = [_crossing(row, columns, height) for row in block]
    runs: list[list[int]] = [[]]
    for i, (_crosses, prose) in enumerate(flags):
        if prose:
            _left_out([block[i]], "running text across the columns")
            runs.append([])
        else:
            runs[-1].append(i)
    out: list[list[list[_Piece]]] = []
    for run in runs:
        while run and (len(block[run[0]]) < 2 or (flags[run[0]][0] and len(block[run[0]]) < 3)):
            _left_out([block[run.pop(0)]], "a title, caption or note above the table")
        while run and (len(block[run[-1]]) < 2 or (flags[run[-1]][0] and len(block[run[-1]]) < 3)):
            _left_out([block[run.pop()]], "a note or footer below the table")
        if run:
            out.append([block[i] for i in run])
    return out


def _left_out(block: list[list[_Piece]], why: str) -> None:
    if log.isEnabledFor(logging.DEBUG):
        text = " / ".join(" | ".join(p.text for p in row) for row in block)
        log.debug("Left out as no table (%s): %s", why, text[:200])


def _texts(row: list[_Piece], n_columns: int) -> list[str]:
    cells: list[list[_Piece]] = [[] for _ in range(n_columns)]
    for piece in row:
        cells[piece.column].append(piece)
    return [" ".join(p.text for p in sorted(c, key=lambda p: (p.y0, p.x0))) for c in cells]

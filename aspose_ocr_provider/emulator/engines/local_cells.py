"""Stage 4, cells: the OCR's words placed into a table's cells - none of them lost.

A word read inside a table belongs to the table: a cell's second line (``Proclamation``), a long
number the structure model drew no cell round, a totals line under the last row. Each word goes
to the cell its middle falls in; a word in no cell goes to the cell it overlaps most, else to the
nearest one in its row band. A spanned cell's text goes to its first row and column and the cells
it covers stay empty, as the ruled grid does, so the CSV keeps its rectangle.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aspose_ocr_provider.emulator.engines.local_ocr import TextBox
from aspose_ocr_provider.emulator.engines.local_structure import join_words
from aspose_ocr_provider.emulator.engines.local_table_model import ModelCell

log = logging.getLogger(__name__)


def _overlap(word: TextBox, cell: ModelCell) -> float:
    x0, y0, x1, y1 = cell.box
    w = min(word.x1, x1) - max(word.x0, x0)
    h = min(word.y1, y1) - max(word.y0, y0)
    return max(w, 0.0) * max(h, 0.0)


def _distance(word: TextBox, cell: ModelCell) -> float:
    x0, y0, x1, y1 = cell.box
    dx = max(x0 - word.cx, 0.0, word.cx - x1)
    dy = max(y0 - word.cy, 0.0, word.cy - y1)
    return dx + 3.0 * dy  # a word belongs to its own line's cells before the next line's


def cell_of(word: TextBox, cells: Sequence[ModelCell]) -> ModelCell:
    """The cell ``word`` belongs to (``cells`` must not be empty)."""
    inside = [c for c in cells if c.box[0] <= word.cx <= c.box[2] and c.box[1] <= word.cy <= c.box[3]]
    if inside:
        return min(inside, key=lambda c: (c.box[2] - c.box[0]) * (c.box[3] - c.box[1]))
    best = max(cells, key=lambda c: _overlap(word, c))
    if _overlap(word, best) > 0:
        return best
    return min(cells, key=lambda c: _distance(word, c))


def fill(cells: Sequence[ModelCell], words: Sequence[TextBox]) -> list[list[str]]:
    """Rows of cell texts: every word of ``words`` in one cell; rows and columns no word reached
    dropped."""
    if not cells:
        return []
    texts: dict[tuple[int, int], list[TextBox]] = {}
    for word in words:
        cell = cell_of(word, cells)
        texts.setdefault((cell.row0, cell.col0), []).append(word)
    n_rows = max(c.row1 for c in cells) + 1
    n_cols = max(c.col1 for c in cells) + 1
    rows = [[join_words(texts.get((r, c), [])) for c in range(n_cols)] for r in range(n_rows)]
    kept = [row for row in rows if any(cell.strip() for cell in row)]
    used = [c for c in range(n_cols) if any(row[c].strip() for row in kept)]
    if len(kept) < len(rows) or len(used) < n_cols:
        log.debug(
            "Dropped %d predicted row(s) and %d column(s) no word fell into.",
            len(rows) - len(kept), n_cols - len(used),
        )
    return [[row[c] for c in used] for row in kept]

"""How close recognised tables come to a ground truth, measured the way a user would judge them.

A user copies rows out of the result: a row is right when each of its cells shows up in a cell
of its own, in order, in one output row - extra tables, extra rows (a title, a total) and extra
empty columns cost nothing, while two columns run together or a wrapped cell split over two rows
do. That is **row-structure accuracy**. Whether the text inside those cells is letter-perfect is
measured apart, as **cell exactness**, so a misread digit does not hide a good structure and the
other way round. Both look at the non-empty ground-truth cells only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

__all__ = ["RowScore", "normalize", "score_rows"]

SIMILAR = 0.8
"""Two cell texts this similar (difflib ratio) are the same cell with a few characters misread."""


def normalize(text: str) -> str:
    """Whitespace runs as one space, no leading or trailing space: how a spreadsheet shows a cell."""
    return " ".join(text.split())


def _same_cell(truth: str, got: str) -> bool:
    return truth == got or SequenceMatcher(None, truth, got, autojunk=False).ratio() >= SIMILAR


@dataclass
class RowScore:
    """Counts over ground-truth rows and cells; add them up across images and kinds."""

    rows: int = 0
    rows_ok: int = 0
    cells: int = 0
    cells_exact: int = 0

    def add(self, other: RowScore) -> None:
        self.rows += other.rows
        self.rows_ok += other.rows_ok
        self.cells += other.cells
        self.cells_exact += other.cells_exact

    @property
    def row_accuracy(self) -> float:
        return self.rows_ok / self.rows if self.rows else 0.0

    @property
    def exactness(self) -> float:
        return self.cells_exact / self.cells if self.cells else 0.0


def _align(truth: Sequence[str], got: Sequence[str]) -> tuple[int, int]:
    """(cells matched in order, of those exactly equal): a longest common subsequence of cells."""
    n, m = len(truth), len(got)
    best = [[(0, 0)] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            skip = max(best[i + 1][j], best[i][j + 1])
            if _same_cell(truth[i], got[j]):
                matched, exact = best[i + 1][j + 1]
                take = (matched + 1, exact + (truth[i] == got[j]))
                skip = max(skip, take)
            best[i][j] = skip
    return best[0][0]


def score_rows(truth: Iterable[Sequence[str]], got: Iterable[Sequence[str]]) -> RowScore:
    """Score ground-truth rows against every output row (of every output table, flattened).

    Each ground-truth row is matched with the output row holding most of its cells in order; it
    is right when all its non-empty cells are there, each in a separate cell.
    """
    out_rows = [[normalize(c) for c in row] for row in got]
    out_rows = [[c for c in row if c] for row in out_rows]
    score = RowScore()
    for row in truth:
        cells = [normalize(c) for c in row if normalize(c)]
        if not cells:
            continue
        matched, exact = max((_align(cells, out) for out in out_rows), default=(0, 0))
        score.rows += 1
        score.rows_ok += matched == len(cells)
        score.cells += len(cells)
        score.cells_exact += exact
    return score

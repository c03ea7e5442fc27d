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

__all__ = ["RowScore", "edit_distance", "normalize", "score_rows"]

MISREAD = 0.15
"""Up to this share of a cell's characters (at least one) may be misread and it is still that
cell: ``995`` for ``9.95`` is a reading error, a wrapped cell missing its second line is not."""


def normalize(text: str) -> str:
    """Whitespace runs as one space, no leading or trailing space: how a spreadsheet shows a cell."""
    return " ".join(text.split())


def edit_distance(a: str, b: str) -> int:
    """Characters to insert, delete or replace to turn ``a`` into ``b`` (Levenshtein)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _same_cell(truth: str, got: str) -> bool:
    allowed = max(1, round(MISREAD * len(truth)))
    return truth == got or (abs(len(truth) - len(got)) <= allowed and edit_distance(truth, got) <= allowed)


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

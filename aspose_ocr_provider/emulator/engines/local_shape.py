"""Is a found block a table? And one table per region of the page.

Rows that are not table rows are worse than missing rows: they get summed, joined and reported.
So the engine returns a block only when it has table structure - at least two columns and two
rows whose cells line up - and leaves out, with a DEBUG line saying why, what does not: a lone
form box, a paragraph in two columns, a column of axis ticks. Where two candidates cover the same
part of the page (a ruled grid and the text inside it read as an unruled table, say), only the
better-filled one is returned.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)

PROSE_WORDS = 4.0
"""A column whose cells hold this many words or more (median) is running text; a block made only
of such columns is a paragraph set in columns, not a table."""
OVERLAP = 0.2
"""Two candidates sharing this much of the smaller one's area cover the same region."""


@dataclass(frozen=True)
class Candidate:
    """A table the engine may return: its box on the page (x0, y0, x1, y1) and its rows."""

    box: tuple[float, float, float, float]
    rows: list[list[str]]
    source: str

    @property
    def filled(self) -> int:
        return sum(1 for row in self.rows for cell in row if cell.strip())


def why_not_a_table(rows: Sequence[Sequence[str]]) -> str | None:
    """The reason ``rows`` is not a table, or None when it has table structure."""
    full = [[cell for cell in row if cell.strip()] for row in rows]
    multi = sum(1 for cells in full if len(cells) >= 2)
    if multi < 2:
        return f"{multi} row(s) with two or more cells"
    width = max((len(row) for row in rows), default=0)
    columns = [[row[c] for row in rows if c < len(row) and row[c].strip()] for c in range(width)]
    used = [col for col in columns if len(col) >= 2]
    if len(used) < 2:
        return f"{len(used)} column(s) with two or more cells"
    words = [float(np.median([len(cell.split()) for cell in col])) for col in used]
    if min(words) >= PROSE_WORDS:
        return f"running text: every column holds {min(words):.0f}+ words a cell"
    return None


def shared(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """How much of the smaller of ``a`` and ``b`` lies inside the other (0-1)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / max(smaller, 1.0)


def one_per_region(candidates: Sequence[Candidate]) -> list[Candidate]:
    """The candidates with overlapping ones removed (the better-filled kept), top to bottom."""
    kept: list[Candidate] = []
    for cand in sorted(candidates, key=lambda c: (-c.filled, c.box[1], c.box[0])):
        clash = next((k for k in kept if shared(k.box, cand.box) >= OVERLAP), None)
        if clash is not None:
            log.debug(
                "Left out a %s table at %s (%d filled cells): it overlaps the %s table at %s.",
                cand.source, where(cand.box), cand.filled, clash.source, where(clash.box),
            )
            continue
        kept.append(cand)
    return sorted(kept, key=lambda c: (c.box[1], c.box[0]))


def where(box: tuple[float, float, float, float]) -> str:
    return "({:.0f}, {:.0f})-({:.0f}, {:.0f})".format(*box)

"""Continuation lines: a wrapped cell's other lines, merged back into the row they belong to.

A two-line article name (``Emancipation`` / ``Proclamation``) is one row of the document, but
row detection over text lines (the cloud's and the local engine's alike) may give its second
line, or its first, a row of its own: words in a text column and nothing in the columns that
hold values. Such a row is merged into its neighbour, cell by cell, and the merged row says
which recognised rows it came from.

Direction: where the other cells of a row sit at the top, the extra line is *below* the row
with the values; where they are vertically centred, a wrapped cell's first line may sit in a
row of its own *above* them. A run of such rows above the first data row, or below the last,
can only go one way; a run between two rows is placed by what its words say (a line ending in
a hyphen, a comma or a word like ``of`` goes on; a line starting in lower case continues the
one above), else the way the table's other runs went, else below (the common top-aligned
layout).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from aspose_ocr_provider.tables.cell_kinds import cell_kind
from aspose_ocr_provider.tables.column_roles import Role, Row
from aspose_ocr_provider.tables.summary_rows import is_summary_label

_OPEN_END = re.compile(r"(?:[-\u2010,/&+(]|\b(?:and|or|of|for|with|the|a|an|to|in|und|oder|mit|für|von|der|die|das|et|de|du|la|le))$", re.I)
"""A line ending like this goes on in the next line."""

UP, DOWN = "up", "down"


@dataclass
class MergedRows:
    """Data rows after merging: cells, and for each row the recognised rows it came from."""

    rows: list[list[str | None]]
    sources: list[tuple[int, ...]]


def is_continuation(row: Row, roles: Sequence[Role]) -> bool:
    """Words only, only in text columns, nothing where the table holds values, not in every
    text column of a table of several; never a summary."""
    filled = [(col, cell) for col, cell in enumerate(row) if cell]
    if not filled:
        return False
    for col, cell in filled:
        if col >= len(roles) or roles[col] != "text" or cell_kind(cell) != "text":
            return False
    # A row filling every text column (``Bob | | Rome``) is a row missing its values, not a line.
    if len(filled) > 1 and len(filled) >= roles.count("text"):
        return False
    return not is_summary_label(filled[0][1])


def merge_continuations(rows: Sequence[Row], positions: Sequence[int], roles: Sequence[Role]) -> MergedRows:
    """Merge every run of continuation rows into the row above or below it (see the module)."""
    cells = [list(row) for row in rows]
    sources: list[tuple[int, ...]] = [(pos,) for pos in positions]
    if "value" not in roles or len(cells) < 2:
        return MergedRows(cells, sources)
    flags = [is_continuation(row, roles) for row in cells]
    if sum(flags) * 2 > len(flags) or len(flags) - sum(flags) < 2:
        # Most rows lack values: that is the table's shape (a sparse column), not wrapped text;
        # and one row with values is too little to tell a wrapped line from a row missing them.
        return MergedRows(cells, sources)
    runs = _runs(flags)
    directions = [_direction(cells, run, len(cells)) for run in runs]
    evidence = {d for d, certain in directions if certain}
    fallback = UP if evidence == {UP} else DOWN
    owner = list(range(len(cells)))  # each row's target row
    for run, (direction, certain) in zip(runs, directions, strict=True):
        if not certain:
            direction = fallback
        start, end = run
        target = start - 1 if direction == DOWN else end
        if target < 0 or target >= len(cells):
            continue
        for index in range(start, end):
            owner[index] = target
    groups: dict[int, list[int]] = {}
    for index, target in enumerate(owner):
        groups.setdefault(target, []).append(index)
    merged: list[list[str | None]] = []
    merged_sources: list[tuple[int, ...]] = []
    for target in sorted(groups):
        members = sorted(groups[target])
        row = cells[members[0]]
        for index in members[1:]:
            row = _join(row, cells[index])
        merged.append(row)
        merged_sources.append(tuple(pos for index in members for pos in sources[index]))
    return MergedRows(merged, merged_sources)


def _runs(flags: Sequence[bool]) -> list[tuple[int, int]]:
    """``[start, end)`` of each run of consecutive continuation rows."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for index, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = index
        elif not flag and start is not None:
            runs.append((start, index))
            start = None
    return runs


def _direction(cells: Sequence[Row], run: tuple[int, int], count: int) -> tuple[str, bool]:
    """Where a run goes and whether that is certain (an edge or a clue in its words)."""
    start, end = run
    if start == 0:
        return UP, True
    if end == count:
        return DOWN, True
    above, below = cells[start - 1], cells[end]
    first, last = cells[start], cells[end - 1]
    columns = [col for col, cell in enumerate(first) if cell]
    if any(_open_end(above[col]) for col in columns):
        return DOWN, True
    if any(_open_end(last[col]) for col in columns):
        return UP, True
    if any(_lower_start(first[col]) for col in columns):
        return DOWN, True
    if any(_lower_start(below[col]) for col in columns):
        return UP, True
    return DOWN, False


def _open_end(text: str | None) -> bool:
    return bool(text) and bool(_OPEN_END.search(text.rstrip()))  # type: ignore[union-attr]


def _lower_start(text: str | None) -> bool:
    body = (text or "").lstrip()
    return bool(body) and body[0].islower()


def _join(row: list[str | None], extra: Row) -> list[str | None]:
    """``row``'s cells with the lines of the row under it added."""
    out: list[str | None] = []
    for cell, more in zip(row, extra, strict=False):
        if not more:
            out.append(cell)
        elif not cell:
            out.append(more)
        else:
            out.append(join_lines(cell, more))
    return out


def join_lines(first: str, second: str) -> str:
    """Two lines of one cell as one text: ``Emanci-`` + ``pation`` -> ``Emancipation``."""
    if first.endswith("-") and second[:1].islower():
        return first[:-1] + second
    return f"{first} {second}"

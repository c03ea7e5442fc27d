"""Ruled tables from pixels: grids from their lines, merged cells from missing line segments.

Ruled tables are found from long horizontal and vertical strokes (morphological opening keeps
strokes longer than any glyph), so merged cells show up as missing line segments between two
grid cells. Horizontal strokes that make no grid are kept as rules: a table ruled between its
rows only (web tables, statements) is read by ``local_unruled`` with them as row separators.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from aspose_ocr_provider.emulator.engines.local_ocr import TextBox
from aspose_ocr_provider.emulator.engines.local_unruled import Rule


@dataclass
class Grid:
    """A ruled table: line positions and, per grid cell, the top-left cell of its merged span."""

    xs: list[int]
    ys: list[int]
    owner: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)

    @property
    def top(self) -> int:
        return self.ys[0]

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        if not (self.xs[0] <= x < self.xs[-1] and self.ys[0] <= y < self.ys[-1]):
            return None
        c = int(np.searchsorted(self.xs, x, side="right")) - 1
        r = int(np.searchsorted(self.ys, y, side="right")) - 1
        return self.owner.get((r, c), (r, c))

    def rows(self, boxes: Sequence[TextBox]) -> list[list[str]]:
        texts: dict[tuple[int, int], list[TextBox]] = {}
        for box in boxes:
            cell = self.cell_at(box.cx, box.cy)
            if cell is not None:
                texts.setdefault(cell, []).append(box)
        out: list[list[str]] = []
        for r in range(len(self.ys) - 1):
            out.append([join_words(texts.get((r, c), [])) for c in range(len(self.xs) - 1)])
        return out


def join_words(boxes: list[TextBox]) -> str:
    """One cell's text: its words line by line (a wrapped cell stays one cell), left to right."""
    if not boxes:
        return ""
    height = float(np.median([b.height for b in boxes]))
    ordered = sorted(boxes, key=lambda b: (round(b.cy / max(height, 1.0)), b.x0))
    return " ".join(b.text for b in ordered)


def _positions(profile: np.ndarray, min_len: int) -> list[int]:
    """Centres of runs of indices whose profile reaches ``min_len`` ink pixels."""
    hits = np.flatnonzero(profile >= min_len)
    if hits.size == 0:
        return []
    groups = np.split(hits, np.flatnonzero(np.diff(hits) > 3) + 1)
    return [int(g.mean()) for g in groups]


def line_masks(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(horizontal, vertical) strokes of the ink mask: runs longer than any glyph."""
    h, w = ink.shape
    horiz = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(40, w // 30), 1))
    )
    vert = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(28, h // 40)))
    )
    return horiz, vert


def horizontal_rules(horiz: np.ndarray) -> list[Rule]:
    """Every horizontal stroke as a rule, top to bottom; pieces of one rule (broken where text
    touches it or the scan faded) are joined into one."""
    count, _, stats, centroids = cv2.connectedComponentsWithStats(horiz, connectivity=8)
    pieces = sorted(
        (float(centroids[i][1]), float(stats[i, cv2.CC_STAT_LEFT]),
         float(stats[i, cv2.CC_STAT_LEFT] + stats[i, cv2.CC_STAT_WIDTH]))
        for i in range(1, count)
        if stats[i, cv2.CC_STAT_HEIGHT] <= 8
    )
    rules: list[Rule] = []
    for y, x0, x1 in pieces:
        if rules and y - rules[-1].y <= 3:
            last = rules[-1]
            rules[-1] = Rule(last.y, min(last.x0, x0), max(last.x1, x1))
        else:
            rules.append(Rule(y, x0, x1))
    return rules


def find_grids(horiz: np.ndarray, vert: np.ndarray) -> list[Grid]:
    """Every ruled table among the strokes, top to bottom."""
    lines = cv2.dilate(cv2.bitwise_or(horiz, vert), np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(lines, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    grids: list[Grid] = []
    for contour in contours:
        x, y, bw, bh = cv2.boundingRect(contour)
        if bw < 60 or bh < 40:
            continue
        hz = horiz[y : y + bh, x : x + bw]
        vt = vert[y : y + bh, x : x + bw]
        ys = [y + p for p in _positions((hz > 0).sum(axis=1), 30)]
        # A column rule runs the full height of at least one row; a tall handwritten stroke
        # (an l, a 1) stands alone inside its cell and falls short of that.
        shortest_row = min((b - a for a, b in itertools.pairwise(ys)), default=0)
        xs = [x + p for p in _positions((vt > 0).sum(axis=0), max(20, int(0.8 * shortest_row)))]
        if len(xs) < 3 or len(ys) < 2:  # one column inside a frame is a page or a box, not a grid
            continue
        grids.append(_with_spans(Grid(xs, ys), horiz, vert))
    return sorted(grids, key=lambda g: g.top)


def _covered(mask: np.ndarray, x0: int, x1: int, y0: int, y1: int) -> bool:
    patch = mask[max(y0, 0) : max(y1, 1), max(x0, 0) : max(x1, 1)]
    if patch.size == 0:
        return False
    along = patch.max(axis=0 if patch.shape[0] <= patch.shape[1] else 1) > 0
    return bool(along.mean() >= 0.5)


def _with_spans(grid: Grid, horiz: np.ndarray, vert: np.ndarray) -> Grid:
    """Join neighbouring grid cells that no line separates into one merged cell."""
    n_rows, n_cols = len(grid.ys) - 1, len(grid.xs) - 1
    parent = {(r, c): (r, c) for r in range(n_rows) for c in range(n_cols)}

    def find(cell: tuple[int, int]) -> tuple[int, int]:
        while parent[cell] != cell:
            cell = parent[cell]
        return cell

    def union(a: tuple[int, int], b: tuple[int, int]) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for r in range(n_rows):
        y0, y1 = grid.ys[r] + 4, grid.ys[r + 1] - 4
        for c in range(n_cols - 1):
            x = grid.xs[c + 1]
            if not _covered(vert, x - 3, x + 4, y0, y1):
                union((r, c), (r, c + 1))
    for c in range(n_cols):
        x0, x1 = grid.xs[c] + 4, grid.xs[c + 1] - 4
        for r in range(n_rows - 1):
            y = grid.ys[r + 1]
            if not _covered(horiz, x0, x1, y - 3, y + 4):
                union((r, c), (r + 1, c))
    grid.owner = {cell: find(cell) for cell in parent}
    return grid

"""Stage 3a, structure from the ink: ruled grids, and unruled tables from text alignment.

The hand-written engine this emulator started with, kept as the strategy where it wins: a grid
drawn with rules is read exactly from its lines (row spans and dense ruled tables included, where
the structure model loses rows), and a page the layout model finds no table on - a cropped
screenshot of a table, a table set as a picture - is read from the alignment of its words.
"""

from __future__ import annotations

import logging

import numpy as np

from aspose_ocr_provider.emulator.engines import local_graphics, local_ocr, local_structure, local_unruled
from aspose_ocr_provider.emulator.engines.local_shape import Candidate, why_not_a_table
from aspose_ocr_provider.emulator.engines.local_structure import Grid

log = logging.getLogger(__name__)


def ruled_grids(
    horiz: np.ndarray, vert: np.ndarray, words: list[local_ocr.TextBox]
) -> list[tuple[Grid, Candidate]]:
    """Every ruled grid among the strokes that holds a table, with its rows as a candidate."""
    found: list[tuple[Grid, Candidate]] = []
    for grid in local_structure.find_grids(horiz, vert):
        rows = grid.rows(words)
        why = why_not_a_table(rows)
        if why is not None:  # a chart's gridlines, a frame round the page, one form box
            log.debug("Left out a ruled grid at y=%d (%s).", grid.top, why)
            continue
        found.append((grid, Candidate((grid.xs[0], grid.ys[0], grid.xs[-1], grid.ys[-1]), rows, "ruled")))
    return found


def unruled(
    ink: np.ndarray, horiz: np.ndarray, lines: list[local_ocr.TextLine], grids: list[Grid]
) -> list[Candidate]:
    """Unruled tables from the words outside ``grids``; chart and picture labels left out."""
    text_height = local_ocr.text_height(lines, ink)
    graphics = local_graphics.graphics_mask(ink, text_height or 12.0)
    loose: list[local_ocr.TextLine] = []
    for line in lines:
        kept = []
        for w in line.words:
            if any(g.cell_at(w.cx, w.cy) is not None for g in grids):
                continue
            if local_graphics.near_graphics(w, graphics, text_height or 12.0):
                log.debug("Left out %r: it labels a chart or picture beside it.", w.text)
                continue
            kept.append(w)
        if kept:
            loose.append(local_ocr.TextLine(tuple(kept)))
    rules = local_structure.horizontal_rules(horiz)
    return [Candidate(box, rows, "unruled") for box, rows in local_unruled.unruled_tables(loose, rules, text_height)]

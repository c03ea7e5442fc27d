"""Charts, pictures and frames on the page: ink that is not text, and the words that label it.

A chart's tick labels stand in an evenly spaced column beside its plot and its category labels in
a row under it, so by alignment alone they look like a table (the issue's 15-row "tables" of axis
ticks, colour names and legend entries). What gives them away is what they sit next to: a tick
label is a tick's length from an axis line, a legend entry is inside a legend frame, a bar label
touches its bar. Table cells sit in white space, with at most horizontal rules around them.
"""

from __future__ import annotations

import cv2
import numpy as np

from aspose_ocr_provider.emulator.engines.local_ocr import TextBox

TALL = 5.0
"""Ink taller than this many text heights is graphics: an axis, a bar sitting on one, a plot or
legend frame, a picture. Header bands, rules and text stay below it."""
REACH = 1.0
"""A word whose box comes within this many text heights of graphics labels it."""


def graphics_mask(ink: np.ndarray, text_height: float) -> np.ndarray:
    """Ink that belongs to graphics (255): pieces of the binarised page taller than ``TALL`` text
    heights. Table rules and header bands are flat; a chart's axis with its ticks and gridlines,
    its bars and plotted lines, a frame round a legend or a picture stand tall."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    tall = np.flatnonzero(stats[:, cv2.CC_STAT_HEIGHT] >= TALL * max(text_height, 1.0))
    tall = tall[tall != 0]
    mask = np.zeros_like(ink)
    if tall.size and count > 1:
        mask[np.isin(labels, tall)] = 255
    return mask


def near_graphics(box: TextBox, mask: np.ndarray, text_height: float) -> bool:
    """Does any graphics ink lie within ``REACH`` text heights of ``box``?"""
    reach = REACH * text_height
    h, w = mask.shape
    x0, x1 = max(int(box.x0 - reach), 0), min(int(box.x1 + reach) + 1, w)
    y0, y1 = max(int(box.y0 - reach), 0), min(int(box.y1 + reach) + 1, h)
    if x1 <= x0 or y1 <= y0:
        return False
    return bool(mask[y0:y1, x0:x1].any())

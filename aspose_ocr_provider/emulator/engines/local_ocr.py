"""Text boxes from an image, with RapidOCR (ONNX models inside its wheel, no download at run time).

The OCR model is loaded once per process behind a lock: loading takes a second and a few hundred
megabytes, and the emulator calls engines from several worker threads at once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

INSTALL_HINT = "pip install 'airflow-provider-aspose-ocr[local]'"

_lock = threading.Lock()
_ocr: Any = None


@dataclass(frozen=True)
class TextBox:
    """One line of text the OCR found, with its axis-aligned box in image pixels."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    score: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return self.y1 - self.y0


def _engine() -> Any:
    global _ocr
    with _lock:
        if _ocr is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as exc:
                raise ImportError(
                    f"The local OCR engine needs rapidocr-onnxruntime ({exc}); install it with: {INSTALL_HINT}"
                ) from exc
            _ocr = RapidOCR()
        return _ocr


def read_text(gray: np.ndarray, ink: np.ndarray) -> list[TextBox]:
    """Every text line in ``gray`` (uint8, one channel); ``ink`` is its binarised mask (ink = 255).

    RapidOCR's recogniser drops the spaces of Latin text ("Unit Price" comes back "UnitPrice"), so
    spaces are put back between two characters whose ink is further apart than a fifth of the line
    height (letters of one word sit closer; between two digits never, their side bearings are wide).
    """
    import cv2

    found, _ = _engine()(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR), return_word_box=True)
    boxes: list[TextBox] = []
    for item in found or []:
        quad, text, score = item[0], str(item[1]), float(item[2])
        xs = [float(p[0]) for p in quad]
        ys = [float(p[1]) for p in quad]
        x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
        if len(item) >= 5 and len(item[4]) == len(text):
            text = _with_spaces(ink, item[3], text, int(y0), int(y1))
        boxes.append(TextBox(x0, y0, x1, y1, text.strip(), score))
    return [b for b in boxes if b.text]


def _with_spaces(ink: np.ndarray, char_quads: list[Any], text: str, y0: int, y1: int) -> str:
    y0, y1 = max(y0, 0), min(y1, ink.shape[0])
    if y1 <= y0:
        return text
    min_gap = max(5.5, 0.2 * (y1 - y0))
    centres = [sum(float(p[0]) for p in q) / len(q) for q in char_quads]
    out = [text[0]]
    for i in range(1, len(text)):
        a, b = round(centres[i - 1]), round(centres[i])
        pair = text[i - 1] + text[i]
        if b - a > min_gap and pair.isalnum() and not pair.isdigit():
            cols = ink[y0:y1, a:b].max(axis=0) > 0
            run = longest = 0
            for has_ink in cols:
                run = 0 if has_ink else run + 1
                longest = max(longest, run)
            if longest >= min_gap:
                out.append(" ")
        out.append(text[i])
    return "".join(out)

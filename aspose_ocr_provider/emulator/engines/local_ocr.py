"""Words and their boxes from an image, with RapidOCR (ONNX models inside its wheel, no download).

RapidOCR 3 ships PP-OCRv6 detection and recognition models in the ``rapidocr`` wheel and reports
every word of a text line with its own box, so a line that runs across two table columns can be
cut between the right words instead of guessing spaces from ink gaps. The image is handed over as
it is - no thresholding, no painted-out specks - because the recogniser reads decimal points and
hyphens from the grey levels a binarised copy loses.

The model is loaded once per process behind a lock: loading takes a second and a few hundred
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
    """One word (or a run of words) the OCR found, with its axis-aligned box in image pixels."""

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


@dataclass(frozen=True)
class TextLine:
    """One line as the OCR detected it: its words left to right (a line may cross columns)."""

    words: tuple[TextBox, ...]

    @property
    def height(self) -> float:
        return max(w.y1 for w in self.words) - min(w.y0 for w in self.words)


def ocr_model() -> Any:
    """The process-wide RapidOCR instance (loaded on first use)."""
    global _ocr
    with _lock:
        if _ocr is None:
            try:
                from rapidocr import RapidOCR
            except ImportError as exc:
                raise ImportError(
                    f"The local OCR engine needs rapidocr ({exc}); install it with: {INSTALL_HINT}"
                ) from exc
            # Tables are upright after deskew/Rotate: the 180-degree classifier only costs time.
            _ocr = RapidOCR(params={"Global.use_cls": False, "Global.log_level": "warning"})
        return _ocr


def _box(quad: Any, text: str, score: float) -> TextBox:
    xs = [float(p[0]) for p in quad]
    ys = [float(p[1]) for p in quad]
    return TextBox(min(xs), min(ys), max(xs), max(ys), text.strip(), score)


def read_lines(gray: np.ndarray, min_score: float) -> list[TextLine]:
    """Every text line in ``gray`` (uint8, one channel) with its words; unsure lines dropped."""
    found = ocr_model()(gray, return_word_box=True)
    if found.txts is None:
        return []
    lines: list[TextLine] = []
    word_results = found.word_results or ((),) * len(found.txts)
    for quad, text, score, words in zip(found.boxes, found.txts, found.scores, word_results, strict=False):
        if float(score) < min_score or not str(text).strip():
            continue
        boxes = tuple(
            b for b in (_box(w[2], str(w[0]), float(w[1])) for w in words if len(w) >= 3) if b.text
        )
        if not boxes:  # no word boxes (a script without spaces): the line is one word
            boxes = (_box(quad, str(text), float(score)),)
        lines.append(TextLine(tuple(sorted(boxes, key=lambda b: b.x0))))
    return lines


def text_height(lines: list[TextLine], ink: np.ndarray) -> float | None:
    """Median height of the lines' ink (the rows of ink around each box's middle), or None.

    The detector pads every box by a share of its text height, more on small images it enlarges
    first; the ink tells how tall the text itself is. ``ink`` is the binarised page (ink = 255).
    """
    heights: list[int] = []
    rows_total, cols_total = ink.shape
    for line in lines:
        x0 = max(int(min(w.x0 for w in line.words)), 0)
        x1 = min(int(max(w.x1 for w in line.words)) + 1, cols_total)
        y0 = max(int(min(w.y0 for w in line.words)), 0)
        y1 = min(int(max(w.y1 for w in line.words)) + 1, rows_total)
        if x1 <= x0 or y1 - y0 < 3:
            continue
        rows = ink[y0:y1, x0:x1].max(axis=1) > 0
        middle = (y1 - y0) // 2
        if not rows[middle]:
            continue
        top = bottom = middle
        while top > 0 and rows[top - 1]:
            top -= 1
        while bottom < len(rows) - 1 and rows[bottom + 1]:
            bottom += 1
        heights.append(bottom - top + 1)
    return float(np.median(heights)) if heights else None

"""Getting an image upright before structure detection: decode, manual rotation, deskew, regions.

Scans come in a few degrees off; line detection and row grouping both assume horizontal rows, so
the page is straightened first, the way the service's ``makeSkewCorrect`` does.
"""

from __future__ import annotations

import cv2
import numpy as np

from aspose_ocr_provider.emulator.engines.base import RecognitionError
from aspose_ocr_provider.models import Region

MAX_SKEW_DEGREES = 5.0
SKEW_STEP_DEGREES = 0.25


def decode_gray(image: bytes) -> np.ndarray:
    """The image as one 8-bit grey channel; an unreadable image fails the task in words."""
    data = np.frombuffer(image, dtype=np.uint8)
    gray = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE) if data.size else None
    if gray is None and data.size:
        gray = _decode_with_pillow(image)  # older OpenCV builds read no GIF
    if gray is None:
        raise RecognitionError(
            "The local engine could not decode the image; send a PNG, JPEG, BMP or TIFF file."
        )
    return np.asarray(gray, dtype=np.uint8)


SPECKLE_AREA = 8
"""Ink blobs smaller than this many pixels are scan noise, not strokes or punctuation."""


def _decode_with_pillow(image: bytes) -> np.ndarray | None:
    try:
        import io

        from PIL import Image
    except ImportError:
        return None
    try:
        with Image.open(io.BytesIO(image)) as img:
            return np.asarray(img.convert("L"), dtype=np.uint8)
    except Exception:
        return None


def binarize(gray: np.ndarray) -> np.ndarray:
    """Ink mask (ink = 255) that ignores light fills such as zebra stripes and drops speckles."""
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    small = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] < SPECKLE_AREA)
    small = small[small != 0]
    if small.size and count > 1:
        ink[np.isin(labels, small)] = 0
    return np.asarray(ink, dtype=np.uint8)


DARK = 110
"""Grey level below which a filled area is a dark background (a header band, a viewer's desk)."""
SOLID = 0.5
"""A dark area covering this share of its bounding box is a fill, not strokes of ink."""
MIN_FILL_AREA = 4000
"""Dark areas smaller than this many pixels are glyphs or logos, left as they are."""


def light_background(gray: np.ndarray) -> np.ndarray:
    """``gray`` with light-on-dark areas turned dark-on-light.

    A header band of white text on a dark fill reads as a block of ink to line detection (a
    grid of bogus rules) and as a wall to the column finder; inverted, it is ordinary text. A
    dark fill is a large, mostly solid dark area; the letters inside it are its small holes,
    closed before inverting so they come out dark.
    """
    dark = (cv2.GaussianBlur(gray, (3, 3), 0) < DARK).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    out = gray
    for i in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[i])
        if area < MIN_FILL_AREA or area < SOLID * w * h:
            continue
        region = (labels[y : y + h, x : x + w] == i).astype(np.uint8)
        size = max(3, min(61, (min(w, h) // 2) * 2 + 1))
        region = cv2.morphologyEx(region, cv2.MORPH_CLOSE, np.ones((size, size), np.uint8))
        if out is gray:
            out = gray.copy()
        patch = out[y : y + h, x : x + w]
        patch[region > 0] = 255 - patch[region > 0]
        # The fill's soft edge, lighter than DARK, would stay a grey frame read as an "I".
        ring = cv2.dilate(region, np.ones((5, 5), np.uint8)) - region
        patch[ring > 0] = np.maximum(patch[ring > 0], 255 - patch[ring > 0])
    return out


def rotate(gray: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate counter-clockwise by ``degrees``, growing the canvas so nothing is cut off."""
    if not degrees % 360:
        return gray
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(h * sin + w * cos + 0.5), int(h * cos + w * sin + 0.5)
    matrix[0, 2] += new_w / 2 - w / 2
    matrix[1, 2] += new_h / 2 - h / 2
    border = int(np.median(gray[[0, -1], :]))
    out = cv2.warpAffine(
        gray,
        matrix,
        (new_w, new_h),
        flags=cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=border,
    )
    return np.asarray(out, dtype=np.uint8)


def estimate_skew(gray: np.ndarray) -> float:
    """Angle (degrees, counter-clockwise) that makes text rows and rules horizontal.

    Rows of text and ruling lines make the horizontal ink profile spiky when level; the angle
    with the most contrasted profile within a few degrees wins.
    """
    ink = binarize(gray)
    scale = min(1.0, 800 / max(ink.shape))
    if scale < 1.0:
        ink = cv2.resize(ink, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    h, w = ink.shape
    best, best_score = 0.0, -1.0
    for angle in np.arange(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES + 1e-9, SKEW_STEP_DEGREES):
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), float(angle), 1.0)
        turned = cv2.warpAffine(ink, matrix, (w, h), flags=cv2.INTER_NEAREST)
        profile = turned.sum(axis=1, dtype=np.float64)
        score = float(np.square(np.diff(profile)).sum())
        if score > best_score:
            best, best_score = float(angle), score
    return best


def crop_regions(gray: np.ndarray, regions: tuple[Region, ...] | None) -> list[np.ndarray]:
    """The parts of the page to read, in output order (higher ``order`` later); all of it if none."""
    if not regions:
        return [gray]
    h, w = gray.shape
    crops: list[np.ndarray] = []
    for region in sorted(regions, key=lambda r: r.order):
        x0, y0, x1, y1 = region.rect.as_tuple()
        x1, y1 = min(x1, w), min(y1, h)
        if x0 >= x1 or y0 >= y1:
            raise RecognitionError(
                f"Region {region.rect.as_tuple()} lies outside the {w}x{h} image; give a rectangle inside it."
            )
        crops.append(gray[y0:y1, x0:x1])
    return crops

"""Tiny, distinct table images (Pillow, no files shipped)."""

from __future__ import annotations

import io

from PIL import Image


def png(seed: int, fmt: str = "PNG") -> bytes:
    """A 6x6 image whose colour (and so sha256) depends on ``seed``."""
    colour = (seed % 251, (seed * 7) % 253, (seed * 13) % 255)
    buffer = io.BytesIO()
    Image.new("RGB", (6, 6), colour).save(buffer, format=fmt)
    return buffer.getvalue()

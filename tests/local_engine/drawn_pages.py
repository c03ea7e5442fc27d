"""Pages drawn for the tests, with the rows a reader copies out of them: a framed zebra table
under a dark title band, a ruled table whose first column spans rows, a page turned sideways.

Drawn at test time with DejaVu (Debian's fonts-dejavu-core, which the harder set needs too) so
each test shows the page it means; nothing random, so one machine always draws the same page.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
Rows = list[list[str]]

BAND_ROWS: Rows = [
    ["Region", "Orders", "Shipped", "Returned"],
    ["North", "1,284", "1,251", "33"],
    ["East", "906", "874", "32"],
    ["South", "2,017", "1,990", "27"],
    ["West", "1,455", "1,402", "53"],
    ["Central", "688", "671", "17"],
    ["Islands", "241", "236", "5"],
]

SPAN_ROWS: Rows = [
    ["Site", "Line", "Shift", "Units"],
    ["Leipzig", "L1", "Early", "412"],
    ["", "L2", "Late", "388"],
    ["Dresden", "D1", "Early", "295"],
    ["", "D2", "Late", "301"],
    ["", "D3", "Night", "176"],
    ["Halle", "H1", "Early", "240"],
]
"""The first column's cells span the rows of their site: the text in the first row, the rows it
covers empty, as the service returns a merged cell."""


def _font(bold: bool = False, size: int = 22) -> ImageFont.FreeTypeFont:
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if not path.is_file():
        pytest.skip(f"{path} is missing: apt-get install fonts-dejavu-core")
    return ImageFont.truetype(str(path), size)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def band_table() -> bytes:
    """A title in white on a dark band, under it a framed table with grey zebra rows and no rules
    between its rows or columns (a report's or a web page's styled table)."""
    image = Image.new("RGB", (1100, 720), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 50, 1040, 120), fill=(31, 56, 100))
    draw.text((90, 68), "Quarterly shipments by region", font=_font(True, 30), fill="white")
    top, height, lefts = 170, 62, (90, 380, 620, 840)
    for r, row in enumerate(BAND_ROWS):
        y = top + r * height
        if r % 2 == 0 and r:
            draw.rectangle((61, y, 1039, y + height), fill=(228, 228, 228))
        for x, text in zip(lefts, row, strict=True):
            draw.text((x, y + 17), text, font=_font(r == 0), fill=(20, 20, 20))
    draw.rectangle((60, top - 10, 1040, top + len(BAND_ROWS) * height + 10), outline=(90, 90, 90), width=2)
    draw.text((60, 660), "Source: logistics ledger, figures per quarter.", font=_font(size=18), fill=(90, 90, 90))
    return _png(image)


def span_table() -> bytes:
    """A fully ruled table whose first column's cells span two and three rows."""
    image = Image.new("RGB", (1000, 640), "white")
    draw = ImageDraw.Draw(image)
    xs, top, height = (80, 330, 520, 720, 920), 80, 66
    ys = [top + r * height for r in range(len(SPAN_ROWS) + 1)]
    for r, row in enumerate(SPAN_ROWS):
        for c, text in enumerate(row):
            draw.text((xs[c] + 18, ys[r] + 20), text, font=_font(r == 0), fill="black")
    for x in xs:
        draw.line((x, ys[0], x, ys[-1]), fill="black", width=2)
    for r, y in enumerate(ys):
        # Inside a site's span the first column has no rule: the merged cell.
        spanned = 0 < r < len(SPAN_ROWS) and not SPAN_ROWS[r][0]
        draw.line((xs[1] if spanned else xs[0], y, xs[-1], y), fill="black", width=2)
    return _png(image)


def turned(png: bytes, degrees: int) -> bytes:
    """``png`` turned clockwise by ``degrees`` (90 or 270), as a page scanned sideways."""
    image = Image.open(io.BytesIO(png))
    return _png(image.rotate(-degrees, expand=True, fillcolor="white"))

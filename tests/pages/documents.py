"""Documents the page tests make themselves: PDFs (good, encrypted, empty, truncated) and TIFFs.

Table pages are the package's sample scans, so their ground truth is the sample's CSV and the
local engine can read them after rendering; the text-only page is drawn here.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw
from pypdf import PdfWriter

SAMPLES = Path(__file__).resolve().parents[2] / "aspose_ocr_provider" / "samples"
TABLE_PAGES: dict[int, str] = {1: "ruled_invoice", 3: "ruled_zebra"}
"""Page -> sample name in ``three_page_pdf``; page 2 holds only text."""


def sample(name: str) -> Image.Image:
    with Image.open(SAMPLES / f"{name}.png") as image:
        return image.convert("L")


def sample_csv(name: str) -> str:
    return (SAMPLES / f"{name}.csv").read_text(encoding="utf-8")


def text_page(title: str = "Notes to the statement", size: tuple[int, int] = (600, 380)) -> Image.Image:
    page = Image.new("L", size, 255)
    draw = ImageDraw.Draw(page)
    for line, text in enumerate((title, "No table on this page.", "Totals follow.")):
        draw.text((40, 40 + 30 * line), text, fill=0)
    return page


def pdf_of(pages: list[Image.Image], dpi: int = 300) -> bytes:
    """A PDF with one image per page, each page sized so that ``dpi`` renders it pixel for pixel."""
    buffer = io.BytesIO()
    pages[0].save(buffer, format="PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    return buffer.getvalue()


def three_page_pdf() -> bytes:
    """Tables on pages 1 and 3 (``TABLE_PAGES``), only text on page 2."""
    return pdf_of([sample(TABLE_PAGES[1]), text_page(), sample(TABLE_PAGES[3])])


def tiff_of(frames: list[Image.Image]) -> bytes:
    buffer = io.BytesIO()
    frames[0].save(buffer, format="TIFF", save_all=True, append_images=frames[1:], compression="tiff_lzw")
    return buffer.getvalue()


def two_frame_tiff() -> bytes:
    return tiff_of([sample("unruled_staff"), sample("ruled_two_tables")])


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(three_page_pdf()))
    writer.encrypt(user_password="open-sesame", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def empty_pdf() -> bytes:
    buffer = io.BytesIO()
    PdfWriter().write(buffer)
    return buffer.getvalue()


def truncated_pdf() -> bytes:
    data = three_page_pdf()
    return data[: len(data) * 2 // 3]

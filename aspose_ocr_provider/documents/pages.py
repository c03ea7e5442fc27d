"""Multi-page documents to one image per page, the only thing table recognition takes.

Aspose.OCR's ``RecognizeTable`` takes one image per request (a TIFF must be single-page), so a
PDF's pages are rendered here with PDFium (pypdfium2: a wheel, no system packages) and a
multi-frame TIFF is split into its frames with Pillow. Every page is opened and measured when a
document is checked, before anything is paid for; the pixels are made one page at a time, when the
page is about to be sent, so a long document never sits in memory as bitmaps.

PDFium is not thread-safe (not even across documents), so every call into it holds one lock.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

DEFAULT_DPI = 300
"""Rendering resolution of PDF pages: what OCR engines are tuned for (text of 10 pt is ~40 px high)."""

DEFAULT_MAX_PAGES = 500
"""Most pages submitted per document: each page is one billed recognition."""

MAX_PAGE_PIXELS = 60_000_000
"""Largest page bitmap made (an A3 page at 600 dpi); bigger would hold hundreds of MB per page."""

_PDFIUM_LOCK = threading.RLock()
_TRUNCATED = "the PDF is truncated (it does not end with %%EOF); a download or copy was probably cut short"
_PAGES_SYNTAX = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d*)\s*)?$")


class DocumentError(ValueError):
    """Why a document cannot be split into pages; the caller adds which file it was."""


@dataclass(frozen=True)
class PageSelection:
    """Which pages of each document to submit: ``"all"``, or 1-based ranges like ``"1-3,7,10-"``.

    :param spec: ``"all"`` (or None), a page number, a list of page numbers, or a string of
        comma-separated numbers and ranges; ``"10-"`` runs to the last page.
    """

    ranges: tuple[tuple[int, int | None], ...] | None

    @classmethod
    def parse(cls, spec: str | int | Sequence[int] | None) -> PageSelection:
        if spec is None or (isinstance(spec, str) and spec.strip().lower() in ("", "all")):
            return cls(None)
        if isinstance(spec, bool):
            raise ValueError(f"pages must be 'all', a page number or ranges like '1-3,7', got {spec!r}.")
        if isinstance(spec, int):
            spec = str(spec)
        if not isinstance(spec, str):
            try:
                return cls.parse(",".join(str(int(p)) for p in spec))
            except (TypeError, ValueError):
                raise ValueError(
                    f"pages must be 'all', a page number or ranges like '1-3,7', got {spec!r}."
                ) from None
        ranges: list[tuple[int, int | None]] = []
        for part in spec.split(","):
            match = _PAGES_SYNTAX.match(part)
            if match is None:
                raise ValueError(
                    f"pages={spec!r}: {part.strip()!r} is not a page or a range; write e.g. '1-3,7', "
                    "'10-' (page 10 to the end) or 'all'. Pages count from 1."
                )
            first = int(match.group(1))
            end = match.group(2)
            last: int | None = first if end is None else (int(end) if end else None)
            if first < 1 or (last is not None and last < first):
                raise ValueError(
                    f"pages={spec!r}: {part.strip()!r} is not a valid range; pages count from 1."
                )
            ranges.append((first, last))
        return cls(tuple(ranges))

    def __str__(self) -> str:
        if self.ranges is None:
            return "all"
        return ",".join(str(a) if a == b else f"{a}-{'' if b is None else b}" for a, b in self.ranges)

    def select(self, page_count: int) -> list[int]:
        """The chosen page numbers of a document with ``page_count`` pages, in order, each once."""
        if self.ranges is None:
            return list(range(1, page_count + 1))
        chosen: dict[int, None] = {}
        for first, last in self.ranges:
            end = page_count if last is None else last
            if max(first, end) > page_count:
                raise DocumentError(
                    f"pages={str(self)!r} asks for page {max(first, end)}, but it has {page_count} page(s)"
                )
            chosen.update(dict.fromkeys(range(first, end + 1)))
        return list(chosen)


class PagedDocument(Protocol):
    """An opened input: how many pages it has, and each page as image bytes to submit."""

    page_count: int

    def check_page(self, page: int) -> None:
        """Raise DocumentError if ``page`` cannot be made into an image within the limits."""

    def prepare(self, page: int) -> Callable[[], bytes]:
        """Decode or render this 1-based page now; the returned call encodes it to the bytes to
        submit, and may run on another thread (encoding is most of a page's CPU)."""

    def close(self) -> None: ...


def page_image(document: PagedDocument, page: int) -> bytes:
    """The bytes to submit for one page, made on this thread."""
    return document.prepare(page)()


def rendered_pages(data: bytes, dpi: int = DEFAULT_DPI) -> list[bytes]:
    """Every page of a PDF, TIFF or image as the submit operator sends it at ``dpi``, in order.

    For fixtures: the emulator, like the service, only ever sees these page images.

    :raises DocumentError: when the bytes are no image or document, or cannot be split.
    """
    from aspose_ocr_provider.models import sniff_image_format

    kind = sniff_image_format(data)
    if kind is None:
        raise DocumentError(f"not a PDF or an image (its first bytes are {data[:8]!r})")
    document = open_document(data, kind, dpi)
    try:
        return [page_image(document, page) for page in range(1, document.page_count + 1)]
    finally:
        document.close()


class _SingleImage:
    """A plain image: one page, sent exactly as given."""

    page_count = 1

    def __init__(self, data: bytes) -> None:
        self._data = data

    def check_page(self, page: int) -> None:
        return None

    def prepare(self, page: int) -> Callable[[], bytes]:
        data = self._data
        return lambda: data

    def close(self) -> None:
        return None


def _png(image: Any) -> bytes:
    # zlib level 3: a third faster than the default 6 on a rendered page, for ~25% more bytes.
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=3)
    return buffer.getvalue()


def _check_pixels(page: int, width: float, height: float, how: str) -> None:
    pixels = int(width) * int(height)
    if pixels > MAX_PAGE_PIXELS:
        raise DocumentError(
            f"page {page} is {int(width)} x {int(height)} pixels{how}, over the limit of "
            f"{MAX_PAGE_PIXELS:,} pixels per page; lower dpi or select other pages"
        )


class _TiffFrames:
    """A multi-frame TIFF; each frame becomes a PNG (lossless, and single-page by nature)."""

    def __init__(self, image: Any) -> None:
        self._image = image
        self.page_count = int(image.n_frames)

    def check_page(self, page: int) -> None:
        self._image.seek(page - 1)
        width, height = self._image.size
        _check_pixels(page, width, height, how="")

    def prepare(self, page: int) -> Callable[[], bytes]:
        self._image.seek(page - 1)
        frame = self._image  # seek() moves the one shared image: copy the frame out now
        frame = frame.convert("RGB") if frame.mode not in ("1", "L", "RGB", "RGBA", "I;16") else frame.copy()
        return lambda: _png(frame)

    def close(self) -> None:
        self._image.close()


class _PdfPages:
    """A PDF; each page is rendered in grayscale at ``dpi`` and encoded as PNG."""

    def __init__(self, data: bytes, dpi: int) -> None:
        import pypdfium2

        self._dpi = dpi
        with _PDFIUM_LOCK:
            try:
                self._pdf = pypdfium2.PdfDocument(data)
            except pypdfium2.PdfiumError as exc:
                raise DocumentError(_why_pdf_fails(data, exc)) from None
            self.page_count = len(self._pdf)
        if self.page_count == 0:
            self.close()
            raise DocumentError("the PDF has no pages")

    def check_page(self, page: int) -> None:
        with _PDFIUM_LOCK:
            try:
                pdf_page = self._pdf[page - 1]
            except Exception as exc:
                raise DocumentError(f"page {page} cannot be read ({exc}); the PDF is damaged") from None
            try:
                width, height = pdf_page.get_size()
            finally:
                pdf_page.close()
        scale = self._dpi / 72
        _check_pixels(page, width * scale, height * scale, how=f" at {self._dpi} dpi")

    def prepare(self, page: int) -> Callable[[], bytes]:
        with _PDFIUM_LOCK:
            pdf_page = self._pdf[page - 1]
            try:
                bitmap = pdf_page.render(scale=self._dpi / 72, grayscale=True, may_draw_forms=True)
                picture = bitmap.to_pil()
            finally:
                pdf_page.close()

        def encode() -> bytes:  # needs no PDFium: another page may render meanwhile
            try:
                return _png(picture)
            finally:
                picture.close()  # it shares the bitmap's memory: close it first
                with _PDFIUM_LOCK:
                    bitmap.close()

        return encode

    def close(self) -> None:
        with _PDFIUM_LOCK:
            self._pdf.close()


def _why_pdf_fails(data: bytes, exc: Exception) -> str:
    """PDFium's own reason is often stale or vague ("Success"); say what a user can act on."""
    if re.search(rb"/Encrypt\b", data):
        return (
            "the PDF is encrypted with a password; save an unprotected copy "
            "(e.g. qpdf --decrypt --password=... in.pdf out.pdf) and submit that"
        )
    if b"%%EOF" not in data[-1024:]:
        return _TRUNCATED
    if re.search(rb"/Type\s*/Pages\b", data) and not re.search(rb"/Type\s*/Page\b(?!s)", data):
        return "the PDF has no pages"
    return f"the PDF is damaged and cannot be read ({exc})"


def open_document(data: bytes, kind: str, dpi: int = DEFAULT_DPI) -> PagedDocument:
    """Open checked input bytes of format ``kind`` (from ``models.sniff_image_format``) as pages.

    :raises DocumentError: saying why the document cannot be split (encrypted, truncated...).
    """
    if kind == "pdf":
        if b"%%EOF" not in data[-1024:]:
            # PDFium may "repair" a cut-off file and render its missing pages blank: refuse it.
            raise DocumentError(_TRUNCATED)
        return _PdfPages(data, dpi)
    if kind == "tiff":
        from PIL import Image

        try:
            image = Image.open(io.BytesIO(data))
            frames = int(getattr(image, "n_frames", 1))
        except Exception:
            return _SingleImage(data)  # the service judges a TIFF Pillow cannot read, as before
        if frames > 1:
            return _TiffFrames(image)
        image.close()
    return _SingleImage(data)

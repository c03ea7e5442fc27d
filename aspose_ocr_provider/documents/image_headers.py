"""How many pixels an image says it has, read from its header alone.

An image's header is a promise the file makes about its size, and a few bytes can promise a great
deal: a 40,000 x 40,000 PNG of one colour compresses to under 2 MB and decodes to 1.6 GB. The
service would take it and bill it as an error, and decoding it here would exhaust a worker. So the
submit step reads the dimensions from the header, never the pixels, and refuses an image over
:data:`MAX_IMAGE_PIXELS` before anything is decoded or sent.
"""

from __future__ import annotations

import io
import struct
import warnings

MAX_IMAGE_PIXELS = 100_000_000
"""Most pixels an image may declare (100 megapixels: an A3 scan at 1,200 dpi is 70). The service
documents no limit; above this an image is an error that would still be billed."""

_JPEG_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_JPEG_SCAN_BYTES = 1 << 20
"""How far into a JPEG the frame header is looked for (it precedes the image data)."""


class HeaderError(ValueError):
    """The header cannot be read: the file is cut short or is not the format it claims."""


def declared_size(data: bytes, kind: str) -> tuple[int, int] | None:
    """``(width, height)`` as the header of an image of format ``kind`` declares them.

    None for formats this does not read (PDF pages are measured by :mod:`aspose_ocr_provider.documents.pages`).

    :raises HeaderError: when the header is missing or damaged.
    """
    try:
        if kind == "png":
            if data[12:16] != b"IHDR":
                raise HeaderError("the PNG has no IHDR header; it is damaged")
            width, height = struct.unpack(">II", data[16:24])
            return int(width), int(height)
        if kind == "gif":
            width, height = struct.unpack("<HH", data[6:10])
            return int(width), int(height)
        if kind == "bmp":
            header = struct.unpack("<I", data[14:18])[0]
            if header == 12:  # OS/2 BITMAPCOREHEADER
                width, height = struct.unpack("<HH", data[18:22])
            else:
                width, height = struct.unpack("<ii", data[18:26])
            return abs(int(width)), abs(int(height))
        if kind == "jpeg":
            return _jpeg_size(data)
        if kind == "tiff":
            return _tiff_size(data)
    except struct.error:
        raise HeaderError(f"the {kind.upper()} header is cut short; the file is damaged") from None
    return None


def _jpeg_size(data: bytes) -> tuple[int, int]:
    """Walk the JPEG's markers to its frame header (SOFn), which holds the dimensions."""
    i, end = 2, min(len(data), _JPEG_SCAN_BYTES)
    while i + 4 <= end:
        if data[i] != 0xFF:
            raise HeaderError("the JPEG's markers are damaged")
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            i += 2
            continue
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if marker in _JPEG_SOF:
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return int(width), int(height)
        if marker == 0xDA:  # image data before any frame header
            break
        i += 2 + length
    raise HeaderError("the JPEG has no frame header; it is damaged or cut short")


def _tiff_size(data: bytes) -> tuple[int, int]:
    """The largest frame of a TIFF, as Pillow reads it from the directories (no pixels decoded)."""
    from PIL import Image

    biggest = (0, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError:
            return _bomb_size()
        except Exception as exc:
            raise HeaderError(f"the TIFF's header cannot be read ({exc})") from None
        try:
            for frame in range(int(getattr(image, "n_frames", 1))):
                image.seek(frame)
                width, height = image.size
                if width * height > biggest[0] * biggest[1]:
                    biggest = (int(width), int(height))
        except Image.DecompressionBombError:
            return _bomb_size()
        except Exception as exc:
            raise HeaderError(f"a frame of the TIFF cannot be read ({exc})") from None
        finally:
            image.close()
    return biggest


def _bomb_size() -> tuple[int, int]:
    # Pillow refused the header as a decompression bomb (more than twice its own limit, itself
    # near ours): say so, without guessing the exact size.
    from PIL import Image

    limit = int(Image.MAX_IMAGE_PIXELS or MAX_IMAGE_PIXELS) * 2
    raise HeaderError(
        f"its header declares more than {limit / 1e6:,.0f} megapixels, over the limit of "
        f"{MAX_IMAGE_PIXELS / 1e6:,.0f} megapixels; scale it down or split it"
    )


def pixel_problem(data: bytes, kind: str, max_pixels: int = MAX_IMAGE_PIXELS) -> str | None:
    """Why an image of format ``kind`` is refused by its header, or None when it is within the cap."""
    try:
        size = declared_size(data, kind)
    except HeaderError as exc:
        return str(exc)
    if size is None:
        return None
    width, height = size
    if width <= 0 or height <= 0:
        return f"its header declares {width} x {height} pixels; the file is damaged"
    if width * height > max_pixels:
        return (
            f"its header declares {width:,} x {height:,} pixels ({width * height / 1e6:,.0f} megapixels), "
            f"over the limit of {max_pixels / 1e6:,.0f} megapixels; scale it down or split it"
        )
    return None

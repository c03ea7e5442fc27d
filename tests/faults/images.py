"""Table images for the fault suite, the deployment tests and the job bench, each with the CSV that
is the ground truth of what it holds, written beside it: the folder is a fixtures folder for the
emulator's ``--fixtures`` as well as an ``images_folder`` for the example DAGs."""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

TABLES: tuple[str, ...] = (
    "item,qty,price\nbolts,120,0.25\nnuts,80,0.10\nwashers,300,0.05\n",
    "region,total\nnorth,1200\nsouth,950\n",
    "name,joined,score\nAda,2024-01-05,91\nGrace,2023-11-30,88\nLinus,2022-07-14,79\nBarbara,2021-03-02,95\n",
    "code,description\nA1,first\nB2,second\n\nyear,amount\n2024,10\n2025,12\n",
    "sku,stock\nX-1,5\n",
    "city,country,population\nLyon,France,522250\nGraz,Austria,291072\nTurku,Finland,195301\n",
)


def png(seed: int, size: tuple[int, int] = (48, 24)) -> bytes:
    """A small PNG that differs per seed (up to 65,536 seeds), so each image has its own fixture."""
    buffer = io.BytesIO()
    colour = (seed * 37 % 256, seed * 91 % 256, (200 + seed // 256) % 256)
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class FaultImages:
    """A folder of images; ``csv[name]`` is what each holds (the fixture the emulator answers)."""

    folder: Path
    csv: dict[str, str] = field(default_factory=dict)

    @property
    def paths(self) -> list[Path]:
        return sorted(self.folder / name for name in self.csv)

    def teach(self, emulator: Any) -> None:
        for name, text in self.csv.items():
            emulator.add_fixture((self.folder / name).read_bytes(), text)

    def add(self, name: str, data: bytes, csv_text: str) -> Path:
        path = self.folder / name
        path.write_bytes(data)
        path.with_suffix(".csv").write_text(csv_text, encoding="utf-8")
        self.csv[name] = csv_text
        return path


def make_images(folder: Path, count: int) -> FaultImages:
    folder.mkdir(parents=True, exist_ok=True)
    images = FaultImages(folder)
    for seed in range(count):
        images.add(f"scan-{seed:03d}.png", png(seed), TABLES[seed % len(TABLES)])
    return images


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def giant_png(width: int = 40_000, height: int = 40_000) -> bytes:
    """A valid grey PNG of ``width`` x ``height`` pixels (1.6 gigapixels by default) in ~1.6 MB.

    Made without ever holding the pixels: one band of blank rows is deflated once, flushed so it
    stands alone, and repeated; the checksum is carried over the repeats. Decoding it would take
    1.6 GB, which is the point: the submit step must refuse it from its header.
    """
    band_rows = 400
    assert height % band_rows == 0
    band = bytes(width + 1) * band_rows  # each row: filter byte 0, then black pixels
    raw = zlib.compressobj(6, zlib.DEFLATED, -15)
    deflated = raw.compress(band) + raw.flush(zlib.Z_FULL_FLUSH)
    adler = 1
    for _ in range(height // band_rows):
        adler = zlib.adler32(band, adler)
    ending = zlib.compressobj(6, zlib.DEFLATED, -15).flush()
    stream = b"\x78\x9c" + deflated * (height // band_rows) + ending + struct.pack(">I", adler)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", stream) + _png_chunk(b"IEND", b"")


def pdf_with_page(width_inches: float, height_inches: float, pages: int = 1) -> bytes:
    """A PDF of ``pages`` blank pages of the given size (200 x 200 inches is PDF's largest page)."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument.new()
    try:
        for _ in range(pages):
            pdf.new_page(width_inches * 72, height_inches * 72).close()
        buffer = io.BytesIO()
        pdf.save(buffer)
        return buffer.getvalue()
    finally:
        pdf.close()

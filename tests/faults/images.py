"""Table images for the fault suite, the deployment tests and the job bench, each with the CSV that
is the ground truth of what it holds, written beside it: the folder is a fixtures folder for the
emulator's ``--fixtures`` as well as an ``images_folder`` for the example DAGs."""

from __future__ import annotations

import io
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

"""Where the sample table scans shipped inside the package live.

The samples (made by ``scripts/make_samples.py``) are the emulator's default fixtures, the demo's
input and the local engine's ground truth; callers find them here instead of guessing paths.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from aspose_ocr_provider.emulator.engines.fixtures import IMAGE_SUFFIXES

__all__ = ["iter_samples", "sample_dir"]


def sample_dir() -> Path:
    """The folder of bundled ``<stem>.png`` + ``<stem>.csv`` pairs."""
    return Path(__file__).resolve().parent / "samples"


def iter_samples(folder: Path | None = None) -> Iterator[tuple[Path, Path]]:
    """Yield ``(image path, ground-truth csv path)`` for every sample, sorted by name.

    :param folder: Another folder of ``<stem>.<image>`` + ``<stem>.csv`` pairs (such as the
        harder set the local engine's bench reads); None reads the bundled samples.
    """
    folder = folder if folder is not None else sample_dir()
    if not folder.is_dir():
        return
    for image in sorted(folder.iterdir()):
        if image.suffix.lower() in IMAGE_SUFFIXES and image.with_suffix(".csv").is_file():
            yield image, image.with_suffix(".csv")

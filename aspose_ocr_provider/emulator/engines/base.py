"""The one small interface between the emulator's queue and whatever recognises tables.

An engine is handed the decoded image bytes and the validated settings of one task and returns
the tables it found; the emulator owns everything else (queue states, result formats, retention),
so a new engine never has to know the HTTP contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from aspose_ocr_provider.models import TableSettings


@dataclass(frozen=True)
class Table:
    """One recognised table: rows of cell texts, as the service would put them into CSV."""

    rows: tuple[tuple[str, ...], ...]

    @classmethod
    def of(cls, rows: list[list[str]] | tuple[tuple[str, ...], ...]) -> Table:
        return cls(tuple(tuple(str(cell) for cell in row) for row in rows))

    @property
    def width(self) -> int:
        return max((len(row) for row in self.rows), default=0)


class RecognitionError(Exception):
    """Recognition failed for this image; the message becomes the task's ``error.messages``."""


@runtime_checkable
class TableEngine(Protocol):
    """Image bytes + settings -> tables. Called off the event loop, so it may block on CPU."""

    name: str

    def recognize(self, image: bytes, settings: TableSettings) -> list[Table]:
        """Return every table found, in reading order; raise RecognitionError to fail the task."""
        ...

"""The emulator's own clock, so tests can jump over token lifetimes and retention without sleeping."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Clock:
    """Monotonic seconds plus an offset that only ever grows.

    Token expiry, retention and seconds-based queue timing all read this clock, so
    ``advance(86400)`` ages every task by a day at once.

    :param source: The underlying time source (``time.monotonic`` by default).
    """

    def __init__(self, source: Callable[[], float] = time.monotonic) -> None:
        self._source = source
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._source() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the clock forward; a negative value is refused because expiry never un-happens."""
        if seconds < 0:
            raise ValueError(f"The emulator clock only moves forward; got {seconds!r} seconds.")
        with self._lock:
            self._offset += float(seconds)

    @property
    def offset(self) -> float:
        return self._offset

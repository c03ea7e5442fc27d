"""What the hooks' retries and token renewals cost, summed up for one log line per batch.

A batch of hundreds of images under a flaky service would otherwise write one line per retried
request; the operators, the sensor and the trigger instead log ``summary()`` once per batch or
poll round. Each retry is still logged at DEBUG with its URL and attempt, for digging.
"""

from __future__ import annotations

import threading
from collections import Counter


class RequestTally:
    """Retries and token renewals since the last ``summary``; shared by a hook's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._retries: Counter[str] = Counter()
        self._renewals = 0

    def retried(self, reason: str) -> None:
        """One request is sent again after ``reason`` (``HTTP 503``, ``ConnectionError``...)."""
        with self._lock:
            self._retries[reason] += 1

    def renewed(self) -> None:
        """The service refused a bearer token; a new one was fetched and the request repeated."""
        with self._lock:
            self._renewals += 1

    def summary(self) -> str | None:
        """One clause for the log, or None when every request went through at once; resets."""
        with self._lock:
            retries, self._retries = self._retries, Counter()
            renewals, self._renewals = self._renewals, 0
        parts = []
        if retries:
            causes = ", ".join(f"{count}x {reason}" for reason, count in retries.most_common())
            parts.append(f"{sum(retries.values())} request(s) retried ({causes})")
        if renewals:
            parts.append(
                f"Aspose.OCR Cloud refused the bearer token {renewals} time(s); a new one was fetched each time"
            )
        return "; ".join(parts) or None

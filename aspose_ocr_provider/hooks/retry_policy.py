"""When to try a request again and how long to wait first: one policy for both hooks.

The service documents no rate limits for OCR calls, but its token endpoint answers 429 with
``Retry-After`` and any cloud service sheds load with 503s; exponential backoff with jitter keeps
many Airflow workers from retrying in lock-step, and an explicit ``Retry-After`` always wins.
"""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
"""Statuses that say "try again later"; every other 4xx is final (the request itself is wrong)."""


@dataclass(frozen=True)
class RetryPolicy:
    """Limits of the retries after a transient failure.

    :param max_retries: Retries after the first attempt (0 disables retrying).
    :param backoff_base: Seconds of the first backoff; each further retry doubles it.
    :param backoff_max: Cap of a single backoff, in seconds.
    :param max_retry_after: The longest ``Retry-After`` honoured; a server asking for a longer
        wait (like the 10-minute credential lockout) fails at once instead of blocking a worker.
    """

    max_retries: int = 5
    backoff_base: float = 1.0
    backoff_max: float = 30.0
    max_retry_after: float = 120.0

    @staticmethod
    def is_retryable_status(status: int) -> bool:
        return status in RETRYABLE_STATUSES

    def can_retry(self, attempt: int) -> bool:
        """Whether another attempt may follow attempt number ``attempt`` (0-based)."""
        return attempt < self.max_retries

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """Delay before retry ``attempt + 1``: capped exponential backoff with "equal jitter".

        Half of the exponential step is fixed and half random, so the wait never collapses to zero
        while concurrent clients still spread out.
        """
        step = min(self.backoff_max, self.backoff_base * (2**attempt))
        return step / 2 + (rng or random).uniform(0, step / 2)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """The wait before the next attempt: ``Retry-After`` when the server gave one, else backoff."""
        if retry_after is not None:
            return retry_after
        return self.backoff(attempt)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP-date); None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))

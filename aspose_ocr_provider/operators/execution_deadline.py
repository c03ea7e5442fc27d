"""Notice an ``execution_timeout`` whose exception Python dropped, and stop the try anyway.

Airflow enforces ``execution_timeout`` with one ``SIGALRM`` (``signal.setitimer``, one shot) whose
handler raises ``AirflowTaskTimeout`` in the main thread, wherever it is. When the signal lands
while the main thread runs a weakref callback or a finalizer (the cyclic garbage collector runs
those at any allocation: SQLAlchemy's, asyncio's, a thread pool's), CPython cannot raise out of
it: it prints ``Exception ignored in: <weakref callback ...>`` and carries on. The alarm never
fires again, so the try runs on past its limit and ends as if no limit were set: no retry, and
on a loaded machine (where the slow parts of a try last longer, so the alarm lands in them more
often) a test of the retry path fails.

The submit loop asks :meth:`ExecutionDeadline.check` at each step: once the armed timer has
expired and its exception has had ``GRACE_SECONDS`` to arrive, the check raises
``AirflowTaskTimeout`` itself, and the try ends as a timed-out try does (ids kept for the retry).
"""

from __future__ import annotations

import signal
import threading
import time
from dataclasses import dataclass

from aspose_ocr_provider.compat import AirflowTaskTimeout

GRACE_SECONDS = 0.1
"""How long after the alarm's due time its own exception is waited for before the check raises
one. A delivered signal's handler runs in the main thread at its next Python call (the check
makes one first), so this only covers a signal the kernel handed to another thread."""


@dataclass(frozen=True)
class ExecutionDeadline:
    """When the alarm armed at the start of a try is due (monotonic seconds), or None if none is."""

    due_at: float | None = None

    @classmethod
    def armed(cls) -> ExecutionDeadline:
        """The deadline of the alarm armed now (Airflow arms it just before ``execute``).

        None outside the main thread (signals reach only it, and Airflow then sets no alarm) and
        where ``setitimer`` does not exist.
        """
        if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "getitimer"):
            return cls()
        remaining = signal.getitimer(signal.ITIMER_REAL)[0]
        return cls(time.monotonic() + remaining if remaining > 0 else None)

    def wake_in(self) -> float | None:
        """Seconds until :meth:`check` could next raise (at least a little), None without a deadline."""
        if self.due_at is None:
            return None
        return max(0.05, self.due_at + GRACE_SECONDS - time.monotonic())

    def check(self) -> None:
        """Raise ``AirflowTaskTimeout`` if the alarm expired and its own exception was lost."""
        if self.due_at is None or time.monotonic() < self.due_at + GRACE_SECONDS:
            return
        if signal.getitimer(signal.ITIMER_REAL)[0] > 0:
            return  # armed again since (a nested limit): that one is in charge now
        _run_pending_handlers()  # a handler still pending raises the real exception here
        raise AirflowTaskTimeout(
            "execution_timeout passed, and the timeout signal's own exception was lost (it arrived "
            "while Python ran a weakref callback or a finalizer, where exceptions are dropped): "
            "stopping this try here instead."
        )


def _run_pending_handlers() -> None:
    """Nothing: CPython runs pending signal handlers when a Python function starts."""


def min_timeout(*timeouts: float | None) -> float | None:
    """The shortest of several optional wait timeouts (None: no limit)."""
    given = [t for t in timeouts if t is not None]
    return min(given) if given else None

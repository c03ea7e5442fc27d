"""Errors a retry cannot fix end the task at once; the rest are retried as configured.

A bad file, a missing folder or connection, a table name the database cannot take, credentials the
service refuses: the next try reads the same file and the same connection and fails the same way,
only minutes later. These fail the task without its retries (``AirflowFailException``), with the
error as the last thing the log shows (chained tracebacks dropped). Service errors, timeouts and
a warehouse that stops answering may pass, so they keep Airflow's retries.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from aspose_ocr_provider.compat import AirflowFailException
from aspose_ocr_provider.exceptions import AsposeOcrAuthError, AsposeOcrConfigError, AsposeOcrInputError

FINAL_ERRORS: tuple[type[BaseException], ...] = (AsposeOcrInputError, AsposeOcrConfigError, AsposeOcrAuthError)
"""What no retry can fix: the input, the configuration, the credentials."""


@contextlib.contextmanager
def fail_without_retry(*also: type[BaseException]) -> Iterator[None]:
    """Turn :data:`FINAL_ERRORS` (and ``also``, e.g. ``ValueError`` for a bad argument) raised
    inside into ``AirflowFailException`` with the same message."""
    try:
        yield
    except (*FINAL_ERRORS, *also) as exc:
        raise AirflowFailException(str(exc)) from None

"""Errors a retry cannot fix end the task at once; the rest are retried as configured.

A bad file, a missing folder or connection, a table name the database cannot take, credentials the
service refuses: the next try reads the same file and the same connection and fails the same way,
only minutes later. Their classes derive from
:class:`~aspose_ocr_provider.exceptions.AsposeOcrNotRetriedError`, an ``AirflowFailException``,
so Airflow skips the retries; service errors, timeouts and a warehouse that stops answering may
pass, so they keep them. Here, arguments that only turn out wrong once rendered join them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from aspose_ocr_provider.exceptions import AsposeOcrArgumentError, AsposeOcrNotRetriedError


@contextlib.contextmanager
def fail_without_retry() -> Iterator[None]:
    """A ``ValueError`` raised inside (a rendered argument that cannot work) becomes an
    :class:`~aspose_ocr_provider.exceptions.AsposeOcrArgumentError`, still a ``ValueError``."""
    try:
        yield
    except AsposeOcrNotRetriedError:
        raise
    except ValueError as exc:
        raise AsposeOcrArgumentError(str(exc)) from None

"""Errors a user of the provider can act on, each saying what went wrong and what to fix.

All derive from :class:`AsposeOcrError` (an ``AirflowException``), so a DAG can catch every failure
of the service in one place. No message ever contains the client secret or a bearer token.
"""

from __future__ import annotations

from airflow.exceptions import AirflowException

from aspose_ocr_provider.compat import AirflowFailException


def clause(text: object) -> str:
    """An error's or the service's message, stripped of its closing full stop, so that a sentence
    of ours can quote it mid-sentence without ending in ".." (the service's messages end in one)."""
    return str(text).strip().rstrip(".").rstrip()


class AsposeOcrError(AirflowException):
    """Base class of every error raised by the Aspose.OCR provider."""


class AsposeOcrNotRetriedError(AsposeOcrError, AirflowFailException):
    """An error no retry can fix (the input, the configuration, the credentials): Airflow fails the
    task at once instead of trying again minutes later with the same file and connection."""


class AsposeOcrConfigError(AsposeOcrNotRetriedError):
    """The ``aspose_ocr`` connection, a warehouse connection or an argument holds a value that cannot work."""


class AsposeOcrArgumentError(AsposeOcrConfigError, ValueError):
    """An operator argument, known only once rendered at run time, that cannot work."""


class AsposeOcrInputError(AsposeOcrNotRetriedError):
    """An input cannot be submitted as it is (empty, not an image, too large, unreadable...).

    A retry reads the same bytes and fails the same way, so the task fails without retrying.
    """


class AsposeOcrAuthError(AsposeOcrNotRetriedError):
    """Aspose.OCR Cloud refused the connection's credentials (or every token it issued).

    :param message: The full sentence, naming the client id and the connection to fix.
    :param conn_id: The Airflow connection whose Client ID / Client Secret must be corrected.
    :param client_id: The rejected client id (not a secret; shown so the user can recognise it).
    """

    def __init__(self, message: str, *, conn_id: str | None = None, client_id: str | None = None) -> None:
        super().__init__(message)
        self.conn_id = conn_id
        self.client_id = client_id


class AsposeOcrUnreachableError(AsposeOcrError):
    """No HTTP answer from the service (DNS, refused connection, TLS failure, timeout) after retries.

    :param message: The full sentence, naming the URL and the last network error.
    :param url: The URL that could not be reached.
    """

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class AsposeOcrApiError(AsposeOcrError):
    """The service answered with an error status (a 4xx, or a 429/5xx that outlived the retries).

    :param status: The HTTP status code.
    :param message: The server's own message (problem+json flattened to one sentence).
    :param url: The URL of the failed request.
    """

    def __init__(self, status: int, message: str, *, url: str | None = None, hint: str = "") -> None:
        text = f"Aspose.OCR Cloud answered HTTP {status}"
        if url:
            text += f" for {url}"
        text += f": {message or '(no message)'}"
        if hint:
            text += f" {hint}"
        super().__init__(text)
        self.status = status
        self.message = message
        self.url = url

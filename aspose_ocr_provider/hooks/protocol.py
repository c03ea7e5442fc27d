"""The HTTP conversation with Aspose.OCR Cloud without the HTTP client: what to send, what an
answer means, and what to do next.

The sync hook (requests, through ``HttpHook``) and the async hook (aiohttp) only move bytes; every
decision (retry, wait, refresh the token, give up, and with which words) is made here, so both
hooks behave identically and are tested against the same rules.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aspose_ocr_provider.exceptions import (
    AsposeOcrApiError,
    AsposeOcrAuthError,
    AsposeOcrError,
    AsposeOcrUnreachableError,
    clause,
)
from aspose_ocr_provider.hooks.connection_settings import AsposeOcrConnectionSettings
from aspose_ocr_provider.hooks.retry_policy import RetryPolicy, parse_retry_after
from aspose_ocr_provider.models import (
    RECOGNIZE_TABLE_PATH,
    TASK_STATUS_PATH,
    ProblemDetails,
    TableSettings,
    TaskResult,
    recognize_table_body,
)

USER_AGENT = "airflow-provider-aspose-ocr"


@dataclass(frozen=True)
class ApiCall:
    """One request to the API, before a token and a base URL are attached."""

    method: str
    path: str
    params: Mapping[str, str] | None = None
    json_body: Any = None
    accept: str = "application/json"
    what: str = "request"

    def headers(self, token: str) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {token}", "Accept": self.accept, "User-Agent": USER_AGENT}
        if self.json_body is not None:
            headers["Content-Type"] = "application/json"
        return headers


def submit_call(image: bytes, settings: TableSettings | None) -> ApiCall:
    if not isinstance(image, (bytes, bytearray, memoryview)) or not bytes(image):
        raise AsposeOcrError(
            "submit_table needs the image file's bytes (e.g. Path('table.png').read_bytes()); "
            f"got {type(image).__name__}{' (empty)' if isinstance(image, (bytes, bytearray)) else ''}."
        )
    if settings is not None and not isinstance(settings, TableSettings):
        raise AsposeOcrError(
            f"settings must be a TableSettings (or None), got {type(settings).__name__}; "
            "build one with TableSettings.from_kwargs(...)."
        )
    return ApiCall(
        "POST",
        RECOGNIZE_TABLE_PATH,
        json_body=recognize_table_body(bytes(image), settings),
        accept="text/plain",
        what="submit",
    )


def _task_id(task_id: str) -> str:
    if not isinstance(task_id, str) or not task_id.strip():
        raise AsposeOcrError(
            f"A task id must be the non-empty string returned by submit_table, got {task_id!r}."
        )
    return task_id.strip()


def result_call(task_id: str) -> ApiCall:
    return ApiCall("GET", RECOGNIZE_TABLE_PATH, params={"id": _task_id(task_id)}, what="get result")


def status_call(task_id: str) -> ApiCall:
    return ApiCall("GET", TASK_STATUS_PATH, params={"id": _task_id(task_id)}, what="get status")


def cancel_call(task_id: str) -> ApiCall:
    return ApiCall(
        "DELETE", RECOGNIZE_TABLE_PATH, params={"id": _task_id(task_id)}, accept="*/*", what="cancel"
    )


def token_form(settings: AsposeOcrConnectionSettings) -> dict[str, str]:
    """The documented client-credentials form (sent ``application/x-www-form-urlencoded``)."""
    return {
        "grant_type": "client_credentials",
        "client_id": settings.client_id,
        "client_secret": settings.client_secret,
    }


TOKEN_HEADERS = {"Accept": "application/json", "User-Agent": USER_AGENT}


@dataclass(frozen=True)
class Answer:
    """An HTTP answer, reduced to what the decisions need."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8-sig"))

    def server_message(self) -> str:
        """The server's explanation: problem+json / OAuth error flattened, else the text, shortened."""
        try:
            return ProblemDetails.message_of(self.json())[:500]
        except ValueError:
            text = " ".join(self.text.split())
            return text[:500]


class Action(enum.Enum):
    RETURN = "return"
    RETRY = "retry"
    REFRESH_TOKEN = "refresh token"
    FAIL = "fail"


@dataclass(frozen=True)
class Step:
    """What a hook does after an answer: ``delay`` for RETRY, ``error`` for FAIL."""

    action: Action
    delay: float = 0.0
    error: AsposeOcrError | None = None


def after_answer(
    answer: Answer,
    *,
    settings: AsposeOcrConnectionSettings,
    attempt: int,
    refreshed: bool,
    is_token_request: bool = False,
) -> Step:
    """Decide what follows ``answer`` to attempt number ``attempt`` (0-based) of one call."""
    status = answer.status
    if status < 400:
        return Step(Action.RETURN)
    if is_token_request and status in (400, 401, 403):
        return Step(Action.FAIL, error=credentials_rejected(settings, answer))
    if status in (401, 403) and not is_token_request:
        if not refreshed:
            return Step(Action.REFRESH_TOKEN)
        return Step(
            Action.FAIL,
            error=AsposeOcrAuthError(
                f"Aspose.OCR Cloud refused a freshly issued token for client id {settings.client_id!r} "
                f"(HTTP {status} for {answer.url}: {answer.server_message() or 'no message'}). The credentials "
                f"work but this application may lack access to the OCR API; check the application in the "
                f"Aspose Cloud dashboard and Airflow connection {settings.conn_id!r}.",
                conn_id=settings.conn_id,
                client_id=settings.client_id,
            ),
        )
    policy = settings.retry
    if RetryPolicy.is_retryable_status(status):
        retry_after = parse_retry_after(answer.headers.get("Retry-After"))
        if retry_after is not None and retry_after > policy.max_retry_after:
            hint = (
                f"The service asked to wait {retry_after:.0f} s before trying again, longer than the "
                f"connection's max_retry_after of {policy.max_retry_after:.0f} s."
            )
            if is_token_request:
                hint += (
                    f" Too many failed sign-ins lock the credentials out: check the Client ID and Client "
                    f"Secret of Airflow connection {settings.conn_id!r}."
                )
            return Step(Action.FAIL, error=api_error(answer, hint=hint))
        if policy.can_retry(attempt):
            return Step(Action.RETRY, delay=policy.delay(attempt, retry_after))
        return Step(Action.FAIL, error=api_error(answer, hint=f"Gave up after {attempt + 1} attempt(s)."))
    return Step(Action.FAIL, error=api_error(answer))


def after_network_error(
    exc: BaseException,
    *,
    settings: AsposeOcrConnectionSettings,
    url: str,
    attempt: int,
    retryable: bool = True,
) -> Step:
    """Decide what follows a request that got no HTTP answer (refused, reset, timed out)."""
    if retryable and settings.retry.can_retry(attempt):
        return Step(Action.RETRY, delay=settings.retry.backoff(attempt))
    reason = describe_network_error(exc)
    hint = (
        "Check the host (API base URL) of the connection"
        if not retryable
        else f"Gave up after {attempt + 1} attempt(s); check the host (API base URL) of the connection"
    )
    return Step(
        Action.FAIL,
        error=AsposeOcrUnreachableError(
            f"Could not reach Aspose.OCR Cloud at {url}: {clause(reason)}. {hint} {settings.conn_id!r}, "
            f"its timeout ({settings.timeout:g} s) and verify_ssl setting, and the network.",
            url=url,
        ),
    )


def describe_network_error(exc: BaseException) -> str:
    text = str(exc).strip()
    name = type(exc).__name__
    if not text:
        return name
    return f"{name}: {text[:300]}"


def credentials_rejected(settings: AsposeOcrConnectionSettings, answer: Answer) -> AsposeOcrAuthError:
    return AsposeOcrAuthError(
        f"Aspose.OCR Cloud rejected client id {settings.client_id!r} at {answer.url} "
        f"(HTTP {answer.status}: {answer.server_message() or 'no message'}). Fix the Client ID and Client "
        f"Secret of Airflow connection {settings.conn_id!r} (copy them from the Aspose Cloud dashboard).",
        conn_id=settings.conn_id,
        client_id=settings.client_id,
    )


def api_error(answer: Answer, hint: str = "") -> AsposeOcrApiError:
    if answer.status == 404 and not hint:
        hint = "Check the connection's host: it should be the API base URL, e.g. https://api.aspose.cloud."
    return AsposeOcrApiError(answer.status, answer.server_message(), url=answer.url, hint=hint)


def parse_token(answer: Answer, settings: AsposeOcrConnectionSettings) -> tuple[str, float]:
    """``(access_token, expires_in)`` from a 200 of the token endpoint."""
    try:
        body = answer.json()
        token = body["access_token"]
        expires_in = float(body.get("expires_in") or 3600)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise AsposeOcrError(
            f"The token endpoint {answer.url} answered HTTP {answer.status} without an access_token; "
            f"is token_url of Airflow connection {settings.conn_id!r} right?"
        ) from None
    if not isinstance(token, str) or not token:
        raise AsposeOcrError(f"The token endpoint {answer.url} sent an empty access_token.")
    return token, expires_in


def parse_submit(answer: Answer) -> str:
    """The task id: a bare GUID in ``text/plain`` (a JSON-quoted string is accepted too)."""
    text = answer.text.strip()
    if text.startswith('"') and text.endswith('"') and len(text) >= 2:
        text = text[1:-1].strip()
    if not text or any(c.isspace() for c in text) or len(text) > 200:
        raise AsposeOcrError(
            f"Aspose.OCR Cloud accepted the image at {answer.url} but sent no task id (body: {text[:100]!r})."
        )
    return text


def parse_task(answer: Answer) -> TaskResult:
    """The typed ``OCRResponse`` of GET RecognizeTable / GetTaskStatus."""
    try:
        return TaskResult.from_json(answer.json())
    except ValueError as exc:
        raise AsposeOcrError(
            f"Aspose.OCR Cloud sent an answer that is not an OCRResponse from {answer.url}: {exc}"
        ) from None

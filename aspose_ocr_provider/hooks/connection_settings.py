"""The ``aspose_ocr`` connection, read once into typed settings shared by the sync and async hooks.

Reading and validating the connection in one place means both hooks accept exactly the same
connections and fail on a bad value with the same words, before any request is made.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aspose_ocr_provider.exceptions import AsposeOcrConfigError
from aspose_ocr_provider.hooks.retry_policy import RetryPolicy
from aspose_ocr_provider.models import DEFAULT_BASE_URL, TOKEN_PATH

CONN_TYPE = "aspose_ocr"
DEFAULT_CONN_ID = "aspose_ocr_default"
DEFAULT_TIMEOUT = 60.0
"""Seconds a single request may take (connect + answer) before it counts as a timeout."""

EXTRA_KEYS: tuple[str, ...] = (
    "token_url",
    "timeout",
    "verify_ssl",
    "scheme",
    "max_retries",
    "backoff_base",
    "backoff_max",
    "max_retry_after",
)
"""Keys the connection's extra may hold (also accepted with the ``extra__aspose_ocr__`` prefix)."""

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


@dataclass(frozen=True)
class AsposeOcrConnectionSettings:
    """Everything a hook needs from the connection; the secret is kept out of ``repr``.

    :param conn_id: The Airflow connection id (named in every error about credentials).
    :param client_id: Client ID from the Aspose Cloud dashboard (connection login).
    :param client_secret: Client Secret (connection password).
    :param base_url: API base URL, scheme included, without a trailing slash.
    :param token_url: Full URL of the token endpoint.
    :param timeout: Seconds one request may take.
    :param verify_ssl: Whether TLS certificates are verified.
    :param retry: Retry limits for transient failures.
    """

    conn_id: str
    client_id: str
    client_secret: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    token_url: str = DEFAULT_BASE_URL + TOKEN_PATH
    timeout: float = DEFAULT_TIMEOUT
    verify_ssl: bool = True
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    @property
    def cache_key(self) -> str:
        """Token-cache key: token URL + client id + a hash of the secret (never the secret)."""
        digest = hashlib.sha256(self.client_secret.encode("utf-8")).hexdigest()[:32]
        return f"{self.token_url}\x00{self.client_id}\x00{digest}"

    def url(self, path: str) -> str:
        return self.base_url + path

    @classmethod
    def from_connection(cls, conn: Any, conn_id: str | None = None) -> AsposeOcrConnectionSettings:
        """Validate an Airflow ``Connection`` of type ``aspose_ocr``.

        :raises AsposeOcrConfigError: naming the field that is wrong and how to fix it.
        """
        conn_id = conn_id or getattr(conn, "conn_id", None) or DEFAULT_CONN_ID
        where = f"Airflow connection {conn_id!r}"
        client_id = (conn.login or "").strip()
        client_secret = conn.password or ""
        if not client_id or not client_secret:
            missing = " and ".join(
                name
                for name, value in (
                    ("Client ID (login)", client_id),
                    ("Client Secret (password)", client_secret),
                )
                if not value
            )
            raise AsposeOcrConfigError(
                f"{where} has no {missing}. Copy both from the Aspose Cloud dashboard "
                "(https://dashboard.aspose.cloud/applications) into the connection."
            )
        extra = _extra_of(conn, where)
        unknown = sorted(set(extra) - set(EXTRA_KEYS))
        if unknown:
            raise AsposeOcrConfigError(
                f"{where} has unknown extra field(s) {unknown}; valid ones are: {', '.join(EXTRA_KEYS)}."
            )
        base_url = _base_url(conn.host, conn.port, extra.get("scheme"), where)
        token_url = extra.get("token_url") or base_url + TOKEN_PATH
        if not isinstance(token_url, str) or urlsplit(token_url).scheme not in ("http", "https"):
            raise AsposeOcrConfigError(
                f"{where}: token_url {token_url!r} must be a full http(s) URL such as {DEFAULT_BASE_URL + TOKEN_PATH}."
            )
        retry = RetryPolicy(
            max_retries=_number(extra, "max_retries", RetryPolicy.max_retries, where, integer=True),
            backoff_base=_number(extra, "backoff_base", RetryPolicy.backoff_base, where),
            backoff_max=_number(extra, "backoff_max", RetryPolicy.backoff_max, where),
            max_retry_after=_number(extra, "max_retry_after", RetryPolicy.max_retry_after, where),
        )
        timeout = _number(extra, "timeout", DEFAULT_TIMEOUT, where)
        if timeout <= 0:
            raise AsposeOcrConfigError(
                f"{where}: timeout must be a positive number of seconds, got {timeout!r}."
            )
        return cls(
            conn_id=conn_id,
            client_id=client_id,
            client_secret=client_secret,
            base_url=base_url,
            token_url=token_url.rstrip("/"),
            timeout=timeout,
            verify_ssl=_boolean(extra.get("verify_ssl", True), "verify_ssl", where),
            retry=retry,
        )


def _extra_of(conn: Any, where: str) -> dict[str, Any]:
    try:
        raw = conn.extra_dejson
    except Exception as exc:
        raise AsposeOcrConfigError(f"{where} has an extra that is not a JSON object: {exc}") from None
    if not isinstance(raw, Mapping):
        raise AsposeOcrConfigError(f"{where} has an extra that is not a JSON object.")
    prefix = f"extra__{CONN_TYPE}__"
    extra: dict[str, Any] = {}
    for key, value in raw.items():
        name = key[len(prefix) :] if key.startswith(prefix) else key
        # The UI stores untouched optional fields as "" or null: they mean "use the default".
        if value is None or value == "":
            continue
        extra[name] = value
    return extra


def _base_url(host: str | None, port: int | None, scheme: Any, where: str) -> str:
    host = (host or "").strip().rstrip("/")
    if not host:
        base = DEFAULT_BASE_URL
    elif "://" in host:
        base = host
    else:
        chosen = str(scheme or "https").lower()
        if chosen not in ("http", "https"):
            raise AsposeOcrConfigError(f"{where}: extra scheme must be 'http' or 'https', got {scheme!r}.")
        base = f"{chosen}://{host}"
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AsposeOcrConfigError(
            f"{where}: host {host!r} is not an API base URL; use e.g. {DEFAULT_BASE_URL} or http://127.0.0.1:8080."
        )
    if port and parts.port is None:
        base = f"{base}:{port}"
    return base


def _number(extra: Mapping[str, Any], key: str, default: float, where: str, integer: bool = False) -> Any:
    value = extra.get(key, default)
    try:
        if isinstance(value, bool):
            raise ValueError
        number = int(value) if integer else float(value)
        if integer and float(value) != number:
            raise ValueError
    except (TypeError, ValueError):
        kind = "a whole number" if integer else "a number"
        raise AsposeOcrConfigError(f"{where}: extra {key} must be {kind}, got {value!r}.") from None
    if number < 0:
        raise AsposeOcrConfigError(f"{where}: extra {key} must not be negative, got {value!r}.")
    return number


def _boolean(value: Any, key: str, where: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise AsposeOcrConfigError(f"{where}: extra {key} must be true or false, got {value!r}.")

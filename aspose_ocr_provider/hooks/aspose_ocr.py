"""Hooks for Aspose.OCR Cloud: :class:`AsposeOcrHook` (sync) and :class:`AsposeOcrAsyncHook` (triggers).

Both read the ``aspose_ocr`` connection through the same settings class, share the process-wide
token cache, and follow the same decisions in :mod:`aspose_ocr_provider.hooks.protocol`; they differ
only in the HTTP client that carries the bytes.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

import aiohttp
import requests
from airflow.providers.http.hooks.http import HttpHook

from aspose_ocr_provider.compat import SUPERVISOR_LOCK, BaseHook
from aspose_ocr_provider.exceptions import AsposeOcrError
from aspose_ocr_provider.hooks import protocol
from aspose_ocr_provider.hooks.connection_settings import (
    CONN_TYPE,
    DEFAULT_CONN_ID,
    AsposeOcrConnectionSettings,
)
from aspose_ocr_provider.hooks.masking import amask, mask
from aspose_ocr_provider.hooks.request_tally import RequestTally
from aspose_ocr_provider.hooks.token_cache import TOKEN_CACHE, TokenCache
from aspose_ocr_provider.models import TableSettings, TaskResult

__all__ = ["AsposeOcrAsyncHook", "AsposeOcrHook"]


class AsposeOcrHook(HttpHook):
    """Submit table images to Aspose.OCR Cloud and read their results, synchronously.

    The hook fetches and caches the client-credentials token, refreshes it once when the service
    answers 401, and retries connection errors, timeouts, 429 and 5xx with exponential backoff
    (honouring ``Retry-After``). It is safe to share between threads (one HTTP session per thread).

    :param aspose_ocr_conn_id: :ref:`Aspose.OCR connection <howto/connection:aspose_ocr>` holding
        the Client ID (login), Client Secret (password), API base URL (host) and options (extra).
    :param pool_size: Connections kept open for reuse (at least urllib3's 10): give the number of
        threads that use this hook at once, so each keeps its connection between requests.
    """

    conn_name_attr = "aspose_ocr_conn_id"
    default_conn_name = DEFAULT_CONN_ID
    conn_type = CONN_TYPE
    hook_name = "Aspose.OCR Cloud"

    def __init__(
        self, aspose_ocr_conn_id: str = DEFAULT_CONN_ID, *, pool_size: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(method="GET", http_conn_id=aspose_ocr_conn_id, **kwargs)
        if pool_size is not None:
            self._grow_pool(pool_size)
        self.aspose_ocr_conn_id = aspose_ocr_conn_id
        self.token_cache: TokenCache = TOKEN_CACHE
        self.sleep: Callable[[float], None] = time.sleep
        self.tally = RequestTally()
        """Retries and token renewals, for the caller's one log line per batch or poll round."""
        self._settings: AsposeOcrConnectionSettings | None = None
        self._local = threading.local()
        self._connection: Any = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(aspose_ocr_conn_id={self.aspose_ocr_conn_id!r})"

    # ------------------------------------------------------------------ connection

    def get_connection(self, conn_id: str) -> Any:  # type: ignore[override]
        """The connection, looked up once per hook and shared by its threads.

        ``HttpHook`` looks the connection up again for every thread's session; in a task process
        that is a call to the supervisor, which must take turns (:data:`SUPERVISOR_LOCK`). One
        lookup also means one answer for all threads of a batch.
        """
        with SUPERVISOR_LOCK:
            if self._connection is None or self._connection.conn_id != conn_id:
                self._connection = super().get_connection(conn_id)
            return self._connection

    @property
    def settings(self) -> AsposeOcrConnectionSettings:
        """The validated connection (read once per hook)."""
        if self._settings is None:
            with SUPERVISOR_LOCK:  # pool threads asking at once: one lookup, one mask
                if self._settings is None:
                    conn = self.get_connection(self.aspose_ocr_conn_id)
                    settings = AsposeOcrConnectionSettings.from_connection(conn, self.aspose_ocr_conn_id)
                    mask(settings.client_secret)
                    self._settings = settings
        return self._settings

    def _set_base_url(self, connection: Any) -> None:
        self.base_url = self.settings.base_url
        self._base_url_initialized = True

    def _extract_auth(self, connection: Any) -> Any | None:
        # The client id and secret go only to the token endpoint, never as Basic auth to the API.
        return None

    def _configure_session_from_extra(
        self, session: requests.Session, connection: Any, extra_options: dict[str, Any]
    ) -> requests.Session:
        # The extra holds our options, not HTTP headers (HttpHook would send them as headers).
        session.verify = self.settings.verify_ssl
        return session

    def _grow_pool(self, size: int) -> None:
        """Let ``size`` threads each keep a connection.

        HttpHook mounts its one keep-alive adapter on every session it makes, so the sessions of
        this hook's threads share that adapter's pool. At urllib3's default of 10 connections per
        host, each request of an eleventh thread ends with "Connection pool is full, discarding
        connection" and the next one opens a new connection.
        """
        adapter = self.keep_alive_adapter if self.adapter is None else None
        if adapter is None or size <= adapter._pool_maxsize:
            return
        adapter._pool_maxsize = size
        adapter.init_poolmanager(adapter._pool_connections, size, block=adapter._pool_block)

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = self.get_conn()
            session.verify = self.settings.verify_ssl
        return session

    # ------------------------------------------------------------------ token

    def _fetch_token(self) -> tuple[str, float]:
        settings = self.settings
        answer = self._send(
            "POST",
            settings.token_url,
            data=protocol.token_form(settings),
            headers=protocol.TOKEN_HEADERS,
            token_request=True,
        )
        token, expires_in = protocol.parse_token(answer, settings)
        mask(token)
        self.token_cache.store(settings.cache_key, token, expires_in)
        return token, expires_in

    def prepare(self) -> None:
        """Read the connection and get a token now, on the calling thread.

        Both may talk to the task supervisor (connection lookup, secret masking); Airflow 3.0's
        in-process supervisor of ``dag.test()`` is not safe to call from several threads at once,
        so a caller about to fan requests out over a pool does this first.
        """
        self._token()

    def _token(self) -> str:
        key = self.settings.cache_key
        token = self.token_cache.get(key)
        if token is not None:
            return token
        with self.token_cache.fetch_lock(key):
            token = self.token_cache.get(key)
            if token is None:
                token, _ = self._fetch_token()
            return token

    # ------------------------------------------------------------------ transport

    def _send(
        self,
        method: str,
        url: str,
        *,
        call: protocol.ApiCall | None = None,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        token_request: bool = False,
    ) -> protocol.Answer:
        settings = self.settings
        session = self._session()
        attempt = 0
        refreshed = False
        token = None if token_request else self._token()
        while True:
            if call is not None and token is not None:
                headers = call.headers(token)
            try:
                response = session.request(
                    method,
                    url,
                    params=call.params if call else None,
                    json=call.json_body if call else None,
                    data=data,
                    headers=headers,
                    timeout=settings.timeout,
                    verify=settings.verify_ssl,
                    allow_redirects=False,
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                step = protocol.after_network_error(
                    exc,
                    settings=settings,
                    url=url,
                    attempt=attempt,
                    retryable=not isinstance(exc, requests.exceptions.SSLError),
                )
                cause = type(exc).__name__
            else:
                answer = protocol.Answer(response.status_code, response.headers, response.content, url)
                step = protocol.after_answer(
                    answer,
                    settings=settings,
                    attempt=attempt,
                    refreshed=refreshed,
                    is_token_request=token_request,
                )
                if step.action is protocol.Action.RETURN:
                    return answer
                cause = f"HTTP {answer.status}"
            if step.action is protocol.Action.REFRESH_TOKEN:
                self.log.debug(
                    "Aspose.OCR Cloud refused the bearer token; fetching a new one and retrying once."
                )
                self.tally.renewed()
                self.token_cache.invalidate(settings.cache_key, token)
                token = self._token()
                refreshed = True
                continue
            if step.action is protocol.Action.RETRY:
                self.log.debug(
                    "Aspose.OCR %s %s failed (%s, attempt %d of %d); retrying in %.1f s.",
                    method,
                    url,
                    cause,
                    attempt + 1,
                    settings.retry.max_retries + 1,
                    step.delay,
                )
                self.tally.retried(cause)
                self.sleep(step.delay)
                attempt += 1
                continue
            assert step.error is not None
            raise step.error

    def _call(self, call: protocol.ApiCall) -> protocol.Answer:
        return self._send(call.method, self.settings.url(call.path), call=call)

    # ------------------------------------------------------------------ API

    def submit_table(self, image: bytes, settings: TableSettings | None = None) -> str:
        """Queue ``image`` (the file's bytes) for table recognition; returns the task id.

        :param image: The image file's bytes (PNG, JPEG, BMP, TIFF or GIF).
        :param settings: Recognition settings; None sends the defaults of :class:`TableSettings`.
        """
        return protocol.parse_submit(self._call(protocol.submit_call(image, settings)))

    def get_result(self, task_id: str) -> TaskResult:
        """The task's status and, once Completed, its results (``GET RecognizeTable``)."""
        return protocol.parse_task(self._call(protocol.result_call(task_id)))

    def get_status(self, task_id: str) -> TaskResult:
        """The task's status only (``GET Utilities/GetTaskStatus``), cheaper than :meth:`get_result`."""
        return protocol.parse_task(self._call(protocol.status_call(task_id)))

    def cancel(self, task_id: str) -> None:
        """Cancel a queued or running task (``DELETE RecognizeTable``)."""
        self._call(protocol.cancel_call(task_id))

    def test_connection(self) -> tuple[bool, str]:
        """Fetch a fresh token with the connection's credentials (the UI's Test button)."""
        try:
            _, expires_in = self._fetch_token()
        except AsposeOcrError as exc:
            return False, str(exc)
        except Exception as exc:
            return False, f"Aspose.OCR connection test failed: {protocol.describe_network_error(exc)}"
        return True, (
            f"Connected to Aspose.OCR Cloud at {self.settings.base_url}: client id "
            f"{self.settings.client_id!r} received a token valid for {expires_in:.0f} s."
        )

    @classmethod
    def get_connection_form_widgets(cls) -> dict[str, Any]:
        """Form fields for Airflow < 3.2 (newer versions read ``conn-fields`` from the provider info)."""
        from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
        from flask_babel import lazy_gettext
        from wtforms import BooleanField, StringField

        return {
            "token_url": StringField(lazy_gettext("Token URL"), widget=BS3TextFieldWidget()),
            "timeout": StringField(lazy_gettext("Request timeout (s)"), widget=BS3TextFieldWidget()),
            "verify_ssl": BooleanField(lazy_gettext("Verify TLS certificates"), default=True),
        }

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """Relabel the standard fields for Airflow < 3.2 (newer versions read the provider info)."""
        from aspose_ocr_provider.get_provider_info import UI_FIELD_BEHAVIOUR

        return {
            "hidden_fields": list(UI_FIELD_BEHAVIOUR["hidden-fields"]),
            "relabeling": dict(UI_FIELD_BEHAVIOUR["relabeling"]),
            "placeholders": dict(UI_FIELD_BEHAVIOUR["placeholders"]),
        }


class AsposeOcrAsyncHook(BaseHook):
    """The asyncio twin of :class:`AsposeOcrHook`, for triggers (aiohttp).

    Use it as ``async with AsposeOcrAsyncHook(...) as hook:`` to share one HTTP session across many
    calls; without ``async with`` each call opens and closes its own session.

    :param aspose_ocr_conn_id: The ``aspose_ocr`` connection id.
    """

    conn_name_attr = "aspose_ocr_conn_id"
    default_conn_name = DEFAULT_CONN_ID
    conn_type = CONN_TYPE
    hook_name = "Aspose.OCR Cloud"

    def __init__(self, aspose_ocr_conn_id: str = DEFAULT_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.aspose_ocr_conn_id = aspose_ocr_conn_id
        self.token_cache: TokenCache = TOKEN_CACHE
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        self.tally = RequestTally()
        """Retries and token renewals, for the caller's one log line per poll round."""
        self._settings: AsposeOcrConnectionSettings | None = None
        self._session: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(aspose_ocr_conn_id={self.aspose_ocr_conn_id!r})"

    async def __aenter__(self) -> AsposeOcrAsyncHook:
        settings = await self.get_settings()
        self._session = self._new_session(settings)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def get_settings(self) -> AsposeOcrConnectionSettings:
        """The validated connection, read once (without blocking the event loop)."""
        if self._settings is None:
            aget = getattr(self, "aget_connection", None)
            if aget is not None and inspect.iscoroutinefunction(aget):
                conn = await aget(self.aspose_ocr_conn_id)
            else:  # Airflow 3.0
                conn = await asyncio.to_thread(self.get_connection, self.aspose_ocr_conn_id)
            settings = AsposeOcrConnectionSettings.from_connection(conn, self.aspose_ocr_conn_id)
            await amask(settings.client_secret)
            self._settings = settings
        return self._settings

    @staticmethod
    def _new_session(settings: AsposeOcrConnectionSettings) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=settings.timeout),
            connector=aiohttp.TCPConnector(ssl=bool(settings.verify_ssl)),
        )

    async def _fetch_token(self, session: aiohttp.ClientSession) -> tuple[str, float]:
        settings = await self.get_settings()
        answer = await self._send(
            session,
            "POST",
            settings.token_url,
            data=protocol.token_form(settings),
            headers=protocol.TOKEN_HEADERS,
            token_request=True,
        )
        token, expires_in = protocol.parse_token(answer, settings)
        await amask(token)
        self.token_cache.store(settings.cache_key, token, expires_in)
        return token, expires_in

    async def _token(self, session: aiohttp.ClientSession) -> str:
        key = (await self.get_settings()).cache_key
        token = self.token_cache.get(key)
        if token is not None:
            return token
        async with self.token_cache.async_fetch_lock(key):
            token = self.token_cache.get(key)
            if token is None:
                token, _ = await self._fetch_token(session)
            return token

    async def _send(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: str,
        *,
        call: protocol.ApiCall | None = None,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        token_request: bool = False,
    ) -> protocol.Answer:
        settings = await self.get_settings()
        attempt = 0
        refreshed = False
        token = None if token_request else await self._token(session)
        while True:
            if call is not None and token is not None:
                headers = call.headers(token)
            try:
                async with session.request(
                    method,
                    url,
                    params=dict(call.params) if call and call.params else None,
                    json=call.json_body if call else None,
                    data=data,
                    headers=headers,
                    allow_redirects=False,
                ) as response:
                    body = await response.read()
                    answer = protocol.Answer(response.status, response.headers, body, url)
            except (TimeoutError, aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as exc:
                step = protocol.after_network_error(
                    exc,
                    settings=settings,
                    url=url,
                    attempt=attempt,
                    retryable=not isinstance(exc, aiohttp.ClientSSLError),
                )
                cause = type(exc).__name__
            else:
                step = protocol.after_answer(
                    answer,
                    settings=settings,
                    attempt=attempt,
                    refreshed=refreshed,
                    is_token_request=token_request,
                )
                if step.action is protocol.Action.RETURN:
                    return answer
                cause = f"HTTP {answer.status}"
            if step.action is protocol.Action.REFRESH_TOKEN:
                self.log.debug(
                    "Aspose.OCR Cloud refused the bearer token; fetching a new one and retrying once."
                )
                self.tally.renewed()
                self.token_cache.invalidate(settings.cache_key, token)
                token = await self._token(session)
                refreshed = True
                continue
            if step.action is protocol.Action.RETRY:
                self.log.debug(
                    "Aspose.OCR %s %s failed (%s, attempt %d of %d); retrying in %.1f s.",
                    method,
                    url,
                    cause,
                    attempt + 1,
                    settings.retry.max_retries + 1,
                    step.delay,
                )
                self.tally.retried(cause)
                await self.sleep(step.delay)
                attempt += 1
                continue
            assert step.error is not None
            raise step.error

    async def _call(self, call: protocol.ApiCall) -> protocol.Answer:
        settings = await self.get_settings()
        if self._session is not None and not self._session.closed:
            return await self._send(self._session, call.method, settings.url(call.path), call=call)
        async with self._new_session(settings) as session:
            return await self._send(session, call.method, settings.url(call.path), call=call)

    async def submit_table(self, image: bytes, settings: TableSettings | None = None) -> str:
        """Queue ``image`` for table recognition; returns the task id (see :meth:`AsposeOcrHook.submit_table`)."""
        return protocol.parse_submit(await self._call(protocol.submit_call(image, settings)))

    async def get_result(self, task_id: str) -> TaskResult:
        """The task's status and results (``GET RecognizeTable``)."""
        return protocol.parse_task(await self._call(protocol.result_call(task_id)))

    async def get_status(self, task_id: str) -> TaskResult:
        """The task's status only (``GET Utilities/GetTaskStatus``)."""
        return protocol.parse_task(await self._call(protocol.status_call(task_id)))

    async def cancel(self, task_id: str) -> None:
        """Cancel a task (``DELETE RecognizeTable``)."""
        await self._call(protocol.cancel_call(task_id))

    async def test_connection(self) -> tuple[bool, str]:
        """Fetch a fresh token; ``(ok, message in words)``."""
        try:
            settings = await self.get_settings()
            async with self._new_session(settings) as session:
                _, expires_in = await self._fetch_token(session)
        except AsposeOcrError as exc:
            return False, str(exc)
        return True, (
            f"Connected to Aspose.OCR Cloud at {settings.base_url}: client id "
            f"{settings.client_id!r} received a token valid for {expires_in:.0f} s."
        )

"""The emulator inside a test process: ``run_emulator`` and the pytest fixtures built on it.

The server runs on its own event loop in a background thread, so synchronous tests, async tests
and Airflow's own event loops (triggers) can all talk to it over real HTTP on 127.0.0.1. Every
control on the handle is executed on that loop, so inspecting or reconfiguring a running emulator
never races a request being served.

Use it as a pytest plugin (``pytest_plugins = ["aspose_ocr_provider.emulator.testing"]``) to get
the ``aspose_ocr_emulator`` and ``aspose_ocr_connection`` fixtures.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from typing import Any, TypeVar

from aiohttp import web

from aspose_ocr_provider.documents.pages import DEFAULT_DPI
from aspose_ocr_provider.emulator.app import create_app
from aspose_ocr_provider.emulator.config import EmulatorConfig
from aspose_ocr_provider.emulator.engines.base import Table, TableEngine
from aspose_ocr_provider.emulator.state import EmulatorState, RequestRecord
from aspose_ocr_provider.hooks.token_cache import TOKEN_CACHE
from aspose_ocr_provider.models import TOKEN_PATH, TaskStatus

T = TypeVar("T")

CONTROL_TIMEOUT = 30.0
"""Seconds a control call waits for the emulator's loop before giving up."""


class _ServerThread(threading.Thread):
    """Runs one aiohttp app on its own event loop until stopped."""

    def __init__(self, app: web.Application, host: str, port: int) -> None:
        super().__init__(name="aspose-ocr-emulator", daemon=True)
        self.app = app
        self.host = host
        self.port = port
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self._runner: web.AppRunner | None = None

    def run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
            self.loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, self.host, self.port)
            self.loop.run_until_complete(site.start())
            self.port = int(self._runner.addresses[0][1])
        except BaseException as exc:
            self.error = exc
            self.ready.set()
            self.loop.close()
            return
        self.ready.set()
        try:
            self.loop.run_forever()
        finally:
            self.loop.run_until_complete(self._runner.cleanup())
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()

    def stop(self) -> None:
        if self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
        self.join(timeout=CONTROL_TIMEOUT)


class EmulatorHandle:
    """A running emulator: its address, its credentials, and controls for tests.

    :param state: The emulator state the server acts on.
    :param loop: The event loop serving it (controls run there).
    :param url: Base URL, ``http://127.0.0.1:PORT``.
    """

    def __init__(self, state: EmulatorState, loop: asyncio.AbstractEventLoop, url: str) -> None:
        self.state = state
        self._loop = loop
        self.url = url

    def __repr__(self) -> str:
        return f"EmulatorHandle(url={self.url!r}, client_id={self.client_id!r})"

    def _call(self, fn: Callable[..., T], *args: Any) -> T:
        async def run() -> T:
            return fn(*args)

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout=CONTROL_TIMEOUT)

    @property
    def client_id(self) -> str:
        return self.state.config.client_id

    @property
    def client_secret(self) -> str:
        return self.state.config.client_secret

    @property
    def config(self) -> EmulatorConfig:
        return self.state.config

    def airflow_conn_json(self, **extra: Any) -> str:
        """The ``AIRFLOW_CONN_<ID>`` JSON of an ``aspose_ocr`` connection to this emulator."""
        return json.dumps(
            {
                "conn_type": "aspose_ocr",
                "login": self.client_id,
                "password": self.client_secret,
                "host": self.url,
                "extra": extra,
            }
        )

    def count(self, method: str, path: str) -> int:
        """Requests received for ``method`` + ``path`` (path case-insensitive, query ignored)."""
        return self._call(self.state.count, method, path)

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request so far, oldest first (method, path, query, status, time; no secrets)."""
        return self._call(list, self.state.requests)

    def stats(self) -> dict[str, Any]:
        """Counters per endpoint and per path, tasks by status, tokens issued."""
        return self._call(self.state.stats)

    def configure(self, **changes: Any) -> EmulatorConfig:
        """Change timing, faults, token ttl, retention... while the emulator runs."""
        return self._call(self.state.configure, changes)

    def add_fixture(self, image: bytes, csv_text: str) -> None:
        """Teach the fixtures engine that ``image`` holds the table(s) in ``csv_text``."""
        add = getattr(self.state.engine, "add_csv", None)
        if add is None:
            raise TypeError(f"The {self.config.engine!r} engine takes no fixtures; use engine='fixtures'.")
        self._call(add, image, csv_text)

    def add_fixture_document(
        self, document: bytes, csv_by_page: Mapping[int, str], *, dpi: int = DEFAULT_DPI
    ) -> list[bytes]:
        """Teach the fixtures engine every page of a PDF or multi-page TIFF, rendered as the
        submit operator renders them at ``dpi``; a page missing from ``csv_by_page`` holds no
        table. Returns the page images, in page order."""
        add = getattr(self.state.engine, "add_document", None)
        if add is None:
            raise TypeError(f"The {self.config.engine!r} engine takes no fixtures; use engine='fixtures'.")
        return list(self._call(add, document, csv_by_page, dpi))

    def add_fixture_table(self, image: bytes, rows: Sequence[Sequence[Any]]) -> None:
        """Teach the fixtures engine that ``image`` holds one table with ``rows``."""
        add = getattr(self.state.engine, "add", None)
        if add is None:
            raise TypeError(f"The {self.config.engine!r} engine takes no fixtures; use engine='fixtures'.")
        self._call(add, image, [Table.of([[str(c) for c in row] for row in rows])])

    def advance_clock(self, seconds: float) -> None:
        """Age tokens, tasks and seconds-based queue timing by ``seconds`` without sleeping."""
        self._call(self.state.clock.advance, seconds)

    def revoke_tokens(self) -> int:
        """Make every issued token invalid at once (next use answers 401)."""
        return self._call(self.state.tokens.revoke_all)

    def wait_idle(self, timeout: float = CONTROL_TIMEOUT) -> None:
        """Block until every recognition started so far has finished (a condition, not a sleep)."""
        asyncio.run_coroutine_threadsafe(self.state.drain(), self._loop).result(timeout=timeout)

    def task_status(self, task_id: str) -> TaskStatus:
        """What a poll of ``task_id`` would report now (not counted as a poll)."""
        return self._call(self.state.tasks.peek, task_id)


@contextmanager
def run_emulator(
    *,
    engine: TableEngine | str | None = None,
    executor: Executor | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    **config: Any,
) -> Iterator[EmulatorHandle]:
    """Start an emulator on a free port for the ``with`` block.

    :param engine: An engine name (``"fixtures"``, ``"local"``) or an engine instance.
    :param executor: Executor for recognition (a thread pool by default).
    :param host: Interface to listen on (loopback by default).
    :param port: Port; 0 picks a free one.
    :param config: Any ``EmulatorConfig`` setting (``pending_polls=0``, ``faults={...}``...).
    """
    if isinstance(engine, str):
        config["engine"] = engine
        engine = None
    state = EmulatorState(EmulatorConfig.from_kwargs(**config), engine=engine, executor=executor)
    server = _ServerThread(create_app(state=state), host, port)
    server.start()
    server.ready.wait(timeout=CONTROL_TIMEOUT)
    if server.error is not None:
        state.close()
        raise RuntimeError(
            f"The Aspose.OCR emulator could not start on {host}:{port}: {server.error}"
        ) from server.error
    if not server.ready.is_set():
        server.stop()
        raise RuntimeError(
            f"The Aspose.OCR emulator did not start on {host}:{port} within {CONTROL_TIMEOUT} s."
        )
    url = f"http://{host}:{server.port}"
    # The OS hands out ports again; a hook in this process may still cache a token of an earlier
    # emulator at this address, which this one would refuse (401, then a new token).
    TOKEN_CACHE.forget_server(url + TOKEN_PATH)
    try:
        yield EmulatorHandle(state, server.loop, url)
    finally:
        server.stop()


if "pytest" in sys.modules:  # only when loaded by pytest; plain users never import pytest
    import pytest

    @pytest.fixture
    def aspose_ocr_emulator() -> Iterator[EmulatorHandle]:
        """An emulator with the default configuration, for one test."""
        with run_emulator() as emu:
            yield emu

    @pytest.fixture
    def aspose_ocr_connection(
        aspose_ocr_emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
    ) -> Iterator[EmulatorHandle]:
        """The emulator, with ``AIRFLOW_CONN_ASPOSE_OCR_DEFAULT`` pointing at it."""
        monkeypatch.setenv("AIRFLOW_CONN_ASPOSE_OCR_DEFAULT", aspose_ocr_emulator.airflow_conn_json())
        yield aspose_ocr_emulator

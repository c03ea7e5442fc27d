"""One emulator's moving parts in one place: config, clock, tokens, tasks, faults, engine, log.

The HTTP layer (app.py) and the run-time controls (testing.py, the admin routes) both act on this
object, and only from the emulator's event loop, so it needs no locks of its own.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Mapping
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from aspose_ocr_provider.emulator.auth import CredentialGuard, TokenStore
from aspose_ocr_provider.emulator.clock import Clock
from aspose_ocr_provider.emulator.config import EmulatorConfig
from aspose_ocr_provider.emulator.engines import get_engine
from aspose_ocr_provider.emulator.engines.base import RecognitionError, TableEngine
from aspose_ocr_provider.emulator.faults import FaultPlan
from aspose_ocr_provider.emulator.results import render_results
from aspose_ocr_provider.emulator.tasks import Outcome, QueueTiming, TaskStore
from aspose_ocr_provider.models import SUPPORTED_IMAGE_FORMATS, TableSettings, sniff_image_format

log = logging.getLogger(__name__)

REQUEST_LOG_LIMIT = 200_000
"""Request records kept; older ones are dropped so a long-running emulator stays bounded."""


@dataclass(frozen=True)
class RequestRecord:
    """One request as the emulator saw it. Never holds headers, bodies or secrets.

    ``status`` is None for a connection the emulator dropped on purpose.
    """

    method: str
    path: str
    query: dict[str, str]
    status: int | None
    time: float
    endpoint: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "status": self.status,
            "time": self.time,
            "endpoint": self.endpoint,
        }


def recognize_in_thread(engine: TableEngine, image: bytes, settings: TableSettings) -> Outcome:
    """Check the image, run the engine and render results; runs on a worker thread."""
    fmt = sniff_image_format(image)
    if fmt is None or fmt not in SUPPORTED_IMAGE_FORMATS:
        found = (
            "a PDF (use RecognizePdf for PDFs)"
            if fmt == "pdf"
            else f"no known image signature (first bytes {image[:8]!r})"
        )
        return Outcome.failed(
            f"The submitted data is not an image this operation accepts ({', '.join(SUPPORTED_IMAGE_FORMATS)}): "
            f"found {found}."
        )
    try:
        tables = engine.recognize(image, settings)
    except RecognitionError as exc:
        return Outcome.failed(str(exc) or "Recognition failed.")
    except Exception as exc:
        log.exception("Engine %s failed on a %s image", getattr(engine, "name", "?"), fmt)
        return Outcome.failed(
            f"The {getattr(engine, 'name', 'OCR')} engine failed: {type(exc).__name__}: {exc}"
        )
    return Outcome.completed(render_results(tables, settings.result_type_table))


class EmulatorState:
    """The emulator behind the HTTP routes.

    :param config: Start configuration.
    :param engine: An engine instance; by default ``get_engine(config.engine, ...)``.
    :param executor: Where recognition runs; by default a thread pool of ``config.workers``.
    :param clock: The emulator clock (a fresh one by default).
    """

    def __init__(
        self,
        config: EmulatorConfig,
        *,
        engine: TableEngine | None = None,
        executor: Executor | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.config = config
        self.clock = clock or Clock()
        if engine is None:
            options = dict(config.engine_options)
            if config.engine == "fixtures" and config.fixtures_dir is not None:
                options.setdefault("fixtures_dir", config.fixtures_dir)
            engine = get_engine(config.engine, **options)
        self.engine = engine
        self._own_executor = executor is None
        self.executor: Executor = executor or ThreadPoolExecutor(
            max_workers=config.workers, thread_name_prefix="aspose-ocr-emulator-engine"
        )
        self.tokens = TokenStore(self.clock, config.token_ttl, config.revoke_after)
        self.guard = CredentialGuard(self.clock, config.token_failure_limit, config.token_lockout_seconds)
        self.tasks = TaskStore(self.clock, self._timing(config), config.retention)
        self.faults = FaultPlan(dict(config.faults), config.fault_seed, config.task_error_rate)
        self.requests: deque[RequestRecord] = deque(maxlen=REQUEST_LOG_LIMIT)
        self.counts: dict[tuple[str, str], int] = {}
        self.endpoint_counts: dict[str, int] = {}
        self._running: set[asyncio.Future[None]] = set()

    @staticmethod
    def _timing(config: EmulatorConfig) -> QueueTiming:
        return QueueTiming(
            config.pending_polls, config.processing_polls, config.pending_seconds, config.processing_seconds
        )

    def configure(self, changes: Mapping[str, Any]) -> EmulatorConfig:
        """Apply run-time changes (validated as a whole before anything changes)."""
        new = self.config.with_changes(changes)
        self.config = new
        self.tasks.timing = self._timing(new)
        self.tasks.retention = new.retention
        self.tokens.ttl = new.token_ttl
        self.tokens.revoke_after = new.revoke_after
        self.guard.limit = new.token_failure_limit
        self.guard.lockout_seconds = new.token_lockout_seconds
        if "fault_seed" in changes:
            self.faults = FaultPlan(dict(new.faults), new.fault_seed, new.task_error_rate)
        else:
            self.faults.rules = dict(new.faults)
            self.faults.task_error_rate = new.task_error_rate
        return new

    def arrived(self, method: str, path: str, endpoint: str | None) -> None:
        """Count a request as soon as it arrives (a slow or dropped one counts too)."""
        key = (method, path.lower())
        self.counts[key] = self.counts.get(key, 0) + 1
        if endpoint:
            self.endpoint_counts[endpoint] = self.endpoint_counts.get(endpoint, 0) + 1

    def record(self, record: RequestRecord) -> None:
        """Log a request once it has been answered (or dropped)."""
        self.requests.append(record)

    def count(self, method: str, path: str) -> int:
        return self.counts.get((method.upper(), path.split("?", 1)[0].lower()), 0)

    def submit(self, image: bytes, settings: TableSettings) -> str:
        """Accept a task and start recognising it off the event loop; returns the task id."""
        task = self.tasks.create()
        if self.faults.task_fails():
            self.tasks.finish(
                task.id, Outcome.failed("Injected fault: the emulator was told to fail this task.")
            )
            return task.id
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self.executor, recognize_in_thread, self.engine, image, settings)
        wrapped = asyncio.ensure_future(self._finish(task.id, future))
        self._running.add(wrapped)
        wrapped.add_done_callback(self._running.discard)
        return task.id

    async def _finish(self, task_id: str, future: asyncio.Future[Outcome]) -> None:
        try:
            outcome = await future
        except Exception as exc:  # the executor itself failed (e.g. shut down)
            outcome = Outcome.failed(f"The emulator could not run recognition: {type(exc).__name__}: {exc}")
        self.tasks.finish(task_id, outcome)

    async def drain(self) -> None:
        """Wait until every started recognition has finished (used before shutting down)."""
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)

    def stats(self) -> dict[str, Any]:
        return {
            "requests": len(self.requests),
            "endpoints": dict(self.endpoint_counts),
            "counts": {f"{m} {p}": n for (m, p), n in sorted(self.counts.items())},
            "tasks": {
                "submitted": self.tasks.submitted,
                "held": len(self.tasks),
                "by_status": self.tasks.counts(),
            },
            "tokens_issued": self.tokens.issued,
            "clock_offset": self.clock.offset,
            "engine": getattr(self.engine, "name", type(self.engine).__name__),
        }

    def close(self) -> None:
        """Stop waiting for recognitions in flight and release the engine threads."""
        for running in list(self._running):
            running.cancel()
        if self._own_executor:
            self.executor.shutdown(wait=False, cancel_futures=True)


def now_wall() -> float:
    return time.time()

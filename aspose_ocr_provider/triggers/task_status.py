"""Wait in the triggerer until every Aspose.OCR task id has a final status."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from aspose_ocr_provider.exceptions import AsposeOcrError
from aspose_ocr_provider.hooks.aspose_ocr import AsposeOcrAsyncHook
from aspose_ocr_provider.models import TaskResult, TaskStatus

MAX_FAILED_ROUNDS = 3
"""Consecutive poll rounds that may fail (after the hook's own retries) before the wait gives up."""


def backoff_delays(poll_interval: float, max_poll_interval: float, jitter: float = 0.2) -> Any:
    """Endless waits: ``poll_interval`` doubling up to ``max_poll_interval``, each +/- ``jitter``.

    The jitter keeps many sensors released by one scheduler tick from polling in lock-step.
    """
    delay = poll_interval
    rng = random.Random()
    while True:
        yield delay * rng.uniform(1 - jitter, 1 + jitter)
        delay = min(max_poll_interval, delay * 2)


class AsposeOcrTaskTrigger(BaseTrigger):
    """
    Poll Aspose.OCR task ids until each is Completed, Error or NotExist, then fire one event.

    All ids are polled over one HTTP session, at most ``max_concurrency`` requests at a time,
    through the status-only endpoint (``Utilities/GetTaskStatus``), so waiting never downloads
    results. An Error whose status answer carries no messages gets one full GET to fetch them.
    A poll round that fails even after the hook's own retries is tried again next round; only
    ``MAX_FAILED_ROUNDS`` failed rounds in a row end the wait with an ``error`` event.
    The trigger keeps no state it cannot rebuild: re-created from its serialized kwargs after a
    triggerer restart it polls again and fires the same event. Its kwargs hold no secret: the
    hook reads the credentials from the connection at run time.

    The event payload is ``{"status": "done", "tasks": {id: {"status", "messages"}}}``, or
    ``"timeout"`` (with the statuses known so far) once ``end_time`` passes, or ``"error"`` with a
    ``message`` when the service cannot be asked.

    :param ocr_task_ids: The Aspose.OCR task ids to wait for.
    :param aspose_ocr_conn_id: The Aspose.OCR connection to use.
    :param poll_interval: Seconds before the second poll; doubles each round.
    :param max_poll_interval: Cap on the wait between polls, in seconds.
    :param end_time: Unix time after which the trigger gives up with a ``timeout`` event (None: never).
    :param max_concurrency: Most status requests in flight at once.
    """

    def __init__(
        self,
        ocr_task_ids: Sequence[str],
        aspose_ocr_conn_id: str = "aspose_ocr_default",
        poll_interval: float = 5.0,
        max_poll_interval: float = 60.0,
        end_time: float | None = None,
        max_concurrency: int = 16,
    ) -> None:
        super().__init__()
        self.ocr_task_ids = list(ocr_task_ids)
        self.aspose_ocr_conn_id = aspose_ocr_conn_id
        self.poll_interval = float(poll_interval)
        self.max_poll_interval = float(max_poll_interval)
        self.end_time = end_time
        self.max_concurrency = int(max_concurrency)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "ocr_task_ids": self.ocr_task_ids,
                "aspose_ocr_conn_id": self.aspose_ocr_conn_id,
                "poll_interval": self.poll_interval,
                "max_poll_interval": self.max_poll_interval,
                "end_time": self.end_time,
                "max_concurrency": self.max_concurrency,
            },
        )

    async def _poll_one(self, hook: AsposeOcrAsyncHook, task_id: str, gate: asyncio.Semaphore) -> TaskResult:
        async with gate:
            result = await hook.get_status(task_id)
            if result.task_status == TaskStatus.ERROR and not result.messages:
                result = await hook.get_result(task_id)
            return result

    @staticmethod
    def _describe(result: TaskResult) -> dict[str, Any]:
        return {"status": result.task_status.value, "messages": list(result.messages)}

    async def run(self) -> AsyncIterator[TriggerEvent]:
        pending = list(dict.fromkeys(self.ocr_task_ids))
        final: dict[str, dict[str, Any]] = {}
        delays = backoff_delays(self.poll_interval, self.max_poll_interval)
        gate = asyncio.Semaphore(self.max_concurrency)
        failed_rounds = 0
        try:
            async with AsposeOcrAsyncHook(aspose_ocr_conn_id=self.aspose_ocr_conn_id) as hook:
                while True:
                    try:
                        results = await asyncio.gather(*(self._poll_one(hook, t, gate) for t in pending))
                    except AsposeOcrError as exc:
                        # The hook has already retried this request; a wait of hours should not
                        # die of one bad minute, so only several failed rounds in a row count.
                        failed_rounds += 1
                        if failed_rounds >= MAX_FAILED_ROUNDS:
                            raise
                        note = hook.tally.summary()
                        self.log.warning(
                            "Status poll failed (%s); trying again next round%s.",
                            exc,
                            f"; {note}" if note else "",
                        )
                    else:
                        failed_rounds = 0
                        for task_id, result in zip(pending, results, strict=True):
                            if result.task_status.is_final:
                                final[task_id] = self._describe(result)
                        pending = [t for t in pending if t not in final]
                        note = hook.tally.summary()
                        if not pending:
                            if note:
                                self.log.info("Last status round: %s.", note)
                            yield TriggerEvent({"status": "done", "tasks": final})
                            return
                        self.log.info(
                            "%d of %d Aspose.OCR task(s) still running%s.",
                            len(pending),
                            len(self.ocr_task_ids),
                            f"; {note}" if note else "",
                        )
                    delay = next(delays)
                    if self.end_time is not None:
                        left = self.end_time - time.time()
                        if left <= 0:
                            yield TriggerEvent({"status": "timeout", "tasks": final, "pending": pending})
                            return
                        delay = min(delay, left)
                    await asyncio.sleep(delay)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            yield TriggerEvent(
                {
                    "status": "error",
                    "message": f"{type(exc).__name__}: {exc}",
                    "tasks": final,
                    "pending": pending,
                }
            )

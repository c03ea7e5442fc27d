"""Wait until Aspose.OCR Cloud has finished recognising a batch of submitted images."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from configparser import ConfigParser
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aspose_ocr_provider.compat import AirflowSensorTimeout, BaseSensorOperator, PokeReturnValue, conf
from aspose_ocr_provider.exceptions import AsposeOcrError
from aspose_ocr_provider.hooks.aspose_ocr import AsposeOcrHook
from aspose_ocr_provider.models import RETENTION_SECONDS, TaskStatus, task_refs
from aspose_ocr_provider.triggers.task_status import AsposeOcrTaskTrigger

if TYPE_CHECKING:
    from aspose_ocr_provider.compat import Context

_DEFER_GRACE_SECONDS = 60
"""The scheduler's own deferral timeout is set this much later than the trigger's, so the
trigger's worded timeout (naming the ids still running) normally wins."""


def site_default_deferrable() -> bool:
    """``[operators] default_deferrable`` where the site sets it, else True.

    ``conf.getboolean(..., fallback=True)`` is not enough: Airflow ships a default of False for
    that option, so the fallback never applies. Only a value from the environment or the
    site's airflow.cfg (or ``conf.set``) counts as the site's choice.
    """
    section, key = "operators", "default_deferrable"
    if f"AIRFLOW__{section.upper()}__{key.upper()}" in os.environ or ConfigParser.has_option(
        conf, section, key
    ):
        return conf.getboolean(section, key)
    return True


class AsposeOcrTaskSensor(BaseSensorOperator):
    """
    Wait until every given Aspose.OCR task is Completed.

    In deferrable mode (the default, or whatever ``[operators] default_deferrable`` says) the
    wait runs in the triggerer and holds no worker slot; in ``poke`` and ``reschedule`` mode the
    sensor polls from the worker and reaches the same verdict. Polling starts at
    ``poll_interval`` seconds and doubles, with jitter, up to ``max_poll_interval``; ``timeout``
    applies in every mode.

    A task in Error fails the sensor with the API's messages and the image it came from (when
    the ids came as submit records). With ``fail_on_error=False`` the sensor succeeds instead and
    reports the failures in its XCom, for the load step to skip. NotExist (an unknown id, or one
    whose results passed the 24-hour retention) is treated the same way.

    The XCom ``return_value`` is ``{"completed": [ids], "failed": [{"task_id", "status",
    "messages", "source"}]}``.

    .. seealso::
        :class:`~aspose_ocr_provider.operators.submit.AsposeOcrSubmitTableOperator` produces the ids.

    :param ocr_task_ids: Task id(s) to wait for (templated): a string, a list, or the submit
        operator's ``submissions`` records, e.g. ``"{{ ti.xcom_pull(task_ids='submit') }}"``.
    :param aspose_ocr_conn_id: The Aspose.OCR connection to use.
    :param poll_interval: Seconds between the first polls.
    :param max_poll_interval: Cap on the seconds between polls.
    :param deferrable: Wait in the triggerer instead of a worker slot.
    :param fail_on_error: Fail on any Error/NotExist task; if False, succeed and report them.
    :param max_concurrency: Most status requests in flight at once.
    """

    template_fields: Sequence[str] = ("ocr_task_ids",)
    ui_color = "#e9c46a"

    def __init__(
        self,
        *,
        ocr_task_ids: Any,
        aspose_ocr_conn_id: str = "aspose_ocr_default",
        poll_interval: float = 5.0,
        max_poll_interval: float = 60.0,
        deferrable: bool = site_default_deferrable(),
        fail_on_error: bool = True,
        max_concurrency: int = 16,
        **kwargs: Any,
    ) -> None:
        if poll_interval <= 0 or max_poll_interval < poll_interval:
            raise ValueError(
                f"Need 0 < poll_interval <= max_poll_interval, got {poll_interval} and {max_poll_interval}."
            )
        kwargs.setdefault("poke_interval", poll_interval)
        kwargs.setdefault("exponential_backoff", True)
        kwargs.setdefault("max_wait", timedelta(seconds=max_poll_interval))
        super().__init__(**kwargs)
        self.ocr_task_ids = ocr_task_ids
        self.aspose_ocr_conn_id = aspose_ocr_conn_id
        self.poll_interval = poll_interval
        self.max_poll_interval = max_poll_interval
        self.deferrable = deferrable
        self.fail_on_error = fail_on_error
        self.max_concurrency = max_concurrency

    def _ids_and_sources(self) -> tuple[list[str], dict[str, str]]:
        refs = task_refs(self.ocr_task_ids)
        ids = list(dict.fromkeys(ref.task_id for ref in refs))
        if not ids:
            raise AsposeOcrError(
                f"{self.task_id}: no Aspose.OCR task ids to wait for (ocr_task_ids rendered to "
                f"{self.ocr_task_ids!r}); check the upstream submit task's XCom."
            )
        sources: dict[str, str] = {}
        for ref in refs:
            if ref.label:
                sources.setdefault(ref.task_id, ref.label)
        return ids, sources

    def execute(self, context: Context) -> Any:
        if not self.deferrable:
            return super().execute(context)
        ids, _ = self._ids_and_sources()
        end_time = time.time() + self.timeout if self.timeout is not None else None
        self.defer(
            trigger=AsposeOcrTaskTrigger(
                ocr_task_ids=ids,
                aspose_ocr_conn_id=self.aspose_ocr_conn_id,
                poll_interval=self.poll_interval,
                max_poll_interval=self.max_poll_interval,
                end_time=end_time,
                max_concurrency=self.max_concurrency,
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=self.timeout + _DEFER_GRACE_SECONDS)
            if self.timeout is not None
            else None,
        )

    def poke(self, context: Context) -> PokeReturnValue | bool:
        ids, _ = self._ids_and_sources()
        known: dict[str, dict[str, Any]] = getattr(self, "_final", {})
        pending = [t for t in ids if t not in known]
        hook = AsposeOcrHook(aspose_ocr_conn_id=self.aspose_ocr_conn_id)

        def status(task_id: str) -> dict[str, Any]:
            result = hook.get_status(task_id)
            if result.task_status == TaskStatus.ERROR and not result.messages:
                result = hook.get_result(task_id)
            return {"status": result.task_status.value, "messages": list(result.messages)}

        with ThreadPoolExecutor(max_workers=max(1, min(self.max_concurrency, len(pending)))) as pool:
            for task_id, answer in zip(pending, pool.map(status, pending), strict=True):
                if TaskStatus.parse(answer["status"]).is_final:
                    known[task_id] = answer
        self._final = known  # kept between pokes of one try; reschedule mode asks again
        left = len(ids) - len(known)
        note = hook.tally.summary()
        if left:
            self.log.info(
                "%d of %d Aspose.OCR task(s) still running%s.", left, len(ids), f"; {note}" if note else ""
            )
            return False
        if note:
            self.log.info("Last status round: %s.", note)
        return PokeReturnValue(is_done=True, xcom_value=self._conclude(known))

    def unfinished(self) -> list[str]:
        """The ids this sensor's pokes have not yet seen final, for a timeout's message."""
        known = getattr(self, "_final", {})
        return [task_id for task_id in self._ids_and_sources()[0] if task_id not in known]

    def execute_complete(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        """Turn the trigger's event into the sensor's verdict."""
        status = event.get("status")
        if status == "timeout":
            pending = event.get("pending") or []
            raise AirflowSensorTimeout(
                f"{self.task_id}: timed out after {self.timeout} s with {len(pending)} Aspose.OCR task(s) "
                f"not finished: {', '.join(pending[:20])}{' ...' if len(pending) > 20 else ''}."
            )
        if status != "done":
            raise AsposeOcrError(
                f"{self.task_id}: could not check Aspose.OCR task status: {event.get('message')}"
            )
        return self._conclude(event["tasks"])

    def _conclude(self, tasks: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
        ids, sources = self._ids_and_sources()
        completed: list[str] = []
        failed: list[dict[str, Any]] = []
        for task_id in ids:
            answer = tasks[task_id]
            if answer["status"] == TaskStatus.COMPLETED.value:
                completed.append(task_id)
                continue
            messages = list(answer.get("messages") or [])
            if answer["status"] == TaskStatus.NOT_EXIST.value:
                messages += [
                    f"The service does not know this id: it keeps results for {RETENTION_SECONDS // 3600} hours "
                    "after submission, so it expired or was never issued. Re-run the submit task."
                ]
            failed.append(
                {
                    "task_id": task_id,
                    "status": answer["status"],
                    "messages": messages,
                    "source": sources.get(task_id),
                }
            )
        report = {"completed": completed, "failed": failed}
        if failed:
            lines = "\n".join(
                f"  - {f['task_id']} ({f['source'] or 'source unknown'}): {f['status']}: "
                f"{'; '.join(f['messages']) or 'no message from the service'}"
                for f in failed[:20]
            )
            more = f"\n  ... and {len(failed) - 20} more." if len(failed) > 20 else ""
            summary = f"{len(failed)} of {len(ids)} Aspose.OCR task(s) did not complete:\n{lines}{more}"
            if self.fail_on_error:
                raise AsposeOcrError(f"{self.task_id}: {summary}")
            self.log.warning("%s\nContinuing because fail_on_error=False.", summary)
        self.log.info("%d Aspose.OCR task(s) completed.", len(completed))
        return report

"""Submit, wait and load in one task, for runs where the seconds between tasks are the cost."""

from __future__ import annotations

import inspect
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from aspose_ocr_provider.compat import AirflowTaskTimeout, BaseOperator
from aspose_ocr_provider.exceptions import AsposeOcrError
from aspose_ocr_provider.operators.execution_deadline import ExecutionDeadline, min_timeout
from aspose_ocr_provider.operators.load import AsposeOcrTableToSqlOperator
from aspose_ocr_provider.operators.submit import AsposeOcrSubmitTableOperator
from aspose_ocr_provider.sensors.task import AsposeOcrTaskSensor
from aspose_ocr_provider.tables.quarantine import DEFAULT_QUARANTINE_TABLE
from aspose_ocr_provider.triggers.task_status import backoff_delays

if TYPE_CHECKING:
    from airflow.providers.openlineage.extractors import OperatorLineage

    from aspose_ocr_provider.compat import Context

# Set by this operator from its own arguments, so not accepted in submit_kwargs / load_kwargs.
_SHARED = {
    "task_id",
    "images",
    "aspose_ocr_conn_id",
    "warehouse_conn_id",
    "conn_id",
    "table",
    "ocr_task_ids",
    "input_records",
}


def _check_kwargs(
    name: str, kwargs: Mapping[str, Any] | None, operator: type[BaseOperator]
) -> dict[str, Any]:
    """A typo in an option name fails when the DAG is parsed, naming the options there are."""
    if kwargs is None:
        return {}
    if not isinstance(kwargs, Mapping):
        raise TypeError(f"{name} must be a dict of {operator.__name__} options, got {type(kwargs).__name__}.")
    accepted = set(inspect.signature(operator.__init__).parameters) - {"self", "kwargs"} - _SHARED
    unknown = sorted(set(kwargs) - accepted)
    if unknown:
        raise ValueError(
            f"{name} has option(s) {operator.__name__} does not take: {', '.join(unknown)}. "
            f"It takes: {', '.join(sorted(accepted))} (images, connections and table are this operator's own arguments)."
        )
    return dict(kwargs)


class AsposeOcrDocumentsToSqlOperator(BaseOperator):
    """
    Recognise documents and load their tables in one task: the work of
    :class:`~aspose_ocr_provider.operators.submit.AsposeOcrSubmitTableOperator`,
    :class:`~aspose_ocr_provider.sensors.task.AsposeOcrTaskSensor` and
    :class:`~aspose_ocr_provider.operators.load.AsposeOcrTableToSqlOperator`, in that order, with
    the same options and guarantees (only new inputs, never paying twice on a retry, one
    transaction, exactly once per input).

    Made for small runs where latency counts, like the event-driven example DAG's run per few new
    scans: each task of a run costs a task process and a scheduler round, several seconds on a
    small deployment, more than recognising a few pages takes. For large batches keep the three
    tasks: the deferrable sensor frees the worker slot while Aspose.OCR works, and this task holds
    it for the whole wait.

    XComs are the submit operator's (``inputs``, ``submissions``) and, as ``return_value``, the
    load operator's summary. When no input is new the task skips, as the submit operator does.

    :param images: What to recognise (templated), as the submit operator's ``images``, including
        a :class:`~aspose_ocr_provider.documents.events.TriggeringDocuments`.
    :param conn_id: The common-sql connection of the warehouse (templated): checked before the
        first POST, used for ``incremental`` and for the load.
    :param table: The target table, ``table`` or ``schema.table`` (templated).
    :param aspose_ocr_conn_id: The Aspose.OCR connection to use.
    :param submit_kwargs: Further submit operator options (templated), e.g. ``{"language":
        "German", "incremental": True, "on_bad_input": "skip"}``. A name the submit operator does
        not take fails when the DAG is parsed.
    :param load_kwargs: Further load operator options (templated), e.g. ``{"schemas": [...],
        "on_bad_data": "quarantine"}``. ``mode`` defaults to ``"idempotent"``. With
        ``skip_failed=True``, a recognition that ends in Error is skipped instead of failing the
        task, here as in the load operator. With ``schemas``, give the first declared table as
        ``table``; the submit step is told the others and the quarantine table
        (``other_tables``, ``quarantine_table``, unless ``submit_kwargs`` sets them).
    :param poll_interval: Seconds before the second status round; doubles, with jitter, up to
        ``max_poll_interval``.
    :param max_poll_interval: Cap on the seconds between status rounds.
    :param wait_timeout: Seconds to wait for the recognitions before failing, naming those not
        finished (their ids stay reusable by a retry, which pays for nothing again).
    """

    template_fields: Sequence[str] = ("images", "conn_id", "table", "submit_kwargs", "load_kwargs")
    template_fields_renderers = {"submit_kwargs": "json", "load_kwargs": "json"}
    ui_color = "#f4a261"

    def __init__(
        self,
        *,
        images: Any,
        conn_id: str,
        table: str,
        aspose_ocr_conn_id: str = "aspose_ocr_default",
        submit_kwargs: Mapping[str, Any] | None = None,
        load_kwargs: Mapping[str, Any] | None = None,
        poll_interval: float = 1.0,
        max_poll_interval: float = 30.0,
        wait_timeout: float = 3600.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if poll_interval <= 0 or max_poll_interval < poll_interval:
            raise ValueError(
                f"Need 0 < poll_interval <= max_poll_interval, got {poll_interval} and {max_poll_interval}."
            )
        if wait_timeout <= 0:
            raise ValueError(f"wait_timeout must be a positive number of seconds, got {wait_timeout!r}.")
        self.images = images
        self.conn_id = conn_id
        self.table = table
        self.aspose_ocr_conn_id = aspose_ocr_conn_id
        self.submit_kwargs = _check_kwargs("submit_kwargs", submit_kwargs, AsposeOcrSubmitTableOperator)
        self.load_kwargs = _check_kwargs("load_kwargs", load_kwargs, AsposeOcrTableToSqlOperator)
        self.poll_interval = poll_interval
        self.max_poll_interval = max_poll_interval
        self.wait_timeout = wait_timeout
        self._submit: AsposeOcrSubmitTableOperator | None = None
        self._load: AsposeOcrTableToSqlOperator | None = None

    def execute(self, context: Context) -> dict[str, Any]:
        # The parts are built here, from the rendered arguments, outside any DAG: built in
        # __init__ they would join the DAG being parsed as tasks of their own.
        self._load = None
        timeout = ExecutionDeadline.armed()  # before any work: see execution_deadline
        self._submit = AsposeOcrSubmitTableOperator(
            task_id=self.task_id,
            images=self.images,
            aspose_ocr_conn_id=self.aspose_ocr_conn_id,
            warehouse_conn_id=self.conn_id,
            table=self.table,
            **{**self._declared_tables(), **self.submit_kwargs},
        )
        # Skips the task when nothing is new. The ids stay in the submission ledger until the rows
        # are committed: a retry of this task submits again, and must reuse them, not pay twice.
        self._submit.submit_inputs(context, keep_ids=True)
        submissions = self._submit.submissions_pushed
        load_options = {"mode": "idempotent", **self.load_kwargs}
        try:
            self._wait(
                context,
                submissions,
                fail_on_error=not load_options.get("skip_failed", False),
                timeout=timeout,
            )
        except AirflowTaskTimeout:
            self._submit.keep_ids_on_kill()
            raise
        self._load = AsposeOcrTableToSqlOperator(
            task_id=self.task_id,
            ocr_task_ids=submissions,
            conn_id=self.conn_id,
            table=self.table,
            aspose_ocr_conn_id=self.aspose_ocr_conn_id,
            input_records=self._submit.inputs_pushed,
            **load_options,
        )
        summary = self._load.load_results(context)
        self._submit.forget_ids()
        return summary

    def _declared_tables(self) -> dict[str, Any]:
        """With declared ``schemas``, the submit step's view of every table the load writes: an
        input whose rows went to another declared table or wait in the quarantine is loaded, so a
        re-run neither pays for it again nor undoes a reviewer's corrections."""
        schemas = self.load_kwargs.get("schemas") or ()
        if not schemas:
            return {}
        options: dict[str, Any] = {"other_tables": [s.table for s in schemas if s.table != self.table]}
        if self.load_kwargs.get("on_bad_data", "quarantine") == "quarantine":
            options["quarantine_table"] = self.load_kwargs.get("quarantine_table", DEFAULT_QUARANTINE_TABLE)
        return options

    def _wait(
        self, context: Context, submissions: Any, *, fail_on_error: bool, timeout: ExecutionDeadline
    ) -> None:
        """Poll in this process until every recognition is final, as the sensor's poke mode does."""
        sensor = AsposeOcrTaskSensor(
            task_id=self.task_id,
            ocr_task_ids=submissions,
            aspose_ocr_conn_id=self.aspose_ocr_conn_id,
            poll_interval=self.poll_interval,
            max_poll_interval=self.max_poll_interval,
            deferrable=False,
            fail_on_error=fail_on_error,
        )
        deadline = time.monotonic() + self.wait_timeout
        for delay in backoff_delays(self.poll_interval, self.max_poll_interval):
            timeout.check()  # an execution_timeout whose exception was lost
            if sensor.poke(context):
                return
            if time.monotonic() + delay > deadline:
                pending = sensor.unfinished()
                raise AsposeOcrError(
                    f"{self.task_id}: {len(pending)} Aspose.OCR task(s) not finished after {self.wait_timeout:g} s: "
                    f"{', '.join(pending[:20])}{' ...' if len(pending) > 20 else ''}. A retry reuses their ids; "
                    "raise wait_timeout if the service is this slow."
                )
            time.sleep(min_timeout(delay, timeout.wake_in()) or delay)

    def on_kill(self) -> None:
        if self._submit is not None:
            self._submit.on_kill()

    def _lineage_of(self, method: str, task_instance: Any) -> OperatorLineage:
        """The lineage of the part that ran last: the load (images in, tables out), else the submit."""
        part: Any = self._load or self._submit
        if part is None:
            from aspose_ocr_provider.lineage import LineageNotes, operator_lineage

            return operator_lineage(LineageNotes())
        return getattr(part, method)(task_instance)

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> OperatorLineage:
        """The images read and the tables written, with their columns and rows."""
        return self._lineage_of("get_openlineage_facets_on_complete", task_instance)

    def get_openlineage_facets_on_failure(self, task_instance: Any) -> OperatorLineage:
        """What the failed part was given; nothing was written (one transaction)."""
        return self._lineage_of("get_openlineage_facets_on_failure", task_instance)

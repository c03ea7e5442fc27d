"""A person corrects what recognition could not read: the quarantine review step (Airflow 3.1+).

A declared load withholds a row when a cell does not read as its column's type (``12,5O`` in a
decimal column) and keeps it in the quarantine table. This step, run after the load, asks a person
in the Airflow UI ("Required actions", or the REST API the UI calls) about every withheld row still
waiting: they type the values the image shows, or reject the row. Their answers are held to the
declared types and written in one transaction (see
:mod:`aspose_ocr_provider.warehouse.quarantine_review`); nothing is sent to the OCR service again.

It is built on the standard provider's :class:`~airflow.providers.standard.operators.hitl.HITLOperator`:
the question's fields are made per run from what waits, so the question is written when the step
runs, and the answer is matched back to the rows by each row's :attr:`WithheldRow.key`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

import airflow

from aspose_ocr_provider.compat import HITL_AVAILABLE, BaseOperator, HITLOperator
from aspose_ocr_provider.exceptions import AsposeOcrError
from aspose_ocr_provider.tables.provenance import IDENTITY_KEYS, ProvenanceSpec, provenance_columns
from aspose_ocr_provider.tables.quarantine import DEFAULT_QUARANTINE_TABLE
from aspose_ocr_provider.tables.schema import TableSchema
from aspose_ocr_provider.tables.withheld_rows import WithheldRow
from aspose_ocr_provider.warehouse.connection import warehouse_hook
from aspose_ocr_provider.warehouse.quarantine_review import Answer, apply_answers, pending_rows

if TYPE_CHECKING:
    from aspose_ocr_provider.compat import Context

QUESTION_XCOM = "review_question"
QUESTION_KEY, CONCLUDED_KEY = "review_question", "review_concluded"
"""Task state store keys (3.3+, kept across tries): the try that last asked (and how many rows),
and the last try whose question an answer, "Later" or the time limit concluded."""
APPLY = "Apply answers"
LATER = "Later"
CORRECT, REJECT, WAIT = "correct", "reject", "later"
DECISIONS = {
    CORRECT: "Load the row with the values below",
    REJECT: "Reject the row (it never loads)",
    WAIT: "Leave it in quarantine for now",
}

_Base: Any = HITLOperator if HITL_AVAILABLE else BaseOperator


def decision_field(row: WithheldRow) -> str:
    """The question's field holding what to do with ``row`` (``correct``, ``reject``, ``later``)."""
    return f"{row.key}_action"


def value_field(row: WithheldRow, column: str) -> str:
    """The question's field holding the value entered for ``row``'s cell in ``column``."""
    return f"{row.key}_value_{column}"


SUMMARY_WORDS = re.compile(r"\b(sub-?total|total|totals|sum|balance|grand total|amount due|carried forward)\b", re.I)
"""Words of a summary line (``TOTAL DUE``, ``Subtotal``): such a row is rarely a row to load."""


def is_summary_row(row: WithheldRow) -> bool:
    """A total or subtotal line of the table rather than one of its rows."""
    return any(SUMMARY_WORDS.search(str(text)) for text in row.cells.values() if text)


def suggested_decision(row: WithheldRow) -> str | None:
    """The action the form chooses for ``row``: ``correct``, or none when pressing Apply as-is must
    not load it (a summary line, or an empty required cell: nothing was read to correct)."""
    if is_summary_row(row) or any(not (p.raw_text or "").strip() for p in row.problems):
        return None
    return CORRECT


def recognised(text: str | None) -> str:
    """The recognised text as the form quotes it; an empty cell is said in words, never ``None``."""
    return repr(text) if text and text.strip() else "nothing (the cell is empty)"


def answered_rows(params_input: Mapping[str, Any]) -> set[str]:
    """The row keys an answer's field names refer to (``<row>_action``, ``<row>_value_<column>``)."""
    keys = set()
    for name in params_input:
        if name.endswith("_action"):
            keys.add(name.removesuffix("_action"))
        elif "_value_" in name:
            keys.add(name.split("_value_", 1)[0])
    return keys


def timeout_of(value: timedelta | float | str | None) -> timedelta | None:
    """A time limit given as a ``timedelta`` or as seconds (a number, or text once rendered)."""
    if value is None or isinstance(value, timedelta):
        return value
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"response_timeout must be a timedelta or a number of seconds, got {value!r}."
        ) from None
    if not seconds > 0:
        raise ValueError(f"response_timeout must be more than 0 seconds, got {value!r}.")
    return timedelta(seconds=seconds)


class AsposeOcrQuarantineReviewOperator(_Base):
    """
    Ask a person to correct or reject the rows a declared load withheld, then load the corrections.

    Run it after :class:`~aspose_ocr_provider.operators.load.AsposeOcrTableToSqlOperator` with the
    same ``schemas``, ``conn_id``, ``quarantine_table`` and ``provenance``. When no withheld row
    waits, it succeeds at once and asks nothing. Otherwise it asks, in the Airflow UI's "Required
    actions" (or through the REST API), about each waiting row: its source file and page, its cells
    as recognised, the declared column and type of each problem cell and the reason. The person
    enters the values the image shows, or rejects the row, and presses "Apply answers".

    Corrected rows are parsed as the declared types and written to their tables in one transaction
    with the provenance of any load (same identity columns: a later reload of the image replaces
    them), and their quarantine records get ``resolution = 'resolved'`` (or ``'rejected'``),
    ``answered_by``, ``answered_at`` and ``answered_value``. A value that still does not read is
    refused: the row stays in quarantine with the reason in ``answer_note`` and in the step's log
    and return value, and the next review asks again. Without an answer by ``response_timeout``
    the step succeeds, changing nothing: the rows wait for the next run's review, together with
    whatever that run's load sets aside.

    Returns (XCom ``return_value``) ``{"asked", "waiting", "answered", "timed_out", "resolved",
    "rejected", "refused", "gone", "undecided", "unknown", "rows_per_table"}``; rows are named by
    file, page, table and row; ``unknown`` lists the row keys an answer named that no waiting row
    has. An answer that arrives while Airflow retries the step is applied by the retry.

    Needs Airflow 3.1 or newer (human-in-the-loop tasks); on Airflow 3.0 making it raises an error
    saying so.

    :param conn_id: The load's common-sql warehouse connection (templated).
    :param schemas: The load's declared tables (:class:`~aspose_ocr_provider.tables.schema.TableSchema`);
        corrections are parsed with their column types.
    :param quarantine_table: The load's quarantine table (templated).
    :param provenance: The load's ``provenance`` (True, or the same renames); the identity columns
        are needed so a reload replaces corrected rows.
    :param max_rows: Most rows asked about at once (default 20), so the form stays one a person can
        answer; the others wait for the next review.
    :param response_timeout: How long to wait for an answer (default one day): a ``timedelta``,
        or seconds as a number or text (templated: ``"{{ params.review_hours * 3600 }}"``); None
        waits until answered. Then the step ends without failing and the rows stay in quarantine.
    :param subject: The question's headline in "Required actions" (templated).
    :param kwargs: The standard provider's ``HITLOperator`` arguments (``notifiers``,
        ``assigned_users``) and any ``BaseOperator`` argument.
    """

    template_fields: Sequence[str] = ("conn_id", "quarantine_table", "subject", "body", "response_timeout")
    subject: str
    body: str | None
    response_timeout: timedelta | float | str | None
    ui_color = "#e9c46a"

    def __init__(
        self,
        *,
        conn_id: str,
        schemas: Sequence[TableSchema],
        quarantine_table: str = DEFAULT_QUARANTINE_TABLE,
        provenance: ProvenanceSpec = True,
        max_rows: int = 20,
        response_timeout: timedelta | float | str | None = timedelta(days=1),
        subject: str = "Correct the values OCR could not read",
        **kwargs: Any,
    ) -> None:
        if not HITL_AVAILABLE:
            raise AsposeOcrError(
                f"AsposeOcrQuarantineReviewOperator needs Airflow 3.1 or newer (human-in-the-loop tasks); "
                f"this is Airflow {airflow.__version__}. Leave the review step out on this version (withheld "
                f"rows stay in {quarantine_table}, where a query finds them) or upgrade Airflow."
            )
        schemas = list(schemas or [])
        if not schemas or not all(isinstance(s, TableSchema) for s in schemas):
            raise ValueError("schemas must be the load's non-empty list of TableSchema(table, columns=[...]).")
        if not isinstance(max_rows, int) or isinstance(max_rows, bool) or max_rows < 1:
            raise ValueError(f"max_rows must be a whole number >= 1, got {max_rows!r}.")
        if not isinstance(response_timeout, str) or "{" not in response_timeout:
            response_timeout = timeout_of(response_timeout)
        prov = provenance_columns(provenance)
        if not all(k in prov for k in IDENTITY_KEYS):
            raise ValueError(
                f"The review writes corrected rows with the identity columns {', '.join(IDENTITY_KEYS)} "
                "(so a reload replaces them); keep them in provenance."
            )
        super().__init__(
            subject=subject,
            options=[APPLY, LATER],
            response_timeout=response_timeout,
            **kwargs,
        )
        self.conn_id = conn_id
        self.schemas = schemas
        self.quarantine_table = quarantine_table
        self.provenance = provenance
        self.max_rows = max_rows

    # -- asking --------------------------------------------------------------------------------

    def execute(self, context: Context) -> Any:
        self.response_timeout = timeout_of(self.response_timeout)
        self._wait_on_the_earlier_question(context)
        rows = pending_rows(warehouse_hook(self.conn_id), self.quarantine_table, [s.table for s in self.schemas])
        if not rows:
            self.log.info("No withheld row waits in %s: nothing to review.", self.quarantine_table)
            return _result(asked=0, waiting=0)
        asked = rows[: self.max_rows]
        if len(rows) > len(asked):
            self.log.info(
                "%d withheld rows wait in %s; asking about the first %d (max_rows), the others at the next review.",
                len(rows),
                self.quarantine_table,
                len(asked),
            )
        self._install_question(asked, len(rows))
        # Read back after the wait (a new process, the same try: XComs are kept across it).
        context["ti"].xcom_push(key=QUESTION_XCOM, value={"asked": len(asked), "waiting": len(rows)})
        store = _store(context)
        if store is not None:  # kept across tries (3.3+): a retry knows this try asked
            question = {"try": context["ti"].try_number, "asked": len(asked), "waiting": len(rows)}
            store.set(QUESTION_KEY, question)
        self.log.info("Asking about %d withheld row(s), first: %s", len(asked), asked[0].describe())
        return super().execute(context)

    def _install_question(self, rows: Sequence[WithheldRow], waiting: int) -> None:
        from airflow.sdk import Param
        from airflow.sdk.definitions.param import ParamsDict

        columns = {s.table: {c.name: c for c in s.columns} for s in self.schemas}
        fields: dict[str, Any] = {}
        # No form sections: the UI repeats the question's text above each one.
        for number, row in enumerate(rows, start=1):
            preset = suggested_decision(row)
            why = "" if preset else " (no action chosen for you: a total line, or a required value is missing)"
            fields[decision_field(row)] = Param(
                preset,
                type=["string", "null"],
                enum=[*DECISIONS, None],
                values_display=DECISIONS,
                title=f"Row {number}: what to do",
                description=row.describe() + why,
            )
            for problem in row.problems:
                column = columns[row.target_table].get(problem.column)
                kind = column.type if column is not None else "text"
                fields[value_field(row, problem.column)] = Param(
                    problem.raw_text or "",
                    type=["string", "null"],
                    title=f"Row {number}: {problem.column} ({kind})",
                    description=f"Recognised {recognised(problem.raw_text)}: {problem.reason}",
                )
        self.params = ParamsDict(fields)
        self.body = question_body(rows, columns, waiting, self.quarantine_table)
        self.subject = f"{self.subject}: {len(rows)} row(s)"

    # -- the answer ----------------------------------------------------------------------------

    def validate_params_input(self, params_input: Mapping[str, Any]) -> None:
        """Answers are matched to the rows still waiting by their fields' names (see
        :func:`decision_field`); the question's fields are not known again after the wait."""
        for key, value in params_input.items():
            if value is not None and not isinstance(value, str):
                raise ValueError(f"The answer to {key!r} must be text, got {type(value).__name__}.")

    def _wait_on_the_earlier_question(self, context: Context) -> None:
        """On a retry, wait on the question an earlier try asked if nothing concluded it.

        On Airflow 3.3 an answer sent within about a second of the question can re-queue the task
        before the scheduler has processed the end of the try that asked; the scheduler then takes
        that try for one killed from outside ("state mismatch") and retries the step. The question
        and its answer stay with the task instance from try to try, but asking again would reset
        the answer (Airflow keeps one answer per question). So a retry whose earlier try asked and
        never concluded (applied an answer, heard "Later", or timed out) does not ask: it defers
        to the standard provider's trigger, which reads the stored answer (or waits for one) and
        resumes the step with it. The trigger, not the ``awaiting_input`` state, because a
        task's own process cannot read an answer on 3.3 and parking with one resumes at once,
        into the same race. A step cleared after its answer was applied asks again.
        """
        store = _store(context)
        ti = context["ti"]
        question = store.get(QUESTION_KEY) if store is not None else None
        if not question or ti.try_number <= question["try"] or store.get(CONCLUDED_KEY) == question["try"]:
            return
        from airflow.providers.standard.triggers.hitl import HITLTrigger
        from airflow.sdk.timezone import utcnow

        self.log.info(
            "Try %d asked about %d row(s) and nothing concluded it (an answer may have come while Airflow "
            "retried the step): waiting on that question, whose answer, if given, is applied now.",
            question["try"],
            question["asked"],
        )
        timeout = timeout_of(self.response_timeout)
        self.defer(
            trigger=HITLTrigger(
                ti_id=ti.id,
                options=self.options,
                params={},
                defaults=None,
                multiple=False,
                timeout_datetime=utcnow() + timeout if timeout else None,
            ),
            method_name="execute_complete",
        )

    def _conclude(self, context: Context) -> None:
        """Record that the question asked has been concluded (a retry or a clear asks again)."""
        store = _store(context)
        question = store.get(QUESTION_KEY) if store is not None else None
        if question:
            store.set(CONCLUDED_KEY, question["try"])

    def execute_complete(self, context: Context, event: dict[str, Any]) -> Any:
        # Unanswered in time: the 3.3 scheduler and the 3.1/3.2 trigger both send a timeout error
        # (no defaults are set, so no default answer is ever applied); the rows keep waiting.
        if event.get("error_type") == "timeout" or event.get("timedout"):
            self.log.warning(
                "No answer within %s: every withheld row stays in %s and the next review asks again.",
                self.response_timeout,
                self.quarantine_table,
            )
            self._conclude(context)
            return _result(**self._question(context), timed_out=True)
        answer = super().execute_complete(context=context, event=event)
        if LATER in answer["chosen_options"]:
            self.log.info("Answered %r: every withheld row stays in %s.", LATER, self.quarantine_table)
            self._conclude(context)
            return _result(**self._question(context), answered=True)
        hook = warehouse_hook(self.conn_id)
        given = answer.get("params_input") or {}
        answers = []
        pending = pending_rows(hook, self.quarantine_table, [s.table for s in self.schemas])
        undecided = []
        for row in pending:
            decision = given.get(decision_field(row))
            if decision == REJECT:
                answers.append(Answer(row, "reject"))
            elif decision == CORRECT:
                values = {p.column: given.get(value_field(row, p.column)) for p in row.problems}
                answers.append(Answer(row, "correct", values))
            elif decision is None and row.key in answered_rows(given):
                undecided.append(row.describe())
        # Fields naming no waiting row: a typo, a row answered meanwhile, or a question of another run.
        unknown = sorted(answered_rows(given) - {row.key for row in pending})
        user = answer.get("responded_by_user") or {}
        answered_at = answer.get("responded_at") or datetime.now(UTC)
        ti = context["ti"]
        outcome = apply_answers(
            hook,
            self.quarantine_table,
            self.schemas,
            answers,
            answered_by=str(user.get("name") or user.get("id") or "unknown"),
            answered_at=answered_at,
            provenance=provenance_columns(self.provenance),
            run_values={
                "dag_run_id": context["run_id"],
                "loaded_by": f"{ti.dag_id}.{ti.task_id}",
                "loaded_at": datetime.now(UTC),
            },
        )
        for where, reason in outcome.refused.items():
            self.log.warning("Refused the answer about %s: %s. The row stays in quarantine.", where, reason)
        for where in outcome.gone:
            self.log.warning("%s was no longer waiting (answered or reloaded meanwhile); answer not applied.", where)
        for where in undecided:
            self.log.warning("No action chosen for %s: it stays in quarantine for the next review.", where)
        if unknown:
            self.log.warning(
                "The answer names %d row(s) that do not wait in %s (%s): nothing applied for them. "
                "Field names are <row>_action and <row>_value_<column> of the question asked.",
                len(unknown),
                self.quarantine_table,
                ", ".join(unknown),
            )
        self.log.info(
            "Review applied: %d row(s) loaded (%s), %d rejected, %d refused, %d undecided, %d unknown.",
            len(outcome.resolved),
            ", ".join(f"{t}: {n}" for t, n in outcome.rows_per_table.items()) or "none",
            len(outcome.rejected),
            len(outcome.refused),
            len(undecided),
            len(unknown),
        )
        self._conclude(context)
        return _result(
            **self._question(context), answered=True, **outcome.as_dict(), undecided=undecided, unknown=unknown
        )

    def _question(self, context: Context) -> dict[str, Any]:
        """How many rows the question asked about, of how many waiting."""
        asked = context["ti"].xcom_pull(task_ids=self.task_id, key=QUESTION_XCOM)
        if not asked:  # asked by an earlier try (XComs go with their try)
            store = _store(context)
            asked = (store.get(QUESTION_KEY) if store is not None else None) or {}
        return {"asked": asked.get("asked"), "waiting": asked.get("waiting")}


def _store(context: Context) -> Any:
    """The task's state store (Airflow 3.3+), kept across tries; None before 3.3."""
    return cast("Mapping[str, Any]", context).get("task_state_store")


def _result(**values: Any) -> dict[str, Any]:
    """The step's return value: every key present, whatever happened."""
    result: dict[str, Any] = {
        "asked": 0,
        "waiting": 0,
        "answered": False,
        "timed_out": False,
        "resolved": [],
        "rejected": [],
        "refused": {},
        "gone": [],
        "undecided": [],
        "unknown": [],
        "rows_per_table": {},
    }
    result.update(values)
    return result


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+!|>~-])")


def _md(text: Any) -> str:
    """OCR text shown as itself in Markdown: no emphasis, links or tables made of it."""
    return _MARKDOWN.sub(r"\\\1", html.escape(str(text), quote=False)).replace("\n", " ")


def question_body(
    rows: Sequence[WithheldRow], columns: Mapping[str, Mapping[str, Any]], waiting: int, quarantine_table: str
) -> str:
    """The question as a person reads it (Markdown): per row, where it is, its cells and the problems."""
    more = f" ({waiting - len(rows)} more wait for the next review)" if waiting > len(rows) else ""
    parts = [
        f"OCR could not read {len(rows)} row(s){more}, so they were withheld in {_md(quarantine_table)}. "
        "For each row, type the values the image shows (or reject the row), then press "
        f"**{APPLY}**. Corrections are checked against the declared column types; nothing is "
        "sent to the OCR service again."
    ]
    for number, row in enumerate(rows, start=1):
        page = f", page {row.page}" if row.page is not None else ""
        parts.append(
            f"### Row {number}: {_md(row.source)}{page}\n\n"
            f"Table {row.source_table or 1}, row {row.source_row}, going to **{_md(row.target_table)}**."
        )
        if row.cells:
            headers = " | ".join(_md(h) for h in row.cells)
            cells = " | ".join(_md(v) if v is not None else "" for v in row.cells.values())
            rule = " | ".join("---" for _ in row.cells)
            parts.append(f"Cells as recognised:\n\n| {headers} |\n| {rule} |\n| {cells} |")
        problems = ["| column | type | recognised | reason |", "| --- | --- | --- | --- |"]
        for problem in row.problems:
            column = columns.get(row.target_table, {}).get(problem.column)
            kind = getattr(column, "type", "text")
            raw = _md(problem.raw_text) if problem.raw_text is not None else "(empty)"
            problems.append(f"| {_md(problem.column)} | {kind} | {raw} | {_md(problem.reason)} |")
        parts.append("\n".join(problems))
        if row.note:
            parts.append(f"Last answer: {_md(row.note)}")
    return "\n\n".join(parts)

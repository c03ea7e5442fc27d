"""The quarantine table's review: which withheld rows wait for a person, and applying their answers.

A load writes quarantine records; a review reads those of withheld rows that nobody has answered
yet and, once a person answered, writes in **one transaction** the corrected rows into their
declared tables (with the same provenance as any load, so a later reload of that image replaces
them like any other row) and the answer into the records: ``resolution`` (``resolved`` or
``rejected``; NULL while the row waits), ``answered_by``, ``answered_at``, ``answered_value`` (the
text entered for that cell) and ``answer_note`` (why an answer was refused). The columns are added
to the quarantine table the first time a review writes.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from aspose_ocr_provider.tables.provenance import IDENTITY_KEYS
from aspose_ocr_provider.tables.quarantine import QUARANTINE_COLUMNS
from aspose_ocr_provider.tables.schema import TableSchema, typed_frame
from aspose_ocr_provider.tables.withheld_rows import Problem, WithheldRow, corrected_row
from aspose_ocr_provider.warehouse.batch import TableBatch
from aspose_ocr_provider.warehouse.writer import StreamedLoad, TableWriter, Target

log = logging.getLogger(__name__)

RESOLVED = "resolved"
REJECTED = "rejected"

RESOLUTION_COLUMNS: dict[str, str] = {
    "resolution": "text",
    "answered_by": "text",
    "answered_at": "timestamp",
    "answered_value": "text",
    "answer_note": "text",
}
"""Column -> kind of the answer fields a review adds to the quarantine table."""

_READ = tuple(c for c in QUARANTINE_COLUMNS if c != "header_text")
"""The quarantine columns a review reads (the header text is in ``row_text`` already)."""


@dataclass(frozen=True)
class Answer:
    """A person's answer about one withheld row.

    :param decision: ``"correct"`` (load the row with ``values``) or ``"reject"`` (never load it).
    :param values: ``{declared column: text entered}`` for the row's problem cells.
    """

    row: WithheldRow
    decision: Literal["correct", "reject"]
    values: Mapping[str, str | None] = field(default_factory=dict)


@dataclass
class ReviewOutcome:
    """What applying the answers did, row by row (rows named by :meth:`WithheldRow.describe`)."""

    resolved: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    """Rows whose corrected values still do not read -> the reason; they stay in quarantine."""
    gone: list[str] = field(default_factory=list)
    """Rows answered that were no longer waiting (answered elsewhere, or reloaded meanwhile)."""
    rows_per_table: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "resolved": self.resolved,
            "rejected": self.rejected,
            "refused": self.refused,
            "gone": self.gone,
            "rows_per_table": self.rows_per_table,
        }


def pending_rows(hook: Any, quarantine_table: str, tables: Sequence[str]) -> list[WithheldRow]:
    """The withheld rows of ``tables`` nobody answered yet, oldest source first.

    An empty list when the quarantine table does not exist yet.
    """
    writer = TableWriter(hook, quarantine_table)
    conn = hook.get_conn()
    try:
        cur = conn.cursor()
        try:
            return _pending(cur, writer, tables)
        finally:
            cur.close()
    finally:
        conn.close()


def _pending(cur: Any, writer: TableWriter, tables: Sequence[str]) -> list[WithheldRow]:
    columns = writer.existing_columns(cur)
    if columns is None or not tables:
        return []
    missing = [c for c in _READ if c not in columns]
    if missing:
        raise ValueError(
            f"{writer.table} has no column(s) {', '.join(missing)}: it is not a quarantine table a "
            "declared load wrote. Name the load's quarantine_table."
        )
    q = writer.dialect.quote
    ph = writer.placeholder
    noted = "answer_note" in columns
    select = ", ".join(q(c) for c in (*_READ, *(["answer_note"] if noted else [])))
    waiting = f" AND {q('resolution')} IS NULL" if "resolution" in columns else ""
    order = ", ".join(q(c) for c in ("source", "page", "source_table", "source_row", "column_name"))
    cur.execute(
        f"SELECT {select} FROM {writer.qtable} WHERE {q('source_row')} IS NOT NULL "  # noqa: S608 - names quoted, values bound
        f"AND {q('target_table')} IN ({', '.join([ph] * len(tables))}){waiting} ORDER BY {order}",
        list(tables),
    )
    grouped: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    for record in cur.fetchall():
        grouped.setdefault(tuple(record[:7]), []).append(tuple(record))
    rows = []
    for identity, records in grouped.items():
        target, source, sha256, page, task_id, table, row = identity
        first = records[0]
        cells = json.loads(first[10]) if first[10] else {}
        notes = sorted({r[11] for r in records if noted and r[11]})
        rows.append(
            WithheldRow(
                target_table=str(target),
                source=str(source),
                sha256=sha256,
                page=None if page is None else int(page),
                ocr_task_id=task_id,
                source_table=None if table is None else int(table),
                source_row=int(row),
                cells=cells,
                problems=tuple(Problem(str(r[7]), r[8], str(r[9])) for r in records),
                note="; ".join(notes) or None,
            )
        )
    return rows


def apply_answers(
    hook: Any,
    quarantine_table: str,
    schemas: Sequence[TableSchema],
    answers: Sequence[Answer],
    *,
    answered_by: str,
    answered_at: dt.datetime,
    provenance: Mapping[str, str],
    run_values: Mapping[str, Any],
) -> ReviewOutcome:
    """Write the answers, all in one transaction.

    Rows are checked to be still waiting inside the transaction (the quarantine table is locked),
    so an answer never loads a row twice, nor a row a reload replaced meanwhile.

    :param provenance: ``{key: column}`` of the target tables' provenance columns (those of the
        load); the identity columns are required.
    :param run_values: ``dag_run_id``, ``loaded_by`` and ``loaded_at`` of the review.
    """
    missing = [k for k in IDENTITY_KEYS if k not in provenance]
    if missing:
        raise ValueError(
            f"A review writes corrected rows with their identity columns ({', '.join(IDENTITY_KEYS)}), "
            f"so a reload replaces them; the provenance given lacks {', '.join(missing)}."
        )
    by_table = {s.table: s for s in schemas}
    outcome = ReviewOutcome()
    if not answers:
        return outcome
    quarantine = TableWriter(hook, quarantine_table)
    targets = {
        s.table: TableWriter(hook, s.table, mode="append", declared=s.kinds(), sql_types=s.sql_types())
        for s in schemas
        if any(a.row.target_table == s.table and a.decision == "correct" for a in answers)
    }
    with StreamedLoad([quarantine, *targets.values()]) as load:
        cur = load.cursor
        _add_answer_columns(cur, quarantine)
        waiting = {r.key for r in _pending(cur, quarantine, sorted(by_table))}
        batches: dict[str, list[TableBatch]] = {}
        for answer in answers:
            row = answer.row
            where = row.describe()
            if row.key not in waiting:
                outcome.gone.append(where)
                continue
            if answer.decision == "reject":
                _mark(cur, quarantine, row, answer, REJECTED, answered_by, answered_at)
                outcome.rejected.append(where)
                continue
            schema = by_table[row.target_table]
            values, refused = corrected_row(schema, row, answer.values)
            if values is None:
                reason = "; ".join(f"{value!r}: {why}" for value, why in _refusals(answer, refused))
                _mark(cur, quarantine, row, answer, None, answered_by, answered_at, note=f"answer refused: {reason}")
                outcome.refused[where] = reason
                continue
            batches.setdefault(row.target_table, []).append(_batch(schema, row, values, provenance, run_values))
            _mark(cur, quarantine, row, answer, RESOLVED, answered_by, answered_at)
            outcome.resolved.append(where)
        written: list[Target] = [(targets[t], b) for t, b in batches.items()]
        counts = load.finish(written)
    outcome.rows_per_table = {w.table: sum(c) for (w, _), c in zip(written, counts, strict=True)}
    return outcome


def _refusals(answer: Answer, refused: Mapping[str, str]) -> list[tuple[Any, str]]:
    """(the value the reason is about, the reason) for each refused column."""
    return [(answer.values.get(column, _recognised(answer.row, column)), why) for column, why in refused.items()]


def _recognised(row: WithheldRow, column: str) -> str | None:
    return next((p.raw_text for p in row.problems if p.column == column), None)


def _batch(
    schema: TableSchema,
    row: WithheldRow,
    values: Mapping[str, Any],
    provenance: Mapping[str, str],
    run_values: Mapping[str, Any],
) -> TableBatch:
    """The corrected row with the provenance a load would have given it."""
    index = pd.Index([row.source_row])
    frame = typed_frame(schema, {name: [value] for name, value in values.items()}, index)
    known = {
        "source": row.source,
        "source_sha256": row.sha256,
        "source_page": row.page,
        "ocr_task_id": row.ocr_task_id,
        "source_table": row.source_table,
        **run_values,
    }
    return TableBatch(
        frame,
        constants={provenance[k]: v for k, v in known.items() if k in provenance},
        index_column=provenance.get("source_row"),
    )


def _add_answer_columns(cur: Any, quarantine: TableWriter) -> None:
    """Give an older quarantine table the answer columns (in the review's transaction)."""
    existing = quarantine.existing_columns(cur) or []
    for name, kind in RESOLUTION_COLUMNS.items():
        if name not in existing:
            cur.execute(
                quarantine.dialect.add_column_sql.format(
                    table=quarantine.qtable,
                    column=quarantine.dialect.quote(name),
                    type=quarantine.dialect.column_type(kind),
                )
            )


def _mark(
    cur: Any,
    quarantine: TableWriter,
    row: WithheldRow,
    answer: Answer,
    resolution: str | None,
    answered_by: str,
    answered_at: dt.datetime,
    *,
    note: str | None = None,
) -> None:
    """Write the answer into each of the row's quarantine records (one per problem cell)."""
    q, ph = quarantine.dialect.quote, quarantine.placeholder
    stamp: Any = answered_at.isoformat() if quarantine.dialect.name == "sqlite" else answered_at
    sets = ", ".join(f"{q(c)} = {ph}" for c in RESOLUTION_COLUMNS)
    for problem in row.problems:
        value = answer.values.get(problem.column) if answer.decision == "correct" else None
        conditions, params = _identity(q, ph, row)
        conditions.append(f"{q('column_name')} = {ph}")
        params.append(problem.column)
        cur.execute(
            f"UPDATE {quarantine.qtable} SET {sets} WHERE {' AND '.join(conditions)} "  # noqa: S608 - values bound
            f"AND {q('resolution')} IS NULL",
            [resolution, answered_by, stamp, value, note, *params],
        )


def _identity(q: Any, ph: str, row: WithheldRow) -> tuple[list[str], list[Any]]:
    conditions: list[str] = []
    params: list[Any] = []
    for column, value in (
        ("target_table", row.target_table),
        ("source", row.source),
        ("sha256", row.sha256),
        ("page", row.page),
        ("source_table", row.source_table),
        ("source_row", row.source_row),
    ):
        if value is None:
            conditions.append(f"{q(column)} IS NULL")
        else:
            conditions.append(f"{q(column)} = {ph}")
            params.append(value)
    return conditions, params

"""What became of each input document, kept beside the table it feeds: ``<table>__inputs``.

A folder is read run after run. The table's rows say which inputs gave rows, but not which were
set aside as bad, nor what a listing saw of a file when it was last taken. One companion table per
target keeps one row per source (the path or URI as the submit step names it): the latest outcome
(``loaded``, ``no_table`` or ``rejected`` with its reason), the document's size, sha256 (none for
a file that could not be read), page count, the listing fingerprint (size+ETag, size+mtime; None
when the step that listed it gave none) and the run that recorded it. ``<table>__rejected_inputs``
is a view of the rejected ones, for people.

Records are written by the load step in the same transaction as the run's rows
(:func:`input_records_target`, a target for
:class:`~aspose_ocr_provider.warehouse.writer.StreamedLoad`), so a rolled-back load leaves the
records as they were and the next run decides from what really landed. The submit step reads them
(:func:`read_input_records`) to pass over inputs whose state it already knows, without reading
their bytes when a fingerprint matches. Delete a source's row to have it looked at afresh.

The older ``<table>__no_table`` companion (pages recognised without a table, per page identity)
stays as it is: the incremental check keeps reading it, so tables made before this one existed
go on working with nothing to migrate.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from aspose_ocr_provider.warehouse.batch import TableBatch
from aspose_ocr_provider.warehouse.dialects import SqlDialect, dialect_for
from aspose_ocr_provider.warehouse.writer import TableWriter, Target

log = logging.getLogger(__name__)

INPUTS_SUFFIX = "__inputs"
REJECTED_VIEW_SUFFIX = "__rejected_inputs"

LOADED, NO_TABLE, REJECTED = "loaded", "no_table", "rejected"
OUTCOMES: tuple[str, ...] = (LOADED, NO_TABLE, REJECTED)

COLUMNS: dict[str, str] = {
    "source": "text",
    "fingerprint": "text",
    "size": "integer",
    "sha256": "text",
    "page_count": "integer",
    "outcome": "text",
    "reason": "text",
    "dag_run_id": "text",
    "recorded_at": "timestamp",
}
"""``{column: kind}`` of ``<table>__inputs``, in table order."""

SOURCES_PER_QUERY = 500
"""Sources bound in one ``IN (...)`` list; under SQLite's oldest limit of 999 variables."""


@dataclass(frozen=True)
class InputRecord:
    """The state of one input document, as a load records it.

    :param source: the path or URI the submit step named the input by (the record's key).
    :param outcome: ``"loaded"`` (it gave rows), ``"no_table"`` (recognised, no rows) or
        ``"rejected"`` (set aside before submitting; see ``reason``).
    :param size: its size in bytes, when known.
    :param sha256: the sha256 of its bytes; None when they could not be read.
    :param page_count: pages in the document (1 for an image); None when it could not be opened.
    :param fingerprint: what a listing says of the object without reading it (e.g.
        ``"size:etag"`` or ``"size:mtime"``); None when the lister gave none.
    :param reason: why a rejected input was set aside.
    :param dag_run_id: the run that recorded it (filled in when read back).
    :param recorded_at: when that run's load committed it (filled in when read back).
    """

    source: str
    outcome: str
    size: int | None = None
    sha256: str | None = None
    page_count: int | None = None
    fingerprint: str | None = None
    reason: str | None = None
    dag_run_id: str | None = None
    recorded_at: dt.datetime | str | None = None

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"Unknown input outcome {self.outcome!r}; use one of: {', '.join(OUTCOMES)}.")
        if not isinstance(self.source, str) or not self.source:
            raise ValueError(f"An input record needs its source, got {self.source!r}.")

    def to_xcom(self) -> dict[str, Any]:
        """The record as plain JSON values, for handing from the submit step to the load step."""
        data = asdict(self)
        if isinstance(self.recorded_at, dt.datetime):
            data["recorded_at"] = self.recorded_at.isoformat()
        return {k: v for k, v in data.items() if v is not None}

    @classmethod
    def from_xcom(cls, value: Mapping[str, Any]) -> InputRecord:
        """A record from :meth:`to_xcom`'s dict (unknown keys ignored, for newer senders)."""
        known: dict[str, Any] = {k: value[k] for k in cls.__dataclass_fields__ if k in value}
        for key in ("size", "page_count"):
            if known.get(key) is not None:
                known[key] = int(known[key])
        return cls(**known)

    def same_bytes(self, sha256: str | None) -> bool:
        """Whether this record was taken of exactly these bytes (never, when either is unknown)."""
        return self.sha256 is not None and sha256 is not None and self.sha256 == sha256

    def same_listing(self, fingerprint: str | None) -> bool:
        """Whether a listing's ``fingerprint`` matches this record's (never, when either is unknown)."""
        return self.fingerprint is not None and fingerprint is not None and self.fingerprint == fingerprint


def inputs_table(table: str, dialect: SqlDialect) -> str:
    """The quoted name of ``table``'s records: ``<table>__inputs``."""
    return _companion(table, dialect, INPUTS_SUFFIX)


def rejected_view(table: str, dialect: SqlDialect) -> str:
    """The quoted name of the view of ``table``'s rejected inputs: ``<table>__rejected_inputs``."""
    parts = dialect.split_table(table)
    parts[-1] += REJECTED_VIEW_SUFFIX
    return ".".join(dialect.quote(p) for p in parts)


def _companion(table: str, dialect: SqlDialect, suffix: str) -> str:
    parts = dialect.split_table(table)
    parts[-1] += suffix
    return ".".join(dialect.quote(p) for p in parts)


class InputRecordsWriter(TableWriter):
    """Writes ``<table>__inputs`` as part of a load: one row per source, the latest replacing any earlier.

    Its columns are fixed (:data:`COLUMNS`), whatever the records hold, so an all-NULL column
    never gets a guessed type; the view ``<table>__rejected_inputs`` is (re)made with it.

    :param hook: the load's common-sql hook.
    :param table: the target table the records belong to (not the companion's name).
    :param records: the records this load writes.
    """

    def __init__(self, hook: Any, table: str, records: Sequence[InputRecord]) -> None:
        dialect = dialect_for(getattr(hook, "dialect_name", None))
        super().__init__(hook, inputs_table(table, dialect), declared=COLUMNS)
        self.target_table = table
        self.records = _latest(records)

    def _delete(self, cur: Any) -> None:
        """The sources this load records lose their earlier record (one row per source)."""
        sources = [r.source for r in self.records]
        quote, ph = self.dialect.quote, self.placeholder
        for chunk in _chunks(sources, SOURCES_PER_QUERY):
            cur.execute(
                f"DELETE FROM {self.qtable} WHERE {quote('source')} IN ({', '.join([ph] * len(chunk))})",  # noqa: S608
                chunk,
            )

    def _close(self, cur: Any, batches: Sequence[TableBatch]) -> list[int]:
        counts = super()._close(cur, batches)
        if self._start is not None or batches:
            self._make_view(cur)
        return counts

    def _make_view(self, cur: Any) -> None:
        sql = self.dialect.create_view_sql
        if sql is None:
            return
        quote = self.dialect.quote
        shown = ", ".join(quote(c) for c in COLUMNS if c != "outcome")
        query = f"SELECT {shown} FROM {self.qtable} WHERE {quote('outcome')} = '{REJECTED}'"  # noqa: S608
        cur.execute(sql.format(view=rejected_view(self.target_table, self.dialect), query=query))

    def batches(self, dag_run_id: str, recorded_at: dt.datetime) -> list[TableBatch]:
        """This load's records as one batch (none when there are none)."""
        if not self.records:
            return []
        frame = pd.DataFrame(
            {
                "source": pd.Series([r.source for r in self.records], dtype=object),
                "fingerprint": pd.Series([r.fingerprint for r in self.records], dtype=object),
                "size": pd.array([r.size for r in self.records], dtype="Int64"),
                "sha256": pd.Series([r.sha256 for r in self.records], dtype=object),
                "page_count": pd.array([r.page_count for r in self.records], dtype="Int64"),
                "outcome": pd.Series([r.outcome for r in self.records], dtype=object),
                "reason": pd.Series([r.reason for r in self.records], dtype=object),
            }
        )
        return [TableBatch(frame, constants={"dag_run_id": dag_run_id, "recorded_at": recorded_at})]


def input_records_target(
    hook: Any, table: str, records: Sequence[InputRecord], dag_run_id: str, recorded_at: dt.datetime
) -> Target:
    """``(writer, batches)`` recording ``records`` for ``table``, to hand to a load's ``finish``.

    :param hook: the load's common-sql hook (the records go over the load's own connection).
    :param table: the target table, as the load step is given it.
    :param records: one per input document; the last one given for a source wins.
    :param dag_run_id: the run recording them.
    :param recorded_at: the load's time (the same as its rows' ``_loaded_at``).
    """
    writer = InputRecordsWriter(hook, table, records)
    return writer, writer.batches(dag_run_id, recorded_at)


def read_input_records(hook: Any, table: str, sources: Iterable[str]) -> dict[str, InputRecord]:
    """The latest record of each of ``sources`` that ``table``'s ``__inputs`` holds.

    Asks about the given sources only, :data:`SOURCES_PER_QUERY` at a time, whatever the
    table's size; no table yet means no records.

    :param hook: a common-sql hook of the warehouse.
    :param table: the target table, as the load step is given it.
    :param sources: the paths or URIs about to be submitted.
    """
    wanted = sorted(set(sources))
    if not wanted:
        return {}
    reader = TableWriter(hook, inputs_table(table, dialect_for(getattr(hook, "dialect_name", None))))
    found: dict[str, InputRecord] = {}
    conn = hook.get_conn()
    try:
        cur = conn.cursor()
        try:
            columns = reader.existing_columns(cur)
            if columns is None:
                return {}
            names = [c for c in COLUMNS if c in columns]
            quote, ph = reader.dialect.quote, reader.placeholder
            for chunk in _chunks(wanted, SOURCES_PER_QUERY):
                cur.execute(
                    f"SELECT {', '.join(quote(c) for c in names)} FROM {reader.qtable} "  # noqa: S608
                    f"WHERE {quote('source')} IN ({', '.join([ph] * len(chunk))})",
                    chunk,
                )
                for row in cur.fetchall():
                    record = _record(dict(zip(names, row, strict=True)))
                    if record is not None:
                        found[record.source] = record
        finally:
            cur.close()
    finally:
        conn.close()
    return found


def _record(values: Mapping[str, Any]) -> InputRecord | None:
    try:
        return InputRecord.from_xcom({k: v for k, v in values.items() if v is not None})
    except (TypeError, ValueError):
        return None  # a row someone edited into nonsense describes nothing


def _latest(records: Sequence[InputRecord]) -> list[InputRecord]:
    latest: dict[str, InputRecord] = {}
    for record in records:
        latest.pop(record.source, None)
        latest[record.source] = record
    return list(latest.values())


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])

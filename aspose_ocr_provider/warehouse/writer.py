"""Write DataFrames to a warehouse table through any common-sql hook, all or nothing.

One load opens one connection and one transaction (:class:`StreamedLoad`): the table is created
or widened, the rows a re-run would duplicate are deleted, and every frame is inserted, then a
single COMMIT. Frames may come in chunks as results arrive; the table still comes out as if all
had been written at once (see :mod:`~aspose_ocr_provider.warehouse.spool`). Any error rolls
everything back (DDL too on PostgreSQL and SQLite, whose DDL is transactional), so a failed load
leaves the warehouse exactly as it was.

Rows go in through PostgreSQL's COPY when the driver offers it (psycopg 3 ``cursor.copy``,
psycopg2 ``copy_expert``) and through batched ``executemany`` elsewhere. Values that are the same
for every row of a frame (provenance) are passed as constants and never materialised per row.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import itertools
import logging
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal

import pandas as pd

from aspose_ocr_provider.exceptions import clause
from aspose_ocr_provider.tables.quarantine import BadDataError, QuarantineRecord
from aspose_ocr_provider.warehouse.batch import TableBatch
from aspose_ocr_provider.warehouse.dialects import SqlDialect, dialect_for
from aspose_ocr_provider.warehouse.kinds import kind_of_value, kinds_of_sql_type
from aspose_ocr_provider.warehouse.new_columns import ON_NEW_COLUMNS, NewColumnsError, fit_batches
from aspose_ocr_provider.warehouse.replaced_rows import ReplacedRows
from aspose_ocr_provider.warehouse.spool import HoldingTableError, Spool
from aspose_ocr_provider.warehouse.type_conflicts import (
    TYPE_CONFLICTS,
    Reconciled,
    TypeConflictError,
    reconcile,
)

log = logging.getLogger(__name__)

LoadMode = Literal["append", "replace", "idempotent"]
SchemaEvolution = Literal["add", "fail"]
LOAD_MODES: tuple[str, ...] = ("append", "replace", "idempotent")
SCHEMA_EVOLUTIONS: tuple[str, ...] = ("add", "fail")
BATCH_ROWS = 10_000


class SchemaMismatchError(ValueError):
    """The data has columns the existing table lacks and schema evolution is off."""


class LoadError(RuntimeError):
    """The database refused part of a load; everything the load did was rolled back."""


def _python_values(series: pd.Series, kind: str, sqlite: bool, nulls_dumped: bool = False) -> Iterable[Any]:
    """Column values as plain Python objects, missing values as None.

    With ``nulls_dumped`` the driver itself writes NaN/NA/NaT as NULL (see
    :func:`_dump_missing_as_null`), so text columns skip the scan for missing values.
    """
    if kind in ("date", "timestamp") and pd.api.types.is_datetime64_any_dtype(series.dtype):
        stamps = series.dt.to_pydatetime() if hasattr(series.dt, "to_pydatetime") else series.tolist()
        values: list[Any] = [None if v is None or v is pd.NaT else v for v in list(stamps)]
        if kind == "date":
            values = [v.date() if v is not None else None for v in values]
        if sqlite:
            values = [v.isoformat() if v is not None else None for v in values]
        return values
    if series.dtype == object:
        # Iterating the object array hands out the cells themselves: no per-column list copy.
        cells = series.to_numpy()
        if nulls_dumped:
            return cells
        if pd.api.types.infer_dtype(cells, skipna=False) == "string":
            return cells  # every cell is a str: nothing is missing (a C-speed scan)
        missing = pd.isna(cells)
        if missing.any():
            cells = cells.copy()
            cells[missing] = None
        return cells
    values = series.tolist()
    if pd.api.types.is_string_dtype(series.dtype):
        return values if nulls_dumped else [None if _missing(v) else v for v in values]
    mask = series.isna()
    if mask.any():
        values = [
            None if m else v for v, m in zip(series.astype(object).tolist(), mask.tolist(), strict=True)
        ]
    return values


def _missing(value: Any) -> bool:
    return (
        value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))
    )


def _constant(value: Any, as_text: bool) -> Any:
    """A value repeated on every row, converted once: ISO text for SQLite, any text for COPY.

    COPY sends every value as text that the server parses by column type, so handing the driver
    ready-made text saves adapting the same datetime a hundred thousand times.
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat() if as_text else value
    return str(value) if as_text and isinstance(value, (bool, int, float)) else value


def _rows(
    batch: TableBatch, kinds: Mapping[str, str], sqlite: bool, copy: bool = False, nulls_dumped: bool = False
) -> Iterator[tuple[Any, ...]]:
    columns: list[Iterable[Any]] = [
        _python_values(batch.frame[c], kinds[str(c)], sqlite, nulls_dumped) for c in batch.frame.columns
    ]
    if batch.index_column:
        columns.append(batch.frame.index.tolist())
    columns.extend(itertools.repeat(_constant(v, sqlite or copy)) for v in batch.constants.values())
    return zip(*columns, strict=False) if batch.frame.columns.size or batch.index_column else iter(())


class TableWriter:
    """Writes batches to one table through one DB-API connection of a common-sql hook.

    :param hook: any ``DbApiHook`` (SqliteHook, PostgresHook, MySqlHook, SnowflakeHook...).
    :param table: target table, optionally ``schema.table``; quoted exactly as written.
    :param mode: ``append`` adds rows; ``replace`` deletes every existing row first;
        ``idempotent`` deletes the rows of the same inputs (``replace_rows``) or the rows matching
        ``replace_key`` first.
    :param schema_evolution: ``add`` (default) adds columns the table lacks; ``fail`` refuses.
    :param replace_key: ``{column: value}`` identifying the rows an idempotent load replaces.
    :param type_conflicts: when a batch's column has another type than the table's column:
        ``widen`` (default) widens it (integer -> float -> text), ``quarantine`` sets the cells
        that do not read as the column's type aside (see :attr:`quarantined`), ``fail`` refuses.
    :param declared: ``{column: kind}`` fixed by a declared schema (values already parsed).
    :param sql_types: ``{column: SQL type}`` to create those columns with instead of the default.
    :param replace_rows: the inputs whose existing rows an idempotent load replaces.
    :param on_new_columns: a column the table lacks (after OCR slips map to existing columns):
        ``add`` (default) adds it, ``rescue`` keeps its cells as JSON in ``_rescued``, ``fail``
        refuses (see :mod:`~aspose_ocr_provider.warehouse.new_columns`). Not for declared tables.
    """

    def __init__(
        self,
        hook: Any,
        table: str,
        *,
        mode: str = "append",
        schema_evolution: str = "add",
        replace_key: Mapping[str, Any] | None = None,
        batch_rows: int = BATCH_ROWS,
        type_conflicts: str = "widen",
        declared: Mapping[str, str] | None = None,
        sql_types: Mapping[str, str] | None = None,
        replace_rows: ReplacedRows | None = None,
        on_new_columns: str = "add",
    ) -> None:
        if on_new_columns not in ON_NEW_COLUMNS:
            raise ValueError(f"Unknown on_new_columns {on_new_columns!r}; use one of: {', '.join(ON_NEW_COLUMNS)}.")
        if type_conflicts not in TYPE_CONFLICTS:
            raise ValueError(
                f"Unknown type_conflicts {type_conflicts!r}; use one of: {', '.join(TYPE_CONFLICTS)}."
            )
        if mode not in LOAD_MODES:
            raise ValueError(f"Unknown load mode {mode!r}; use one of: {', '.join(LOAD_MODES)}.")
        if schema_evolution not in SCHEMA_EVOLUTIONS:
            raise ValueError(
                f"Unknown schema_evolution {schema_evolution!r}; use one of: {', '.join(SCHEMA_EVOLUTIONS)}."
            )
        if mode == "idempotent" and not replace_key and replace_rows is None:
            raise ValueError(
                "mode='idempotent' needs the rows it replaces (replace_rows, or the columns of replace_key)."
            )
        self.hook = hook
        self.dialect: SqlDialect = dialect_for(getattr(hook, "dialect_name", None))
        self.parts = self.dialect.split_table(table)
        self.table = table
        self.qtable = ".".join(self.dialect.quote(p) for p in self.parts)
        self.mode = mode
        self.schema_evolution = schema_evolution
        self.replace_key = dict(replace_key or {})
        self.replace_rows = replace_rows
        self.batch_rows = batch_rows
        self.placeholder = str(getattr(hook, "placeholder", "%s") or "%s")
        self.type_conflicts = type_conflicts
        self.declared = dict(declared or {})
        self.sql_types = dict(sql_types or {})
        self.on_new_columns = on_new_columns
        self.quarantined: list[QuarantineRecord] = []
        """Cells the last write set aside (``type_conflicts='quarantine'``)."""
        self.written_columns: dict[str, str] = {}
        """Column name -> SQL type of the columns the last write wrote (for lineage)."""
        # One load's state, from _open to _close: the table's columns at the start, the kinds
        # decided so far, the provenance columns seen, the rows held for the end.
        self._types: dict[str, str] | None = None
        self._start: dict[str, tuple[str, ...]] | None = None
        self._kinds: dict[str, str] = {}
        self._extras: set[str] = set()
        self._spool: Spool | None = None

    @property
    def _sqlite(self) -> bool:
        return self.dialect.name == "sqlite"

    def write(self, batches: Sequence[TableBatch]) -> list[int]:
        """Insert every batch in one transaction; return the rows written per batch."""
        return write_together([(self, batches)])[0]

    # -- one load: open, hold chunks, close ------------------------------------------------------

    def _open(self, cur: Any) -> None:
        """Lock the table and read its columns: the start of this table's part of a load."""
        self._lock(cur)
        self._types = self._existing_types(cur)
        self._start = (
            None
            if self._types is None
            else {n: kinds_of_sql_type(t, self.dialect) for n, t in self._types.items()}
        )
        self._kinds = {}
        self._extras = set()
        self._spool = None
        self.quarantined = []

    def _reconcile(self, batches: Sequence[TableBatch]) -> Reconciled:
        """Bring ``batches`` to the column kinds of the table and of the chunks before them.

        Chunk by chunk this decides exactly what one call over every batch would: each column's
        kind is carried from the chunk that first had it.
        """
        seen = {**(self._start or {}), **{n: (k,) for n, k in self._kinds.items()}}
        if not self.declared:
            provenance = set(self._extras) | set(self.replace_key) | {n for b in batches for n in b.extra_kinds()}
            batches = fit_batches(
                batches, list(seen) or None, policy=self.on_new_columns, table=self.table, provenance=provenance
            )
        plan = reconcile(batches, seen, table=self.table, policy=self.type_conflicts, declared=self.declared)
        self.quarantined.extend(plan.records)
        self._kinds.update(plan.kinds)
        for batch in batches:
            self._extras.update(batch.extra_kinds())
        return plan

    def _hold(self, cur: Any, batches: Sequence[TableBatch]) -> list[int]:
        """Write a chunk that is not the last into the spool; the rows held per batch."""
        plan = self._reconcile(batches)
        if self._spool is None:
            self._spool = Spool(self.dialect, self._stored_type, keep_text=self.type_conflicts == "widen")
        return [self._spool.add(cur, b, plan.kinds, self.declared, self._insert) for b in plan.batches]

    def _close(self, cur: Any, batches: Sequence[TableBatch]) -> list[int]:
        """Create, widen or evolve the table, delete what a re-run replaces, insert the held rows
        and ``batches``; the rows of ``batches`` written."""
        plan = self._reconcile(batches)
        kinds = dict(self._kinds)
        for key, value in self.replace_key.items():
            kinds.setdefault(key, kind_of_value(value))
        if self.replace_rows is not None and self.mode == "idempotent":
            for name, kind in self.replace_rows.column_kinds().items():
                kinds.setdefault(name, kind)
        self.written_columns = {name: self._column_type(name, kind) for name, kind in kinds.items()}
        if self._start is None:
            if not batches and self._spool is None:
                return []  # nothing to write and nothing to replace: no empty table
            self._create(cur, kinds)
        else:
            start = self._start
            self._evolve(cur, list(start), kinds)
            self._widen(
                cur,
                {
                    n: k
                    for n, k in kinds.items()
                    if n in start and n not in self.declared and k not in start[n]
                },
            )
            self._delete(cur)
        if self._spool is not None:
            self._spool.copy_into(cur, self.qtable, kinds)
        return [self._insert(cur, batch, kinds) for batch in plan.batches]

    def existing_columns(self, cur: Any = None) -> list[str] | None:
        """The table's column names (None when it does not exist).

        Asked over ``cur`` when given, else over a connection of its own. Also proves the database
        answers, which is why the submit step asks it before paying.
        """
        if cur is not None:
            types = self._existing_types(cur)
            return None if types is None else list(types)
        conn = self.hook.get_conn()
        try:
            own = conn.cursor()
            try:
                return self.existing_columns(own)
            finally:
                own.close()
        finally:
            conn.close()

    def _load_error(self, exc: Exception) -> LoadError:
        if self._sqlite and len(self.parts) > 1 and "unknown database" in str(exc):
            return LoadError(
                f"SQLite has no schemas: table {self.table!r} names table {self.parts[-1]!r} in an "
                f"attached database {self.parts[0]!r}, and this SQLite connection has no database "
                f"attached under that name. Load into a name without a dot (e.g. "
                f"'{'_'.join(self.parts)}'), or into 'main.{self.parts[-1]}'."
            )
        atomic = "" if self.dialect.transactional_ddl else " (table or column creation is not transactional here)"
        if self._lost(exc):
            conn_id = getattr(self.hook, str(getattr(self.hook, "conn_name_attr", "")), None)
            named = f" {conn_id!r}" if isinstance(conn_id, str) else ""
            return LoadError(
                f"Loading into {self.table} failed and was rolled back{atomic}: the warehouse{named} stopped "
                f"answering mid-load ({type(exc).__name__}: {clause(exc)}). None of this load's rows were kept. "
                "Airflow's retry loads them again once the database is back, fetching the results already "
                "paid for (nothing is submitted again); if every try fails, check that the database is up "
                "and reachable, then clear the task."
            )
        if isinstance(exc, HoldingTableError):
            return LoadError(f"Loading into {self.table} failed and was rolled back{atomic}: {exc}.")
        return LoadError(
            f"Loading into {self.table} failed and was rolled back{atomic}: {type(exc).__name__}: {clause(exc)}. "
            "If a column's type no longer fits the data (the first load fixes it), set type_conflicts='widen' "
            "or 'quarantine', convert the value in a transform, load with infer_types=False, or alter the column."
        )

    def _lost(self, exc: Exception) -> bool:
        """Whether ``exc`` says the database went away (not that it refused what was sent)."""
        if self._sqlite:
            text = str(exc).lower()
            return any(w in text for w in ("database is locked", "unable to open database", "disk i/o error"))
        names = {cls.__name__ for cls in type(exc).__mro__}
        return bool(names & {"OperationalError", "InterfaceError"}) and not names & {"ProgrammingError", "DataError"}

    # -- transaction ---------------------------------------------------------------------------

    def _begin(self, conn: Any) -> Any:
        if self._sqlite:
            # Python's sqlite3 opens transactions implicitly and only before DML; take control so
            # CREATE/ALTER belong to the same transaction as the inserts.
            conn.isolation_level = None
            cur = conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            return cur
        if hasattr(self.hook, "set_autocommit"):
            self.hook.set_autocommit(conn, False)
        elif hasattr(conn, "autocommit"):
            conn.autocommit = False
        return conn.cursor()

    def _lock(self, cur: Any) -> None:
        if self.dialect.name == "postgresql":
            # Loads into one table take turns (until COMMIT), so two tasks that both find the
            # table missing do not both try to create it, and schema changes never interleave.
            cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [self.qtable])

    def _commit(self, conn: Any, cur: Any) -> None:
        if self._sqlite:
            cur.execute("COMMIT")
        else:
            conn.commit()

    def _rollback(self, conn: Any) -> None:
        try:
            if self._sqlite:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            else:
                conn.rollback()
        except Exception:
            log.exception("Rollback of the load into %s failed", self.table)

    # -- schema --------------------------------------------------------------------------------

    def _existing_types(self, cur: Any) -> dict[str, str] | None:
        """The table's ``{column: SQL type}`` in table order, or None when it does not exist."""
        name = self.parts[-1]
        schema = self.parts[-2] if len(self.parts) > 1 else None
        if self._sqlite:
            prefix = f"{self.dialect.quote(schema)}." if schema else ""
            cur.execute(f"PRAGMA {prefix}table_info({self.dialect.quote(name)})")
            return {row[1]: str(row[2] or "") for row in cur.fetchall()} or None
        ph = self.placeholder
        if self.dialect.name == "postgresql":
            # The catalog answers in well under a millisecond; information_schema takes several.
            cur.execute(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_catalog.pg_attribute "
                "WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                [self.qtable],
            )
            return {row[0]: str(row[1]) for row in cur.fetchall()} or None
        if schema is not None:
            where, params = f"table_schema = {ph}", [name, schema]
        else:
            where, params = f"table_schema = {self.dialect.current_schema_sql or 'current_schema()'}", [name]
        cur.execute(
            "SELECT column_name, data_type FROM information_schema.columns "  # noqa: S608 - no values interpolated
            f"WHERE table_name = {ph} AND {where} ORDER BY ordinal_position",
            params,
        )
        return {row[0]: str(row[1]) for row in cur.fetchall()} or None

    def _stored_type(self, name: str, kind: str) -> str:
        """The SQL type the table will store ``name``'s values of ``kind`` as: the existing
        column's own type when it holds that kind (a NUMERIC(12,2) stays one), else the type
        the writer creates or widens it to."""
        if self._types is not None and self._start is not None and kind in self._start.get(name, ()):
            return self._types[name]
        return self._column_type(name, kind)

    def _column_type(self, name: str, kind: str) -> str:
        return self.sql_types.get(name) or self.dialect.column_type(kind)

    def _create(self, cur: Any, kinds: Mapping[str, str]) -> None:
        # Provenance (the index column, per-batch constants, the re-run key) goes last, after the
        # data columns of every batch, so a table reads like the images it came from.
        extras = set(self.replace_key) | self._extras
        if self.replace_rows is not None and self.mode == "idempotent":
            extras.update(self.replace_rows.column_kinds())
        order = [n for n in kinds if n not in extras] + [n for n in kinds if n in extras]
        columns = ", ".join(f"{self.dialect.quote(n)} {self._column_type(n, kinds[n])}" for n in order)
        log.info("Creating table %s with %d columns", self.qtable, len(kinds))
        cur.execute(f"CREATE TABLE {self.qtable} ({columns})")

    def _evolve(self, cur: Any, existing: Sequence[str], kinds: Mapping[str, str]) -> None:
        new = [name for name in kinds if name not in set(existing)]
        if not new:
            return
        if self.schema_evolution == "fail":
            raise SchemaMismatchError(
                f"Table {self.table} has no column(s) {', '.join(map(repr, new))} that the recognised data "
                "has; add them to the table, set schema_evolution='add', or rename them in a transform."
            )
        for name in new:
            log.info("Adding column %s to %s", self.dialect.quote(name), self.qtable)
            cur.execute(
                self.dialect.add_column_sql.format(
                    table=self.qtable,
                    column=self.dialect.quote(name),
                    type=self._column_type(name, kinds[name]),
                )
            )

    def _widen(self, cur: Any, widened: Mapping[str, str]) -> None:
        """Change existing columns to the wider kinds the new data needs (integer -> float -> text)."""
        if not widened:
            return
        if self.schema_evolution == "fail":
            raise SchemaMismatchError(
                f"Table {self.table}: column(s) {', '.join(f'{n!r} -> {k}' for n, k in widened.items())} "
                "would need a wider type; set schema_evolution='add', type_conflicts='quarantine', or alter "
                "the columns yourself."
            )
        for name, kind in widened.items():
            sql = self.dialect.alter_type_sql
            if sql is None:
                # SQLite keeps each value's own type whatever the column says: nothing to change.
                log.info("Column %s of %s now also holds %s values", name, self.qtable, kind)
                continue
            log.info("Widening column %s of %s to %s", name, self.qtable, kind)
            cur.execute(
                sql.format(
                    table=self.qtable, column=self.dialect.quote(name), type=self.dialect.column_type(kind)
                )
            )

    def _delete(self, cur: Any) -> None:
        if self.mode == "replace":
            cur.execute(f"DELETE FROM {self.qtable}")  # noqa: S608 - identifiers quoted
        elif self.mode == "idempotent" and self.replace_rows is not None:
            deleted = 0
            for where, params in self.replace_rows.where_clauses(self.dialect.quote, self.placeholder):
                cur.execute(f"DELETE FROM {self.qtable} WHERE {where}", params)  # noqa: S608 - values bound
                deleted += max(cur.rowcount or 0, 0)
            if deleted:
                log.info("Replaced %d rows that earlier loads of the same inputs wrote in %s", deleted, self.qtable)
        elif self.mode == "idempotent":
            where = " AND ".join(f"{self.dialect.quote(c)} = {self.placeholder}" for c in self.replace_key)
            params = [_constant(v, self._sqlite) for v in self.replace_key.values()]
            cur.execute(f"DELETE FROM {self.qtable} WHERE {where}", params)  # noqa: S608 - values bound
            if cur.rowcount and cur.rowcount > 0:
                log.info(
                    "Replaced %d rows of an earlier attempt of this run in %s", cur.rowcount, self.qtable
                )

    # -- rows ----------------------------------------------------------------------------------

    def _insert(self, cur: Any, batch: TableBatch, kinds: Mapping[str, str], into: str | None = None) -> int:
        """Insert one batch's rows into the table (or ``into``, a table named the same way)."""
        qtable = into or self.qtable
        names = batch.column_names()
        if not names or batch.frame.shape[0] == 0:
            return 0
        psycopg3_copy = self.dialect.copy and hasattr(cur, "copy")
        use_copy = psycopg3_copy or (self.dialect.copy and hasattr(cur, "copy_expert"))
        if psycopg3_copy:
            _dump_missing_as_null(cur)
        rows = _rows(batch, kinds, self._sqlite, copy=use_copy, nulls_dumped=psycopg3_copy)
        columns = ", ".join(self.dialect.quote(n) for n in names)
        if psycopg3_copy:
            with cur.copy(f"COPY {qtable} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        elif self.dialect.copy and hasattr(cur, "copy_expert"):
            sql = f"COPY {qtable} ({columns}) FROM STDIN"
            while chunk := list(itertools.islice(rows, self.batch_rows)):
                cur.copy_expert(sql, io.StringIO("".join(_copy_line(row) for row in chunk)))
        else:
            marks = ", ".join([self.placeholder] * len(names))
            sql = f"INSERT INTO {qtable} ({columns}) VALUES ({marks})"  # noqa: S608 - values bound
            if self._sqlite:
                cur.executemany(sql, rows)
            else:
                while chunk := list(itertools.islice(rows, self.batch_rows)):
                    cur.executemany(sql, chunk)
        return int(batch.frame.shape[0])


def _dump_missing_as_null(cur: Any) -> None:
    """Make this psycopg 3 cursor write pandas' missing markers (NaN, NA, NaT) as NULL.

    Registered on the cursor of the connection the load opened (not globally), so the COPY loop can hand
    DataFrame cells to the driver as they are instead of scanning every cell in Python first.
    """
    from psycopg.adapt import Dumper
    from psycopg.types.numeric import FloatDumper

    class NanAsNullDumper(FloatDumper):
        def dump(self, obj: Any) -> Any:
            return None if obj != obj else super().dump(obj)

    class NullDumper(Dumper):
        def dump(self, obj: Any) -> Any:
            return None

    cur.adapters.register_dumper(float, NanAsNullDumper)
    cur.adapters.register_dumper(type(pd.NA), NullDumper)
    cur.adapters.register_dumper(type(pd.NaT), NullDumper)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    if _missing(value):
        return "\\N"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def _copy_line(row: Sequence[Any]) -> str:
    """One line of PostgreSQL's COPY text format (for psycopg2's ``copy_expert``)."""
    return "\t".join(_copy_text(v) for v in row) + "\n"


Target = tuple[TableWriter, Sequence[TableBatch]]


class StreamedLoad:
    """One transaction over one connection, written chunk by chunk as the rows arrive.

    Opening takes every listed table's lock (PostgreSQL: an advisory lock per table; SQLite:
    ``BEGIN IMMEDIATE``, the whole database) and holds it until :meth:`finish` commits or the
    ``with`` block ends by an error, which rolls everything back: a failure in chunk 7 undoes
    chunks 1 to 6 and any table created. Other writers of those tables wait meanwhile.

    Chunks before the last one are held in a :class:`~aspose_ocr_provider.warehouse.spool.Spool`
    per table; :meth:`finish` gives each table its final columns once, so the table is exactly
    what writing every batch at once gives. A load that writes everything in :meth:`finish`
    holds nothing (that is :func:`write_together`).

    :param writers: the tables this load writes, locked up front in one order so that two loads
        never deadlock; a writer first seen later is locked when it is first written.
    """

    def __init__(self, writers: Sequence[TableWriter]) -> None:
        if not writers:
            raise ValueError("A load writes at least one table.")
        self.writers = list(writers)
        self._current = self.writers[0]
        self._opened: dict[int, TableWriter] = {}
        self._conn: Any = None
        self._cur: Any = None
        self._done = False

    @property
    def cursor(self) -> Any:
        """The load's cursor, inside the ``with`` block: statements run on it commit or roll back
        with the load's rows."""
        return self._cur

    @property
    def streams(self) -> bool:
        """Whether chunks can be held before the end on this connection's database."""
        return self.writers[0].dialect.spool_sql is not None

    def __enter__(self) -> StreamedLoad:
        first = self.writers[0]
        self._conn = first.hook.get_conn()
        try:
            with self._mapped(first):
                self._cur = first._begin(self._conn)
                for writer in sorted({w.qtable: w for w in self.writers}.values(), key=lambda w: w.qtable):
                    writer._lock(self._cur)
        except BaseException:
            self._end()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._end()

    def write(self, writer: TableWriter, batches: Sequence[TableBatch]) -> list[int]:
        """Write one chunk into ``writer``'s table (held until :meth:`finish`); rows per batch."""
        if not self.streams:
            raise ValueError(f"{writer.dialect.name} cannot hold rows before the end of a load.")
        with self._mapped(writer):
            return self._writer(writer)._hold(self._cur, batches)

    def finish(
        self, targets: Sequence[Target], *, more: Callable[[], Sequence[Target]] | None = None
    ) -> list[list[int]]:
        """Write the last chunk and everything held, then COMMIT; rows written per batch per target.

        Every table written before is completed too, listed or not. ``more`` is called once that
        is done (still inside the transaction) and returns more targets, such as the quarantine
        rows the writes set aside.
        """
        counts = []
        listed = {id(w) for w, _ in targets}
        with self._mapped(self._current):
            for writer, batches in targets:
                counts.append(self._close(writer, batches))
            for writer in [w for key, w in self._opened.items() if key not in listed]:
                self._close(writer, [])
            for writer, batches in more() if more is not None else ():
                self._close(writer, batches)
            self.writers[0]._commit(self._conn, self._cur)
            self._done = True
        return counts

    def _writer(self, writer: TableWriter) -> TableWriter:
        self._current = writer
        if id(writer) not in self._opened:
            writer._open(self._cur)
            self._opened[id(writer)] = writer
        return writer

    def _close(self, writer: TableWriter, batches: Sequence[TableBatch]) -> list[int]:
        counts = self._writer(writer)._close(self._cur, batches)
        self._opened.pop(id(writer))
        return counts

    @contextlib.contextmanager
    def _mapped(self, writer: TableWriter) -> Iterator[None]:
        """Database errors as a LoadError naming the table; the load's own errors as they are."""
        self._current = writer
        try:
            yield
        except (SchemaMismatchError, TypeConflictError, BadDataError, NewColumnsError):
            raise
        except Exception as exc:
            raise self._current._load_error(exc) from exc

    def _end(self) -> None:
        if self._conn is None:
            return
        try:
            if not self._done:
                self.writers[0]._rollback(self._conn)
            if self._cur is not None:
                self._cur.close()
        finally:
            self._conn.close()
            self._conn = None


def write_together(
    targets: Sequence[Target], *, finish: Callable[[], Sequence[Target]] | None = None
) -> list[list[int]]:
    """Write several tables over one connection in one transaction; rows written per batch per target.

    ``finish`` is called once the targets are written (inside the transaction) and returns more
    targets, such as the quarantine rows the first writes set aside. Everything commits together
    or nothing does.
    """
    if not targets:
        return []
    with StreamedLoad([w for w, _ in targets]) as load:
        return load.finish(targets, more=finish)


def write_frames(
    hook: Any,
    table: str,
    batches: Sequence[TableBatch],
    *,
    mode: str = "append",
    schema_evolution: str = "add",
    replace_key: Mapping[str, Any] | None = None,
    type_conflicts: str = "widen",
) -> list[int]:
    """Insert ``batches`` into ``table`` in one transaction; see :class:`TableWriter`."""
    return TableWriter(
        hook,
        table,
        mode=mode,
        schema_evolution=schema_evolution,
        replace_key=replace_key,
        type_conflicts=type_conflicts,
    ).write(batches)

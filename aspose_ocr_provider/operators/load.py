"""Load recognised tables into a warehouse table through any common-sql connection."""

from __future__ import annotations

import contextlib
import dataclasses
import urllib.parse
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from aspose_ocr_provider.compat import Asset, AssetAlias, BaseOperator
from aspose_ocr_provider.exceptions import AsposeOcrError, clause
from aspose_ocr_provider.lineage import LineageNotes, TableOutput, problems_from_skipped
from aspose_ocr_provider.models import TaskStatus, task_refs
from aspose_ocr_provider.operators.bad_inputs import parse_input_records
from aspose_ocr_provider.operators.result_fetch import (
    DEFAULT_FETCH_CONCURRENCY,
    check_max_concurrency,
    fetch_ordered,
)
from aspose_ocr_provider.tables.clean import HeaderSpec
from aspose_ocr_provider.tables.header_rows import HeaderRowsSpec
from aspose_ocr_provider.tables.provenance import (
    IDENTITY_KEYS,
    ROW_KEYS,
    ProvenanceSpec,
    provenance_columns,
    with_row_provenance,
)
from aspose_ocr_provider.tables.quarantine import (
    BAD_DATA_POLICIES,
    DEFAULT_QUARANTINE_TABLE,
    QUARANTINE_IDENTITY,
    CellOrigin,
)
from aspose_ocr_provider.tables.results import result_tables
from aspose_ocr_provider.tables.schema import Column, TableSchema
from aspose_ocr_provider.tables.summary_rows import TOTAL
from aspose_ocr_provider.warehouse.connection import warehouse_hook
from aspose_ocr_provider.warehouse.dialects import dialect_for
from aspose_ocr_provider.warehouse.identity_load import IdentityLoad, distinct_inputs
from aspose_ocr_provider.warehouse.input_records import (
    LOADED,
    NO_TABLE,
    REJECTED,
    InputRecord,
    input_records_target,
)
from aspose_ocr_provider.warehouse.load_plan import LoadPlan
from aspose_ocr_provider.warehouse.new_columns import ON_NEW_COLUMNS
from aspose_ocr_provider.warehouse.type_conflicts import TYPE_CONFLICTS
from aspose_ocr_provider.warehouse.writer import (
    LOAD_MODES,
    SCHEMA_EVOLUTIONS,
    StreamedLoad,
    TableBatch,
    TableWriter,
    Target,
)

if TYPE_CHECKING:
    from airflow.providers.openlineage.extractors import OperatorLineage

    from aspose_ocr_provider.compat import Context
    from aspose_ocr_provider.hooks.aspose_ocr import AsposeOcrHook

ASSET_SCHEME = "aspose-ocr-warehouse"

DEFAULT_ROWS_PER_WRITE = 10_000
"""Rows the load holds before writing them. A few megabytes of DataFrames (cells, their text and
types) however many images a run has; a load smaller than this writes everything at the end,
in one pass, exactly as a load always did."""


def warehouse_asset(conn_id: str, table: str) -> Asset:
    """The Asset a load into ``table`` over ``conn_id`` updates; schedule downstream DAGs on it."""
    uri = f"{ASSET_SCHEME}://{urllib.parse.quote(conn_id, safe='')}/{urllib.parse.quote(table, safe='.')}"
    return Asset(uri=uri, name=f"{conn_id}/{table}")


def _is_template(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


class AsposeOcrTableToSqlOperator(BaseOperator):
    """
    Load the tables Aspose.OCR Cloud recognised into a warehouse table, atomically and idempotently.

    Each task's CSV results (one per table in the image) are fetched through the Aspose.OCR hook,
    decoded, cleaned (the cloud's ``0,1,2,...`` index row dropped, ragged rows padded, cells
    trimmed, trailing empty rows and columns dropped), optionally typed and transformed, tagged
    with provenance columns and written to ``table`` over any common-sql connection in **one
    transaction**: on any error the warehouse is exactly as before. Identifiers are always quoted
    for the connection's dialect, since header cells are untrusted OCR text. PostgreSQL gets rows
    through COPY; other databases through batched ``executemany``.

    The table is declared as an outlet Asset (``aspose-ocr-warehouse://<conn_id>/<table>``, see
    :func:`warehouse_asset`), so downstream DAGs can be scheduled on it. When ``conn_id`` or
    ``table`` is a template, the outlet is an ``AssetAlias`` that resolves to that same Asset
    once rendered.

    Returns (XCom ``return_value``) ``{"table", "conn_id", "rows", "rows_per_source",
    "skipped", "columns"}``, where ``columns`` maps each column name to its header text.

    .. seealso::
        :func:`aspose_ocr_provider.tables.result_to_dataframe` for the same cleaning without a database.

    :param ocr_task_ids: The OCR tasks to load (templated): the submit operator's output (task
        ids), its ``submissions`` XCom (records with ``source``, ``task_id``, ``sha256`` and
        ``page``), or ids/records given directly. Records give the provenance ``source``,
        ``sha256`` and ``page``; a bare id is its own source, with no sha256 or page.
    :param conn_id: Any common-sql connection (SQLite, PostgreSQL, MySQL, Snowflake...) (templated).
    :param table: Target table, ``table`` or ``schema.table`` (templated). Used exactly as
        written (case-sensitive, quoted); a part may be quoted to contain dots.
    :param aspose_ocr_conn_id: The Aspose.OCR connection to fetch results with.
    :param header: ``"first_row"`` (default): the table's first row holds the column names;
        ``"none"``: columns are named ``col__1``, ``col__2``...; or a list of names, one per column.
    :param mode: ``"idempotent"`` (default): rows are keyed by their input's identity (sha256 of
        its bytes and page): loading an input replaces the rows any earlier load of it wrote,
        whatever run wrote them, so re-runs, backfills and cleared tasks never duplicate rows;
        ``"append"``: add rows, never delete; ``"replace"``: delete every row of the table first.
    :param keep_history: In idempotent mode, keep the rows of an older version of a file (same
        ``_source``, other bytes) when its new version loads (default False: they are replaced).
    :param schema_evolution: ``"add"`` (default): add columns the table lacks; ``"fail"``: refuse.
    :param infer_types: Convert columns whose every cell is an integer, decimal, percentage
        (stored as a fraction), amount of money or date (default True); otherwise all text.
    :param transform: A function DataFrame -> DataFrame applied to each table after cleaning
        (keep the index: it is the row number recorded in provenance).
    :param provenance: True (default) adds ``_source``, ``_source_sha256``, ``_source_page``
        (1-based page of a PDF or TIFF, 1 for an image), ``_ocr_task_id``, ``_source_table``,
        ``_source_row``, ``_source_rows`` (every recognised row a row came from: ``"4-5"`` when a
        wrapped cell's second line was merged into it), ``_row_kind`` (``data``, or ``total`` for
        a Total/Subtotal row), ``_dag_run_id``, ``_loaded_by``, ``_loaded_at``; a dict renames
        (``{"source": "file"}``) or drops (``{"loaded_at": None}``) them; False adds none
        (then only append or replace modes work). Inputs that give no rows are recorded in
        ``<table>__no_table`` while the identity columns are on.
    :param skip_failed: If True, a task that ended in Error/NotExist (or is unfinished) is
        logged and reported in XCom ``skipped`` instead of failing the load.
    :param sanitize_names: snake_case the header text into column names (default True); False
        keeps the text verbatim (always quoted).
    :param index_row: ``"auto"`` (default) drops a leading ``0,1,2,...`` row; False keeps it.
    :param header_rows: ``"auto"`` (default) drops a title or units line above the header and
        recognises a group header over sub-headers, naming the columns by both (``sales_2025_h1``);
        a number fixes how many rows from the top form the header (see docs/tables.md).
    :param type_conflicts: when an image's column does not have the type the warehouse column
        already has: ``"widen"`` (default) widens the column (integer -> decimal -> text; numbers
        keep the text the image shows), ``"quarantine"`` sets the cells that do not read as the
        column's type aside in ``quarantine_table`` with their rows, ``"fail"`` fails naming the
        image and cell.
    :param on_new_columns: a header the table has no column for, once a header differing from an
        existing column only by case, spacing, punctuation or a small OCR slip has gone into that
        column (logged with the distance): ``"add"`` (default) adds a column; ``"rescue"`` keeps
        the table's columns (the first load's) and writes the cells as JSON ``{header: cell}``
        into a ``_rescued`` text column, nothing lost; ``"fail"`` fails the load naming the
        headers. Declared tables (``columns=``/``schemas=``) have fixed columns already.
    :param max_concurrency: Most result requests in flight at once (default 8, like submit's);
        results are still loaded in input order.
    :param rows_per_write: Rows held before they are written (default 10,000), so the load's
        memory stays at about one chunk however many images a run has; ``None`` writes every row
        at the end. Still one transaction: on PostgreSQL and SQLite the chunks are held in a
        temporary table until the end, where the table gets its final columns once and the rows
        go in, exactly as a load writing everything at the end leaves it. From the first chunk
        on, the load holds its locks while it fetches the rest (PostgreSQL: an advisory lock per
        table, other loads into the table wait; SQLite: ``BEGIN IMMEDIATE``, every other writer
        of the database waits). Other databases hold every row until the end.
    :param input_records: The submit step's ``inputs`` XCom (templated): one record per document
        submitted or rejected. Each is written to ``<table>__inputs`` in the load's transaction,
        with the outcome the load found (``loaded``, ``no_table``) or its rejection reason (view
        ``<table>__rejected_inputs``); one row per source, the latest replacing the last.
    """

    template_fields: Sequence[str] = ("ocr_task_ids", "conn_id", "table", "input_records")
    ui_color = "#2a9d8f"

    def __init__(
        self,
        *,
        ocr_task_ids: Any,
        conn_id: str,
        table: str | None = None,
        aspose_ocr_conn_id: str = "aspose_ocr_default",
        header: HeaderSpec = "first_row",
        mode: str = "idempotent",
        schema_evolution: str = "add",
        infer_types: bool = True,
        transform: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
        provenance: ProvenanceSpec = True,
        skip_failed: bool = False,
        sanitize_names: bool = True,
        index_row: bool | str = "auto",
        header_rows: HeaderRowsSpec = "auto",
        type_conflicts: str = "widen",
        on_new_columns: str = "add",
        columns: Sequence[Column] | None = None,
        schemas: Sequence[TableSchema] | None = None,
        on_bad_data: str = "quarantine",
        quarantine_table: str = DEFAULT_QUARANTINE_TABLE,
        keep_history: bool = False,
        max_concurrency: int = DEFAULT_FETCH_CONCURRENCY,
        rows_per_write: int | None = DEFAULT_ROWS_PER_WRITE,
        input_records: Any = None,
        **kwargs: Any,
    ) -> None:
        if columns is not None and schemas is not None:
            raise ValueError("Give columns= (one declared table) or schemas= (several), not both.")
        if columns is not None:
            if table is None or _is_template(table):
                raise ValueError("columns= declares the columns of table=; give table as a plain name.")
            schemas = [TableSchema(table, list(columns))]
        if schemas is not None:
            schemas = list(schemas)
            if not schemas or not all(isinstance(s, TableSchema) for s in schemas):
                raise ValueError(
                    "schemas must be a non-empty list of TableSchema(table, columns=[Column(...)])."
                )
            if table is not None and table not in {s.table for s in schemas}:
                raise ValueError(
                    f"table={table!r} is not among the declared tables ({', '.join(s.table for s in schemas)}); "
                    "leave table out when schemas= routes the rows."
                )
            table = table or schemas[0].table
        if table is None:
            raise ValueError("Give the target table (table=), or declared tables with schemas=.")
        if on_bad_data not in BAD_DATA_POLICIES:
            raise ValueError(
                f"Unknown on_bad_data {on_bad_data!r}; use one of: {', '.join(BAD_DATA_POLICIES)}."
            )
        if mode not in LOAD_MODES:
            raise ValueError(f"Unknown mode {mode!r}; use one of: {', '.join(LOAD_MODES)}.")
        if schema_evolution not in SCHEMA_EVOLUTIONS:
            raise ValueError(
                f"Unknown schema_evolution {schema_evolution!r}; use one of: {', '.join(SCHEMA_EVOLUTIONS)}."
            )
        if isinstance(header, str) and header not in ("first_row", "none"):
            raise ValueError(f"Unknown header {header!r}: use 'first_row', 'none' or a list of column names.")
        if index_row not in ("auto", True, False):
            raise ValueError(f"index_row must be 'auto', True or False, got {index_row!r}.")
        if on_new_columns not in ON_NEW_COLUMNS:
            raise ValueError(
                f"Unknown on_new_columns {on_new_columns!r}; use one of: {', '.join(ON_NEW_COLUMNS)}."
            )
        if type_conflicts not in TYPE_CONFLICTS:
            raise ValueError(
                f"Unknown type_conflicts {type_conflicts!r}; use one of: {', '.join(TYPE_CONFLICTS)}."
            )
        if header_rows != "auto" and (
            not isinstance(header_rows, int) or isinstance(header_rows, bool) or header_rows < 1
        ):
            raise ValueError(f"header_rows must be 'auto' or a whole number >= 1, got {header_rows!r}.")
        if transform is not None and not callable(transform):
            raise ValueError("transform must be a function that takes and returns a pandas DataFrame.")
        prov_columns = provenance_columns(provenance)
        if mode == "idempotent" and not all(key in prov_columns for key in IDENTITY_KEYS):
            raise ValueError(
                f"mode='idempotent' needs the provenance columns {', '.join(map(repr, IDENTITY_KEYS))} to find "
                "the rows earlier loads of the same input wrote; keep them or use mode='append' or 'replace'."
            )
        outlets = list(kwargs.pop("outlets", None) or [])
        static = not _is_template(conn_id) and not _is_template(table) and isinstance(table, str)
        if static:
            outlets.extend(warehouse_asset(conn_id, t) for t in _declared_tables(table, schemas))
        kwargs["outlets"] = outlets
        super().__init__(**kwargs)
        self._asset_alias: AssetAlias | None = None
        if not static:
            # The table is only known once rendered: announce it through an alias at run time.
            owner = f"{self.dag_id}." if self.has_dag() else ""
            self._asset_alias = AssetAlias(name=f"{ASSET_SCHEME}-alias:{owner}{self.task_id}")
            self.outlets = [*self.outlets, self._asset_alias]
        self.ocr_task_ids = ocr_task_ids
        self.conn_id = conn_id
        self.table = table
        self.aspose_ocr_conn_id = aspose_ocr_conn_id
        self.header = header
        self.mode = mode
        self.schema_evolution = schema_evolution
        self.infer_types = infer_types
        self.transform = transform
        self.provenance = provenance
        self.skip_failed = skip_failed
        self.sanitize_names = sanitize_names
        self.index_row = index_row
        self.header_rows = header_rows
        self.type_conflicts = type_conflicts
        self.on_new_columns = on_new_columns
        self.schemas = schemas
        self.on_bad_data = on_bad_data
        self.quarantine_table = quarantine_table
        self.keep_history = keep_history
        self.max_concurrency = check_max_concurrency(max_concurrency)
        if rows_per_write is not None and (
            not isinstance(rows_per_write, int) or isinstance(rows_per_write, bool) or rows_per_write < 1
        ):
            raise ValueError(
                f"rows_per_write must be a whole number >= 1, or None to write every row at the end; "
                f"got {rows_per_write!r}."
            )
        self.rows_per_write = rows_per_write
        self.input_records = input_records

    def _ocr_hook(self) -> AsposeOcrHook:
        from aspose_ocr_provider.hooks.aspose_ocr import AsposeOcrHook

        return AsposeOcrHook(aspose_ocr_conn_id=self.aspose_ocr_conn_id, pool_size=self.max_concurrency)

    def execute(self, context: Context) -> dict[str, Any]:
        return self.load_results(context)

    def load_results(self, context: Context) -> dict[str, Any]:
        """What ``execute`` does, callable by an operator that runs this one's work inside its own
        task (Airflow warns when one operator calls another's ``execute``)."""
        refs, repeats = distinct_inputs(task_refs(self.ocr_task_ids))
        for ref in repeats:
            self.log.info("%s is the same input as one given before it; loaded once.", ref.label or ref.task_id)
        records = [(ref.label or ref.task_id, ref.task_id) for ref in refs]
        self._lineage = LineageNotes(
            inputs=[ref.source for ref in refs if ref.source], outputs=self._outputs()
        )
        prov = provenance_columns(self.provenance)
        inputs = IdentityLoad(prov, keep_history=self.keep_history)
        ti = context["ti"]
        map_index = getattr(ti, "map_index", -1)
        loaded_by = f"{ti.dag_id}.{ti.task_id}" + (
            f"[{map_index}]" if map_index is not None and map_index >= 0 else ""
        )
        run_values: dict[str, Any] = {
            "dag_run_id": context["run_id"],
            "loaded_by": loaded_by,
            "loaded_at": datetime.now(UTC),
        }
        reserved = list(prov.values())
        ocr = self._ocr_hook()
        plan = LoadPlan(
            None if self.schemas else self.table,
            self.schemas or (),
            on_bad_data=self.on_bad_data,
            quarantine_table=self.quarantine_table,
        )
        skipped: list[dict[str, Any]] = []
        given = parse_input_records(self.input_records)
        document_rows: dict[str, int] = {}  # rows per document that completed, by source
        sha_rows: dict[str, int] = {}  # the same, by the document's sha256 (for repeated inputs)
        column_texts: dict[str, str] = {}
        per_source: dict[str, int] = {}
        per_table: dict[str, int] = dict.fromkeys(plan.tables, 0)
        # Idempotent loads replace the rows of the same inputs, in every table they write.
        companion_on = inputs.keyed and not self.schemas
        hook: Any = None
        companion: TableWriter | None = None
        load: StreamedLoad | None = None
        rows_per_write = self.rows_per_write

        def writer(
            table: str,
            declared: Any = None,
            sql_types: Any = None,
            mode: str = self.mode,
            new_columns: str = "add",
        ) -> TableWriter:
            return TableWriter(
                hook,
                table,
                mode=mode,
                schema_evolution=self.schema_evolution,
                replace_rows=inputs.replaced_rows() if mode == "idempotent" else None,
                type_conflicts=self.type_conflicts,
                declared=declared,
                sql_types=sql_types,
                on_new_columns=new_columns,
            )

        def data_writer(table: str, declared: Any = None, sql_types: Any = None) -> TableWriter:
            return writer(table, declared, sql_types, new_columns=self.on_new_columns)

        def quarantine() -> list[Target]:
            run = {prov[k]: run_values[k] for k in run_values if k in prov}
            if not keyed:
                return plan.quarantine_target(writer(self.quarantine_table, mode="append"), run)
            # The quarantine table names the identity columns its own way (source, sha256, page).
            keyed_writer = TableWriter(
                hook,
                self.quarantine_table,
                mode="idempotent",
                replace_rows=inputs.replaced_rows(*QUARANTINE_IDENTITY),
            )
            return plan.quarantine_target(keyed_writer, run) or [(keyed_writer, [])]

        def begin(stack: contextlib.ExitStack) -> StreamedLoad:
            nonlocal companion
            writers = plan.writers(data_writer)
            if companion_on:
                companion = inputs.companion_writer(hook, self.table, self.mode)
                writers.append(companion)
            return stack.enter_context(StreamedLoad(writers))

        def written(chunk: list[tuple[Target, list[str]]], counts: Sequence[list[int]]) -> None:
            for ((w, _), sources), rows in zip(chunk, counts, strict=True):
                per_table[w.table] += sum(rows)
                for source, count in zip(sources, rows, strict=True):
                    per_source[source] = per_source.get(source, 0) + count

        if records:
            ocr.prepare()  # connection and token read here, not by the pool's threads at once
        with contextlib.ExitStack() as stack:
            fetched = fetch_ordered(ocr.get_result, [task_id for _, task_id in records], self.max_concurrency)
            for ref, (source, task_id), (_, result) in zip(refs, records, fetched, strict=True):
                if result.task_status is not TaskStatus.COMPLETED:
                    messages = "; ".join(clause(m) for m in result.messages) or "the service gave no message"
                    problem = f"OCR of {source} (task {task_id}) is {result.task_status.value}: {messages}"
                    advice = (
                        "Wait for it to finish first (AsposeOcrTaskSensor)"
                        if not result.task_status.is_final
                        else "Resubmit the image"
                    )
                    if not self.skip_failed:
                        raise AsposeOcrError(
                            f"{problem}. {advice}, or set skip_failed=True to load the other tables."
                        )
                    self.log.warning("Skipping %s", problem)
                    skipped.append(
                        {
                            "source": source,
                            "task_id": task_id,
                            "status": result.task_status.value,
                            "messages": list(result.messages),
                        }
                    )
                    continue
                try:
                    tables = result_tables(
                        result,
                        header=self.header,
                        index_row=self.index_row,  # type: ignore[arg-type]
                        infer_types=self.infer_types and not self.schemas,
                        sanitize_names=self.sanitize_names,
                        reserved_names=reserved,
                        header_rows=self.header_rows,
                    )
                except ValueError as exc:
                    raise ValueError(f"Cannot read the tables recognised in {source}: {exc}") from exc
                rows = 0
                for number, table in enumerate(tables, start=1):
                    origin = CellOrigin(ref.source or task_id, task_id, ref.sha256, ref.page, number)
                    target, frame = plan.route(table, origin)
                    if target is None or frame is None:
                        continue
                    if self.transform is not None:
                        frame = self._transformed(frame, source, prov)
                    # A transform or a declared schema reshapes the frame: then no text matches it.
                    recognised = table.text if self.transform is None and not self.schemas else None
                    frame = with_row_provenance(frame, table, prov)
                    if recognised is not None:
                        recognised = with_row_provenance(recognised, table, prov)
                    for name, text in table.columns.items():
                        column_texts.setdefault(name, text)
                    rows += len(frame)
                    values = {
                        "source": ref.source or task_id,
                        "source_sha256": ref.sha256,
                        "source_page": ref.page,
                        "ocr_task_id": task_id,
                        "source_table": number,
                        **run_values,
                    }
                    plan.add(
                        target,
                        TableBatch(
                            frame,
                            constants={prov[k]: v for k, v in values.items() if k in prov},
                            index_column=prov.get("source_row"),
                            text=recognised,
                            origin=origin,
                            headers=table.columns,
                            row_columns=tuple(prov[k] for k in ROW_KEYS if k in prov),
                        ),
                        source,
                        totals=table.row_provenance(frame.index)[0].eq(TOTAL).tolist(),
                    )
                inputs.add(ref.source or task_id, task_id, ref.identity, len(tables), rows)
                document_rows[ref.source or task_id] = document_rows.get(ref.source or task_id, 0) + rows
                if ref.sha256 is not None:
                    sha_rows[ref.sha256] = sha_rows.get(ref.sha256, 0) + rows
                if rows_per_write is None or plan.pending_rows < rows_per_write:
                    continue
                if hook is None:
                    hook = warehouse_hook(self.conn_id)
                    if dialect_for(getattr(hook, "dialect_name", None)).spool_sql is None:
                        self.log.info("%s cannot hold rows until the end of a load: writing every row at the end.", self.conn_id)
                        rows_per_write = None
                        continue
                load = load or begin(stack)
                chunk = plan.take()
                written(chunk, [load.write(w, batches) for (w, batches), _ in chunk])
            plan.check()
            for ref in repeats:  # the same bytes under another name: the same outcome, a record of its own
                if ref.source and ref.source not in document_rows and ref.sha256 in sha_rows:
                    document_rows[ref.source] = sha_rows[ref.sha256]
            keyed = self.mode == "idempotent" and inputs.keyed and bool(inputs.inputs)
            outcomes = _outcomes(given, document_rows)
            if plan.has_data or (inputs.inputs and (keyed or companion_on)) or outcomes:
                hook = hook or warehouse_hook(self.conn_id)
                load = load or begin(stack)
                chunk = plan.take()
                targets = [t for t, _ in chunk]
                # Tables this load writes no rows to still lose the rows its inputs had there.
                rest: list[Target] = [(w, []) for w in plan.writers(data_writer) if keyed and all(w is not t for t, _ in targets)]
                last: list[Target] = [(companion, inputs.companion_batches(run_values))] if companion is not None else []
                if outcomes:
                    run_id, loaded_at = run_values["dag_run_id"], run_values["loaded_at"]
                    last.append(input_records_target(hook, self.table, outcomes, run_id, loaded_at))
                written(chunk, load.finish([*targets, *rest, *last], more=quarantine)[: len(targets)])
                self._lineage.outputs = [
                    TableOutput(self.conn_id, w.table, w.written_columns)
                    for w in plan.writers(data_writer)
                    if w.table in plan.written_tables
                ]
            else:
                self.log.warning(
                    "Nothing to load into %s: no completed OCR task among %d given.", self.table, len(refs)
                )
        skipped_sources = {s["source"] for s in skipped}
        per_source = {
            **{source: 0 for source, _ in records if source not in skipped_sources},
            **per_source,
        }
        quarantined = plan.quarantined()
        if quarantined:
            self.log.warning(
                "Set %d value(s) aside in %s, first: %s",
                len(quarantined),
                self.quarantine_table,
                quarantined[0].describe(),
            )
        if self._asset_alias is not None:
            context["outlet_events"][self._asset_alias].add(warehouse_asset(self.conn_id, self.table))
        total = sum(per_source.values())
        for output in self._lineage.outputs:
            output.rows = per_table.get(output.table, 0)
        self._lineage.problems = problems_from_skipped(skipped)
        note = ocr.tally.summary()
        self.log.info(
            "Loaded %d rows from %d source(s) into %s%s",
            total,
            len(per_source),
            ", ".join(per_table),
            f"; fetching the results: {note}" if note else "",
        )
        return {
            "table": self.table,
            "conn_id": self.conn_id,
            "rows": total,
            "rows_per_source": per_source,
            "rows_per_table": per_table,
            "quarantined": len(quarantined),
            "skipped": skipped,
            "columns": column_texts,
        }

    def _outputs(self) -> list[TableOutput]:
        return [TableOutput(self.conn_id, t) for t in _declared_tables(self.table, self.schemas)]

    def _lineage_notes(self) -> LineageNotes:
        return getattr(self, "_lineage", None) or LineageNotes(outputs=self._outputs())

    def get_openlineage_facets_on_start(self) -> OperatorLineage:
        """The tables about to be written (the images are known once the records are read)."""
        from aspose_ocr_provider.lineage import operator_lineage

        return operator_lineage(LineageNotes(outputs=self._outputs()))

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> OperatorLineage:
        """Every input image; each table with the columns written (schema) and its rows (output
        statistics); images whose recognition failed and were skipped as extraction errors."""
        from aspose_ocr_provider.lineage import operator_lineage

        return operator_lineage(self._lineage_notes())

    def get_openlineage_facets_on_failure(self, task_instance: Any) -> OperatorLineage:
        """The images and tables the failed load was given; nothing was written (one transaction)."""
        from aspose_ocr_provider.lineage import operator_lineage

        return operator_lineage(self._lineage_notes(), with_output_stats=False)

    def _transformed(self, frame: pd.DataFrame, source: str, prov: dict[str, str]) -> pd.DataFrame:
        assert self.transform is not None
        frame = self.transform(frame)
        if not isinstance(frame, pd.DataFrame):
            raise ValueError(
                f"transform returned {type(frame).__name__} for {source}; it must return a DataFrame."
            )
        clash = sorted({str(c) for c in frame.columns} & set(prov.values()))
        if clash:
            raise ValueError(
                f"transform produced column(s) {clash} that are provenance columns; rename them "
                "or rename the provenance columns with provenance={...}."
            )
        if "source_row" in prov and not pd.api.types.is_integer_dtype(frame.index.dtype):
            self.log.warning(
                "transform replaced the row-number index of %s; recording positions 1..n in %s",
                source,
                prov["source_row"],
            )
            frame = frame.set_axis(pd.RangeIndex(1, len(frame) + 1))
        return frame


def _outcomes(given: Sequence[InputRecord], document_rows: dict[str, int]) -> list[InputRecord]:
    """The records to write: rejections as given; each submitted document that completed, with
    the outcome its rows say (one that failed recognition and was skipped gets none)."""
    out: list[InputRecord] = []
    for record in given:
        if record.outcome == REJECTED:
            out.append(record)
        elif record.source in document_rows:
            outcome = LOADED if document_rows[record.source] else NO_TABLE
            out.append(dataclasses.replace(record, outcome=outcome, reason=None))
    return out


def _declared_tables(table: str, schemas: Sequence[TableSchema] | None) -> list[str]:
    """Every table a load writes (the quarantine table aside), in declaration order."""
    if not schemas:
        return [table]
    return list(dict.fromkeys([*(s.table for s in schemas), *(s.totals_table for s in schemas if s.totals_table)]))

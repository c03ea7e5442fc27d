"""OpenLineage for the submit and load operators: which images fed which warehouse table.

The operators fill a ``LineageNotes`` while they run (no I/O of its own, no OpenLineage import),
and their ``get_openlineage_facets_on_start/complete/failure`` methods turn the notes into an
``OperatorLineage`` here. OpenLineage is imported only inside those calls, so the provider works
without the optional ``apache-airflow-providers-openlineage`` (extra ``openlineage``); the
OpenLineage listener only calls the methods when that provider is installed.

Names follow OpenLineage's dataset naming: a local image is namespace ``file`` with its absolute
path, ``file://host/path`` is namespace ``file://host``, an object store URI is namespace
``scheme://bucket`` with the key as name. The table uses the connection's own OpenLineage naming
when its hook has one (PostgreSQL: ``postgres://host:port``, ``database.schema.table``), else
``<conn type>://<host>`` (SQLite: the database file) and the table as written.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow.providers.openlineage.extractors import OperatorLineage


@dataclass
class TableOutput:
    """One warehouse table a load writes."""

    conn_id: str
    table: str
    columns: dict[str, str] = field(default_factory=dict)
    """Column name -> SQL type of the columns this load wrote (empty until it wrote them)."""
    rows: int | None = None
    """Rows written (None until the load committed)."""


@dataclass
class LineageNotes:
    """What one try of an operator read, wrote and could not read, as it learnt it."""

    inputs: list[str] = field(default_factory=list)
    """Image sources (paths or URIs) in input order; ``<bytes input #n>`` has no dataset."""
    problems: list[tuple[str, str]] = field(default_factory=list)
    """``(source, what went wrong)`` per image that failed or was skipped."""
    outputs: list[TableOutput] = field(default_factory=list)
    """The tables written to."""


def image_dataset_name(source: str) -> tuple[str, str] | None:
    """``(namespace, name)`` of an input image, or None for raw bytes (no dataset to name)."""
    if source.startswith("<"):
        return None
    parsed = urllib.parse.urlsplit(source)
    if len(parsed.scheme) <= 1:  # a plain path (or a Windows drive letter)
        return "file", os.path.abspath(source)
    path = urllib.parse.unquote(parsed.path)
    if parsed.scheme == "file":
        host = parsed.netloc
        return ("file", path) if host in ("", "localhost") else (f"file://{host}", path)
    return f"{parsed.scheme}://{parsed.netloc}", path.lstrip("/")


def table_dataset_name(conn_id: str, table: str, hook: Any = None) -> tuple[str, str]:
    """``(namespace, name)`` of the warehouse table, by the connection's OpenLineage naming."""
    from aspose_ocr_provider.compat import BaseHook
    from aspose_ocr_provider.warehouse.dialects import dialect_for

    connection = BaseHook.get_connection(conn_id)
    if hook is None:
        hook = connection.get_hook()
    parts = dialect_for(getattr(hook, "dialect_name", None)).split_table(table)
    info = None
    if hasattr(hook, "get_openlineage_database_info"):
        try:
            info = hook.get_openlineage_database_info(connection)
        except Exception:
            info = None
    if info is not None:
        namespace = f"{info.scheme}://{info.authority}" if info.authority else str(info.scheme)
        if len(parts) == 1:
            parts = [_default_schema(hook), *parts]
        database = info.database
        return namespace, ".".join(p for p in (database, *parts) if p)
    host = connection.host or ""
    return f"{connection.conn_type}://{host}", ".".join(parts)


def _default_schema(hook: Any) -> str:
    try:
        return str(hook.get_openlineage_default_schema() or "public")
    except Exception:
        return "public"


def operator_lineage(notes: LineageNotes, *, with_output_stats: bool = True) -> OperatorLineage:
    """The OpenLineage facets for what ``notes`` recorded."""
    from airflow.providers.openlineage.extractors import OperatorLineage
    from openlineage.client.event_v2 import InputDataset, OutputDataset
    from openlineage.client.facet_v2 import (
        extraction_error_run,
        output_statistics_output_dataset,
        schema_dataset,
    )

    inputs = []
    for source in dict.fromkeys(notes.inputs):
        named = image_dataset_name(source)
        if named is not None:
            inputs.append(InputDataset(namespace=named[0], name=named[1]))
    outputs = []
    for table in notes.outputs:
        namespace, name = table_dataset_name(table.conn_id, table.table)
        facets: dict[str, Any] = {}
        if table.columns:
            facets["schema"] = schema_dataset.SchemaDatasetFacet(
                fields=[
                    schema_dataset.SchemaDatasetFacetFields(name=column, type=sql_type)
                    for column, sql_type in table.columns.items()
                ]
            )
        output_facets: dict[str, Any] = {}
        if with_output_stats and table.rows is not None:
            output_facets["outputStatistics"] = (
                output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(rowCount=table.rows)
            )
        outputs.append(
            OutputDataset(namespace=namespace, name=name, facets=facets, outputFacets=output_facets)
        )
    run_facets: dict[str, Any] = {}
    if notes.problems:
        run_facets["extractionError"] = extraction_error_run.ExtractionErrorRunFacet(
            totalTasks=len(dict.fromkeys(notes.inputs)) or len(notes.problems),
            failedTasks=len(notes.problems),
            errors=[
                extraction_error_run.Error(errorMessage=message, task=source, taskNumber=number)
                for number, (source, message) in enumerate(notes.problems, start=1)
            ],
        )
    return OperatorLineage(inputs=inputs, outputs=outputs, run_facets=run_facets)


def problems_from_skipped(skipped: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """The load's ``skipped`` records as ``(source, message)`` problems."""
    return [
        (
            str(s.get("source", "")),
            f"OCR task {s.get('task_id')} is {s.get('status')}: "
            + ("; ".join(s.get("messages") or []) or "the service gave no message"),
        )
        for s in skipped
    ]

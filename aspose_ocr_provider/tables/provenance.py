"""Provenance columns: where each loaded row came from, and which run put it there.

They let a user trace a warehouse row back to its image and row, and they are what makes the
idempotent load mode and the incremental skip work: ``_source_sha256`` and ``_source_page`` are
the input's identity (see :mod:`aspose_ocr_provider.documents.identity`), so a load replaces the rows an
earlier load of the same input wrote, whatever run wrote them, and the submit step skips inputs
whose identity the table already holds.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from aspose_ocr_provider.tables.clean import CleanTable

ProvenanceSpec = bool | Mapping[str, str | None]

DEFAULT_PROVENANCE: dict[str, str] = {
    "source": "_source",
    "source_sha256": "_source_sha256",
    "source_page": "_source_page",
    "ocr_task_id": "_ocr_task_id",
    "source_table": "_source_table",
    "source_row": "_source_row",
    "source_rows": "_source_rows",
    "row_kind": "_row_kind",
    "dag_run_id": "_dag_run_id",
    "loaded_by": "_loaded_by",
    "loaded_at": "_loaded_at",
}
"""Key -> default column. ``source``: file or name the image came from; ``source_sha256``: sha256
of that input's bytes (of the whole document for a PDF); ``source_page``: 1-based page within it
(1 for a plain image); ``ocr_task_id``: the
cloud's task id; ``source_table``: 1-based table number within the image; ``source_row``: the
row's position in that table (header = row 1; the first of them for a row merged from several);
``source_rows``: every recognised row the row came from, as text (``"4"``, or ``"4-5"`` when a
wrapped cell's second line was merged into it); ``row_kind``: ``"data"``, or ``"total"`` for a
summary row (Total, Subtotal, Zwischensumme...: filter on it before summing); ``dag_run_id``: Airflow run id; ``loaded_by``:
``dag_id.task_id`` (plus ``[map_index]``) of the load task; ``loaded_at``: load time, UTC."""

ROW_KEYS: tuple[str, ...] = ("source_rows", "row_kind")
"""Provenance that differs from row to row, written as frame columns (the rest is per table)."""

IDENTITY_KEYS: tuple[str, ...] = ("source", "source_sha256", "source_page")
"""The columns the idempotent load mode and the incremental skip check need."""


def provenance_columns(spec: ProvenanceSpec) -> dict[str, str]:
    """The enabled provenance columns, ``{key: column name}``.

    :param spec: True for the defaults, False for none, or a mapping that renames keys
        (``{"source": "file_name"}``) or drops them (``{"loaded_at": None}``); keys not named
        keep their default.
    """
    if spec is True:
        return dict(DEFAULT_PROVENANCE)
    if spec is False or spec is None:
        return {}
    if not isinstance(spec, Mapping):
        raise ValueError(
            f"provenance must be True, False or a mapping of column renames, got {type(spec).__name__}."
        )
    unknown = sorted(set(spec) - set(DEFAULT_PROVENANCE))
    if unknown:
        raise ValueError(
            f"Unknown provenance key(s) {', '.join(map(repr, unknown))}; valid keys are: "
            f"{', '.join(DEFAULT_PROVENANCE)}."
        )
    columns: dict[str, str] = {}
    for key, default in DEFAULT_PROVENANCE.items():
        name = spec.get(key, default)
        if name is None:
            continue
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"provenance column for {key!r} must be a non-empty name or None, got {name!r}.")
        columns[key] = name
    seen: dict[str, str] = {}
    for key, name in columns.items():
        if name.casefold() in seen:
            raise ValueError(
                f"provenance columns {seen[name.casefold()]!r} and {key!r} share the name {name!r}."
            )
        seen[name.casefold()] = key
    return columns


def with_row_provenance(frame: pd.DataFrame, table: CleanTable, columns: Mapping[str, str]) -> pd.DataFrame:
    """``frame`` (rows of ``table``, perhaps fewer or transformed) with the per-row provenance
    columns that ``columns`` (:func:`provenance_columns`) enables, matched to rows by index."""
    wanted = {key: columns[key] for key in ROW_KEYS if key in columns}
    if not wanted:
        return frame
    kinds, sources = table.row_provenance(frame.index)
    values = {"row_kind": kinds, "source_rows": sources}
    return frame.assign(**{name: values[key] for key, name in wanted.items()})

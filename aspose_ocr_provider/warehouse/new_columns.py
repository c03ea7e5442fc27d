"""What a load does with a column the table does not have: add it, rescue its cells, or fail.

Without a declared schema every image names its own columns, so a table of invoices grows a
column for every layout and every misread header (``water_sample`` beside ``sample``). Two
things keep it stable:

* a header that differs from an existing column only by case, spacing, punctuation (the names
  are already folded) or a small OCR slip (``amout``, ``unit_prise``) goes into that column; the
  slip is logged with its distance. Numbers must agree (``col_1`` is never ``col_2``, ``2024``
  never ``2025``), generated names (``col__3``) never match, and short names must be exact;
* ``on_new_columns`` decides the rest, like Databricks Auto Loader's schema evolution modes:
  ``"add"`` adds the column; ``"rescue"`` keeps the columns the table has (a new table takes the
  first image's) and writes the cells of unknown headers into one text column, ``_rescued``, as
  JSON ``{header: cell}``, so nothing is lost and the schema changes only when a person says so;
  ``"fail"`` stops the load naming the columns.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Collection, Sequence
from dataclasses import replace

import pandas as pd

from aspose_ocr_provider.tables.header_match import allowed_slips, edit_distance, header_key
from aspose_ocr_provider.tables.sql_names import GENERATED_SEPARATOR
from aspose_ocr_provider.warehouse.batch import TableBatch

log = logging.getLogger(__name__)

ON_NEW_COLUMNS: tuple[str, ...] = ("add", "rescue", "fail")
RESCUED_COLUMN = "_rescued"
"""The text column ``on_new_columns="rescue"`` writes unknown headers' cells into."""

_DIGITS = re.compile(r"\d+")


class NewColumnsError(ValueError):
    """A recognised table has columns the warehouse table lacks, with ``on_new_columns='fail'``."""


def same_column(name: str, known: str) -> int | None:
    """Edits between a new column name and an existing one when they are one column read with a
    small slip, else None."""
    if GENERATED_SEPARATOR in name or GENERATED_SEPARATOR in known:
        return None
    key, target = header_key(name), header_key(known)
    if not key or not target or _DIGITS.findall(name) != _DIGITS.findall(known):
        return None
    limit = allowed_slips(target)
    found = edit_distance(key, target, limit)
    return found if found <= limit else None


def fit_batches(
    batches: Sequence[TableBatch],
    known: Collection[str] | None,
    *,
    policy: str,
    table: str,
    provenance: Collection[str] = (),
) -> list[TableBatch]:
    """Bring each batch to the table's columns per ``policy``.

    :param known: the data columns the table has, or has been given earlier in this load
        (None: no table yet, so the first batch fixes them).
    :param provenance: provenance column names, which are never data columns.
    """
    if policy not in ON_NEW_COLUMNS:
        raise ValueError(f"Unknown on_new_columns {policy!r}; use one of: {', '.join(ON_NEW_COLUMNS)}.")
    columns: list[str] | None = None if known is None else [c for c in known if c not in provenance]
    out: list[TableBatch] = []
    for batch in batches:
        if columns is None:
            columns = [str(c) for c in batch.frame.columns if str(c) not in batch.row_columns]
            out.append(batch)
            continue
        batch = _map_slips(batch, columns, table)
        new = [
            str(c)
            for c in batch.frame.columns
            if str(c) not in columns and str(c) not in batch.row_columns and str(c) not in provenance
        ]
        if new and policy == "fail":
            origin = batch.origin.describe() if batch.origin is not None else "a recognised table"
            raise NewColumnsError(
                f"{origin} has column(s) {', '.join(map(repr, new))} that {table} lacks (on_new_columns='fail'). "
                "Load with on_new_columns='rescue' to keep their cells in _rescued, 'add' to add them, or "
                "declare the table's columns (schemas=) with aliases for these headers."
            )
        if new and policy == "rescue":
            batch = _rescue(batch, new)
        elif new:
            columns.extend(new)
        out.append(batch)
    return out


def _map_slips(batch: TableBatch, columns: Sequence[str], table: str) -> TableBatch:
    present = {str(c) for c in batch.frame.columns}
    renames: dict[str, str] = {}
    for name in [str(c) for c in batch.frame.columns]:
        if name in columns or name in batch.row_columns:
            continue
        free = [c for c in columns if c not in present and c not in renames.values()]
        scored = [(d, c) for d, c in ((same_column(name, c), c) for c in free) if d is not None]
        if not scored:
            continue
        best = min(d for d, _ in scored)
        winners = [c for d, c in scored if d == best]
        if len(winners) == 1:
            renames[name] = winners[0]
            log.info(
                "Header %r goes into the existing column %r of %s (%d edit(s) apart: an OCR slip).",
                (batch.headers or {}).get(name, name),
                winners[0],
                table,
                best,
            )
    if not renames:
        return batch
    headers = {renames.get(k, k): v for k, v in (batch.headers or {}).items()}
    text = batch.text.rename(columns=renames) if batch.text is not None else None
    return replace(batch, frame=batch.frame.rename(columns=renames), text=text, headers=headers)


def _rescue(batch: TableBatch, new: Sequence[str]) -> TableBatch:
    """The cells of ``new`` columns as JSON ``{header: cell}`` in ``_rescued``; the columns dropped."""
    cells = batch.cells()
    headers = batch.headers or {}
    texts = {name: _texts(cells[name] if name in cells.columns else batch.frame[name]) for name in new}
    rescued: list[str | None] = []
    for row in range(len(batch.frame)):
        found = {headers.get(name, name): texts[name][row] for name in new if texts[name][row] is not None}
        rescued.append(json.dumps(found, ensure_ascii=False) if found else None)
    if RESCUED_COLUMN in batch.frame.columns:
        rescued = [_merge_json(a, b) for a, b in zip(batch.frame[RESCUED_COLUMN].tolist(), rescued, strict=True)]
    column = pd.Series(rescued, index=batch.frame.index, dtype=object)
    frame = batch.frame.drop(columns=list(new)).assign(**{RESCUED_COLUMN: column})
    text = batch.text.drop(columns=[c for c in new if c in batch.text.columns]).assign(**{RESCUED_COLUMN: column}) if batch.text is not None else None
    row_columns = tuple(dict.fromkeys([*batch.row_columns, RESCUED_COLUMN]))
    log.info("Cells of header(s) %s kept in %s: the table has no such column.", [headers.get(n, n) for n in new], RESCUED_COLUMN)
    return replace(batch, frame=frame, text=text, row_columns=row_columns)


def _texts(series: pd.Series) -> list[str | None]:
    out: list[str | None] = []
    for value in series.tolist():
        if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
            out.append(None)
        else:
            out.append(value if isinstance(value, str) else str(value))
    return out


def _merge_json(first: str | None, second: str | None) -> str | None:
    if not first or not second:
        return first or second
    return json.dumps({**json.loads(first), **json.loads(second)}, ensure_ascii=False)

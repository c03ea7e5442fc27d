"""When an image's column does not have the type its warehouse column already has.

Types are inferred per image, but a warehouse column keeps the type its first load gave it. A
later image may bring text (an OCR slip: ``1O5``) into a numeric column, or a decimal into an
integer one. Per the load's ``type_conflicts`` setting the column is widened (integer -> decimal
-> text; date -> timestamp -> text), the cells that do not read as the column's type are set aside
in quarantine with their rows, or the load fails naming the image and the cell. A number going
into a text column is written as the text the image shows, never as ``'12.0'``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from aspose_ocr_provider.tables.cells import CellError, cell_parser, dtype_of
from aspose_ocr_provider.tables.quarantine import CellOrigin, QuarantineRecord, row_text
from aspose_ocr_provider.warehouse.kinds import fits, kind_of_series, widen

if TYPE_CHECKING:
    from aspose_ocr_provider.warehouse.batch import TableBatch

TYPE_CONFLICTS: tuple[str, ...] = ("widen", "quarantine", "fail")


class TypeConflictError(ValueError):
    """A cell that does not fit its column's type, with ``type_conflicts='fail'``."""


@dataclass
class Reconciled:
    """What the writer does: final column kinds, converted batches, columns to widen, cells set aside."""

    kinds: dict[str, str]
    batches: list[TableBatch]
    widened: dict[str, str] = field(default_factory=dict)
    records: list[QuarantineRecord] = field(default_factory=list)


def reconcile(
    batches: Sequence[TableBatch],
    existing: Mapping[str, tuple[str, ...]] | None,
    *,
    table: str,
    policy: str = "widen",
    declared: Mapping[str, str] | None = None,
) -> Reconciled:
    """Decide each column's kind and bring every batch to it, per ``policy``.

    :param existing: the table's columns and the kinds their SQL types store (None: no table).
    :param declared: kinds fixed by a declared schema; their values were parsed already.
    """
    if policy not in TYPE_CONFLICTS:
        raise ValueError(f"Unknown type_conflicts {policy!r}; use one of: {', '.join(TYPE_CONFLICTS)}.")
    declared = dict(declared or {})
    existing = dict(existing or {})
    kinds: dict[str, str] = {}
    conflicts: list[tuple[int, str]] = []
    for number, batch in enumerate(batches):
        for name in batch.frame.columns.astype(str):
            kind = kind_of_series(batch.frame[name])
            if name in declared:
                kinds[name] = declared[name]
                continue
            current = kinds.get(name)
            if current is None and name in existing:
                candidates = existing[name]
                current = kind if kind in candidates else candidates[0]
            if current is None:
                kinds[name] = kind
            elif fits(kind, current):
                kinds[name] = current
            elif policy == "widen":
                kinds[name] = widen(current, kind)
            else:
                kinds[name] = current
                conflicts.append((number, name))
        for name, kind in batch.extra_kinds().items():
            kinds.setdefault(name, existing.get(name, (kind,))[0] if name in existing else kind)
    widened = {
        name: kind
        for name, kind in kinds.items()
        if name in existing and name not in declared and kind not in existing[name]
    }
    out = list(batches)
    records: list[QuarantineRecord] = []
    for number, name in conflicts:
        out[number], found = _set_aside(out[number], name, kinds[name], table, policy)
        records.extend(found)
    out = [_convert(batch, kinds, declared) for batch in out]
    return Reconciled(kinds, out, widened, records)


def _origin(batch: TableBatch) -> CellOrigin:
    return batch.origin if batch.origin is not None else CellOrigin(source="(unknown source)")


def _set_aside(
    batch: TableBatch, name: str, kind: str, table: str, policy: str
) -> tuple[TableBatch, list[QuarantineRecord]]:
    """Parse the column's cells as ``kind``; rows whose cell does not read are withheld."""
    text = batch.cells()
    parse = cell_parser(kind)
    values: list[Any] = []
    bad: dict[Any, str] = {}
    for row, cell in zip(text.index, text[name], strict=True):
        if cell is None or (isinstance(cell, float) and pd.isna(cell)):
            values.append(None)
            continue
        try:
            values.append(parse(str(cell)))
        except (CellError, ValueError) as exc:
            bad[row] = str(cell)
            values.append(None)
            if policy == "fail":
                raise TypeConflictError(
                    f"{_origin(batch).describe(int(row), name)}: {exc}, but column {name!r} of {table} holds "
                    f"{kind} values. Set type_conflicts='widen' to widen the column, 'quarantine' to set such "
                    "cells aside, or fix the image."
                ) from None
    frame = batch.frame.copy()
    frame[name] = pd.Series(values, index=frame.index, dtype=dtype_of(kind))
    headers = batch.headers or {}
    records = [
        QuarantineRecord(
            table,
            _origin(batch),
            f"{raw!r} is not {kind}, the type column {name!r} already has",
            row=int(row),
            column=name,
            header_text=headers.get(name),
            raw_text=raw,
            row_text=row_text(text, row, headers),
        )
        for row, raw in bad.items()
    ]
    keep = ~frame.index.isin(list(bad))
    new_text = text.loc[keep] if batch.text is not None else None
    return replace(batch, frame=frame.loc[keep], text=new_text), records


def _convert(batch: TableBatch, kinds: Mapping[str, str], declared: Mapping[str, str]) -> TableBatch:
    """Each frame column as its final kind: numbers into text as the image wrote them."""
    frame = batch.frame
    changed: dict[str, pd.Series] = {}
    for name in frame.columns.astype(str):
        if name in declared:
            continue
        have, want = kind_of_series(frame[name]), kinds[name]
        if have == want:
            continue
        if want == "text":
            changed[name] = as_text(batch, name)
        elif want == "float" and have == "integer":
            changed[name] = frame[name].astype("Float64")
    if not changed:
        return batch
    frame = frame.copy()
    for name, series in changed.items():
        frame[name] = series
    return replace(batch, frame=frame)


def as_text(batch: TableBatch, name: str) -> pd.Series:
    """A column's values as a text column holds them: the text the image shows, when known."""
    if batch.text is not None and name in batch.text.columns:
        return batch.text[name].reindex(batch.frame.index).astype(object)
    return batch.frame[name].astype(object).map(_number_text)


def _number_text(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)

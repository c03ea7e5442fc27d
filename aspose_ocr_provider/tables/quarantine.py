"""The quarantine table: what a load set aside instead of loading it wrong, with where it came from.

A cell that does not read as its column's type, a header that matches no declared column, a table
missing a required column or matching no declared layout: each becomes one quarantine row that
names the image (source, sha256, page), the table and row in it, the column, the text as
recognised and the reason. The rows around it load; nothing becomes NULL or text silently.
Quarantine rows are written in the same transaction as the data they were set aside from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

DEFAULT_QUARANTINE_TABLE = "ocr_quarantine"
BAD_DATA_POLICIES: tuple[str, ...] = ("quarantine", "fail")

QUARANTINE_COLUMNS: tuple[str, ...] = (
    "target_table",
    "source",
    "sha256",
    "page",
    "ocr_task_id",
    "source_table",
    "source_row",
    "column_name",
    "header_text",
    "raw_text",
    "reason",
    "row_text",
)
"""The quarantine table's data columns; the load's provenance run columns follow them."""

QUARANTINE_IDENTITY: tuple[str, str, str] = ("source", "sha256", "page")
"""The quarantine columns naming the input a record came from (the data tables' ``source``,
``source_sha256`` and ``source_page`` provenance): a reload replaces by them, and the incremental
check finds by them the inputs the quarantine holds."""


@dataclass(frozen=True)
class CellOrigin:
    """Where a recognised table came from: enough to find it again in the image."""

    source: str
    ocr_task_id: str | None = None
    sha256: str | None = None
    page: int | None = None
    source_table: int | None = None

    def describe(self, row: int | None = None, column: str | None = None) -> str:
        where = [self.source]
        if self.page is not None and self.page != 1:
            where.append(f"page {self.page}")
        if self.source_table is not None:
            where.append(f"table {self.source_table}")
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        return ", ".join(where)


@dataclass(frozen=True)
class QuarantineRecord:
    """One thing set aside. ``row`` is None for a problem of a whole table or column.

    :param row_text: the whole recognised row (``{header: text}``) when a row was withheld, so the
        cells that did read are not lost either.
    """

    target_table: str | None
    origin: CellOrigin
    reason: str
    row: int | None = None
    column: str | None = None
    header_text: str | None = None
    raw_text: str | None = None
    row_text: Mapping[str, str | None] = field(default_factory=dict)

    def describe(self) -> str:
        cell = f" ({self.raw_text!r})" if self.raw_text is not None else ""
        return f"{self.origin.describe(self.row, self.column)}{cell}: {self.reason}"


class BadDataError(ValueError):
    """Data that does not fit its declared table, with ``on_bad_data='fail'``."""

    def __init__(self, records: Sequence[QuarantineRecord]) -> None:
        self.records = list(records)
        shown = "; ".join(r.describe() for r in self.records[:5])
        more = f" (and {len(self.records) - 5} more)" if len(self.records) > 5 else ""
        super().__init__(
            f"{shown}{more}. Fix the table or the image, widen the declared schema (aliases, types), "
            "or set on_bad_data='quarantine' to load the rest and set these aside."
        )


def row_text(frame: pd.DataFrame, row: Any, headers: Mapping[str, str]) -> dict[str, str | None]:
    """The recognised cells of one row, keyed by header text."""
    values = frame.loc[row]
    return {headers.get(str(c), str(c)): (None if pd.isna(v) else str(v)) for c, v in values.items()}


def quarantine_frame(records: Sequence[QuarantineRecord]) -> pd.DataFrame:
    """The records as rows of the quarantine table (text and integer columns only)."""
    data: dict[str, list[Any]] = {name: [] for name in QUARANTINE_COLUMNS}
    for r in records:
        data["target_table"].append(r.target_table)
        data["source"].append(r.origin.source)
        data["sha256"].append(r.origin.sha256)
        data["page"].append(r.origin.page)
        data["ocr_task_id"].append(r.origin.ocr_task_id)
        data["source_table"].append(r.origin.source_table)
        data["source_row"].append(r.row)
        data["column_name"].append(r.column)
        data["header_text"].append(r.header_text)
        data["raw_text"].append(r.raw_text)
        data["reason"].append(r.reason)
        data["row_text"].append(json.dumps(dict(r.row_text), ensure_ascii=False) if r.row_text else None)
    types = {"page": "Int64", "source_table": "Int64", "source_row": "Int64"}
    return pd.DataFrame(
        {name: pd.Series(values, dtype=types.get(name, object)) for name, values in data.items()}
    )

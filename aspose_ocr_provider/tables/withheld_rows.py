"""A row a load withheld, as a person reviews it, and the row their answer makes of it.

A declared load sets a row aside when one of its cells does not read as its column's type (or a
required cell is empty); the quarantine table keeps every problem cell with the whole row as
recognised. A person then types the values the image shows. Their values are held to exactly the
rule the load applied (:func:`~aspose_ocr_provider.tables.schema.read_cell`), so a correction
that still does not read is refused with the same kind of reason, never loaded wrong.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aspose_ocr_provider.tables.cells import CellError
from aspose_ocr_provider.tables.quarantine import CellOrigin
from aspose_ocr_provider.tables.schema import TableSchema, read_cell


@dataclass(frozen=True)
class Problem:
    """One cell of a withheld row that did not read.

    :param column: the declared column.
    :param raw_text: the text as recognised (None for an empty required cell).
    :param reason: why it was set aside, as the load wrote it.
    """

    column: str
    raw_text: str | None
    reason: str


@dataclass(frozen=True)
class WithheldRow:
    """One withheld row: where it came from, its cells as recognised, and its problem cells.

    :param cells: ``{header text: text}`` of the whole row as recognised.
    :param note: what the last answer about it said, when it was refused.
    """

    target_table: str
    source: str
    sha256: str | None
    page: int | None
    ocr_task_id: str | None
    source_table: int | None
    source_row: int
    cells: Mapping[str, str | None]
    problems: tuple[Problem, ...]
    note: str | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        """A short name for this row as recognised, stable across runs and retries.

        It is what the review question names the row's fields by. A reload that reads the image
        differently gives the row another key, so an answer given about the old reading is never
        applied to the new one.
        """
        identity = [
            self.target_table,
            self.source,
            self.sha256,
            self.page,
            self.source_table,
            self.source_row,
            sorted(self.cells.items(), key=lambda kv: kv[0]),
            [(p.column, p.raw_text) for p in self.problems],
        ]
        return hashlib.sha256(json.dumps(identity, default=str).encode()).hexdigest()[:10]

    def describe(self) -> str:
        """Where the row is: file, page (when not the first), table and row."""
        return CellOrigin(self.source, page=self.page, source_table=self.source_table).describe(self.source_row)


def corrected_row(
    schema: TableSchema, row: WithheldRow, entered: Mapping[str, str | None]
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The row's typed values with the person's ``{column: text}`` in place of the recognised text.

    Returns ``(values, {})``, or ``(None, {column: reason})`` when a cell still does not read as
    its declared type; then nothing of the row may load.
    """
    headers = list(row.cells)
    text = {column.name: row.cells[headers[position]] for position, column in schema.match(headers).items()}
    text.update(entered)
    values: dict[str, Any] = {}
    refused: dict[str, str] = {}
    for column in schema.columns:
        try:
            values[column.name] = read_cell(column, text.get(column.name))
        except CellError as exc:
            refused[column.name] = f"{exc} (column {column.name}, {column.type})"
    return (None, refused) if refused else (values, {})

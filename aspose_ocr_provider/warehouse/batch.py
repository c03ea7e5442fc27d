"""One frame to write and the values shared by its rows: what every warehouse module passes around.

It lives apart from the writer so that the writer, the spool and the type reconciliation can all
name it without importing each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from aspose_ocr_provider.tables.quarantine import CellOrigin
from aspose_ocr_provider.warehouse.kinds import kind_of_value


@dataclass
class TableBatch:
    """One frame to insert, plus values shared by all its rows.

    :param frame: the rows; every column becomes a table column of the same name.
    :param constants: ``{column: value}`` written on every row of this frame.
    :param index_column: if set, the frame's index is written to this column too.
    :param text: the frame's cells as recognised (same columns and index), so a number going into
        a text column is written as the image shows it, and a cell set aside keeps its text.
    :param origin: the image and table the rows came from, for messages and quarantine rows.
    :param headers: ``{column: header text}`` as recognised.
    :param row_columns: frame columns that are per-row provenance (``_row_kind``,
        ``_source_rows``): text, and placed with the other provenance columns, after the data.
    """

    frame: pd.DataFrame
    constants: Mapping[str, Any] = field(default_factory=dict)
    index_column: str | None = None
    text: pd.DataFrame | None = None
    origin: CellOrigin | None = None
    headers: Mapping[str, str] | None = None
    row_columns: tuple[str, ...] = ()

    def cells(self) -> pd.DataFrame:
        """The cells as text when known, else the frame itself."""
        return self.frame if self.text is None else self.text

    def extra_kinds(self) -> dict[str, str]:
        """Kinds of the provenance columns: the index column, constants and per-row provenance."""
        found = {self.index_column: "integer"} if self.index_column else {}
        found.update(dict.fromkeys(self.row_columns, "text"))
        found.update({name: kind_of_value(value) for name, value in self.constants.items()})
        return found

    def column_names(self) -> list[str]:
        names = [str(c) for c in self.frame.columns]
        if self.index_column:
            names.append(self.index_column)
        names.extend(self.constants)
        return names

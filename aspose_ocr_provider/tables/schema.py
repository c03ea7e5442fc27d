"""Declared warehouse tables: the columns a data engineer chose, and how OCR tables map onto them.

Without a declaration every image decides its table's columns. With one, the warehouse table has
exactly the declared columns and types; each recognised table is matched by its headers
(:mod:`.header_match`), its cells are parsed per column (:mod:`.cells`), and what does not fit
is reported as :class:`~aspose_ocr_provider.tables.quarantine.QuarantineRecord` s instead of
being loaded wrong. Several declarations route each recognised table to the table of its layout.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from aspose_ocr_provider.tables.cells import KINDS, WRITER_KINDS, CellError, CellParser, cell_parser, dtype_of
from aspose_ocr_provider.tables.clean import CleanTable
from aspose_ocr_provider.tables.header_match import match_headers
from aspose_ocr_provider.tables.quarantine import CellOrigin, QuarantineRecord, row_text


@dataclass(frozen=True)
class Column:
    """One declared warehouse column.

    :param name: the column's name in the warehouse (used exactly as written, quoted).
    :param type: ``"text"``, ``"integer"``, ``"decimal"``, ``"date"``, ``"timestamp"`` or
        ``"boolean"``. Numbers read thousands separators, currency symbols and codes,
        accounting brackets and ``%`` (stored as a fraction: ``12.5%`` -> 0.125).
    :param aliases: header texts this column accepts besides its name, e.g.
        ``["Qty", "Quantity"]``; matching ignores case, spacing and punctuation and forgives
        small OCR slips (see the README, "Declaring your table").
    :param required: a table lacking this header does not fit the layout; an empty cell in it
        sets its row aside.
    :param date_format: ``strptime`` format of a date or timestamp column (``"%d.%m.%Y"``);
        None tries the common formats.
    :param decimal_mark: ``"."`` (default) or ``","`` for ``1.234,50``.
    :param parse: a function ``str -> value`` replacing the parser of ``type``; raise
        ``ValueError`` for a cell it cannot read (the message becomes the quarantine reason).
    :param sql_type: the SQL type to create the column with, e.g. ``"NUMERIC(12, 2)"``
        (default: the connection's type for ``type``).
    """

    name: str
    type: str = "text"
    aliases: Sequence[str] = ()
    required: bool = False
    date_format: str | None = None
    decimal_mark: str = "."
    parse: Callable[[str], Any] | None = None
    sql_type: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"A declared column needs a non-empty name, got {self.name!r}.")
        if self.type not in KINDS:
            raise ValueError(
                f"Column {self.name!r} has unknown type {self.type!r}; use one of: {', '.join(KINDS)}."
            )
        if self.decimal_mark not in (".", ","):
            raise ValueError(
                f"Column {self.name!r}: decimal_mark must be '.' or ',', got {self.decimal_mark!r}."
            )
        if isinstance(self.aliases, str):
            object.__setattr__(self, "aliases", (self.aliases,))
        if self.parse is not None and not callable(self.parse):
            raise ValueError(f"Column {self.name!r}: parse must be a function str -> value.")

    @property
    def writer_kind(self) -> str:
        return WRITER_KINDS.get(self.type, self.type)

    def header_names(self) -> list[str]:
        return [self.name, *self.aliases]

    def parser(self) -> CellParser:
        if self.parse is not None:
            return self.parse
        return cell_parser(self.type, date_format=self.date_format, decimal_mark=self.decimal_mark)


@dataclass(frozen=True)
class TableSchema:
    """A declared warehouse table: its name and columns, matched by header.

    :param table: the warehouse table, ``table`` or ``schema.table``.
    :param columns: the declared :class:`Column` s, in table order.
    :param min_matched: how many declared columns a recognised table must show to be this
        layout (default: all required ones and at least half of all).
    :param totals: summary rows (Total, Subtotal, Zwischensumme...; ``_row_kind = 'total'``):
        ``"keep"`` (default) loads them with the items, marked; ``"skip"`` leaves them out;
        another table's name loads them there, in the same declared columns.
    """

    table: str
    columns: Sequence[Column] = field(default_factory=tuple)
    min_matched: int | None = None
    totals: str = "keep"

    def __post_init__(self) -> None:
        if not isinstance(self.table, str) or not self.table.strip():
            raise ValueError(f"A declared schema needs a target table, got {self.table!r}.")
        columns = list(self.columns)
        if not columns or not all(isinstance(c, Column) for c in columns):
            raise ValueError(f"Schema of {self.table!r} needs a list of Column(...) objects.")
        names = [c.name.casefold() for c in columns]
        repeated = sorted({c.name for c in columns if names.count(c.name.casefold()) > 1})
        if repeated:
            raise ValueError(f"Schema of {self.table!r} declares column(s) {repeated} more than once.")
        object.__setattr__(self, "columns", tuple(columns))
        if not isinstance(self.totals, str) or not self.totals.strip() or self.totals == self.table:
            raise ValueError(
                f"Schema of {self.table!r}: totals must be 'keep', 'skip' or another table's name, got {self.totals!r}."
            )

    @property
    def totals_table(self) -> str | None:
        """The table summary rows go to, when not this one."""
        return None if self.totals in ("keep", "skip") else self.totals

    @property
    def needed(self) -> int:
        if self.min_matched is not None:
            return self.min_matched
        return max(sum(c.required for c in self.columns), (len(self.columns) + 1) // 2, 1)

    def kinds(self) -> dict[str, str]:
        return {c.name: c.writer_kind for c in self.columns}

    def sql_types(self) -> dict[str, str]:
        return {c.name: c.sql_type for c in self.columns if c.sql_type}

    def match(self, headers: Sequence[str | None]) -> dict[int, Column]:
        by_name = {c.name: c for c in self.columns}
        found = match_headers(headers, {c.name: c.header_names() for c in self.columns})
        return {position: by_name[name] for position, name in found.items()}

    def fits(self, headers: Sequence[str | None]) -> bool:
        matched = self.match(headers).values()
        missing = [c for c in self.columns if c.required and c not in matched]
        return not missing and len(matched) >= self.needed


@dataclass
class SchemaTable:
    """A recognised table mapped onto a declared schema: typed rows plus what was set aside."""

    schema: TableSchema
    frame: pd.DataFrame
    records: list[QuarantineRecord]


def route(schemas: Sequence[TableSchema], headers: Sequence[str | None]) -> TableSchema | None:
    """The declared layout these headers fit best (most columns matched), or None."""
    best: tuple[int, int] | None = None
    chosen: TableSchema | None = None
    for order, schema in enumerate(schemas):
        if not schema.fits(headers):
            continue
        score = (len(schema.match(headers)), -order)
        if best is None or score > best:
            best, chosen = score, schema
    return chosen


def apply_schema(schema: TableSchema, table: CleanTable, origin: CellOrigin) -> SchemaTable:
    """``table`` (its text cells) in the declared columns and types.

    A row with a cell that does not parse, or an empty required cell, is withheld and each such
    cell quarantined; an unmatched header is quarantined once (its cells are not loaded); a
    missing required column withholds the whole table.
    """
    cells = table.cells
    names = [str(c) for c in cells.columns]
    headers = [table.columns.get(n, n) for n in names]
    matched = schema.match(headers)
    records: list[QuarantineRecord] = []
    target = schema.table
    missing = [c.name for c in schema.columns if c.required and c not in matched.values()]
    if missing:
        records.append(
            QuarantineRecord(
                target,
                origin,
                f"required column(s) {', '.join(missing)} not found among the headers {headers}",
            )
        )
        return SchemaTable(schema, _empty(schema), records)
    for position, header in enumerate(headers):
        if position not in matched:
            records.append(
                QuarantineRecord(
                    target,
                    origin,
                    f"header {header!r} matches no declared column of {target}; its cells were not loaded",
                    column=names[position],
                    header_text=header,
                )
            )
    header_of = dict(zip(names, headers, strict=True))
    bad_rows: dict[Any, list[tuple[Column, str, str | None, str]]] = {}
    values: dict[str, list[Any]] = {c.name: [] for c in schema.columns}
    by_column = {c.name: names[p] for p, c in matched.items()}
    for column in schema.columns:
        parse = column.parser()
        source_name = by_column.get(column.name)
        for row, cell in zip(cells.index, cells[source_name] if source_name else _nones(cells), strict=True):
            try:
                values[column.name].append(read_cell(column, cell, parse))
            except CellError as exc:
                raw = None if _blank(cell) else str(cell)
                header = header_of[source_name or ""] if raw is not None else ""
                bad_rows.setdefault(row, []).append((column, str(exc), raw, header))
                values[column.name].append(None)
    frame = typed_frame(schema, values, cells.index)
    for row, problems in bad_rows.items():
        text = row_text(cells, row, table.columns)
        for column, reason, raw, header in problems:
            records.append(
                QuarantineRecord(
                    target,
                    origin,
                    f"{reason} (column {column.name}, {column.type})",
                    row=int(row),
                    column=column.name,
                    header_text=header or None,
                    raw_text=raw,
                    row_text=text,
                )
            )
    if bad_rows:
        frame = frame.drop(index=list(bad_rows))
    return SchemaTable(schema, frame, records)


def read_cell(column: Column, cell: Any, parse: CellParser | None = None) -> Any:
    """The typed value of one cell of ``column`` (None for an empty one): the one rule a load
    and a person's correction of a withheld row are both held to.

    :param parse: ``column.parser()``, when the caller reads many cells of the column.
    :raises CellError: the cell does not read as the column's type, or a required cell is empty;
        the message is the reason a person reads.
    """
    if _blank(cell):
        if column.required:
            raise CellError("required value missing")
        return None
    try:
        return (parse or column.parser())(str(cell))
    except CellError:
        raise
    except (ValueError, TypeError) as exc:
        raise CellError(str(exc) or f"{cell!r} does not parse as {column.type}") from exc


def typed_frame(schema: TableSchema, values: Mapping[str, Sequence[Any]], index: Any) -> pd.DataFrame:
    """Parsed values (``{column: values}``) as a frame in the declared columns and dtypes."""
    return pd.DataFrame(
        {c.name: pd.Series(list(values[c.name]), index=index, dtype=_dtype(c)) for c in schema.columns},
        index=index,
    )


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, float) and pd.isna(cell)) or str(cell).strip() == ""


def _nones(frame: pd.DataFrame) -> Iterable[None]:
    return [None] * len(frame.index)


def _dtype(column: Column) -> Any:
    if column.parse is not None:
        return object
    return dtype_of(column.type)


def _empty(schema: TableSchema) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series([], dtype=_dtype(c)) for c in schema.columns})

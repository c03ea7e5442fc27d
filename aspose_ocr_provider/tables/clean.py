"""From raw OCR rows to a tidy table: noise removed, header chosen, column names made safe.

OCR output is messy in predictable ways: the cloud prefixes a row of column indices
(``0,1,2,...``), rows come out ragged when a cell border is missed, cells keep the spacing of the
scan, and stray empty rows or columns trail the table. Each step here fixes one of those.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from aspose_ocr_provider.tables.column_roles import column_roles
from aspose_ocr_provider.tables.continuation import merge_continuations
from aspose_ocr_provider.tables.header_rows import (
    LEADING_ROWS_READ,
    HeaderRowsSpec,
    combine_header_rows,
    continues_header,
    find_header,
)
from aspose_ocr_provider.tables.header_values import place_values, split_header_values
from aspose_ocr_provider.tables.sql_names import sql_safe_names
from aspose_ocr_provider.tables.summary_rows import DATA, TOTAL, place_labels, summary_kinds

log = logging.getLogger(__name__)

HeaderSpec = Literal["first_row", "none"] | Sequence[str]
IndexRowSpec = Literal["auto"] | bool

SOURCE_ROW_INDEX = "source_row"
"""Name of the frame's index: the row's position in the recognised table, the header being row 1."""


@dataclass
class CleanTable:
    """A cleaned table.

    :param frame: one column per table column (SQL-safe names, text cells, ``None`` for an empty
        cell); the index is the row's position in the table as a person counts rows in the image
        (the header row, if any, is row 1).
    :param columns: ``{column name: header text as recognised}``, so the original wording is never lost.
    :param text: the cells as recognised, before type inference (same columns and index as
        ``frame``); None when no inference ran (``frame`` is then the text).
    :param sources: per row of ``frame``, the recognised rows it came from (several when
        continuation lines were merged into it); the index is the first of them.
    :param row_kinds: per row of ``frame``, ``"data"`` or ``"total"`` (a summary row).
    """

    frame: pd.DataFrame
    columns: dict[str, str] = field(default_factory=dict)
    text: pd.DataFrame | None = None
    sources: list[tuple[int, ...]] = field(default_factory=list)
    row_kinds: list[str] = field(default_factory=list)

    def row_provenance(self, index: pd.Index) -> tuple[pd.Series, pd.Series]:
        """``(row kinds, source rows as text)`` for the rows of ``index`` (a subset of the
        frame's, e.g. after a declared schema withheld rows); rows not found get ``data`` and
        their own position."""
        kinds = dict(zip(self.frame.index, self.row_kinds or [DATA] * len(self.frame), strict=True))
        spans = dict(zip(self.frame.index, self.sources or [(int(i),) for i in self.frame.index], strict=True))
        return (
            pd.Series([kinds.get(i, DATA) for i in index], index=index, dtype=object),
            pd.Series([rows_text(spans.get(i, (int(i),))) for i in index], index=index, dtype=object),
        )

    @property
    def summary(self) -> list[bool]:
        """Per row, whether it is a summary row."""
        return [kind == TOTAL for kind in self.row_kinds] if self.row_kinds else [False] * len(self.frame)

    @property
    def cells(self) -> pd.DataFrame:
        """The cells as text, whether or not types were inferred."""
        return self.frame if self.text is None else self.text


def rows_text(rows: tuple[int, ...]) -> str:
    """``(3,)`` -> ``"3"``; ``(3, 4, 5)`` -> ``"3-5"``; ``(3, 5)`` -> ``"3,5"``."""
    parts: list[str] = []
    start = prev = rows[0]
    for row in [*rows[1:], None]:
        if row is not None and row == prev + 1:
            prev = row
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if row is not None:
            start = prev = row
    return ",".join(parts)


def is_index_row(row: Sequence[str]) -> bool:
    """Whether ``row`` is the ``0,1,2,...`` column-index row the cloud puts before each table."""
    cells = [cell.strip() for cell in row]
    while cells and not cells[-1]:
        cells.pop()
    return bool(cells) and cells == [str(i) for i in range(len(cells))]


def _is_empty(row: Sequence[str | None]) -> bool:
    return not any(row)


def normalize_rows(
    rows: Iterable[Sequence[str]], *, index_row: IndexRowSpec = "auto"
) -> list[list[str | None]]:
    """Drop the index row, pad ragged rows, strip cells, drop trailing empty rows and columns.

    Empty cells become ``None`` so they load as SQL NULL rather than as empty strings.
    """
    table = [list(row) for row in rows]
    if table and (index_row is True or (index_row == "auto" and is_index_row(table[0]))):
        table = table[1:]
    width = max((len(row) for row in table), default=0)
    padding: list[str | None] = [None] * width
    cleaned: list[list[str | None]] = []
    for row in table:
        # str.strip through map runs at C speed; "" (and only "") then becomes None.
        try:
            cells: list[str | None] = list(map(str.strip, row))
        except TypeError:  # a caller's row holding None or numbers
            cells = list(map(_strip, row))
        if "" in cells:
            cells = [cell or None for cell in cells]
        if len(cells) < width:
            cells += padding[: width - len(cells)]
        cleaned.append(cells)
    while cleaned and _is_empty(cleaned[-1]):
        cleaned.pop()
    while width and all(row[width - 1] is None for row in cleaned):
        width -= 1
    return [row[:width] for row in cleaned] if cleaned and len(cleaned[0]) != width else cleaned


def _strip(cell: str | None) -> str | None:
    return cell.strip() if isinstance(cell, str) else cell


def clean_table(
    rows: Iterable[Sequence[str]],
    *,
    header: HeaderSpec = "first_row",
    index_row: IndexRowSpec = "auto",
    sanitize_names: bool = True,
    reserved_names: Iterable[str] = (),
    header_rows: HeaderRowsSpec = "auto",
    merge_lines: bool = True,
    summary_rows: bool = True,
) -> CleanTable:
    """Turn raw CSV rows of one recognised table into a :class:`CleanTable`.

    :param rows: rows of cells, e.g. from :func:`~aspose_ocr_provider.tables.decode.parse_csv`.
    :param header: ``"first_row"`` (default) takes the first non-empty row as column names;
        ``"none"`` names the columns ``col__1``, ``col__2``...; a list of names gives them
        explicitly (one per column of the table). A title, caption or units line above the
        header (one filled cell over a wider table) is dropped, neither header nor data.
    :param index_row: ``"auto"`` (default) drops a leading ``0,1,2,...`` row; True always drops
        the first row; False never does (for a table whose real first row is such numbers).
    :param sanitize_names: snake_case the header text (default); False keeps it verbatim.
    :param reserved_names: names the table must not use (the load's provenance columns).
    :param header_rows: with ``header="first_row"``, how many leading rows form the header:
        ``"auto"`` (default) drops title lines and finds a group header over sub-headers (then
        names combine both, ``Sales 2025 H1``); a number fixes it (1 for a single header row)
        and takes the rows from the top as they are, titles included.
    :param merge_lines: merge continuation lines (a wrapped cell's other lines, recognised as
        rows of their own) into the row they belong to (default; see :mod:`.continuation`).
    :param summary_rows: mark Total/Subtotal rows as ``total`` in :attr:`CleanTable.row_kinds`
        and move their labels out of amount columns (default; see :mod:`.summary_rows`).
    """
    table = normalize_rows(rows, index_row=index_row)
    # Empty rows inside the table carry nothing; their positions still count for provenance.
    positions = [pos for pos, row in enumerate(table, start=1) if not _is_empty(row)]
    width = len(table[0]) if table else 0
    header_cells: Sequence[str | None]
    header_position = 0  # the last header row, when the table's own rows hold the header
    if isinstance(header, str):
        if header == "first_row":
            layout = find_header([table[pos - 1] for pos in positions[:LEADING_ROWS_READ]], header_rows)
            for pos in positions[: layout.titles]:
                title = " ".join(cell for cell in table[pos - 1] if cell)
                log.debug("Row %d (%r) is a title above the table, not a header: dropped.", pos, title)
            start = layout.titles + layout.rows
            header_cells = combine_header_rows([table[pos - 1] for pos in positions[layout.titles : start]])
            if not layout.rows:
                header_cells = [None] * width
                if positions[start:]:
                    log.debug(
                        "Row %d reads as data like the rows below it: the table has no header row.",
                        positions[start],
                    )
            header_position = positions[start - 1] if layout.rows and len(positions) >= start else 0
            positions = positions[start:]
        elif header == "none":
            header_cells = [None] * width
        else:
            raise ValueError(
                f"Unknown header option {header!r}: use 'first_row', 'none' or a list of column names."
            )
    else:
        header_cells = [str(name) for name in header]
        if table and len(header_cells) != width:
            raise ValueError(
                f"header gives {len(header_cells)} column names but the recognised table has {width} "
                "columns; give one name per column (check the table image or use header='first_row')."
            )
        width = len(header_cells)
    data = [list(table[pos - 1]) for pos in positions]
    if header_position:
        while header_rows == "auto" and len(data) > 1 and continues_header(
            header_cells, data[0], [r == "value" for r in column_roles(data[1:], width)]
        ):
            log.debug("Row %d (%r) is the header's second line.", positions[0], [c for c in data[0] if c])
            header_cells = [" ".join(p for p in (h, c) if p) or None for h, c in zip(header_cells, data[0], strict=False)]
            header_position = positions.pop(0)
            data.pop(0)
        split = split_header_values(header_cells)
        if split.values:
            log.debug("Header cells held values %s: split off into the first row.", split.values)
        header_cells = split.titles
        place_values(data, positions, split.values, header_position, width)
    roles = column_roles(data, width)
    merged = merge_continuations(data, positions, roles) if merge_lines else None
    rows_out = merged.rows if merged else data
    sources: list[tuple[int, ...]] = merged.sources if merged else [(pos,) for pos in positions]
    kinds = summary_kinds(rows_out, roles) if summary_rows else [DATA] * len(rows_out)
    if TOTAL in kinds:  # the items alone say what each column holds
        roles = column_roles([row for row, kind in zip(rows_out, kinds, strict=True) if kind == DATA], width)
    place_labels(rows_out, kinds, roles)
    names, mapping = sql_safe_names(list(header_cells), reserved=reserved_names, sanitize=sanitize_names)
    frame = (
        pd.DataFrame(rows_out, columns=names, dtype=object)
        if rows_out
        else pd.DataFrame({name: pd.Series([], dtype=object) for name in names})
    )
    frame.index = pd.Index([group[0] for group in sources], dtype="int64", name=SOURCE_ROW_INDEX)
    return CleanTable(frame=frame, columns=mapping, sources=sources, row_kinds=list(kinds))

"""Which leading rows of a recognised table are column titles, and their text combined per column.

Above the data a table may carry, in this order:

* title, caption or units lines (``Example of Data Table 1``, ``(Rs. in '000)``): one filled cell
  over a table of several columns. They are not column titles and not data: they are dropped.
* the header row.
* sub-header rows under a group header (``Sales 2025`` over ``H1``, ``H2``): taken only when they
  look like column titles, never when they could be a row of data.

Every decision rests on the shape of the table (which cells are filled, which columns hold values
below), so every image of one layout is read the same way; a value of one image never decides it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from aspose_ocr_provider.tables.cell_kinds import CellKind, DataKind, cell_kind, data_kind, is_label

HeaderRowsSpec = Literal["auto"] | int

Row = Sequence[str | None]

MAX_HEADER_ROWS = 3
"""More stacked header rows than this are not recognised automatically (give ``header_rows=``)."""

MAX_TITLE_ROWS = 2
"""Title or units lines looked for above the header (a title and a units note, at most)."""

BODY_ROWS_READ = 8
"""Data rows read to learn which columns hold values, when a sub-header row is in doubt."""

LEADING_ROWS_READ = MAX_TITLE_ROWS + MAX_HEADER_ROWS + BODY_ROWS_READ
"""Leading non-empty rows :func:`find_header` needs to see."""


@dataclass(frozen=True)
class HeaderLayout:
    """Where the header is among a table's leading non-empty rows.

    :param titles: rows above the header that are a title, caption or units line (dropped).
    :param rows: header rows after those (combined into one name per column); 0 when the first
        row is already data (the table has no header row).
    """

    titles: int
    rows: int


def _filled(row: Row) -> list[str]:
    return [cell for cell in row if cell]


def _spans(row: Row) -> bool:
    """Whether the row has an empty cell right of a filled one: the trace of a merged header cell."""
    seen = False
    for cell in row:
        if cell:
            seen = True
        elif seen:
            return True
    return False


def title_rows(rows: Sequence[Row]) -> int:
    """How many leading ``rows`` are title, caption or units lines above the header.

    Such a line has one filled cell while the table has several columns, and the first row with
    two or more filled cells below it holds no value (it is the header). A single filled cell over
    a row of data stays: it is then the only header text the image has.
    """
    width = max((len(row) for row in rows), default=0)
    if width < 2:
        return 0
    for count, row in enumerate(rows[: MAX_TITLE_ROWS + 1]):
        filled = _filled(row)
        if len(filled) == 1:
            continue
        if count and len(filled) >= 2 and all(cell_kind(c) in ("text", "year") for c in filled):
            return count
        return 0
    return 0


def _body_kinds(body: Sequence[Row], width: int) -> list[CellKind]:
    """Per column, what the data rows hold: ``value`` when most filled cells are values."""
    kinds: list[CellKind] = []
    for col in range(width):
        cells = [row[col] for row in body[:BODY_ROWS_READ] if col < len(row) and row[col]]
        values = sum(cell_kind(c) in ("value", "year") for c in cells)
        kinds.append("empty" if not cells else "value" if values * 2 > len(cells) else "text")
    return kinds


def _group_columns(row: Row) -> set[int]:
    """Columns a merged header cell covers: the filled cell and the empty ones right of it."""
    covered: set[int] = set()
    owner: int | None = None
    for col, cell in enumerate(row):
        if cell:
            owner = col
        elif owner is not None:
            covered.update((owner, col))
    return covered


def _is_sub_header(above: Row, row: Row, body: Sequence[Row]) -> bool:
    """``row`` continues the header ``above``: short labels and no value, filling cells under a
    merged cell, and each of its cells under that cell is words over a column of values.

    A row of data under the span repeats the shape of the rows below it (values where they have
    values, words where they have words), so it never passes; where the columns under the span
    hold words, a sub-header cannot be told from data and the row is left as data.
    """
    kinds = [cell_kind(c) for c in row]
    if all(k == "empty" for k in kinds) or any(k in ("value", "year") for k in kinds):
        return False
    if not all(is_label(c) for c in _filled(row)):
        return False
    if not any(k != "empty" and not a for k, a in zip(kinds, above, strict=False)):
        return False
    below = _body_kinds(body, len(row))
    under_group = [col for col in sorted(_group_columns(above)) if col < len(row) and kinds[col] != "empty"]
    return bool(under_group) and all(below[col] == "value" for col in under_group)


_STRONG_VALUES: frozenset[DataKind] = frozenset({"number", "date", "id", "email"})
"""Values no column title is: a plain integer or year may be one (day numbers, ``2024``)."""


def _dominant_kinds(body: Sequence[Row], width: int) -> list[DataKind | None]:
    """Per column, the data kind most filled cells of ``body`` share (None without a majority)."""
    found: list[DataKind | None] = []
    for col in range(width):
        kinds = [data_kind(row[col]) for row in body[:BODY_ROWS_READ] if col < len(row) and row[col]]
        if not kinds:
            found.append(None)
            continue
        top, count = Counter(kinds).most_common(1)[0]
        found.append(top if count * 2 > len(kinds) else None)
    return found


def is_data_row(row: Row, body: Sequence[Row]) -> bool:
    """Whether the first row of a table is a row of data, not a header: it holds a value no title
    is (an amount, a date, an id, an address) and every filled cell is of the kind its column
    holds below (``#1006`` over ids, ``09/04/2021`` over dates). A header of dates over amounts
    (``31/03/2024`` over ``1,000``) differs from its column and stays a header."""
    kinds = [data_kind(c) for c in row]
    if sum(k != "empty" for k in kinds) < 2 or not _STRONG_VALUES.intersection(kinds) or len(body) < 2:
        return False
    below = _dominant_kinds(body, len(row))
    return all(k == "empty" or k == b for k, b in zip(kinds, below, strict=False))


def detect_header_rows(rows: Sequence[Row]) -> int:
    """How many of the leading ``rows`` (titles removed) form the header; 1 when nothing suggests
    more, 0 when the first row is data (:func:`is_data_row`)."""
    if rows and is_data_row(rows[0], rows[1:]):
        return 0
    if not rows or not _spans(rows[0]):
        return 1
    count = 1
    while count < min(MAX_HEADER_ROWS, len(rows) - 1) and _is_sub_header(
        rows[count - 1], rows[count], rows[count + 1 :]
    ):
        count += 1
    return count


def find_header(rows: Sequence[Row], header_rows: HeaderRowsSpec = "auto") -> HeaderLayout:
    """Titles and header rows among the leading non-empty ``rows`` of a table.

    :param header_rows: ``"auto"`` detects both; a number is taken as told: that many rows from
        the top are the header, nothing is dropped as a title.
    """
    if header_rows != "auto":
        if not isinstance(header_rows, int) or isinstance(header_rows, bool) or header_rows < 1:
            raise ValueError(f"header_rows must be 'auto' or a whole number >= 1, got {header_rows!r}.")
        return HeaderLayout(0, header_rows)
    titles = title_rows(rows)
    return HeaderLayout(titles, detect_header_rows(rows[titles:]))


def combine_header_rows(rows: Sequence[Row]) -> list[str | None]:
    """One header text per column from stacked header rows, group text first.

    A group cell covers the empty cells to its right (a merged cell leaves them empty) as long as
    the row below has text there; the parts are joined with a space (``Sales 2025 H1``).
    """
    if not rows:
        return []
    width = max(len(r) for r in rows)
    grid = [list(r) + [None] * (width - len(r)) for r in rows]
    for depth in range(len(grid) - 1):
        row, below = grid[depth], grid[depth + 1]
        for col in range(1, width):
            if not row[col] and row[col - 1] and below[col]:
                row[col] = row[col - 1]
    combined: list[str | None] = []
    for col in range(width):
        parts = [grid[depth][col] for depth in range(len(grid)) if grid[depth][col]]
        combined.append(" ".join(p for p in parts if p) or None)
    return combined


def continues_header(header: Row, row: Row, value_columns: Sequence[bool]) -> bool:
    """Whether ``row``, right under the header, is the header's second line: short labels, no
    value, each under a header cell and over a column that holds values below (``Unit`` over
    ``Price`` over amounts). Words over a column of words may be the first line of a wrapped
    first item instead; such a row is left to the data (see :mod:`.continuation`)."""
    filled = [col for col, cell in enumerate(row) if cell]
    if not filled or len(filled) >= sum(1 for cell in header if cell):
        return False
    return all(
        col < len(header)
        and header[col]
        and value_columns[col]
        and cell_kind(row[col]) == "text"
        and is_label(row[col])
        for col in filled
    )

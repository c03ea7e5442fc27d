"""How close recognised tables come to a ground truth, measured the way a user would judge them.

A user copies rows out of the result: a row is right when each of its cells shows up in a cell
of its own, in order, in one output row - extra tables, extra rows (a title, a total) and extra
empty columns cost nothing, while two columns run together or a wrapped cell split over two rows
do. That is **row-structure accuracy**. Whether the text inside those cells is letter-perfect is
measured apart, as **cell exactness**, so a misread digit does not hide a good structure and the
other way round. Both look at the non-empty ground-truth cells only.

Recall is not enough: rows that are not table rows get summed, joined and reported, so
**precision** counts what would be loaded that is not the table (``score_precision``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Document",
    "Precision",
    "RowScore",
    "edit_distance",
    "load_documents",
    "normalize",
    "score_precision",
    "score_rows",
]

MISREAD = 0.15
"""Up to this share of a cell's characters (at least one) may be misread and it is still that
cell: ``995`` for ``9.95`` is a reading error, a wrapped cell missing its second line is not."""


def normalize(text: str) -> str:
    """Whitespace runs as one space, no leading or trailing space: how a spreadsheet shows a cell."""
    return " ".join(text.split())


def edit_distance(a: str, b: str) -> int:
    """Characters to insert, delete or replace to turn ``a`` into ``b`` (Levenshtein)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _same_cell(truth: str, got: str) -> bool:
    allowed = max(1, round(MISREAD * len(truth)))
    return truth == got or (abs(len(truth) - len(got)) <= allowed and edit_distance(truth, got) <= allowed)


@dataclass
class RowScore:
    """Counts over ground-truth rows and cells; add them up across images and kinds."""

    rows: int = 0
    rows_ok: int = 0
    cells: int = 0
    cells_exact: int = 0

    def add(self, other: RowScore) -> None:
        self.rows += other.rows
        self.rows_ok += other.rows_ok
        self.cells += other.cells
        self.cells_exact += other.cells_exact

    @property
    def row_accuracy(self) -> float:
        return self.rows_ok / self.rows if self.rows else 0.0

    @property
    def exactness(self) -> float:
        return self.cells_exact / self.cells if self.cells else 0.0


def _align(truth: Sequence[str], got: Sequence[str]) -> tuple[int, int]:
    """(cells matched in order, of those exactly equal): a longest common subsequence of cells."""
    n, m = len(truth), len(got)
    best = [[(0, 0)] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            skip = max(best[i + 1][j], best[i][j + 1])
            if _same_cell(truth[i], got[j]):
                matched, exact = best[i + 1][j + 1]
                take = (matched + 1, exact + (truth[i] == got[j]))
                skip = max(skip, take)
            best[i][j] = skip
    return best[0][0]


def score_rows(truth: Iterable[Sequence[str]], got: Iterable[Sequence[str]]) -> RowScore:
    """Score ground-truth rows against every output row (of every output table, flattened).

    Each ground-truth row is matched with the output row holding most of its cells in order; it
    is right when all its non-empty cells are there, each in a separate cell.
    """
    out_rows = [[normalize(c) for c in row] for row in got]
    out_rows = [[c for c in row if c] for row in out_rows]
    score = RowScore()
    for row in truth:
        cells = [normalize(c) for c in row if normalize(c)]
        if not cells:
            continue
        matched, exact = max((_align(cells, out) for out in out_rows), default=(0, 0))
        score.rows += 1
        score.rows_ok += matched == len(cells)
        score.cells += len(cells)
        score.cells_exact += exact
    return score


@dataclass
class Precision:
    """How much of what would be loaded is table: rows and columns, added up across images.

    Each ground-truth row claims one output row (the one holding most of its cells), so a table
    returned twice, a chart's tick labels or a title read as a row count as loaded rows that are
    not real. Rows the ground truth marks optional (an invoice's totals under its items) are
    neither: they are taken out of the count. A junk column is an output column that holds no
    cell of any real or optional row.
    """

    loaded: int = 0
    real: int = 0
    columns: int = 0
    junk_columns: int = 0

    def add(self, other: Precision) -> None:
        self.loaded += other.loaded
        self.real += other.real
        self.columns += other.columns
        self.junk_columns += other.junk_columns

    @property
    def precision(self) -> float:
        return self.real / self.loaded if self.loaded else 1.0


def _claim(
    truth: Sequence[Sequence[str]], out: Sequence[list[str]], free: set[int]
) -> dict[int, list[str]]:
    """Output row index -> the truth row (non-empty cells) that claims it, one to one."""
    pairs: list[tuple[float, int, int, list[str]]] = []
    for t, row in enumerate(truth):
        cells = [normalize(c) for c in row if normalize(c)]
        if not cells:
            continue
        for o in free:
            matched, _ = _align(cells, out[o])
            if matched and matched >= 0.5 * len(cells):
                pairs.append((-matched / len(cells), t, o, cells))
    claimed: dict[int, list[str]] = {}
    taken: set[int] = set()
    for _, t, o, cells in sorted(pairs, key=lambda p: p[:3]):
        if t in taken or o in claimed:
            continue
        taken.add(t)
        claimed[o] = cells
    return claimed


def score_precision(
    truth: Iterable[Sequence[str]],
    tables: Sequence[Sequence[Sequence[str]]],
    optional: Iterable[Sequence[str]] = (),
) -> Precision:
    """Count the output's rows and columns that are (not) the ground truth's table.

    :param truth: The ground-truth rows (header first), all tables of the image together.
    :param tables: What would be loaded: the output tables, each a list of rows.
    :param optional: Rows that may or may not come back (totals): neither real nor junk.
    """
    where = [(t, r) for t, table in enumerate(tables) for r, row in enumerate(table) if any(c.strip() for c in row)]
    out = [[c for c in (normalize(x) for x in tables[t][r]) if c] for t, r in where]
    real = _claim(list(truth), out, set(range(len(out))))
    extra = _claim(list(optional), out, set(range(len(out))) - set(real))
    score = Precision(loaded=len(out) - len(extra), real=len(real))
    useful: set[tuple[int, int]] = set()
    for o, cells in {**real, **extra}.items():
        t, r = where[o]
        for c, text in enumerate(tables[t][r]):
            if normalize(text) and any(_same_cell(cell, normalize(text)) for cell in cells):
                useful.add((t, c))
    for t, table in enumerate(tables):
        width = max((len(row) for row in table), default=0)
        score.columns += width
        score.junk_columns += sum(1 for c in range(width) if (t, c) not in useful)
    return score


@dataclass(frozen=True)
class Document:
    """One document of a sample set: its page images and what a reader would copy out of it."""

    path: Path
    pages: list[bytes]
    truth: list[list[str]]
    optional: list[list[str]]

    @property
    def kind(self) -> str:
        """The document's kind: its name's first word (``balance_sheet_band`` -> ``balance``)."""
        return self.path.stem.split("_", 1)[0]


def load_documents(folder: Path) -> list[Document]:
    """Every ``<stem>.<image or pdf>`` with a ``<stem>.csv`` beside it, sorted by name.

    A PDF is rendered as the submit operator renders it; its CSV holds the rows of all its pages.
    ``<stem>.optional.csv``, if present, holds rows that count neither for nor against.
    """
    from aspose_ocr_provider.documents.pages import rendered_pages
    from aspose_ocr_provider.emulator.engines.fixtures import IMAGE_SUFFIXES, parse_fixture_csv

    def rows(csv_path: Path) -> list[list[str]]:
        if not csv_path.is_file():
            return []
        return [list(r) for t in parse_fixture_csv(csv_path.read_text(encoding="utf-8")) for r in t.rows]

    documents: list[Document] = []
    if not folder.is_dir():
        return documents
    for path in sorted(folder.iterdir()):
        suffix = path.suffix.lower()
        truth_csv = path.with_suffix(".csv")
        if suffix not in (*IMAGE_SUFFIXES, ".pdf") or not truth_csv.is_file():
            continue
        data = path.read_bytes()
        pages = rendered_pages(data) if suffix == ".pdf" else [data]
        documents.append(Document(path, pages, rows(truth_csv), rows(path.with_suffix(".optional.csv"))))
    return documents

"""Which inputs a warehouse table already holds: the incremental skip check before submitting.

The table is the truth a user can inspect and edit: an input is skipped when its identity (digest
and page) has rows in it, or a row in its ``__no_table`` companion. Delete an input's rows and the
next run recognises it again. The check asks the database about the inputs at hand only, in
chunks: a bounded number of queries (a lookup of each table's columns, then one query per
:data:`IDENTITIES_PER_QUERY` inputs for each table that exists), whatever the table's size.

A load into declared tables spreads one input's rows over several tables (each layout's table,
and the quarantine table for what it set aside), so the check can be given those too: the input
is held when any of them holds its identity, and recognised again once its rows are gone from
all of them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aspose_ocr_provider.documents.identity import InputIdentity
from aspose_ocr_provider.tables.quarantine import QUARANTINE_IDENTITY
from aspose_ocr_provider.warehouse.no_table import no_table_companion
from aspose_ocr_provider.warehouse.writer import TableWriter

IDENTITIES_PER_QUERY = 500
"""Digests bound in one ``IN (...)`` list; under SQLite's oldest limit of 999 variables."""


@dataclass
class LoadedInputs:
    """What the check found and what it cost.

    :param loaded: the identities asked about that the table (or its companion, another table
        or the quarantine table checked with it) already holds.
    :param with_rows: those of them with rows in a table or a quarantine record: a table was
        recognised in them (the rest are "no table").
    :param queries: statements sent to the database.
    :param seconds: wall time of the check.
    """

    loaded: set[InputIdentity] = field(default_factory=set)
    with_rows: set[InputIdentity] = field(default_factory=set)
    queries: int = 0
    seconds: float = 0.0


def find_loaded_inputs(
    writer: TableWriter,
    identities: Iterable[InputIdentity],
    provenance: Mapping[str, str],
    *,
    other_tables: Sequence[str] = (),
    quarantine_table: str | None = None,
) -> LoadedInputs:
    """Which of ``identities`` the writer's table, its ``__no_table`` companion, ``other_tables``
    or ``quarantine_table`` holds.

    :param writer: a writer for the table (its hook and dialect are used; nothing is written).
    :param identities: the inputs about to be submitted.
    :param provenance: ``{key: column}`` of the provenance columns (needs ``source_sha256`` and
        ``source_page``), the same in ``other_tables``.
    :param other_tables: more tables the same load writes (declared tables besides ``writer``'s).
    :param quarantine_table: the table the load sets bad data aside in; it names the identity
        columns ``sha256`` and ``page``. A record there, answered or waiting, means the input was
        recognised and loaded as far as it could be.
    """
    started = time.perf_counter()
    wanted = set(identities)
    found = LoadedInputs()
    sha_column, page_column = provenance["source_sha256"], provenance["source_page"]
    _, quarantine_sha, quarantine_page = QUARANTINE_IDENTITY
    places = [
        _Place(writer, sha_column, page_column, rows=True),
        _Place(TableWriter(writer.hook, no_table_companion(writer.table, writer.dialect)), sha_column, page_column),
        *(_Place(TableWriter(writer.hook, t), sha_column, page_column, rows=True) for t in other_tables),
    ]
    if quarantine_table is not None:
        places.append(_Place(TableWriter(writer.hook, quarantine_table), quarantine_sha, quarantine_page, rows=True))
    digests = sorted({i.sha256 for i in wanted})
    if digests:
        conn = writer.hook.get_conn()
        try:
            cur = conn.cursor()
            try:
                for place in places:
                    held = _held_in(cur, place, digests, wanted, found)
                    found.loaded |= held
                    if place.rows:
                        found.with_rows |= held
            finally:
                cur.close()
        finally:
            conn.close()
    found.seconds = time.perf_counter() - started
    return found


@dataclass(frozen=True)
class _Place:
    """A table an input's identity may be held in, and the columns that name it there."""

    table: TableWriter
    sha_column: str
    page_column: str
    rows: bool = False
    """Whether being held here means a table was recognised in the input (not a "no table" record)."""


def _held_in(
    cur: Any, place: _Place, digests: list[str], wanted: set[InputIdentity], found: LoadedInputs
) -> set[InputIdentity]:
    columns = place.table.existing_columns(cur)
    found.queries += 1
    if columns is None or place.sha_column not in columns or place.page_column not in columns:
        return set()  # no table yet, or one loaded before identities were recorded
    held: set[InputIdentity] = set()
    for chunk in _chunks(digests):
        cur.execute(_lookup_sql(place.table, place.sha_column, place.page_column, len(chunk)), chunk)
        found.queries += 1
        held |= {i for i in map(_identity, cur.fetchall()) if i in wanted}
    return held


def _chunks(digests: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(digests), IDENTITIES_PER_QUERY):
        yield digests[start : start + IDENTITIES_PER_QUERY]


def _lookup_sql(table: TableWriter, sha_column: str, page_column: str, count: int) -> str:
    quote, ph = table.dialect.quote, table.placeholder
    return (
        f"SELECT DISTINCT {quote(sha_column)}, {quote(page_column)} FROM {table.qtable} "  # noqa: S608
        f"WHERE {quote(sha_column)} IN ({', '.join([ph] * count)})"
    )


def _identity(row: tuple[Any, Any]) -> InputIdentity | None:
    try:
        return InputIdentity.from_values(*row)
    except ValueError:
        return None  # a page someone edited into text: that row identifies nothing

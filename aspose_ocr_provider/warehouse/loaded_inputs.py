"""Which inputs a warehouse table already holds: the incremental skip check before submitting.

The table is the truth a user can inspect and edit: an input is skipped when its identity (digest
and page) has rows in it, or a row in its ``__no_table`` companion. Delete an input's rows and the
next run recognises it again. The check asks the database about the inputs at hand only, in
chunks: a bounded number of queries (two lookups of the tables' columns, then one query per
:data:`IDENTITIES_PER_QUERY` inputs for each table that exists), whatever the table's size.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from aspose_ocr_provider.identity import InputIdentity
from aspose_ocr_provider.warehouse.no_table import no_table_companion
from aspose_ocr_provider.warehouse.writer import TableWriter

IDENTITIES_PER_QUERY = 500
"""Digests bound in one ``IN (...)`` list; under SQLite's oldest limit of 999 variables."""


@dataclass
class LoadedInputs:
    """What the check found and what it cost.

    :param loaded: the identities asked about that the table (or its companion) already holds.
    :param with_rows: those of them the table itself holds rows of (the rest are "no table").
    :param queries: statements sent to the database.
    :param seconds: wall time of the check.
    """

    loaded: set[InputIdentity] = field(default_factory=set)
    with_rows: set[InputIdentity] = field(default_factory=set)
    queries: int = 0
    seconds: float = 0.0


def find_loaded_inputs(
    writer: TableWriter, identities: Iterable[InputIdentity], provenance: Mapping[str, str]
) -> LoadedInputs:
    """Which of ``identities`` the writer's table or its ``__no_table`` companion holds.

    :param writer: a writer for the table (its hook and dialect are used; nothing is written).
    :param identities: the inputs about to be submitted.
    :param provenance: ``{key: column}`` of the provenance columns (needs ``source_sha256`` and
        ``source_page``).
    """
    started = time.perf_counter()
    wanted = set(identities)
    found = LoadedInputs()
    sha_column, page_column = provenance["source_sha256"], provenance["source_page"]
    digests = sorted({i.sha256 for i in wanted})
    companion = TableWriter(writer.hook, no_table_companion(writer.table, writer.dialect))
    if digests:
        conn = writer.hook.get_conn()
        try:
            cur = conn.cursor()
            try:
                for table in (writer, companion):
                    columns = table.existing_columns(cur)
                    found.queries += 1
                    if columns is None or sha_column not in columns or page_column not in columns:
                        continue  # no table yet, or one loaded before identities were recorded
                    for chunk in _chunks(digests):
                        cur.execute(_lookup_sql(table, sha_column, page_column, len(chunk)), chunk)
                        found.queries += 1
                        held = {i for i in map(_identity, cur.fetchall()) if i in wanted}
                        found.loaded |= held
                        if table is writer:
                            found.with_rows |= held
            finally:
                cur.close()
        finally:
            conn.close()
    found.seconds = time.perf_counter() - started
    return found


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

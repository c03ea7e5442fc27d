"""Which inputs a warehouse table already holds: the incremental skip check before submitting.

The table is the truth a user can inspect and edit: an input is skipped when its identity (digest
and page) has rows in it, or a row in its ``__no_table`` companion. Delete an input's rows and the
next run recognises it again. The check asks the database about the inputs at hand only, in
chunks: a bounded number of queries (two lookups of the tables' columns, then one query per
:data:`IDENTITIES_PER_QUERY` inputs for each table that exists), whatever the table's size.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aspose_ocr_provider.identity import InputIdentity
from aspose_ocr_provider.tables.no_table import no_table_companion
from aspose_ocr_provider.tables.writer import TableWriter

IDENTITIES_PER_QUERY = 500
"""Digests bound in one ``IN (...)`` list; under SQLite's oldest limit of 999 variables."""


@dataclass
class LoadedInputs:
    """What the check found and what it cost.

    :param loaded: the identities asked about that the table (or its companion) already holds.
    :param queries: statements sent to the database.
    :param seconds: wall time of the check.
    """

    loaded: set[InputIdentity] = field(default_factory=set)
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
    for table in (writer, companion):
        if not digests:
            break
        columns = table.existing_columns()
        found.queries += 1
        if columns is None or sha_column not in columns or page_column not in columns:
            continue  # no table yet, or one loaded before identities were recorded
        rows, queries = _identities_in(table, sha_column, page_column, digests)
        found.queries += queries
        found.loaded |= {i for i in rows if i in wanted}
    found.seconds = time.perf_counter() - started
    return found


def _identities_in(
    table: TableWriter, sha_column: str, page_column: str, digests: list[str]
) -> tuple[set[InputIdentity], int]:
    quote, ph = table.dialect.quote, table.placeholder
    found: set[InputIdentity] = set()
    queries = 0
    conn = table.hook.get_conn()
    try:
        cur = conn.cursor()
        try:
            for start in range(0, len(digests), IDENTITIES_PER_QUERY):
                chunk = digests[start : start + IDENTITIES_PER_QUERY]
                cur.execute(
                    f"SELECT DISTINCT {quote(sha_column)}, {quote(page_column)} FROM {table.qtable} "  # noqa: S608
                    f"WHERE {quote(sha_column)} IN ({', '.join([ph] * len(chunk))})",
                    chunk,
                )
                queries += 1
                for sha, page in cur.fetchall():
                    identity = _identity(sha, page)
                    if identity is not None:
                        found.add(identity)
        finally:
            cur.close()
    finally:
        conn.close()
    return found, queries


def _identity(sha: Any, page: Any) -> InputIdentity | None:
    try:
        return InputIdentity.from_values(sha, page)
    except ValueError:
        return None  # a page someone edited into text: that row identifies nothing

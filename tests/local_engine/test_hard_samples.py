"""Every kind of the harder set end to end: page images -> emulator HTTP API (local engine) -> rows.

What a user checks is whether the rows they copy out of the result are the document's rows:
each ground-truth row's cells in separate cells of one output row, in order (recall, as
row-structure accuracy), the text inside them letter for letter (cell exactness), and that
nothing else comes back as table rows - no chart ticks, no titles, no table twice (precision).
A PDF goes in as the submit operator sends it: one rendered image per page.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from aspose_ocr_provider.emulator.engines.local_accuracy import (
    Document,
    score_precision,
    score_rows,
)

from .conftest import hard_documents

DOCUMENTS = hard_documents()
IDS = [d.path.stem for d in DOCUMENTS]
Tables = list[list[list[str]]]


@pytest.fixture(scope="module")
def recognised(read_over_http) -> Callable[[Document], Tables]:  # type: ignore[no-untyped-def]
    """Each document's tables through the HTTP API, recognised once per module run."""
    cache: dict[str, Tables] = {}

    def tables_of(document: Document) -> Tables:
        if document.path.stem not in cache:
            cache[document.path.stem] = [table for page in document.pages for table in read_over_http(page)]
        return cache[document.path.stem]

    return tables_of


def test_the_harder_set_covers_every_kind_of_document() -> None:
    kinds = {d.kind for d in DOCUMENTS}
    assert kinds == {
        "form", "german", "invoice", "scanned", "statement", "web", "zebra",  # issue 14
        "balance", "bullets", "chart", "photo", "report", "slide", "statistical",  # issue 24
    }
    assert any(d.path.suffix == ".pdf" for d in DOCUMENTS)


@pytest.mark.parametrize("document", DOCUMENTS, ids=IDS)
def test_document_rows_come_back_through_the_http_api(recognised, document: Document) -> None:  # type: ignore[no-untyped-def]
    tables = recognised(document)
    got = [row for table in tables for row in table]
    score = score_rows(document.truth, got)
    assert score.rows == sum(1 for row in document.truth if any(cell.strip() for cell in row))
    if score.rows:
        assert score.row_accuracy >= 0.8, f"{document.path.name}: rows found {score.rows_ok}/{score.rows}; got {tables}"
        assert score.exactness >= 0.8, f"{document.path.name}: exact cells {score.cells_exact}/{score.cells}; got {tables}"
    loaded = score_precision(document.truth, tables, document.optional)
    assert loaded.precision >= 0.95, f"{document.path.name}: {loaded.real} of {loaded.loaded} rows are table rows; got {tables}"


@pytest.mark.parametrize("document", DOCUMENTS, ids=IDS)
def test_no_row_comes_back_in_two_tables(recognised, document: Document) -> None:  # type: ignore[no-untyped-def]
    """A region is returned once: no ground-truth row is found in two of the returned tables."""
    tables = recognised(document)
    for row in document.truth:
        holding = [i for i, table in enumerate(tables) if score_rows([row], table).rows_ok]
        assert len(holding) <= 1, f"{document.path.name}: row {row} is in tables {holding}: {tables}"

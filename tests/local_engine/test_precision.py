"""What must NOT come back as a table, end to end through the emulator's HTTP API (local engine):
a chart, the units note over a balance sheet, a data value in a header cell."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from aspose_ocr_provider.emulator.engines.local_accuracy import Document
from aspose_ocr_provider.models import TableSettings

from .conftest import hard_documents

BY_STEM = {d.path.stem: d for d in hard_documents()}


@pytest.fixture(scope="module")
def read(read_over_http) -> Callable[[Document], list[list[list[str]]]]:  # type: ignore[no-untyped-def]
    """A document's pages through the HTTP API; their tables (index rows dropped) come back."""

    def tables_of(document: Document) -> list[list[list[str]]]:
        return [table for page in document.pages for table in read_over_http(page)]

    return tables_of


def test_a_chart_alone_yields_no_table(read) -> None:  # type: ignore[no-untyped-def]
    assert read(BY_STEM["chart_votes"]) == []


@pytest.mark.parametrize("stem", ["report_water_pdf", "statistical_bulletin", "slide_results"])
def test_a_chart_beside_a_table_adds_nothing_to_it(read, stem: str) -> None:  # type: ignore[no-untyped-def]
    """The page's one table comes back with exactly its own rows and columns: no tick labels,
    category names, legend entries, captions or body text."""
    document = BY_STEM[stem]
    tables = read(document)
    assert len(tables) == 1, tables
    assert len(tables[0]) == len(document.truth), tables
    assert {len(row) for row in tables[0]} == {len(document.truth[0])}, tables


def test_balance_sheet_is_one_table_headed_by_its_column_titles_only(read) -> None:  # type: ignore[no-untyped-def]
    document = BY_STEM["balance_sheet_band"]
    tables = read(document)
    assert len(tables) == 1, tables
    header = tables[0][0]
    assert header == ["Particulars", "Schedule", "As on 31.03.2025", "As on 31.03.2024"]
    everything = " ".join(cell for row in tables[0] for cell in row)
    assert "Rs." not in everything and "Balance Sheet" not in everything
    assert tables[0][1:] == [[c for c in row] for row in document.truth[1:]]


def test_what_was_left_out_is_logged_with_the_reason(local_engine, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    document = BY_STEM["balance_sheet_band"]
    with caplog.at_level(logging.DEBUG, logger="aspose_ocr_provider.emulator.engines"):
        local_engine.recognize(document.pages[0], TableSettings())
    left_out = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Left out")]
    assert any("title, caption or note above the table" in m and "(Rs. in '000)" in m for m in left_out), left_out
    assert any("Balance Sheet as on 31st March 2025" in m for m in left_out), left_out

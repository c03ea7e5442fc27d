"""Every kind of the harder set end to end: page images -> emulator HTTP API (local engine) -> rows.

What a user checks is whether the rows they copy out of the result are the document's rows:
each ground-truth row's cells in separate cells of one output row, in order (recall, as
row-structure accuracy), the text inside them letter for letter (cell exactness), and that
nothing else comes back as table rows - no chart ticks, no titles, no table twice (precision).
A PDF goes in as the submit operator sends it: one rendered image per page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from aspose_ocr_provider.emulator.engines.local_accuracy import (
    Document,
    score_precision,
    score_rows,
)
from aspose_ocr_provider.emulator.testing import EmulatorHandle, run_emulator
from aspose_ocr_provider.hooks.aspose_ocr import AsposeOcrHook
from aspose_ocr_provider.models import TableSettings, TaskStatus
from aspose_ocr_provider.tables.clean import is_index_row
from aspose_ocr_provider.tables.decode import decode_result_rows

from .conftest import RECOGNITION_TIMEOUT, hard_documents

CONN_ID = "aspose_ocr_hardset"
DOCUMENTS = hard_documents()
IDS = [d.path.stem for d in DOCUMENTS]
Tables = list[list[list[str]]]


@pytest.fixture(scope="module")
def emulator(local_engine) -> Iterator[EmulatorHandle]:  # type: ignore[no-untyped-def]
    with run_emulator(engine=local_engine, pending_polls=0, processing_polls=0) as emu:
        yield emu


@pytest.fixture(scope="module")
def recognised(emulator: EmulatorHandle) -> Iterator[Callable[[Document], Tables]]:
    """Each document's tables through the HTTP API, recognised once per module run."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", emulator.airflow_conn_json())
        hook = AsposeOcrHook(aspose_ocr_conn_id=CONN_ID)
        cache: dict[str, Tables] = {}

        def tables_of(document: Document) -> Tables:
            if document.path.stem not in cache:
                tables: Tables = []
                for page in document.pages:
                    task_id = hook.submit_table(page, TableSettings())
                    emulator.wait_idle(timeout=RECOGNITION_TIMEOUT)
                    result = hook.get_result(task_id)
                    assert result.task_status is TaskStatus.COMPLETED, result.messages
                    tables += [[list(r) for r in rows if not is_index_row(r)] for rows in decode_result_rows(result)]
                cache[document.path.stem] = tables
            return cache[document.path.stem]

        yield tables_of


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

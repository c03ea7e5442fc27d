"""Documents through the submit operator and the emulator: one POST per page, pages in the
records and in the warehouse, bad documents refused before any POST, retries never re-pay a page."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from airflow.dag_processing.dagbag import DagBag
from airflow.sdk import DAG
from airflow.utils.state import DagRunState

from aspose_ocr_provider.emulator.testing import run_emulator
from aspose_ocr_provider.exceptions import AsposeOcrError
from aspose_ocr_provider.models import RECOGNIZE_TABLE_PATH, TaskStatus
from aspose_ocr_provider.operators.submit import AsposeOcrSubmitTableOperator
from tests.airflow_runs import BareTaskInstance, register_dag, task_instance, xcom
from tests.ground_truth import assert_exactly_once, sqlite_rows
from tests.pages import documents

DAGS = Path(__file__).resolve().parents[2] / "dags"
START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with run_emulator(pending_polls=0, processing_polls=0) as emu:
        monkeypatch.setenv("AIRFLOW_CONN_ASPOSE_OCR_DEFAULT", emu.airflow_conn_json())
        yield emu


def _statement_and_scan(emu: Any, folder: Path) -> tuple[Path, Path]:
    """The 3-page PDF and the 2-frame TIFF in ``folder``, their pages taught to the emulator."""
    folder.mkdir(parents=True, exist_ok=True)
    pdf = folder / "statement.pdf"
    pdf.write_bytes(documents.three_page_pdf())
    tiff = folder / "scan.tif"
    tiff.write_bytes(documents.two_frame_tiff())
    emu.add_fixture_document(
        pdf.read_bytes(), {page: documents.sample_csv(name) for page, name in documents.TABLE_PAGES.items()}
    )
    emu.add_fixture_document(
        tiff.read_bytes(),
        {1: documents.sample_csv("unruled_staff"), 2: documents.sample_csv("ruled_two_tables")},
    )
    return pdf, tiff


def test_every_page_is_one_post_and_its_record_names_the_page(emulator: Any, tmp_path: Path) -> None:
    pdf, tiff = _statement_and_scan(emulator, tmp_path / "in")
    ti = BareTaskInstance()
    op = AsposeOcrSubmitTableOperator(task_id="submit", images=str(tmp_path / "in" / "*"), max_concurrency=2)

    ids = op.execute({"ti": ti})  # type: ignore[arg-type]

    assert emulator.count("POST", RECOGNIZE_TABLE_PATH) == 5
    assert emulator.stats()["tasks"]["submitted"] == 5
    records = ti.xcom["submissions"]
    assert [(r["source"], r["page"]) for r in records] == [
        (str(tiff), 1),
        (str(tiff), 2),
        (str(pdf), 1),
        (str(pdf), 2),
        (str(pdf), 3),
    ]
    assert [r["sha256"] for r in records] == [hashlib.sha256(tiff.read_bytes()).hexdigest()] * 2 + [
        hashlib.sha256(pdf.read_bytes()).hexdigest()
    ] * 3
    assert [r["task_id"] for r in records] == ids and len(set(ids)) == 5
    emulator.wait_idle()
    # The emulator got the rendered pages: each matched its fixture (an unknown image ends in Error).
    assert [emulator.task_status(i) for i in ids] == [TaskStatus.COMPLETED] * 5


def test_pages_selects_what_is_sent(emulator: Any, tmp_path: Path) -> None:
    pdf, _ = _statement_and_scan(emulator, tmp_path / "in")
    ti = BareTaskInstance()
    AsposeOcrSubmitTableOperator(task_id="submit", images=str(pdf), pages="1,3").execute({"ti": ti})  # type: ignore[arg-type]
    assert [r["page"] for r in ti.xcom["submissions"]] == [1, 3]
    assert emulator.count("POST", RECOGNIZE_TABLE_PATH) == 2


def test_bad_documents_fail_before_any_post_naming_each_file(emulator: Any, tmp_path: Path) -> None:
    _statement_and_scan(emulator, tmp_path)
    for name, data in {
        "locked.pdf": documents.encrypted_pdf(),
        "blank.pdf": documents.empty_pdf(),
        "cut.pdf": documents.truncated_pdf(),
    }.items():
        (tmp_path / name).write_bytes(data)
    op = AsposeOcrSubmitTableOperator(task_id="submit", images=str(tmp_path / "*"))

    with pytest.raises(AsposeOcrError) as err:
        op.execute({"ti": BareTaskInstance()})  # type: ignore[arg-type]

    message = str(err.value)
    assert message.startswith("Nothing was submitted: 3 problem(s)")
    for name, reason in {
        "locked.pdf": "is encrypted with a password",
        "blank.pdf": "has no pages",
        "cut.pdf": "is truncated",
    }.items():
        assert f"{tmp_path / name}: the PDF {reason}" in message
    assert emulator.stats()["requests"] == 0  # not even a token: nothing was tried


def test_a_retried_submit_pays_each_page_once(airflow_db: Path, emulator: Any, tmp_path: Path) -> None:
    pages = [documents.text_page(f"Page {n} of the ledger") for n in range(1, 7)]
    pdf = tmp_path / "ledger.pdf"
    pdf.write_bytes(documents.pdf_of(pages))
    emulator.add_fixture_document(pdf.read_bytes(), {})
    # Each POST is answered slowly, so execution_timeout interrupts the first try mid-document.
    emulator.configure(faults={"submit": {"rate": 1.0, "kinds": ["slow"], "slow_seconds": 0.4}})

    def heal(context: Any) -> None:
        emulator.configure(faults={})

    with DAG("pages_retry", schedule=None, start_date=START) as dag:
        AsposeOcrSubmitTableOperator(
            task_id="submit",
            images=str(pdf),
            max_concurrency=1,
            execution_timeout=timedelta(seconds=1),
            retries=1,
            retry_delay=timedelta(0),
            on_retry_callback=heal,
        )
    register_dag(dag)
    run = dag.test(logical_date=START)

    assert run.state == DagRunState.SUCCESS
    assert task_instance(run, "submit").try_number == 2
    records = xcom(run, "submit", "submissions")
    assert [r["page"] for r in records] == [1, 2, 3, 4, 5, 6]
    assert len({r["task_id"] for r in records}) == 6
    assert emulator.count("POST", RECOGNIZE_TABLE_PATH) == 6  # every page paid for once, over both tries


def test_example_dag_loads_each_page_with_its_page_number(
    airflow_db: Path, emulator: Any, warehouse: Path, tmp_path: Path
) -> None:
    pdf, tiff = _statement_and_scan(emulator, tmp_path / "in")
    dag = DagBag(str(DAGS)).dags["aspose_ocr_tables_to_warehouse"]

    run = dag.test(run_conf={"images_folder": str(tmp_path / "in"), "table": "statements"})

    assert run.state == DagRunState.SUCCESS
    assert emulator.count("POST", RECOGNIZE_TABLE_PATH) == 5
    rows = sqlite_rows(warehouse, "statements")
    per_page = rows.groupby(["_source", "_source_page"]).size().to_dict()
    assert set(per_page) == {
        (str(pdf), 1),
        (str(pdf), 3),
        (str(tiff), 1),
        (str(tiff), 2),
    }  # page 2: text only
    assert set(rows.loc[rows["_source"] == str(pdf), "_source_sha256"]) == {
        hashlib.sha256(pdf.read_bytes()).hexdigest()
    }
    # Every page's tables, cell for cell, exactly once.
    truth = {
        "statement.pdf page 1": documents.sample_csv("ruled_invoice"),
        "statement.pdf page 3": documents.sample_csv("ruled_zebra"),
        "scan.tif page 1": documents.sample_csv("unruled_staff"),
        "scan.tif page 2": documents.sample_csv("ruled_two_tables"),
    }
    assert assert_exactly_once(rows, run.run_id, truth, by_page=True) == sum(per_page.values())


def test_a_fixtures_folder_answers_the_pages_of_its_documents(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``--fixtures DIR`` with ``<stem>.pdf`` + ``<stem>.page-<N>.csv``: the emulator knows each page."""
    from aspose_ocr_provider.hooks.aspose_ocr import AsposeOcrHook
    from aspose_ocr_provider.tables import result_to_dataframe

    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    (fixtures / "statement.pdf").write_bytes(documents.three_page_pdf())
    for page, name in documents.TABLE_PAGES.items():
        (fixtures / f"statement.page-{page}.csv").write_text(documents.sample_csv(name))
    with run_emulator(fixtures_dir=str(fixtures), pending_polls=0, processing_polls=0) as emu:
        monkeypatch.setenv("AIRFLOW_CONN_ASPOSE_OCR_DEFAULT", emu.airflow_conn_json())
        ti = BareTaskInstance()
        ids = AsposeOcrSubmitTableOperator(task_id="submit", images=str(fixtures / "*.pdf")).execute(
            {"ti": ti}  # type: ignore[arg-type]
        )
        emu.wait_idle()
        hook = AsposeOcrHook()
        results = [hook.get_result(task_id) for task_id in ids]

    assert [r.task_status for r in results] == [TaskStatus.COMPLETED] * 3
    assert [len(r.results) for r in results] == [1, 0, 1]  # page 2 holds text only: no table
    first = result_to_dataframe(results[0])
    assert list(first.attrs["columns"].values())[:2] == ["Item", "Qty"]

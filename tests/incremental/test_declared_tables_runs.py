"""The declared-tables example DAG run after run: a re-run keeps a person's corrections.

An image's rows land in ``invoices`` or ``stock`` and what does not read waits in
``ocr_quarantine`` for the review. The submit step checks all three before paying, so a re-run
neither pays again nor reloads the image (which would replace the corrected rows and ask again).
Checked as a data engineer would: POSTs counted at the emulator (what the service bills), the rows
in the tables of a real SQLite file and PostgreSQL, and what the review step asked.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from airflow.utils.state import DagRunState

from aspose_ocr_provider.compat import HITL_AVAILABLE
from aspose_ocr_provider.models import RECOGNIZE_TABLE_PATH
from aspose_ocr_provider.operators.submit import AsposeOcrSubmitTableOperator
from aspose_ocr_provider.tables.provenance import provenance_columns
from aspose_ocr_provider.warehouse.connection import warehouse_hook
from aspose_ocr_provider.warehouse.quarantine_review import Answer, apply_answers, pending_rows
from tests.airflow_runs import dag_bag, task_states, xcom
from tests.faults.conftest import DAGS
from tests.fixtures.warehouses import Warehouse

DAG_ID = "aspose_ocr_declared_tables"
QUARANTINE = "ocr_quarantine"

INVOICE_1 = 'Item,Qty,Unit Price,Amount\nWidget,2,"12,5O",25.00\nGizmo,3,4.OO,12.00\nGadget,1,3.00,3.00\n'
STOCK_1 = "Code,Description,Price,Stock\nA-1,Copper wire,1.50,10\nB-2,Steel rod,2.00,1O\n"
MEMO = "Name,Dept\nAnn,Ops\nBob,HR\n"  # fits neither declared table: only in the quarantine
INVOICE_2 = "Item,Qty,Unit Price,Amount\nBolt,7,0.20,1.40\nNut,9,0.10,0.90\n"

WITHOUT_REVIEW = ("find_scans", "submit", "wait_for_ocr", "load")
"""The DAG's tasks before its review. ``dag.test()`` keeps a run whose review asks a question alive
until someone answers it from outside (an API server), whatever its time limit, so the runs that
leave rows withheld run these alone and the test answers as the review does (``apply_answers``).
A run with nothing waiting runs the whole DAG: its review must then have nothing to ask."""


def posts(emulator: Any) -> int:
    return int(emulator.count("POST", RECOGNIZE_TABLE_PATH))


def scan(emulator: Any, path: Path, csv_text: str, shade: int) -> str:
    """An image of a table at ``path`` (distinct bytes per shade), taught to the emulator; its sha256."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (90, 40), (30 * shade, 90, 200 - 30 * shade)).save(path)
    data = path.read_bytes()
    emulator.add_fixture(data, csv_text)
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def declared_dag(airflow_db: Path) -> Any:
    """The example DAG as shipped, with test timing (quick polls, retries at once)."""
    dag = dag_bag(DAGS).dags[DAG_ID]
    for task in dag.tasks:
        task.retry_delay = timedelta(0)
    sensor = dag.get_task("wait_for_ocr")
    sensor.poll_interval = 0.05
    sensor.max_poll_interval = 0.1
    return dag


def run(dag: Any, folder: Path, day: int, *, review: bool = True) -> Any:
    conf = {"invoices": str(folder / "invoices" / "*.png"), "stock_lists": str(folder / "stock" / "*.png")}
    if not review and HITL_AVAILABLE:
        dag = dag.partial_subset(task_ids=list(WITHOUT_REVIEW))
    done = dag.test(run_conf=conf, logical_date=datetime(2026, 3, day, tzinfo=UTC))
    assert done.state == DagRunState.SUCCESS, task_states(done)
    return done


def states(done: Any) -> dict[str, str | None]:
    return {task: state for task, (state, _) in task_states(done).items()}


def asked(done: Any) -> int | None:
    """How many withheld rows the run's review asked about (None: no review step ran)."""
    if not HITL_AVAILABLE:
        return None
    result = xcom(done, "review")
    return None if result is None else int(result["asked"])


def correct_everything(dag: Any, warehouse: Warehouse, values: dict[str, dict[str, str]]) -> list[str]:
    """Answer every waiting row the way the review step does (its own loading function)."""
    rows = pending_rows(warehouse_hook(warehouse.conn_id), QUARANTINE, ["invoices", "stock"])
    answers = [Answer(row, "correct", values[row.problems[0].raw_text or ""]) for row in rows]
    outcome = apply_answers(
        warehouse_hook(warehouse.conn_id),
        QUARANTINE,
        dag.get_task("load").schemas,
        answers,
        answered_by="maria",
        answered_at=datetime(2026, 3, 1, 12, tzinfo=UTC),
        provenance=provenance_columns(True),
        run_values={"dag_run_id": "review", "loaded_by": f"{DAG_ID}.review", "loaded_at": datetime.now(UTC)},
    )
    assert not outcome.refused and not outcome.gone
    return sorted(outcome.resolved)


def test_a_rerun_pays_nothing_and_keeps_the_corrections_until_the_rows_are_deleted(
    declared_dag: Any, emulator: Any, warehouse: Warehouse, tmp_path: Path
) -> None:
    invoice = scan(emulator, tmp_path / "invoices" / "invoice-1.png", INVOICE_1, 1)
    scan(emulator, tmp_path / "stock" / "stock-1.png", STOCK_1, 2)
    scan(emulator, tmp_path / "invoices" / "memo.png", MEMO, 3)

    # 1. Three scans, three POSTs. Three rows withheld (12,5O, 4.OO, 1O); the memo set aside whole.
    run(declared_dag, tmp_path, 1, review=False)
    assert posts(emulator) == 3
    assert warehouse.query("SELECT item FROM invoices") == [("Gadget",)]
    assert warehouse.query("SELECT code FROM stock") == [("A-1",)]
    assert len(pending_rows(warehouse_hook(warehouse.conn_id), QUARANTINE, ["invoices", "stock"])) == 3

    # The person corrects every withheld row, through the review's own loading function.
    resolved = correct_everything(
        declared_dag,
        warehouse, {"12,5O": {"unit_price": "12.50"}, "4.OO": {"unit_price": "4.00"}, "1O": {"on_hand": "10"}}
    )
    assert len(resolved) == 3
    invoices_after_review = warehouse.query("SELECT item, unit_price FROM invoices ORDER BY item")
    assert invoices_after_review == [("Gadget", 3.0), ("Gizmo", 4.0), ("Widget", 12.5)]

    # 2. Nothing new: no POST, nothing reloaded, the corrections stay, once; no question again.
    run2 = run(declared_dag, tmp_path, 2)
    assert posts(emulator) == 3
    assert {t: states(run2)[t] for t in ("submit", "wait_for_ocr", "load")} == dict.fromkeys(
        ("submit", "wait_for_ocr", "load"), "skipped"
    )
    assert warehouse.query("SELECT item, unit_price FROM invoices ORDER BY item") == invoices_after_review
    assert warehouse.query("SELECT code, on_hand FROM stock ORDER BY code") == [("A-1", 10), ("B-2", 10)]
    assert pending_rows(warehouse_hook(warehouse.conn_id), QUARANTINE, ["invoices", "stock"]) == []
    if HITL_AVAILABLE:  # the review still runs when nothing was loaded, and has nothing to ask
        assert states(run2)["review"] == "success" and asked(run2) == 0

    # 3. A new scan among them: it alone is submitted and loaded; the others are not touched.
    scan(emulator, tmp_path / "invoices" / "invoice-2.png", INVOICE_2, 4)
    run(declared_dag, tmp_path, 3)
    assert posts(emulator) == 4
    assert warehouse.query("SELECT item, unit_price FROM invoices ORDER BY item") == sorted(
        [("Bolt", 0.2), ("Nut", 0.1), *invoices_after_review]
    )

    # 4. The invoice's rows deleted from every table it is in: the next run recognises it again
    #    (and, its corrections gone with them, the question about its withheld rows comes back).
    invoices_table = warehouse.query(f"SELECT count(*) FROM invoices WHERE \"_source_sha256\" = '{invoice}'")
    assert invoices_table == [(3,)]
    warehouse.execute(
        f"DELETE FROM invoices WHERE \"_source_sha256\" = '{invoice}'",
        f"DELETE FROM {QUARANTINE} WHERE sha256 = '{invoice}'",
    )
    run(declared_dag, tmp_path, 4, review=False)
    assert posts(emulator) == 5
    assert warehouse.query(f"SELECT item FROM invoices WHERE \"_source_sha256\" = '{invoice}'") == [("Gadget",)]
    assert warehouse.query("SELECT count(*) FROM invoices") == [(3,)]  # Gadget, Bolt, Nut: none twice
    again = pending_rows(warehouse_hook(warehouse.conn_id), QUARANTINE, ["invoices", "stock"])
    assert sorted(row.problems[0].raw_text for row in again) == ["12,5O", "4.OO"]


def test_an_image_only_in_the_quarantine_is_held_and_one_in_no_table_is_submitted(
    declared_dag: Any, emulator: Any, warehouse: Warehouse, tmp_path: Path
) -> None:
    memo = scan(emulator, tmp_path / "invoices" / "memo.png", MEMO, 3)
    scan(emulator, tmp_path / "stock" / "stock-1.png", STOCK_1.replace("1O", "10"), 2)
    run(declared_dag, tmp_path, 1, review=False)
    assert posts(emulator) == 2
    assert warehouse.query(f"SELECT count(*) FROM {QUARANTINE} WHERE sha256 = '{memo}'") == [(1,)]
    assert warehouse.query(f"SELECT count(*) FROM {QUARANTINE} WHERE sha256 <> '{memo}'") == [(0,)]

    # The memo is only in the quarantine (fits neither table), stock-1 only in stock: neither is
    # submitted again. The new scan, in no table yet, is.
    scan(emulator, tmp_path / "stock" / "stock-2.png", "Code,Description,Price,Stock\nC-3,Brass,3.25,4\n", 4)
    run(declared_dag, tmp_path, 2, review=False)
    assert posts(emulator) == 3
    assert warehouse.query("SELECT code, on_hand FROM stock ORDER BY code") == [("A-1", 10), ("B-2", 10), ("C-3", 4)]
    assert warehouse.query(f"SELECT count(*) FROM {QUARANTINE}") == [(1,)]


def test_bad_other_tables_are_refused_when_the_dag_is_parsed() -> None:
    def submit(**kwargs: Any) -> AsposeOcrSubmitTableOperator:
        return AsposeOcrSubmitTableOperator(task_id="submit", images=["a.png"], **kwargs)

    with pytest.raises(ValueError, match=r"other_tables must be a list .* e\.g\. \['stock'\]; got 'stock'"):
        submit(warehouse_conn_id="w", table="invoices", other_tables="stock")
    with pytest.raises(ValueError, match="other_tables must hold table names"):
        submit(warehouse_conn_id="w", table="invoices", other_tables=["stock", ""])
    with pytest.raises(ValueError, match="'invoices' more than once or as table"):
        submit(warehouse_conn_id="w", table="invoices", other_tables=["invoices"])
    with pytest.raises(ValueError, match="'q' more than once or as table or quarantine_table"):
        submit(warehouse_conn_id="w", table="invoices", other_tables=["q"], quarantine_table="q")
    with pytest.raises(ValueError, match="other_tables needs warehouse_conn_id and table"):
        submit(other_tables=["stock"])
    with pytest.raises(ValueError, match="quarantine_table needs warehouse_conn_id and table"):
        submit(quarantine_table="ocr_quarantine")
    with pytest.raises(ValueError, match="quarantine_table 'invoices' is the table itself"):
        submit(warehouse_conn_id="w", table="invoices", quarantine_table="invoices")
    # Templated names are read once rendered; the example DAG's form is accepted.
    submit(warehouse_conn_id="w", table="{{ params.t }}", other_tables=["{{ params.t2 }}"], quarantine_table="q")
    submit(warehouse_conn_id="w", table="invoices", other_tables=["stock"], quarantine_table="ocr_quarantine")


def test_the_one_task_operator_tells_its_submit_step_every_table_its_load_writes(declared_dag: Any) -> None:
    from aspose_ocr_provider.operators.documents_to_sql import AsposeOcrDocumentsToSqlOperator

    schemas = declared_dag.get_task("load").schemas

    def declared(**load_kwargs: Any) -> dict[str, Any]:
        op = AsposeOcrDocumentsToSqlOperator(
            task_id="ocr", images=["a.png"], conn_id="w", table="invoices", load_kwargs=load_kwargs
        )
        return op._declared_tables()

    # Declared tables: the others and the quarantine count as loaded, as in the declared DAG.
    assert declared(schemas=schemas) == {"other_tables": ["stock"], "quarantine_table": QUARANTINE}
    assert declared(schemas=schemas, quarantine_table="q")["quarantine_table"] == "q"
    assert declared(schemas=schemas, on_bad_data="fail") == {"other_tables": ["stock"]}
    # One inferred table (the event-driven example): the submit step checks that table alone.
    assert declared() == {}

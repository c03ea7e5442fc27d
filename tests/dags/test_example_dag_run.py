"""``dag.test()`` of the example DAG against the emulator over loopback HTTP, into a real SQLite
warehouse: the rows that land equal the fixtures of the images, as a user copying the DAG sees."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from airflow.utils.state import DagRunState

from aspose_ocr_provider.emulator.testing import run_emulator
from aspose_ocr_provider.models import RECOGNIZE_TABLE_PATH
from aspose_ocr_provider.sample_data import sample_dir
from tests.airflow_runs import TaskFailures, dag_bag, task_instance
from tests.ground_truth import assert_exactly_once, csv_of, fixture_images, postgres_rows, sqlite_rows

DAGS = Path(__file__).resolve().parents[2] / "dags"
DAG_ID = "aspose_ocr_tables_to_warehouse"


@pytest.fixture
def example_dag(airflow_db: Path) -> Any:
    return dag_bag(DAGS).dags[DAG_ID]


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    # One Pending and one Processing answer per task, so the trigger polls more than once.
    with run_emulator(pending_polls=1, processing_polls=1) as emu:
        monkeypatch.setenv("AIRFLOW_CONN_ASPOSE_OCR_DEFAULT", emu.airflow_conn_json())
        yield emu


def test_a_run_pointed_at_the_bundled_samples_loads_them(example_dag: Any, emulator: Any, warehouse: Path) -> None:
    images = fixture_images(Path(sample_dir()))
    assert images, f"no sample image with a CSV in {sample_dir()}"

    run = example_dag.test(run_conf={"images_folder": str(sample_dir())})

    assert run.state == DagRunState.SUCCESS
    assert emulator.count("POST", RECOGNIZE_TABLE_PATH) == len(images)
    assert assert_exactly_once(sqlite_rows(warehouse, "ocr_tables"), run.run_id, csv_of(images)) > 0


def test_params_point_the_run_at_another_folder_and_table(
    example_dag: Any, emulator: Any, warehouse: Path, tmp_path: Path
) -> None:
    from PIL import Image

    folder = tmp_path / "scans"
    folder.mkdir()
    tables = {
        "march.png": "item,qty,price\nbolts,120,0.25\nnuts,80,0.10\n",
        "april.png": "item,qty,price\nwashers,300,0.05\n\nregion,total\nnorth,1200\nsouth,950\n",
    }
    for shade, (name, csv_text) in enumerate(tables.items()):
        Image.new("RGB", (64, 32), (40 * shade, 90, 200)).save(folder / name)
        (folder / name).with_suffix(".csv").write_text(csv_text)
        emulator.add_fixture((folder / name).read_bytes(), csv_text)
    (folder / "notes.txt").write_text("not an image: skipped by find_images")

    run = example_dag.test(
        run_conf={"images_folder": folder.as_uri(), "table": "monthly_stock", "language": "English"}
    )

    assert run.state == DagRunState.SUCCESS
    assert emulator.count("POST", RECOGNIZE_TABLE_PATH) == len(tables)
    assert (
        assert_exactly_once(
            sqlite_rows(warehouse, "monthly_stock"), run.run_id, csv_of(fixture_images(folder))
        )
        == 5
    )


@pytest.fixture
def instant_emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    # Tasks complete at the first poll: this DAG polls every 10 s, once per batch.
    with run_emulator(pending_polls=0, processing_polls=0) as emu:
        monkeypatch.setenv("AIRFLOW_CONN_ASPOSE_OCR_DEFAULT", emu.airflow_conn_json())
        yield emu


def test_postgres_example_loads_every_batch(
    airflow_db: Path, instant_emulator: Any, postgres_database: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import func, select

    monkeypatch.setenv("AIRFLOW_CONN_POSTGRES_WAREHOUSE", postgres_database.uri)
    dag = dag_bag(DAGS).dags["aspose_ocr_tables_to_postgres"]
    images = fixture_images(Path(sample_dir()))
    batch_size = 4
    run = dag.test(run_conf={"images_folder": str(sample_dir()), "batch_size": batch_size, "table": "scans"})

    assert run.state == DagRunState.SUCCESS
    assert instant_emulator.count("POST", RECOGNIZE_TABLE_PATH) == len(images)
    with create_session() as session:
        sensors = session.scalar(
            select(func.count()).where(
                TaskInstance.dag_id == dag.dag_id,
                TaskInstance.run_id == run.run_id,
                TaskInstance.task_id == "ocr_batch.wait",
            )
        )
    assert sensors == -(-len(images) // batch_size)  # one sensor per batch
    loaded = postgres_rows(postgres_database.dsn, "scans")
    assert assert_exactly_once(loaded, run.run_id, csv_of(images)) > 0


def test_declared_tables_example_routes_invoices_and_stock_lists_to_their_tables(
    airflow_db: Path, instant_emulator: Any, warehouse: Path, tmp_path: Path
) -> None:
    import shutil
    import sqlite3

    dag = dag_bag(DAGS).dags["aspose_ocr_declared_tables"]
    samples = Path(sample_dir())
    run = dag.test(
        run_conf={"invoices": str(samples / "ruled_invoice.png"), "stock_lists": str(samples / "unruled_noisy.png")}
    )
    assert run.state == DagRunState.SUCCESS
    with sqlite3.connect(warehouse) as conn:
        invoices = conn.execute(
            'SELECT item, qty, unit_price, amount FROM invoices ORDER BY "_source_row"'
        ).fetchall()
        stock = conn.execute(
            'SELECT code, description, price, on_hand FROM stock ORDER BY "_source_row"'
        ).fetchall()
    assert invoices[0] == ("Widget", 1327, 198.72, 263701.44) and len(invoices) == 6
    assert stock[0] == ("A-101", "Copper wire", 1810.58, 8445) and len(stock) == 6

    # A scan of neither kind, given as a glob among the invoices, is set aside whole.
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("ruled_invoice.png", "unruled_staff.png"):
        shutil.copy(Path(sample_dir()) / name, folder / name)
    run = dag.test(
        run_conf={"invoices": str(folder / "*.png"), "stock_lists": str(samples / "unruled_noisy.png")},
        logical_date=run.logical_date + timedelta(days=1),
    )
    assert run.state == DagRunState.SUCCESS
    with sqlite3.connect(warehouse) as conn:
        set_aside = conn.execute("SELECT source, reason FROM ocr_quarantine").fetchall()
        invoices_now = conn.execute("SELECT count(*) FROM invoices").fetchone()
    assert [(Path(s).name, "fit none of the declared tables" in r) for s, r in set_aside] == [
        ("unruled_staff.png", True)
    ]
    # The same invoice again replaces its rows: one input, one set of rows.
    assert invoices_now == (6,)


@pytest.mark.parametrize(
    ("dag_id", "first_task", "names"),
    [
        ("aspose_ocr_tables_to_warehouse", "find_images", "images_folder"),
        ("aspose_ocr_tables_to_postgres", "find_batches", "images_folder"),
        ("aspose_ocr_declared_tables", "find_scans", "invoices or stock_lists"),
        ("aspose_ocr_on_new_documents", "load_new_documents", "ASPOSE_OCR_WATCH_URI"),
    ],
)
def test_a_run_with_no_input_configured_fails_at_once_saying_how_to_give_one(
    airflow_db: Path,
    instant_emulator: Any,
    warehouse: Path,
    monkeypatch: pytest.MonkeyPatch,
    dag_id: str,
    first_task: str,
    names: str,
) -> None:
    # Params left empty (a scheduled run, an unpaused DAG): nothing is read, paid for or loaded.
    monkeypatch.delenv("ASPOSE_OCR_WATCH_URI", raising=False)
    dag = dag_bag(DAGS).dags[dag_id]
    with TaskFailures() as failures:
        run = dag.test()

    assert run.state == DagRunState.FAILED
    message = str(failures.by_task[first_task])
    assert names in message
    assert ("-c" in message and "/data/" in message) or "set ASPOSE_OCR_WATCH_URI" in message
    assert task_instance(run, first_task).try_number == 1  # no retries: a retry would fail the same way
    assert instant_emulator.count("POST", RECOGNIZE_TABLE_PATH) == 0
    assert not warehouse.exists() or _tables(warehouse) == []


def _tables(path: Path) -> list[str]:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]

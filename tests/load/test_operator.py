"""AsposeOcrTableToSqlOperator in real Airflow (dag.test) against the emulator and real databases."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from aspose_ocr_provider.emulator.testing import EmulatorHandle, run_emulator
from aspose_ocr_provider.exceptions import AsposeOcrError
from aspose_ocr_provider.operators.load import AsposeOcrTableToSqlOperator, warehouse_asset
from tests.airflow_runs import TaskFailures, register_dag
from tests.fixtures.warehouses import Warehouse
from tests.load.ocr_tasks import submit

INVOICE = [["Item", "Qty", "Unit Price"], ["Widget, large", "1,200", "$3.50"], ["Gadget", "7", "$12.00"]]
SECOND = [["Name", "Score"], ["Ann", "3"], ["Bob", ""]]
THIRD = [["Item", "Qty", "Unit Price"], ["Bolt", "40", "$0.10"]]


@pytest.fixture
def emu(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorHandle]:
    with run_emulator(pending_polls=0, processing_polls=0) as handle:
        monkeypatch.setenv("AIRFLOW_CONN_ASPOSE_OCR_DEFAULT", handle.airflow_conn_json())
        yield handle


def run_load(tmp_path: Path, logical_date: datetime, **op_kwargs: Any) -> tuple[str, dict[str, Any] | None]:
    """Run a one-task DAG (plus a task that records the load's XCom) and return (state, xcom)."""
    from airflow.sdk import DAG, task

    out = tmp_path / f"xcom-{uuid.uuid4().hex}.json"
    dag_id = op_kwargs.pop("dag_id", "ocr_load_test")
    with DAG(dag_id, schedule=None, start_date=datetime(2026, 1, 1, tzinfo=UTC)) as dag:
        load = AsposeOcrTableToSqlOperator(task_id="load", conn_id="warehouse", **op_kwargs)

        @task
        def record(result: dict[str, Any]) -> None:
            out.write_text(json.dumps(result))

        record(load.output)
    register_dag(dag)
    # run_after fixes the run id, so a second call with the same date re-runs the same DAG run.
    run = dag.test(logical_date=logical_date, run_after=logical_date)
    return str(run.state), (json.loads(out.read_text()) if out.exists() else None)


def _prov_rows(warehouse: Warehouse, table: str = "invoices") -> list[tuple[Any, ...]]:
    return warehouse.query(
        f'SELECT item, qty, unit_price, "_source", "_source_table", "_source_row", "_dag_run_id", "_loaded_by" '
        f'FROM {table} ORDER BY "_source", "_source_row"'
    )


def test_records_load_typed_rows_with_provenance_and_reruns_do_not_duplicate(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    records = [
        {
            "source": "scans/a.png",
            "task_id": submit(emu, INVOICE),
            "sha256": "x",
            "submitted_at": "2026-01-01T00:00:00+00:00",
        },
        {
            "source": "scans/b.png",
            "task_id": submit(emu, THIRD),
            "sha256": "y",
            "submitted_at": "2026-01-01T00:00:00+00:00",
        },
    ]
    when = datetime(2026, 3, 1, tzinfo=UTC)
    state, xcom = run_load(tmp_path, when, ocr_task_ids=records, table="invoices")
    assert state == "success"
    first = _prov_rows(warehouse)
    run_id = first[0][6]
    assert first == [
        ("Widget, large", 1200, 3.5, "scans/a.png", 1, 2, run_id, "ocr_load_test.load"),
        ("Gadget", 7, 12.0, "scans/a.png", 1, 3, run_id, "ocr_load_test.load"),
        ("Bolt", 40, 0.1, "scans/b.png", 1, 2, run_id, "ocr_load_test.load"),
    ]
    assert xcom is not None
    assert xcom["rows"] == 3
    assert xcom["rows_per_source"] == {"scans/a.png": 2, "scans/b.png": 1}
    assert xcom["columns"] == {"item": "Item", "qty": "Qty", "unit_price": "Unit Price"}

    # The same DAG run again: its rows are replaced, not duplicated.
    state, _ = run_load(tmp_path, when, ocr_task_ids=records, table="invoices")
    assert state == "success"
    assert [r[:6] for r in _prov_rows(warehouse)] == [r[:6] for r in first]
    # Another run loading one of the same inputs replaces that input's rows: still one copy each.
    state, _ = run_load(
        tmp_path, datetime(2026, 3, 2, tzinfo=UTC), ocr_task_ids=records[:1], table="invoices"
    )
    assert state == "success"
    after = _prov_rows(warehouse)
    assert [r[:6] for r in after] == [r[:6] for r in first]
    assert {r[3]: r[6] for r in after}["scans/a.png"] != run_id
    assert {r[3]: r[6] for r in after}["scans/b.png"] == run_id


def test_bare_ids_and_several_tables_per_image(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    task_id = submit(emu, SECOND, [["Name", "Score"], ["Cy", "9"]])
    state, xcom = run_load(
        tmp_path,
        datetime(2026, 3, 3, tzinfo=UTC),
        ocr_task_ids=[task_id],
        table="scores",
        mode="append",
    )
    assert state == "success"
    rows = warehouse.query(
        'SELECT name, score, "_source", "_source_table", "_source_row" FROM scores ORDER BY 4, 5'
    )
    assert rows == [("Ann", 3, task_id, 1, 2), ("Bob", None, task_id, 1, 3), ("Cy", 9, task_id, 2, 2)]
    assert xcom is not None and xcom["rows_per_source"] == {task_id: 3}


def test_hostile_header_cells_become_columns_and_the_table_survives(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    warehouse.execute("CREATE TABLE t (id INTEGER)", "INSERT INTO t VALUES (1)")
    header = ['x"; DROP TABLE t; --', "'", "]", "`", "Größe 📦", "qty", "qty", ""]
    task_id = submit(emu, [header, [f"v{i}" for i in range(len(header))]])
    state, xcom = run_load(
        tmp_path,
        datetime(2026, 3, 4, tzinfo=UTC),
        ocr_task_ids=task_id,
        table="t2",
        sanitize_names=False,
        infer_types=False,
        provenance={"loaded_at": None},
    )
    assert state == "success"
    columns = warehouse.columns("t2")
    assert columns[:8] == ['x"; DROP TABLE t; --', "'", "]", "`", "Größe 📦", "qty", "qty__2", "col__8"]
    quoted = ", ".join('"' + c.replace('"', '""') + '"' for c in columns[:8])
    assert warehouse.query(f"SELECT {quoted} FROM t2") == [tuple(f"v{i}" for i in range(8))]
    assert warehouse.query("SELECT id FROM t") == [(1,)]
    assert xcom is not None and xcom["columns"]['x"; DROP TABLE t; --'] == 'x"; DROP TABLE t; --'


def test_a_failure_in_the_middle_of_the_load_leaves_the_table_as_it_was(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    records = [
        {"source": "a.png", "task_id": submit(emu, INVOICE)},
        {"source": "b.png", "task_id": submit(emu, THIRD)},
    ]
    when = datetime(2026, 3, 5, tzinfo=UTC)
    assert run_load(tmp_path, when, ocr_task_ids=records, table="invoices")[0] == "success"
    before = sorted(warehouse.query("SELECT * FROM invoices"), key=repr)

    def poison_second_image(frame: pd.DataFrame) -> pd.DataFrame:
        # The second table gets a cell no driver can send: the failure comes after the first
        # table's rows (and the idempotent DELETE and a new column) have reached the database.
        frame = frame.assign(note="ok")
        if "Bolt" in frame["item"].tolist():
            frame.loc[frame.index[0], "note"] = object()
        return frame

    state, _ = run_load(tmp_path, when, ocr_task_ids=records, table="invoices", transform=poison_second_image)
    assert state == "failed"
    assert sorted(warehouse.query("SELECT * FROM invoices"), key=repr) == before
    assert "note" not in warehouse.columns("invoices")


def test_failed_ocr_task_fails_the_load_naming_the_source_or_is_skipped(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    good = {"source": "good.png", "task_id": submit(emu, INVOICE)}
    gone = {"source": "lost.png", "task_id": str(uuid.uuid4())}
    when = datetime(2026, 3, 6, tzinfo=UTC)
    with TaskFailures() as failed:
        state, _ = run_load(tmp_path, when, ocr_task_ids=[good, gone], table="invoices")
    assert state == "failed"
    failures = list(failed.by_task.values())
    assert len(failures) == 1
    assert isinstance(failures[0], AsposeOcrError)
    assert f"OCR of lost.png (task {gone['task_id']}) is NotExist" in str(failures[0])
    assert "skip_failed=True" in str(failures[0])
    assert warehouse.columns("invoices") == []

    state, xcom = run_load(tmp_path, when, ocr_task_ids=[good, gone], table="invoices", skip_failed=True)
    assert state == "success"
    assert xcom is not None
    assert xcom["rows_per_source"] == {"good.png": 2}
    assert [(s["source"], s["status"]) for s in xcom["skipped"]] == [("lost.png", "NotExist")]


def test_outlet_asset_and_parse_time_validation() -> None:
    op = AsposeOcrTableToSqlOperator(task_id="l", ocr_task_ids=[], conn_id="dwh", table="analytics.invoices")
    assert warehouse_asset("dwh", "analytics.invoices") in op.outlets
    templated = AsposeOcrTableToSqlOperator(
        task_id="m", ocr_task_ids=[], conn_id="{{ var.value.c }}", table="t"
    )
    assert [type(o).__name__ for o in templated.outlets] == ["AssetAlias"]
    with pytest.raises(ValueError, match="needs the provenance columns 'source', 'source_sha256', 'source_page'"):
        AsposeOcrTableToSqlOperator(task_id="n", ocr_task_ids=[], conn_id="c", table="t", provenance=False)
    with pytest.raises(ValueError, match="Unknown mode 'upsert'"):
        AsposeOcrTableToSqlOperator(task_id="o", ocr_task_ids=[], conn_id="c", table="t", mode="upsert")
    with pytest.raises(ValueError, match="Unknown provenance key"):
        AsposeOcrTableToSqlOperator(
            task_id="p", ocr_task_ids=[], conn_id="c", table="t", provenance={"src": "s"}
        )


def test_two_dags_with_the_same_run_id_keep_each_others_rows(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    """Scheduled runs of different DAGs share run ids; idempotency is per DAG and task."""
    when = datetime(2026, 3, 7, tzinfo=UTC)
    for dag_id, table in (("ocr_load_a", INVOICE), ("ocr_load_b", THIRD)):
        state, _ = run_load(
            tmp_path, when, dag_id=dag_id, ocr_task_ids=submit(emu, table), table="shared", infer_types=False
        )
        assert state == "success"
    rows = warehouse.query('SELECT "_loaded_by", item FROM shared ORDER BY 1, 2')
    assert rows == [
        ("ocr_load_a.load", "Gadget"),
        ("ocr_load_a.load", "Widget, large"),
        ("ocr_load_b.load", "Bolt"),
    ]


def _asset_event_uris() -> set[str]:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        return set(
            session.scalars(select(AssetModel.uri).join(AssetEvent, AssetEvent.asset_id == AssetModel.id))
        )


def test_a_load_updates_the_tables_asset_even_when_the_table_is_templated(
    airflow_db: Path, emu: EmulatorHandle, warehouse: Warehouse, tmp_path: Path
) -> None:
    when = datetime(2026, 3, 8, tzinfo=UTC)
    state, _ = run_load(
        tmp_path, when, dag_id="ocr_asset_static", ocr_task_ids=submit(emu, THIRD), table="parts"
    )
    assert state == "success"
    state, _ = run_load(
        tmp_path,
        when,
        dag_id="ocr_asset_templated",
        ocr_task_ids=submit(emu, THIRD),
        table="{{ 'parts' }}_{{ ds_nodash }}",
    )
    assert state == "success"
    assert warehouse.query("SELECT item FROM parts_20260308") == [("Bolt",)]
    uris = _asset_event_uris()
    assert warehouse_asset("warehouse", "parts").uri in uris
    assert warehouse_asset("warehouse", "parts_20260308").uri in uris

"""Rows keyed by input identity, the ``__no_table`` companion and the skip check, on both warehouses.

These drive the library pieces the operators use (``IdentityLoad``, ``find_loaded_inputs``,
``check_warehouse``) against the real SQLite file and the session PostgreSQL, so each rule is
checked on its own before the example-DAG runs in ``tests/incremental`` put them together.
"""

from __future__ import annotations

import hashlib
import socket
from datetime import UTC, datetime

import pandas as pd
import pytest

from aspose_ocr_provider.documents.identity import InputIdentity
from aspose_ocr_provider.exceptions import AsposeOcrError
from aspose_ocr_provider.tables import provenance_columns
from aspose_ocr_provider.warehouse import TableBatch, TableWriter
from aspose_ocr_provider.warehouse.connection import check_warehouse
from aspose_ocr_provider.warehouse.identity_load import IdentityLoad
from aspose_ocr_provider.warehouse.loaded_inputs import IDENTITIES_PER_QUERY, find_loaded_inputs
from aspose_ocr_provider.warehouse.writer import write_together
from tests.fixtures.warehouses import Warehouse

PROV = provenance_columns(True)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def load(
    warehouse: Warehouse,
    inputs: dict[str, tuple[str, list[str]]],
    run_id: str,
    mode: str = "idempotent",
    keep_history: bool = False,
) -> None:
    """Load ``{source: (content, items)}`` as the load operator does: one row per item."""
    plan = IdentityLoad(PROV, keep_history=keep_history)
    run_values = {"dag_run_id": run_id, "loaded_by": "dag.load", "loaded_at": datetime.now(UTC)}
    batches = []
    for source, (content, cells) in inputs.items():
        identity = InputIdentity(sha(content))
        if cells:
            frame = pd.DataFrame({"item": cells}, index=pd.RangeIndex(2, len(cells) + 2))
            values = {
                "source": source,
                "source_sha256": identity.sha256,
                "source_page": identity.page,
                "ocr_task_id": f"t-{content}",
                "source_table": 1,
                **run_values,
            }
            batches.append(
                TableBatch(
                    frame, constants={PROV[k]: v for k, v in values.items()}, index_column="_source_row"
                )
            )
        plan.add(source, f"t-{content}", identity, 1 if cells else 0, len(cells))
    hook = warehouse.hook()
    replace = plan.replaced_rows() if mode == "idempotent" else None
    table = TableWriter(hook, "scans", mode=mode, replace_rows=replace)
    write_together([(table, batches), plan.companion_target(hook, "scans", mode, run_values)])


def items(warehouse: Warehouse) -> list[tuple[str, str, str]]:
    return sorted(warehouse.query('SELECT "_source", item, "_dag_run_id" FROM scans'))


def test_a_reload_replaces_the_inputs_rows_whatever_run_wrote_them(warehouse: Warehouse) -> None:
    load(warehouse, {"a.png": ("A", ["x", "y"]), "b.png": ("B", ["z"])}, "run-1")
    load(warehouse, {"a.png": ("A", ["x", "y"])}, "run-2")  # a new run id: still one copy of a.png
    assert items(warehouse) == [("a.png", "x", "run-2"), ("a.png", "y", "run-2"), ("b.png", "z", "run-1")]

    # a.png rewritten in place: its older version's rows go by default...
    load(warehouse, {"a.png": ("A2", ["w"])}, "run-3")
    assert items(warehouse) == [("a.png", "w", "run-3"), ("b.png", "z", "run-1")]
    # ...and stay with keep_history=True.
    load(warehouse, {"a.png": ("A3", ["v"])}, "run-4", keep_history=True)
    assert items(warehouse) == [("a.png", "v", "run-4"), ("a.png", "w", "run-3"), ("b.png", "z", "run-1")]
    # The same bytes under another name are the same input: loaded once, under the latest name.
    load(warehouse, {"copy-of-b.png": ("B", ["z"])}, "run-5")
    assert items(warehouse) == [
        ("a.png", "v", "run-4"),
        ("a.png", "w", "run-3"),
        ("copy-of-b.png", "z", "run-5"),
    ]


def test_append_and_replace_modes_after_three_runs(warehouse: Warehouse) -> None:
    for run in ("run-1", "run-2", "run-3"):
        load(warehouse, {"a.png": ("A", ["x"])}, run, mode="append")
    assert items(warehouse) == [("a.png", "x", "run-1"), ("a.png", "x", "run-2"), ("a.png", "x", "run-3")]
    load(warehouse, {"b.png": ("B", ["z"])}, "run-4", mode="replace")
    assert items(warehouse) == [("b.png", "z", "run-4")]


def test_inputs_without_rows_are_recorded_beside_the_table_and_skipped(warehouse: Warehouse) -> None:
    load(warehouse, {"a.png": ("A", ["x"]), "blank.png": ("BLANK", [])}, "run-1")
    assert warehouse.query('SELECT "_source", "_source_page", "_outcome" FROM scans__no_table') == [
        ("blank.png", 1, "no table")
    ]
    load(warehouse, {"blank.png": ("BLANK", [])}, "run-2")  # a reload keeps one record
    assert warehouse.query('SELECT "_dag_run_id" FROM scans__no_table') == [("run-2",)]

    writer = check_warehouse("warehouse", "scans")
    asked = [InputIdentity(sha(c)) for c in ("A", "BLANK", "NEW")] + [InputIdentity(sha("A"), page=2)]
    found = find_loaded_inputs(writer, asked, PROV)
    assert found.loaded == {InputIdentity(sha("A")), InputIdentity(sha("BLANK"))}

    # The table is the truth: delete an input's record and it is new again.
    warehouse.execute("DELETE FROM scans__no_table WHERE \"_source\" = 'blank.png'")
    assert find_loaded_inputs(writer, asked, PROV).loaded == {InputIdentity(sha("A"))}


def test_the_skip_check_costs_queries_per_chunk_of_inputs_not_per_input(warehouse: Warehouse) -> None:
    load(warehouse, {f"{n}.png": (str(n), ["x"]) for n in range(50)}, "run-1")
    writer = check_warehouse("warehouse", "scans")
    asked = [InputIdentity(sha(str(n))) for n in range(3 * IDENTITIES_PER_QUERY)]
    found = find_loaded_inputs(writer, asked, PROV)
    assert found.loaded == set(asked[:50])
    # One look at each table's columns, then 3 chunks for the table; the companion does not exist.
    assert found.queries == 2 + 3


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("conn_uri", "table", "message"),
    [
        (None, "t", "Warehouse connection 'dwh' is not defined"),
        ("aspose-ocr://id:secret@127.0.0.1:1?scheme=http", "t", "not a common-sql DbApiHook"),
        ("sqlite://%2Ftmp%2Fdwh.db", '"unclosed', "Unclosed quote in table name"),
        (
            f"postgres://postgres@127.0.0.1:{_closed_port()}/x",
            "t",
            "Warehouse connection 'dwh' does not answer",
        ),
    ],
    # Ids without the closed port, which differs between processes (pytest-xdist compares ids).
    ids=["undefined", "not-sql", "bad-table-name", "no-answer"],
)
def test_the_warehouse_check_names_what_is_wrong(
    conn_uri: str | None, table: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if conn_uri is None:
        monkeypatch.delenv("AIRFLOW_CONN_DWH", raising=False)
    else:
        monkeypatch.setenv("AIRFLOW_CONN_DWH", conn_uri)
    with pytest.raises(AsposeOcrError, match=message) as caught:
        check_warehouse("dwh", table)
    assert "secret" not in str(caught.value)


def test_a_name_postgresql_would_truncate_is_refused(warehouse: Warehouse) -> None:
    name = "t" * 60
    if warehouse.kind == "sqlite":
        check_warehouse("warehouse", name, "__no_table")  # SQLite keeps long names
        return
    with pytest.raises(AsposeOcrError, match="longer than the 53 bytes postgresql keeps"):
        check_warehouse("warehouse", name, "__no_table")


def test_loads_of_bare_task_ids_replace_by_source(warehouse: Warehouse) -> None:
    run_values = {"dag_run_id": "r", "loaded_by": "d.l", "loaded_at": datetime.now(UTC)}
    for _ in range(2):  # the same bare id loaded twice: its source (the id) keys its rows
        plan = IdentityLoad(PROV)
        plan.add("task-1", "task-1", None, 1, 1)
        frame = pd.DataFrame({"item": ["x"]}, index=pd.RangeIndex(2, 3))
        values = {"source": "task-1", "ocr_task_id": "task-1", "source_table": 1, **run_values}
        batch = TableBatch(
            frame, constants={PROV[k]: v for k, v in values.items()}, index_column="_source_row"
        )
        TableWriter(warehouse.hook(), "scans", mode="idempotent", replace_rows=plan.replaced_rows()).write(
            [batch]
        )
    assert warehouse.query('SELECT "_source", "_source_sha256", "_source_page" FROM scans') == [
        ("task-1", None, None)
    ]

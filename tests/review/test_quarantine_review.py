"""Applying a person's answers to withheld rows, on real SQLite and PostgreSQL warehouses.

The rows are withheld by a real declared load (dag.test() against the emulator); the answers go
through :func:`apply_answers` as the review step hands them over. What a data engineer checks: the
corrected row is in its table with the declared type and the provenance of its image, the records
say who answered and what, what does not read stays, and a reload of the image replaces the
corrected row like any other.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from aspose_ocr_provider.emulator.testing import EmulatorHandle, run_emulator
from aspose_ocr_provider.tables.provenance import provenance_columns
from aspose_ocr_provider.tables.schema import Column, TableSchema
from aspose_ocr_provider.warehouse.connection import warehouse_hook
from aspose_ocr_provider.warehouse.quarantine_review import Answer, apply_answers, pending_rows
from tests.fixtures.warehouses import Warehouse
from tests.load.ocr_tasks import fake_png, submit_image, tables_csv
from tests.load.test_operator import run_load

INVOICES = TableSchema(
    "invoices",
    [
        Column("item", "text", aliases=["Item"], required=True),
        Column("qty", "integer", aliases=["Qty"]),
        Column("unit_price", "decimal", aliases=["Unit Price"]),
        Column("amount", "decimal", aliases=["Amount"]),
    ],
)
TABLE = [
    ["Item", "Qty", "Unit Price", "Amount"],
    ["Widget", "2", "12,5O", "25.00"],
    ["Gizmo", "3", "4.OO", "12.00"],
    ["Gadget", "1", "3.00", "3.00"],
    ["Sprocket", "", "1.OO", ""],
]
AT = datetime(2026, 5, 2, 9, 30, tzinfo=UTC)
RUN = {"dag_run_id": "review-run", "loaded_by": "dag.review", "loaded_at": AT}


@pytest.fixture
def emu(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorHandle]:
    with run_emulator(pending_polls=0, processing_polls=0) as handle:
        monkeypatch.setenv("AIRFLOW_CONN_ASPOSE_OCR_DEFAULT", handle.airflow_conn_json())
        yield handle


@pytest.fixture
def image(emu: EmulatorHandle) -> bytes:
    data = fake_png()
    emu.add_fixture(data, tables_csv(TABLE))
    return data


def load(emu: EmulatorHandle, image: bytes, tmp_path: Path, day: int) -> None:
    import hashlib

    record = {
        "source": "scans/invoice.png",
        "task_id": submit_image(emu, image),
        "sha256": hashlib.sha256(image).hexdigest(),
        "page": 1,
    }
    state, xcom = run_load(
        tmp_path,
        datetime(2026, 5, day, tzinfo=UTC),
        ocr_task_ids=[record],
        schemas=[INVOICES],
        dag_id="ocr_review_load",
    )
    assert state == "success" and xcom is not None


def by_raw(rows: list[Any]) -> dict[str | None, Any]:
    return {row.problems[0].raw_text: row for row in rows}


def apply(answers: list[Answer]) -> Any:
    return apply_answers(
        warehouse_hook("warehouse"),
        "ocr_quarantine",
        [INVOICES],
        answers,
        answered_by="maria",
        answered_at=AT,
        provenance=provenance_columns(True),
        run_values=RUN,
    )


def test_answers_load_the_corrected_row_typed_reject_refuse_and_survive_nothing_twice(
    airflow_db: Path, emu: EmulatorHandle, image: bytes, warehouse: Warehouse, tmp_path: Path
) -> None:
    load(emu, image, tmp_path, 1)
    hook = warehouse_hook("warehouse")
    rows = pending_rows(hook, "ocr_quarantine", ["invoices"])
    # One withheld row per bad row; Sprocket's row has its one problem cell, with its cells as recognised.
    assert sorted(by_raw(rows)) == ["1.OO", "12,5O", "4.OO"]
    widget, gizmo, sprocket = by_raw(rows)["12,5O"], by_raw(rows)["4.OO"], by_raw(rows)["1.OO"]
    assert widget.source_row == 2 and widget.cells["Unit Price"] == "12,5O" and widget.cells["Item"] == "Widget"
    assert [p.column for p in widget.problems] == ["unit_price"]
    assert "is not a number" in widget.problems[0].reason
    assert warehouse.query("SELECT count(*) FROM invoices") == [(1,)]  # only Gadget loaded

    outcome = apply(
        [
            Answer(widget, "correct", {"unit_price": "12.50"}),
            Answer(gizmo, "correct", {"unit_price": "4.0O"}),
            Answer(sprocket, "reject"),
        ]
    )
    assert outcome.resolved == [widget.describe()] and outcome.rejected == [sprocket.describe()]
    assert list(outcome.refused) == [gizmo.describe()] and "'4.0O'" in outcome.refused[gizmo.describe()]
    assert outcome.rows_per_table == {"invoices": 1}

    loaded = warehouse.query(
        'SELECT item, qty, unit_price, amount, "_source", "_source_row", "_source_page", "_dag_run_id", '
        "\"_loaded_by\" FROM invoices WHERE item = 'Widget'"
    )
    assert loaded == [("Widget", 2, 12.5, 25.0, "scans/invoice.png", 2, 1, "review-run", "dag.review")]
    records = {
        r[0]: r[1:]
        for r in warehouse.query(
            "SELECT raw_text, resolution, answered_by, answered_value, answer_note FROM ocr_quarantine"
        )
    }
    assert records["12,5O"] == ("resolved", "maria", "12.50", None)
    assert records["1.OO"] == ("rejected", "maria", None, None)
    assert records["4.OO"][0] is None and records["4.OO"][2] == "4.0O"
    assert "answer refused" in records["4.OO"][3] and "is not a number" in records["4.OO"][3]
    # The refused row waits, with the refusal; answered rows do not.
    (still,) = pending_rows(hook, "ocr_quarantine", ["invoices"])
    assert still.problems[0].raw_text == "4.OO" and still.note and "4.0O" in still.note

    # The same answers again (a retried step): nothing is loaded twice.
    again = apply([Answer(widget, "correct", {"unit_price": "12.50"}), Answer(sprocket, "reject")])
    assert again.gone == [widget.describe(), sprocket.describe()] and again.rows_per_table == {}
    assert warehouse.query("SELECT count(*) FROM invoices WHERE item = 'Widget'") == [(1,)]

    # A reload of the image replaces the corrected row like any other, and asks again.
    load(emu, image, tmp_path, 2)
    assert warehouse.query("SELECT item FROM invoices ORDER BY item") == [("Gadget",)]
    assert sorted(by_raw(pending_rows(hook, "ocr_quarantine", ["invoices"]))) == ["1.OO", "12,5O", "4.OO"]


def test_a_row_reloaded_with_another_reading_is_not_answered_by_the_old_answer(
    airflow_db: Path, emu: EmulatorHandle, image: bytes, warehouse: Warehouse, tmp_path: Path
) -> None:
    load(emu, image, tmp_path, 1)
    hook = warehouse_hook("warehouse")
    widget = by_raw(pending_rows(hook, "ocr_quarantine", ["invoices"]))["12,5O"]
    # Another reading of the row (as after a reload): the answer about the old one does not apply.
    warehouse.execute("UPDATE ocr_quarantine SET raw_text = '12,6O' WHERE raw_text = '12,5O'")
    outcome = apply([Answer(widget, "correct", {"unit_price": "12.50"})])
    assert outcome.gone == [widget.describe()] and outcome.resolved == []
    assert warehouse.query("SELECT count(*) FROM invoices WHERE item = 'Widget'") == [(0,)]


def test_no_quarantine_table_means_nothing_waits(airflow_db: Path, warehouse: Warehouse) -> None:
    assert pending_rows(warehouse_hook("warehouse"), "ocr_quarantine", ["invoices"]) == []


class _TaskInstance:
    """The little of a running task instance the review step reads after the wait: its ids and
    the XCom its question left (none here: the question was asked by another process)."""

    dag_id, task_id = "ocr_review", "review"

    def xcom_pull(self, **_: Any) -> None:
        return None


def test_an_answer_naming_a_row_that_does_not_wait_is_reported_as_unknown_the_rest_applied(
    airflow_db: Path,
    emu: EmulatorHandle,
    image: bytes,
    warehouse: Warehouse,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    from aspose_ocr_provider.operators.review import (
        APPLY,
        AsposeOcrQuarantineReviewOperator,
        decision_field,
        value_field,
    )

    load(emu, image, tmp_path, 1)
    widget = by_raw(pending_rows(warehouse_hook("warehouse"), "ocr_quarantine", ["invoices"]))["12,5O"]
    review = AsposeOcrQuarantineReviewOperator(task_id="review", conn_id="warehouse", schemas=[INVOICES])
    answer = {
        "chosen_options": [APPLY],
        "params_input": {
            decision_field(widget): "correct",
            value_field(widget, "unit_price"): "12.50",
            "0badc0ffee_action": "correct",  # a row no question asked about (a typo, another run)
            "0badc0ffee_value_unit_price": "9.99",
        },
        "responded_at": AT,
        "responded_by_user": {"id": "maria", "name": "maria"},
    }
    capfd.readouterr()
    result = review.execute_complete({"ti": _TaskInstance(), "run_id": "review-run"}, answer)  # type: ignore[arg-type]
    said = "".join(capfd.readouterr())  # the task log's lines

    assert result["unknown"] == ["0badc0ffee"]
    assert result["resolved"] == [widget.describe()] and result["rows_per_table"] == {"invoices": 1}
    assert "names 1 row(s) that do not wait in ocr_quarantine (0badc0ffee)" in said
    assert "1 unknown" in said
    assert warehouse.query("SELECT unit_price FROM invoices WHERE item = 'Widget'") == [(12.5,)]
    assert warehouse.query("SELECT count(*) FROM invoices WHERE unit_price = 9.99") == [(0,)]

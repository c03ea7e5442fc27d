"""The review step as a DAG runs it: no question when nothing waits, a question people can read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aspose_ocr_provider.compat import HITL_AVAILABLE
from aspose_ocr_provider.tables.schema import Column, TableSchema
from aspose_ocr_provider.tables.withheld_rows import Problem, WithheldRow
from tests.airflow_runs import register_dag
from tests.fixtures.warehouses import Warehouse

pytestmark = pytest.mark.skipif(not HITL_AVAILABLE, reason="human-in-the-loop tasks need Airflow 3.1+")

INVOICES = TableSchema("invoices", [Column("item", required=True), Column("unit_price", "decimal")])


def run_review(**kwargs: Any) -> tuple[str, str | None]:
    """A DAG of the review step alone, run with dag.test(); (run state, review state)."""
    from airflow.sdk import DAG

    from aspose_ocr_provider.operators.review import AsposeOcrQuarantineReviewOperator

    with DAG("ocr_review_alone", schedule=None, start_date=datetime(2026, 1, 1, tzinfo=UTC)) as dag:
        AsposeOcrQuarantineReviewOperator(task_id="review", conn_id="warehouse", schemas=[INVOICES], **kwargs)
    register_dag(dag)
    run = dag.test()
    (ti,) = run.get_task_instances()
    return str(run.state), ti.state


def test_nothing_waiting_no_question_the_step_succeeds_at_once(airflow_db: Path, warehouse: Warehouse) -> None:
    # No quarantine table at all, then one holding only records that are not rows to correct
    # (a table of neither layout) or that were answered already.
    assert run_review() == ("success", "success")
    warehouse.execute(
        "CREATE TABLE ocr_quarantine (target_table TEXT, source TEXT, sha256 TEXT, page INTEGER, "
        "ocr_task_id TEXT, source_table INTEGER, source_row INTEGER, column_name TEXT, header_text TEXT, "
        "raw_text TEXT, reason TEXT, row_text TEXT, resolution TEXT)",
        "INSERT INTO ocr_quarantine (target_table, source, reason) VALUES (NULL, 'a.png', 'fits no table')",
        "INSERT INTO ocr_quarantine (target_table, source, source_row, column_name, raw_text, reason, resolution) "
        "VALUES ('invoices', 'b.png', 2, 'unit_price', '12,5O', 'not a number', 'resolved')",
    )
    assert run_review() == ("success", "success")


def test_the_question_shows_ocr_text_as_text() -> None:
    from aspose_ocr_provider.operators.review import question_body

    row = WithheldRow(
        "invoices",
        "scans/a|b.png",
        "f" * 64,
        2,
        "task-1",
        1,
        4,
        {"Item": "[click](http://x.example)", "Unit Price": "**12,5O**"},
        (Problem("unit_price", "**12,5O**", "'**12,5O**' is not a number"),),
    )
    body = question_body([row], {"invoices": {c.name: c for c in INVOICES.columns}}, 3, "ocr_quarantine")
    assert "scans/a\\|b.png, page 2" in body
    assert "\\[click\\]\\(http://x.example\\)" in body and "](http" not in body
    assert "\\*\\*12,5O\\*\\*" in body and "| unit\\_price | decimal |" in body
    assert "2 more wait for the next review" in body


def test_bad_options_are_refused_when_the_dag_is_parsed() -> None:
    from aspose_ocr_provider.operators.review import AsposeOcrQuarantineReviewOperator, timeout_of

    with pytest.raises(ValueError, match="schemas must be"):
        AsposeOcrQuarantineReviewOperator(task_id="r", conn_id="w", schemas=[])
    with pytest.raises(ValueError, match="max_rows"):
        AsposeOcrQuarantineReviewOperator(task_id="r", conn_id="w", schemas=[INVOICES], max_rows=0)
    with pytest.raises(ValueError, match="identity columns"):
        AsposeOcrQuarantineReviewOperator(
            task_id="r", conn_id="w", schemas=[INVOICES], provenance={"source_sha256": None}
        )
    with pytest.raises(ValueError, match="number of seconds"):
        AsposeOcrQuarantineReviewOperator(task_id="r", conn_id="w", schemas=[INVOICES], response_timeout="soon")
    assert timeout_of("72000") == timeout_of(72000.0) == timedelta(hours=20)
    with pytest.raises(ValueError, match="more than 0"):
        timeout_of(0)
    # A template is only read once rendered.
    AsposeOcrQuarantineReviewOperator(
        task_id="r", conn_id="w", schemas=[INVOICES], response_timeout="{{ params.hours * 3600 }}"
    )


def test_the_form_says_no_none_and_chooses_no_action_for_a_total_line_or_an_empty_required_cell() -> None:
    from aspose_ocr_provider.operators.review import (
        CORRECT,
        AsposeOcrQuarantineReviewOperator,
        decision_field,
        value_field,
    )

    def row(number: int, cells: dict[str, str | None], problem: Problem) -> WithheldRow:
        return WithheldRow("invoices", "scan.png", "a" * 64, None, "t", 1, number, cells, (problem,))

    typo = row(2, {"Item": "Widget", "Unit Price": "12,5O"}, Problem("unit_price", "12,5O", "not a number"))
    total = row(5, {"Item": "TOTAL DUE", "Unit Price": "$53.5O"}, Problem("unit_price", "$53.5O", "not a number"))
    empty = row(6, {"Item": None, "Unit Price": "3.00"}, Problem("item", None, "required value missing"))
    review = AsposeOcrQuarantineReviewOperator(task_id="review", conn_id="warehouse", schemas=[INVOICES])
    review._install_question([typo, total, empty], 3)

    chosen = {r.source_row: review.params.get_param(decision_field(r)).value for r in (typo, total, empty)}
    assert chosen == {2: CORRECT, 5: None, 6: None}  # Apply as-is loads the typo's fix only
    empty_field = review.params.get_param(value_field(empty, "item"))
    assert empty_field.value == "" and "Recognised nothing (the cell is empty)" in str(empty_field.description)
    shown = [str(review.params.get_param(k).description) for k in review.params] + [str(review.body)]
    assert not any("None" in text for text in shown), shown

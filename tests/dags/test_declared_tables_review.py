"""The declared-tables example's review step: there from Airflow 3.1, left out (and said so) on 3.0."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aspose_ocr_provider.compat import HITL_AVAILABLE
from tests.airflow_runs import dag_bag

DAGS = Path(__file__).resolve().parents[2] / "dags"


@pytest.fixture(scope="module")
def dag() -> Any:
    bag = dag_bag(DAGS)
    assert bag.import_errors == {}
    return bag.dags["aspose_ocr_declared_tables"]


@pytest.mark.skipif(not HITL_AVAILABLE, reason="human-in-the-loop tasks need Airflow 3.1+")
def test_the_review_follows_the_load_with_its_tables(dag: Any) -> None:
    from aspose_ocr_provider.operators.review import AsposeOcrQuarantineReviewOperator

    review = dag.get_task("review")
    load = dag.get_task("load")
    assert isinstance(review, AsposeOcrQuarantineReviewOperator)
    assert review.upstream_task_ids == {"load"}
    assert [s.table for s in review.schemas] == [s.table for s in load.schemas]
    assert review.quarantine_table == load.quarantine_table
    assert review.conn_id == load.conn_id


@pytest.mark.skipif(HITL_AVAILABLE, reason="only Airflow 3.0 lacks human-in-the-loop tasks")
def test_on_airflow_3_0_the_dag_runs_without_the_review_and_says_so(dag: Any) -> None:
    from aspose_ocr_provider.exceptions import AsposeOcrError
    from aspose_ocr_provider.operators.review import AsposeOcrQuarantineReviewOperator
    from aspose_ocr_provider.tables.schema import Column, TableSchema

    assert "review" not in dag.task_ids and {"submit", "wait_for_ocr", "load"} <= set(dag.task_ids)
    assert "has no human-in-the-loop tasks" in dag.doc_md
    with pytest.raises(AsposeOcrError, match=r"needs Airflow 3\.1 or newer"):
        AsposeOcrQuarantineReviewOperator(
            task_id="review", conn_id="w", schemas=[TableSchema("t", [Column("a")])]
        )

"""Where a retry finds the ids an earlier try paid for: the task state store, or Variables.

Each test runs a real ``dag.test()``: the first try of ``submit`` dies right after the service
accepted every image (no Python code of the try runs after that, as with SIGKILL), the retry
runs, and the test reads Airflow's metadata database as an operator would: what was kept while
the task was between tries, and what is left once it succeeded.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from airflow.sdk import DAG
from airflow.utils.state import DagRunState
from job_images import png

from aspose_ocr_provider.compat import AIRFLOW_V_3_3_PLUS
from aspose_ocr_provider.emulator.testing import run_emulator
from aspose_ocr_provider.models import RECOGNIZE_TABLE_PATH
from aspose_ocr_provider.operators.submission_ledger import KEY_PREFIX, SubmissionLedger
from aspose_ocr_provider.operators.submit import AsposeOcrSubmitTableOperator
from tests.airflow_runs import register_dag, task_states, xcom

START = datetime(2026, 1, 1, tzinfo=UTC)
CSV = "0,1\nitem,qty\napple,3\n"
IMAGES = 5


class WorkerDied(Exception):
    """Stands for the worker process dying: no Python code of the try runs after it."""


def stored_pages(dag_id: str) -> dict[str, list[dict[str, Any]]]:
    """The ledger pages in the metadata database: task state store rows and Variables."""
    import json

    from airflow.models.variable import Variable as VariableModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        store = []
        if AIRFLOW_V_3_3_PLUS:  # older Airflow has no task state store table
            from airflow.models.task_state_store import TaskStateStoreModel

            store = session.scalars(
                select(TaskStateStoreModel).where(
                    TaskStateStoreModel.dag_id == dag_id, TaskStateStoreModel.key.startswith(KEY_PREFIX)
                )
            ).all()
        variables = session.scalars(
            select(VariableModel).where(
                VariableModel.key.startswith(KEY_PREFIX),
                # This DAG's pages only: a failed task of another test keeps its ids for a retry.
                VariableModel.description.startswith(f"Aspose.OCR task ids submitted by {dag_id}/"),
            )
        ).all()
        return {
            "store": [json.loads(row.value) for row in store],
            "variables": [json.loads(row.val) for row in variables],
        }


def ids_in(pages: list[dict[str, Any]]) -> set[str]:
    return {entry["task_id"] for page in pages for entry in page.values()}


@pytest.fixture
def emu(airflow_db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with run_emulator(pending_polls=0, processing_polls=0) as emulator:
        monkeypatch.setenv("AIRFLOW_CONN_ASPOSE_OCR_DEFAULT", emulator.airflow_conn_json())
        yield emulator


@pytest.mark.parametrize(
    "backend",
    [
        pytest.param(
            "store",
            marks=pytest.mark.skipif(
                not AIRFLOW_V_3_3_PLUS, reason="the task state store came in Airflow 3.3"
            ),
        ),
        "variables",
    ],
)
def test_retry_reuses_the_ids_and_success_leaves_nothing_behind(
    emu: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    """``store``: Airflow 3.3's ``context["task_state_store"]``. ``variables``: the fallback of
    older Airflow, here with the store taken out of the context as 3.0 to 3.2 never put it in."""
    for seed in range(IMAGES):
        data = png(400 + seed)
        emu.add_fixture(data, CSV)
        (tmp_path / f"scan-{seed}.png").write_bytes(data)
    monkeypatch.setattr(SubmissionLedger, "PAGE_SIZE", 2)  # 5 ids: three pages to find again
    dag_id = f"ledger_{backend}"

    real_submit_all = AsposeOcrSubmitTableOperator._submit_all
    between_tries: list[dict[str, list[dict[str, Any]]]] = []
    first_try_ids: set[str] = set()

    def dies_once(self: Any, todo: Any, settings: Any, ledger: Any) -> Any:
        done = real_submit_all(self, todo, settings, ledger)
        if not between_tries:
            first_try_ids.update(entry.task_id for entry in done.values())
            between_tries.append(stored_pages(dag_id))
            raise WorkerDied("worker lost after submitting")
        return done

    monkeypatch.setattr(AsposeOcrSubmitTableOperator, "_submit_all", dies_once)
    if backend == "variables":
        real_execute = AsposeOcrSubmitTableOperator.execute

        def execute_without_store(self: Any, context: Any) -> Any:
            return real_execute(self, {k: v for k, v in context.items() if k != "task_state_store"})

        monkeypatch.setattr(AsposeOcrSubmitTableOperator, "execute", execute_without_store)

    with DAG(dag_id, schedule=None, start_date=START) as dag:
        AsposeOcrSubmitTableOperator(
            task_id="submit", images=str(tmp_path / "*.png"), retries=1, retry_delay=timedelta(0)
        )
    register_dag(dag)
    run = dag.test(logical_date=START)

    assert run.state == DagRunState.SUCCESS
    assert task_states(run)["submit"] == ("success", 2)
    kept, other = ("store", "variables") if backend == "store" else ("variables", "store")
    assert len(first_try_ids) == IMAGES
    assert ids_in(between_tries[0][kept]) == first_try_ids, f"the dead try's ids were not all in {kept}"
    assert len(between_tries[0][kept]) == 3, "5 ids in pages of 2"
    assert between_tries[0][other] == [], f"ids written to {other} as well"
    assert set(xcom(run, "submit")) == first_try_ids, "the retry did not reuse the first try's ids"
    accepted = [
        r for r in emu.requests if r.method == "POST" and r.path == RECOGNIZE_TABLE_PATH and r.status == 200
    ]
    assert len(accepted) == IMAGES, "the retry paid again"  # (a POST refused with 401 is not paid)
    assert stored_pages(dag_id) == {"store": [], "variables": []}, "ids left behind after success"

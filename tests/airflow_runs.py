"""Running test DAGs with ``dag.test()`` and reading back what the run left in Airflow's database.

Shared by the job, load and fault tests so that they all register and inspect runs one way.
"""

from __future__ import annotations

from typing import Any


def register_dag(dag: Any) -> None:
    """Serialize a DAG defined in a test, as the DAG processor would.

    Airflow 3's ``dag.test()`` refuses a DAG that is not serialized in a known bundle.
    """
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.collection import update_dag_parsing_results_in_db
    from airflow.serialization.serialized_objects import LazyDeserializedDAG
    from airflow.utils.session import create_session

    with create_session() as session:
        DagBundlesManager().sync_bundles_to_db(session=session)
        session.flush()
        update_dag_parsing_results_in_db(
            "dags-folder", None, [LazyDeserializedDAG.from_dag(dag)], {}, None, set(), session=session
        )


def xcom(run: Any, task_id: str, key: str = "return_value", map_index: int = -1) -> Any:
    """The XCom a task of ``run`` pushed (None when there is none)."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        value = session.scalar(
            select(XComModel.value).where(
                XComModel.dag_id == run.dag_id,
                XComModel.run_id == run.run_id,
                XComModel.task_id == task_id,
                XComModel.key == key,
                XComModel.map_index == map_index,
            )
        )
    return XComModel.deserialize_value(type("Row", (), {"value": value})()) if value is not None else None


def task_instance(run: Any, task_id: str, map_index: int = -1) -> Any:
    from airflow.utils.session import create_session

    with create_session() as session:
        return run.get_task_instance(task_id, session=session, map_index=map_index)


def task_states(run: Any) -> dict[str, tuple[str | None, int]]:
    """``task_id -> (state, try_number)`` for every task of ``run``."""
    from airflow.utils.session import create_session

    with create_session() as session:
        return {
            ti.task_id: (str(getattr(ti.state, "value", ti.state)) if ti.state else None, ti.try_number)
            for ti in run.get_task_instances(session=session)
        }


class BareTaskInstance:
    """The few task-instance fields the submit operator reads, for calling ``execute`` outside a
    task runner (its ledger then keeps ids in memory only)."""

    dag_id, run_id, task_id, map_index, try_number = "d", "r", "submit", -1, 1

    def __init__(self) -> None:
        self.xcom: dict[str, Any] = {}

    def xcom_push(self, key: str, value: Any) -> None:
        self.xcom[key] = value

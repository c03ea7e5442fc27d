"""Reading back what a ``dag.test()`` run left in Airflow's metadata database."""

from __future__ import annotations

from typing import Any


def xcom(run: Any, task_id: str, key: str = "return_value") -> Any:
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
                XComModel.map_index == -1,
            )
        )
    return XComModel.deserialize_value(type("Row", (), {"value": value})()) if value is not None else None


def task_states(run: Any) -> dict[str, tuple[str | None, int]]:
    """``task_id -> (state, try_number)`` for every task of ``run``."""
    from airflow.utils.session import create_session

    with create_session() as session:
        return {
            ti.task_id: (str(getattr(ti.state, "value", ti.state)) if ti.state else None, ti.try_number)
            for ti in run.get_task_instances(session=session)
        }

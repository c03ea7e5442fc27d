"""Running test DAGs with ``dag.test()`` and reading back what the run left in Airflow's database.

Shared by the job, load and fault tests so that they all register and inspect runs one way. The
test-side Airflow differences (the suite runs on the oldest and the newest supported Airflow) live
here too, as ``aspose_ocr_provider.compat`` holds the package's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from airflow.listeners import hookimpl


def dag_bag(folder: str | Path) -> Any:
    """A DagBag of ``folder`` without Airflow's examples; the class moved in Airflow 3.2."""
    try:
        from airflow.dag_processing.dagbag import DagBag

        return DagBag(str(folder))
    except ImportError:  # Airflow < 3.2
        from airflow.models.dagbag import DagBag

        return DagBag(str(folder), include_examples=False)


def connection_from_uri(uri: str, conn_id: str) -> Any:
    """A Connection parsed from a URI, as Airflow parses ``AIRFLOW_CONN_*`` variables."""
    from aspose_ocr_provider.compat import Connection

    if hasattr(Connection, "from_uri"):
        return Connection.from_uri(uri, conn_id=conn_id)
    from airflow.models.connection import Connection as ConnectionModel  # Airflow 3.0

    return ConnectionModel(conn_id=conn_id, uri=uri)


def register_dag(dag: Any) -> None:
    """Serialize a DAG defined in a test, as the DAG processor would.

    Airflow 3's ``dag.test()`` refuses a DAG that is not serialized in a known bundle.
    """
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.collection import update_dag_parsing_results_in_db
    from airflow.serialization.serialized_objects import LazyDeserializedDAG
    from airflow.utils.session import create_session

    if hasattr(LazyDeserializedDAG, "from_dag"):
        serialized = LazyDeserializedDAG.from_dag(dag)
        extra: tuple[Any, ...] = (None,)  # Airflow >= 3.1 takes the files' parse durations too
    else:  # Airflow 3.0, as its DagBag.sync_to_db does it: the DAG must know its file
        from airflow.serialization.serialized_objects import SerializedDAG

        if dag.relative_fileloc is None:
            dag.relative_fileloc = Path(dag.fileloc).name
        serialized = LazyDeserializedDAG(data=SerializedDAG.to_dict(dag))
        extra = ()
    with create_session() as session:
        DagBundlesManager().sync_bundles_to_db(session=session)
        session.flush()
        update_dag_parsing_results_in_db("dags-folder", None, [serialized], {}, *extra, set(), session=session)


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


class TaskFailures:
    """The exception each task of a ``dag.test()`` run failed with, by task id.

    Recorded through Airflow's listener hook ``on_task_instance_failed``, which every supported
    release calls with the error (Airflow 3.0 does not put ``exception`` into a failure callback's
    context). Use as a context manager around the run.
    """

    def __init__(self) -> None:
        self.by_task: dict[str, BaseException] = {}

    @staticmethod
    def _managers() -> list[Any]:
        """The task runner's listener manager: the SDK's own from Airflow 3.2, the core one before."""
        from airflow.listeners.listener import get_listener_manager

        managers = [get_listener_manager()]
        try:
            from airflow.sdk.listener import get_listener_manager as sdk_manager
        except ImportError:
            return managers
        return [*managers, sdk_manager()]

    def __enter__(self) -> TaskFailures:
        for manager in self._managers():
            manager.add_listener(self)
        return self

    def __exit__(self, *exc: object) -> None:
        for manager in self._managers():
            manager.pm.unregister(self)

    @hookimpl
    def on_task_instance_failed(self, previous_state: Any, task_instance: Any, error: Any) -> None:
        if isinstance(error, BaseException):
            self.by_task[task_instance.task_id] = error

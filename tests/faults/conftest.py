"""The example DAG, made quick to run: what every fault scenario starts from.

Each scenario runs ``dags/aspose_ocr_tables_to_warehouse.py`` itself (loaded through a DagBag,
as the DAG processor would) with ``dag.test()`` against the emulator over loopback HTTP. Only
timing is changed, never behaviour: the sensor polls every 50 ms instead of every 3 s, a retry
starts at once instead of after a minute, and the hooks back off for milliseconds. Those are
the knobs a user has too (task attributes and the connection's extra).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.airflow_runs import dag_bag
from tests.faults.images import FaultImages, make_images

DAGS = Path(__file__).resolve().parents[2] / "dags"
DAG_ID = "aspose_ocr_tables_to_warehouse"

FAST_CONNECTION_EXTRA: dict[str, Any] = {"backoff_base": 0.01, "backoff_max": 0.05, "timeout": 10}
"""Hook retry timing for the suite: the same retries, milliseconds apart."""


class TaskFailures:
    """The exception each failed try ended with, collected through Airflow's own callback."""

    def __init__(self) -> None:
        self.by_task: dict[str, list[BaseException]] = {}

    def __call__(self, context: Any) -> None:
        self.by_task.setdefault(context["ti"].task_id, []).append(context["exception"])

    def text(self, task_id: str) -> str:
        return "\n".join(str(exc) for exc in self.by_task.get(task_id, []))


@pytest.fixture
def failures() -> TaskFailures:
    return TaskFailures()


@pytest.fixture
def example_dag(airflow_db: Path, failures: TaskFailures) -> Any:
    """The example DAG as shipped, with test timing and a failure recorder on every task."""
    dag = dag_bag(DAGS).dags[DAG_ID]
    for task in dag.tasks:
        task.retry_delay = timedelta(0)
        task.on_failure_callback = [failures]
        task.on_retry_callback = [failures]
    sensor = dag.get_task("wait_for_ocr")
    sensor.deferrable = True  # the triggerer path is what these scenarios exercise
    sensor.poll_interval = 0.05
    sensor.max_poll_interval = 0.1
    return dag


@pytest.fixture
def images(tmp_path: Path) -> FaultImages:
    """A folder of table images with their ground-truth CSVs (taught to each emulator)."""
    return make_images(tmp_path / "scans", count=6)


def point_connection(monkeypatch: pytest.MonkeyPatch, emulator: Any) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_ASPOSE_OCR_DEFAULT", emulator.airflow_conn_json(**FAST_CONNECTION_EXTRA))


@pytest.fixture
def connect(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``connect(emulator)`` points ``aspose_ocr_default`` at that emulator, with fast retries."""
    yield lambda emulator: point_connection(monkeypatch, emulator)

"""A test that stalls inside ``dag.test()`` on purpose, the way a broken environment stalls CI.

Not collected by the suite (the name matches no ``test_*.py``); ``test_timeouts.py`` runs it apart
in its own pytest and expects pytest-timeout to end it with a stack, naming this test.

The first task has an ``execution_timeout``, so Airflow arms SIGALRM for it and disarms it when
it finishes: a SIGALRM-based test timeout is gone from then on. The second task fails and waits
an hour for its retry, so ``dag.test()`` sleeps in "No tasks to run", as it did when every
connection read failed on Airflow 3.0.6 with cryptography 51.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from airflow.sdk import DAG, task

from tests.airflow_runs import register_dag


def test_a_run_that_waits_an_hour_for_its_retry(airflow_db: Path) -> None:
    with DAG("stalling_run", schedule=None, start_date=datetime(2026, 1, 1, tzinfo=UTC)) as dag:

        @task(execution_timeout=timedelta(minutes=10))
        def arms_and_disarms_sigalrm() -> None:
            return None

        @task(retries=3, retry_delay=timedelta(hours=1))
        def fails_then_waits_for_its_retry() -> None:
            raise RuntimeError("the environment is broken")

        arms_and_disarms_sigalrm() >> fails_then_waits_for_its_retry()
    register_dag(dag)
    dag.test(logical_date=datetime(2026, 1, 1, tzinfo=UTC))

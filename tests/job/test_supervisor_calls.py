"""Our calls to the task supervisor take turns, whatever thread makes them.

A task process talks to its supervisor over one channel: connection lookups, Variables (the
submission ledger's fallback) and secret masking are requests on it. Airflow 3.0 and 3.1 put no
lock on that channel, and ``dag.test()``'s in-process channel of 3.0 even loses its handle when
two threads use it at once (``NameError: SUPERVISOR_COMMS``). The submit and load pools renew
tokens and mask them on their threads while the ledger writes on the task's thread, so here a
real task (``dag.test()``) makes those calls from many threads at once, each thread starting at
the same barrier.
"""

from __future__ import annotations

import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from airflow.sdk import DAG

from aspose_ocr_provider.compat import BaseOperator
from aspose_ocr_provider.hooks.aspose_ocr import AsposeOcrHook
from aspose_ocr_provider.hooks.masking import mask
from aspose_ocr_provider.operators.submission_ledger import VariablePages
from tests.airflow_runs import register_dag

THREADS = 8
ROUNDS = 30


class ManyThreadsTalking(BaseOperator):
    """Pool threads mask secrets and read the connection while the task's thread writes Variables."""

    def execute(self, context: Any) -> int:
        ti = context["ti"]
        pages = VariablePages(ti.dag_id, ti.run_id, ti.task_id, -1)
        hook = AsposeOcrHook()
        start = threading.Barrier(THREADS + 1)
        errors: list[BaseException] = []

        def pool_thread(number: int) -> None:
            try:
                start.wait()
                assert hook.settings.client_id  # the lookup, raced by every thread at once
                for n in range(ROUNDS):
                    mask(f"renewed-token-{number}-{n}-0123456789")
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=pool_thread, args=(i,)) for i in range(THREADS)]
        switch = sys.getswitchinterval()
        sys.setswitchinterval(1e-4)  # threads change turns often: races show in one run, not one in a hundred
        try:
            for thread in threads:
                thread.start()
            start.wait()
            for n in range(10):
                pages.set(n % 3, {"image": {"task_id": str(n)}})
            for n in range(3):
                pages.delete(n)
            for thread in threads:
                thread.join()
        finally:
            sys.setswitchinterval(switch)
        if errors:
            raise errors[0]
        return ROUNDS


@pytest.fixture
def ocr_connection(airflow_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_ASPOSE_OCR_DEFAULT",
        '{"conn_type": "aspose_ocr", "login": "client-id", "password": "client-secret-value", '
        '"host": "http://127.0.0.1:9"}',
    )


def test_calls_from_pool_threads_and_the_task_thread_take_turns(ocr_connection: None) -> None:
    with DAG("supervisor_calls", schedule=None, start_date=datetime(2026, 1, 1, tzinfo=UTC)) as dag:
        ManyThreadsTalking(task_id="talk")
    register_dag(dag)
    dr = dag.test()
    assert dr.state == "success"
    (ti,) = dr.get_task_instances()
    assert ti.state == "success"

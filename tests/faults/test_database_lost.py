"""The warehouse connection dies in the middle of the load; the retry loads every table once.

PostgreSQL itself produces the fault: a row trigger makes the load wait on an advisory lock the
test holds as soon as the rows of one image start arriving (earlier images' rows are already in
the load's open transaction), and the test then terminates the load's backend, exactly what a
failover or a dropped network link does to a client. No driver is mocked.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from airflow.utils.state import DagRunState

from aspose_ocr_provider.emulator.testing import run_emulator
from aspose_ocr_provider.models import RECOGNIZE_TABLE_PATH
from tests.airflow_runs import task_states, xcom
from tests.faults.images import FaultImages
from tests.ground_truth import assert_exactly_once, read_rows

LOCK_KEY = 8_202_611
HOLD_IMAGE = "scan-003.png"

_HOLD_TRIGGER = f"""
CREATE TABLE ocr_tables (_source text);
CREATE FUNCTION hold_load() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW._source LIKE '%{HOLD_IMAGE}' THEN
        PERFORM pg_advisory_xact_lock_shared({LOCK_KEY});
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER hold_load BEFORE INSERT ON ocr_tables FOR EACH ROW EXECUTE FUNCTION hold_load();
"""


class BackendKiller(threading.Thread):
    """Terminates the first backend found waiting on ``LOCK_KEY``, then lets later loads pass."""

    def __init__(self, dsn: str) -> None:
        super().__init__(name="backend-killer", daemon=True)
        import psycopg

        self.dsn = dsn
        self.holder = psycopg.connect(dsn, autocommit=True)
        self.holder.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        self.stop = threading.Event()
        self.killed: list[int] = []

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as watcher:
            while not self.stop.is_set():
                row = watcher.execute(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = %s AND NOT granted",
                    (LOCK_KEY,),
                ).fetchone()
                if row is not None:
                    watcher.execute("SELECT pg_terminate_backend(%s)", (row[0],))
                    self.killed.append(int(row[0]))
                    self.holder.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
                    return
                self.stop.wait(0.02)

    def close(self) -> None:
        self.stop.set()
        self.join(timeout=10)
        self.holder.close()


@pytest.fixture
def pg_warehouse(postgres_database: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AIRFLOW_CONN_PG_WAREHOUSE", postgres_database.airflow_conn_json())
    yield postgres_database


def test_database_connection_lost_during_load_then_retried(
    example_dag: Any, images: FaultImages, pg_warehouse: Any, connect: Any, failures: Any
) -> None:
    import psycopg

    with psycopg.connect(pg_warehouse.dsn, autocommit=True) as conn:
        conn.execute(_HOLD_TRIGGER)
    killer = BackendKiller(pg_warehouse.dsn)
    killer.start()
    try:
        with run_emulator(pending_polls=1, processing_polls=0) as emu:
            images.teach(emu)
            connect(emu)
            run = example_dag.test(
                run_conf={"images_folder": images.folder.as_uri(), "warehouse_conn_id": "pg_warehouse"}
            )
    finally:
        killer.close()

    assert len(killer.killed) == 1, "the load never reached the held image: the scenario tested nothing"
    assert run.state == DagRunState.SUCCESS
    assert task_states(run)["load"] == ("success", 2)
    first_try = failures.text("load")
    assert "failed and was rolled back" in first_try and "ocr_tables" in first_try
    with psycopg.connect(pg_warehouse.dsn) as conn:
        loaded = read_rows(conn, "ocr_tables")
    assert_exactly_once(loaded, run.run_id, images.csv)
    assert xcom(run, "load")["rows"] == len(loaded)


class ServerRestarter(threading.Thread):
    """Once the load waits on ``LOCK_KEY``, stops the whole PostgreSQL server, then starts it again.

    What it saw is kept for the test: the POSTs made by then and the statement the load was in.
    """

    def __init__(self, server: Any, emulator: Any) -> None:
        super().__init__(name="server-restarter", daemon=True)
        import psycopg

        self.server = server
        self.emulator = emulator
        self.holder = psycopg.connect(server.dsn, autocommit=True)
        self.holder.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        self.stop = threading.Event()
        self.restarted = threading.Event()
        self.posts_at_outage: int | None = None
        self.statement = ""

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.server.dsn, autocommit=True) as watcher:
            while not self.stop.is_set():
                row = watcher.execute(
                    "SELECT l.pid, a.query FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                    "WHERE l.locktype = 'advisory' AND l.objid = %s AND NOT l.granted",
                    (LOCK_KEY,),
                ).fetchone()
                if row is not None:
                    self.statement = str(row[1])
                    break
                self.stop.wait(0.02)
        if self.stop.is_set():
            return
        self.posts_at_outage = int(self.emulator.count("POST", RECOGNIZE_TABLE_PATH))
        self.server.stop()
        self.server.start()
        self.restarted.set()

    def close(self) -> None:
        self.stop.set()
        self.join(timeout=120)
        self.holder.close()


def test_postgres_stopped_mid_load_and_started_again_loads_every_row_once_without_resubmitting(
    example_dag: Any, images: FaultImages, pg_warehouse: Any, connect: Any, failures: Any
) -> None:
    import psycopg

    with psycopg.connect(pg_warehouse.dsn, autocommit=True) as conn:
        conn.execute(_HOLD_TRIGGER)
    load = example_dag.get_task("load")
    load.rows_per_write = 3  # rows streamed in chunks as results arrive, held until the end
    with run_emulator(pending_polls=1, processing_polls=0) as emu:
        restarter = ServerRestarter(pg_warehouse, emu)
        restarted = restarter.restarted

        def wait_until_back(context: Any) -> None:
            """The next try starts once the server is up again (a function: Airflow copies tasks)."""
            assert restarted.wait(timeout=120), "PostgreSQL did not come back"

        load.on_retry_callback = [*load.on_retry_callback, wait_until_back]
        restarter.start()
        try:
            images.teach(emu)
            connect(emu)
            run = example_dag.test(
                run_conf={"images_folder": images.folder.as_uri(), "warehouse_conn_id": "pg_warehouse"}
            )
        finally:
            restarter.close()
        posts_after = emu.count("POST", RECOGNIZE_TABLE_PATH)

    assert restarter.restarted.is_set(), "the load never reached the held image: the scenario tested nothing"
    # The load was moving the chunks it had written (held in its temporary table) into the table.
    assert restarter.statement.startswith('INSERT INTO "ocr_tables"') and "ORDER BY _seq" in restarter.statement
    assert run.state == DagRunState.SUCCESS
    assert task_states(run)["load"] == ("success", 2)
    first_try = failures.text("load")
    assert "the warehouse 'pg_warehouse' stopped answering mid-load" in first_try
    assert "None of this load's rows were kept" in first_try and "nothing is submitted again" in first_try
    assert posts_after == restarter.posts_at_outage == len(images.csv), "the retry sent nothing to the service"
    with psycopg.connect(pg_warehouse.dsn) as conn:
        loaded = read_rows(conn, "ocr_tables")
    assert_exactly_once(loaded, run.run_id, images.csv)
    assert xcom(run, "load")["rows"] == len(loaded)

"""Scheduled ETL, exactly once per image: the example DAG run after run over a folder that changes.

Each scenario is what a data engineer does to a ``@daily`` DAG over a folder of scans, checked the
way they would check it: the emulator's count of ``POST /v5.0/ocr/RecognizeTable`` (what the real
service bills) and the rows in the warehouse table (SQLite file and PostgreSQL).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from airflow.dag_processing.dagbag import DagBag
from airflow.utils.state import DagRunState

from aspose_ocr_provider.models import RECOGNIZE_TABLE_PATH
from tests.airflow_runs import task_states
from tests.faults.conftest import DAG_ID, DAGS
from tests.faults.images import TABLES, make_images, png
from tests.fixtures.warehouses import Warehouse
from tests.ground_truth import assert_exactly_once, read_rows

TABLE = "ocr_tables"
DOWNSTREAM = ("submit", "wait_for_ocr", "load")


def posts(emulator: Any) -> int:
    return int(emulator.count("POST", RECOGNIZE_TABLE_PATH))


def rows(warehouse: Warehouse) -> pd.DataFrame:
    conn = warehouse.connect()
    try:
        frame = read_rows(conn, TABLE)
    finally:
        conn.close()
    if not frame.empty:
        frame["_image"] = frame["_source"].astype(str).str.rsplit("/", n=1).str[-1]
    return frame


def _comparable(value: Any) -> str:
    # pandas reads an all-NULL column back as None or NaN, and an integer column as float once
    # another load left NULLs in it: one spelling for each, so only real changes differ.
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "NULL"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(round(float(value), 6))
    return str(value)


def snapshot(frame: pd.DataFrame) -> list[tuple[str, ...]]:
    """Every row, every column, as comparable text, in a stable order."""
    return sorted(tuple(_comparable(v) for v in row) for row in frame.itertuples(index=False))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def states(run: Any) -> dict[str, str | None]:
    return {task: state for task, (state, _) in task_states(run).items()}


def cli_dags_test(logical_date: str, conf: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    """``airflow dags test`` as a user types it, in this session's Airflow home and connections."""
    done = subprocess.run(
        [sys.executable, "-m", "airflow", "dags", "test", DAG_ID, logical_date, "-c", json.dumps(conf)],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"airflow dags test failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def test_runs_over_a_changing_folder_pay_and_load_each_image_once(
    example_dag: Any, emulator: Any, warehouse: Warehouse, tmp_path: Path, capfd: Any
) -> None:
    images = make_images(tmp_path / "scans", count=3)
    images.teach(emulator)
    conf: dict[str, Any] = {"images_folder": images.folder.as_uri()}

    # 1. Three images: three POSTs, their rows, each tagged with the image's sha256 and page 1.
    run1 = example_dag.test(run_conf=conf)
    assert run1.state == DagRunState.SUCCESS
    assert posts(emulator) == 3
    first = rows(warehouse)
    assert_exactly_once(first, run1.run_id, images.csv)
    assert {img: digest(images.folder / img) for img in images.csv} == dict(
        zip(first["_image"], first["_source_sha256"], strict=True)
    )
    assert set(first["_source_page"].astype(int)) == {1}

    # 2. Folder unchanged: no POST, the run succeeds, the table is exactly as it was.
    capfd.readouterr()
    run2 = example_dag.test(run_conf=conf)
    task_log = capfd.readouterr()
    assert "0 new of 3 images; nothing to submit" in task_log.out + task_log.err
    assert run2.state == DagRunState.SUCCESS
    assert posts(emulator) == 3
    assert {t: states(run2)[t] for t in DOWNSTREAM} == dict.fromkeys(DOWNSTREAM, "skipped")
    assert snapshot(rows(warehouse)) == snapshot(first)

    # 3. Two images added: exactly two POSTs; only their rows are added.
    for seed in (3, 4):
        images.add(f"scan-{seed:03d}.png", png(seed), TABLES[seed])
    images.teach(emulator)
    run3 = example_dag.test(run_conf=conf)
    assert run3.state == DagRunState.SUCCESS
    assert posts(emulator) == 5
    third = rows(warehouse)
    # (The new images bring new columns; the old rows keep every value they had.)
    assert snapshot(third.loc[third["_dag_run_id"] == run1.run_id, list(first.columns)]) == snapshot(first)
    assert_exactly_once(third, run3.run_id, {n: images.csv[n] for n in ("scan-003.png", "scan-004.png")})
    assert set(third["_dag_run_id"]) == {run1.run_id, run3.run_id}

    # 4. One image's bytes replaced at the same path: one POST; its old rows are gone.
    old_digest = digest(images.folder / "scan-001.png")
    images.add("scan-001.png", png(40), TABLES[5])
    images.teach(emulator)
    run4 = example_dag.test(run_conf=conf)
    assert run4.state == DagRunState.SUCCESS
    assert posts(emulator) == 6
    fourth = rows(warehouse)
    assert old_digest not in set(fourth["_source_sha256"])
    assert_exactly_once(fourth, run4.run_id, {"scan-001.png": TABLES[5]})
    unchanged = third[third["_image"] != "scan-001.png"]
    assert snapshot(fourth.loc[fourth["_image"] != "scan-001.png", list(third.columns)]) == snapshot(
        unchanged
    )

    # 5. The same logical date run three times, incremental off so every image really is reloaded:
    #    dag.test, then `airflow dags test` for that date (Airflow deletes the first dag_run and
    #    gives the new one a new run id), then dag.test again with the first run's run id (the
    #    run cleared and re-run). Each time the images' rows are replaced, never duplicated.
    reload_conf = {**conf, "incremental": False}
    when = datetime(2026, 2, 1, tzinfo=UTC)
    run_ids = []
    for attempt, expected_posts in enumerate((11, 16, 21)):
        if attempt == 1:
            cli_dags_test(when.date().isoformat(), reload_conf)
        else:
            assert (
                example_dag.test(logical_date=when, run_after=when, run_conf=reload_conf).state == "success"
            )
        assert posts(emulator) == expected_posts
        reloaded = rows(warehouse)
        (run_id,) = set(reloaded["_dag_run_id"])
        assert assert_exactly_once(reloaded, run_id, images.csv) == len(reloaded)
        run_ids.append(run_id)
    assert run_ids[0] == run_ids[2] != run_ids[1]


def test_empty_folder_succeeds_without_a_post(
    example_dag: Any, emulator: Any, warehouse: Warehouse, tmp_path: Path, capfd: Any
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "readme.txt").write_text("not an image")

    run = example_dag.test(run_conf={"images_folder": empty.as_uri()})

    assert run.state == DagRunState.SUCCESS
    assert posts(emulator) == 0
    assert {t: states(run)[t] for t in DOWNSTREAM} == dict.fromkeys(DOWNSTREAM, "skipped")
    assert rows(warehouse).empty
    task_log = capfd.readouterr()
    assert "0 new of 0 images; nothing to submit" in task_log.out + task_log.err


def test_missing_warehouse_connection_fails_before_any_post(
    example_dag: Any, emulator: Any, failures: Any, tmp_path: Path
) -> None:
    images = make_images(tmp_path / "scans", count=2)
    images.teach(emulator)

    run = example_dag.test(
        run_conf={"images_folder": images.folder.as_uri(), "warehouse_conn_id": "no_such_warehouse"}
    )

    assert run.state == DagRunState.FAILED
    assert posts(emulator) == 0
    assert states(run)["submit"] == "failed"
    assert states(run)["load"] == "upstream_failed"
    error = failures.text("submit")
    assert "Warehouse connection 'no_such_warehouse' is not defined" in error
    assert "Nothing was submitted" in error


def test_postgres_example_skips_batches_it_already_loaded(
    airflow_db: Path, emulator: Any, postgres_database: Any, monkeypatch: Any, tmp_path: Path
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_POSTGRES_WAREHOUSE", postgres_database.uri)
    dag = DagBag(str(DAGS)).dags["aspose_ocr_tables_to_postgres"]
    images = make_images(tmp_path / "scans", count=5)
    images.teach(emulator)
    conf = {"images_folder": images.folder.as_uri(), "batch_size": 2}

    first = dag.test(run_conf=conf)
    assert first.state == DagRunState.SUCCESS
    assert posts(emulator) == 5
    loaded = Warehouse("postgres", "postgres_warehouse", postgres_database.uri, server=postgres_database)
    before = rows(loaded)
    assert_exactly_once(before, first.run_id, images.csv)

    images.add("scan-005.png", png(5), TABLES[5])  # lands in the last batch, beside scan-004
    images.teach(emulator)
    second = dag.test(run_conf=conf)
    assert second.state == DagRunState.SUCCESS
    assert posts(emulator) == 6  # only the new image, although its batch also holds an old one
    after = rows(loaded)
    assert snapshot(after.loc[after["_dag_run_id"] == first.run_id, list(before.columns)]) == snapshot(before)
    assert_exactly_once(after, second.run_id, {"scan-005.png": TABLES[5]})

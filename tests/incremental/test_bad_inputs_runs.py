"""One bad file never blocks the folder: the example DAG, run after run, over good scans and bad files.

Checked as a data engineer would: POSTs counted at the emulator (what the service bills), the rows
in the warehouse table and the rejections in ``ocr_tables__rejected_inputs`` (SQLite file and
PostgreSQL), and what the task log and the failure say.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from airflow.utils.state import DagRunState

from aspose_ocr_provider.models import RECOGNIZE_TABLE_PATH
from tests.airflow_runs import task_states
from tests.faults.conftest import FAST_CONNECTION_EXTRA
from tests.faults.images import TABLES, FaultImages, giant_png, make_images, pdf_with_page, png
from tests.fixtures.warehouses import Warehouse
from tests.ground_truth import assert_exactly_once, read_rows

TABLE = "ocr_tables"

BAD: dict[str, tuple[Any, str]] = {
    # name: (how to make it, words its reason must hold)
    "empty.png": (lambda: b"", "is empty (0 bytes)"),
    "notes.png": (lambda: b"date,amount\n2026-01-01,3\n", "not an image format the API takes"),
    "poster.pdf": (lambda: pdf_with_page(200, 200), "page 1 is 60000 x 60000 pixels at 300 dpi, over the limit"),
    "ledger.pdf": (lambda: pdf_with_page(8.5, 11, pages=1000), "1000 page(s) selected, over max_pages=500"),
    "giant.png": (giant_png, "declares 40,000 x 40,000 pixels (1,600 megapixels), over the limit of 100"),
}


def posts(emulator: Any) -> int:
    return int(emulator.count("POST", RECOGNIZE_TABLE_PATH))


def folder_with_bad_files(tmp_path: Path, emulator: Any) -> FaultImages:
    images = make_images(tmp_path / "scans", count=2)
    images.teach(emulator)
    for name, (make, _) in BAD.items():
        (images.folder / name).write_bytes(make())
    return images


def rows(warehouse: Warehouse) -> Any:
    conn = warehouse.connect()
    try:
        return read_rows(conn, TABLE)
    finally:
        conn.close()


def rejected(warehouse: Warehouse) -> dict[str, tuple[Any, ...]]:
    """``file name -> (reason, size, sha256, dag_run_id)`` of every row of the rejections view."""
    found = warehouse.query(
        f"SELECT source, reason, size, sha256, dag_run_id FROM {TABLE}__rejected_inputs"
    )
    return {str(r[0]).rsplit("/", 1)[-1]: tuple(r[1:]) for r in found}


def outcomes(warehouse: Warehouse) -> dict[str, str]:
    found = warehouse.query(f"SELECT source, outcome FROM {TABLE}__inputs")
    return {str(r[0]).rsplit("/", 1)[-1]: str(r[1]) for r in found}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_bad_files_are_set_aside_recorded_and_left_alone_until_replaced(
    example_dag: Any, emulator: Any, warehouse: Warehouse, tmp_path: Path, capfd: Any
) -> None:
    images = folder_with_bad_files(tmp_path, emulator)
    conf = {"images_folder": images.folder.as_uri(), "on_bad_input": "skip"}

    # 1. Two good scans and five bad files: two POSTs, the scans' rows, five rejections with reasons.
    capfd.readouterr()
    run1 = example_dag.test(run_conf=conf)
    log1 = "".join(capfd.readouterr())
    assert run1.state == DagRunState.SUCCESS
    assert posts(emulator) == 2
    assert_exactly_once(rows(warehouse), run1.run_id, images.csv)
    found = rejected(warehouse)
    assert sorted(found) == sorted(BAD)
    for name, (_, words) in BAD.items():
        reason, size, sha256, run_id = found[name]
        assert words in reason, f"{name}: {reason}"
        assert int(size) == (images.folder / name).stat().st_size
        assert sha256 == digest(images.folder / name)
        assert run_id == run1.run_id
    assert outcomes(warehouse) == {**dict.fromkeys(images.csv, "loaded"), **dict.fromkeys(BAD, "rejected")}
    # One line names them all, and no other line speaks of them (Airflow 3.0's dag.test() may
    # echo a task log line more than once, and logs what tasks hand on at debug level).
    summary = [line for line in log1.splitlines() if "Set aside 5 bad input(s)" in line]
    assert summary and all(name in line for line in summary for name in BAD)
    shown = [line for line in log1.splitlines() if "[debug" not in line and " DEBUG " not in line]
    others = [line for line in shown if "Set aside" not in line and "XCom" not in line]
    assert not [line for line in others for _, words in BAD.values() if words in line]

    # 2. The same folder again: nothing paid for, nothing said about the bad files but the summary.
    run2 = example_dag.test(run_conf=conf)
    log2 = "".join(capfd.readouterr())
    assert run2.state == DagRunState.SUCCESS
    assert posts(emulator) == 2
    assert rejected(warehouse) == found, "the records are those of the run that rejected the files"
    assert "5 unchanged since an earlier run rejected them" in log2
    assert not any(words in log2 for _, words in BAD.values())

    # 3. The empty file replaced by a good scan: one POST, its rows, its rejection gone.
    images.add("empty.png", png(9), TABLES[2])
    images.teach(emulator)
    run3 = example_dag.test(run_conf=conf)
    assert run3.state == DagRunState.SUCCESS
    assert posts(emulator) == 3
    assert_exactly_once(rows(warehouse), run3.run_id, {"empty.png": TABLES[2]})
    assert sorted(rejected(warehouse)) == sorted(set(BAD) - {"empty.png"})
    assert outcomes(warehouse)["empty.png"] == "loaded"


def test_by_default_a_bad_folder_fails_before_any_post_in_one_try(
    example_dag: Any, emulator: Any, warehouse: Warehouse, tmp_path: Path, failures: Any
) -> None:
    images = folder_with_bad_files(tmp_path, emulator)

    run = example_dag.test(run_conf={"images_folder": images.folder.as_uri()})

    assert run.state == DagRunState.FAILED
    assert posts(emulator) == 0
    assert task_states(run)["submit"] == ("failed", 1), "a bad file is not retried"
    assert len(failures.by_task["submit"]) == 1
    message = failures.text("submit")
    for name, (_, words) in BAD.items():
        line = next(ln for ln in message.splitlines() if f"/{name}" in ln)
        assert words in line, line
    assert "on_bad_input='skip'" in message
    assert rows(warehouse).empty


def test_a_folder_of_only_bad_files_still_records_them(
    example_dag: Any, emulator: Any, warehouse: Warehouse, tmp_path: Path
) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "empty.png").write_bytes(b"")
    (folder / "giant.png").write_bytes(giant_png())

    run = example_dag.test(run_conf={"images_folder": folder.as_uri(), "on_bad_input": "skip"})

    assert run.state == DagRunState.SUCCESS
    assert posts(emulator) == 0
    assert sorted(rejected(warehouse)) == ["empty.png", "giant.png"]
    assert {r[3] for r in rejected(warehouse).values()} == {run.run_id}


def test_a_missing_folder_and_refused_credentials_fail_in_one_try(
    example_dag: Any, emulator: Any, warehouse: Warehouse, tmp_path: Path, failures: Any, monkeypatch: Any
) -> None:
    missing = example_dag.test(run_conf={"images_folder": (tmp_path / "nowhere").as_uri()})
    assert missing.state == DagRunState.FAILED
    assert task_states(missing)["find_images"] == ("failed", 1)
    assert "is not a folder that exists" in failures.text("find_images")

    images = make_images(tmp_path / "scans", count=1)
    wrong = json.loads(emulator.airflow_conn_json(**FAST_CONNECTION_EXTRA))
    wrong["password"] = "not-the-secret"
    monkeypatch.setenv("AIRFLOW_CONN_ASPOSE_OCR_DEFAULT", json.dumps(wrong))
    refused = example_dag.test(run_conf={"images_folder": images.folder.as_uri()})
    assert refused.state == DagRunState.FAILED
    assert task_states(refused)["submit"] == ("failed", 1), "refused credentials are not retried"
    assert len(failures.by_task["submit"]) == 1
    assert posts(emulator) == 0
    assert "not-the-secret" not in failures.text("submit")

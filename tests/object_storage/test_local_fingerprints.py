"""The same skip-without-reading on a local folder, where the fingerprint is size + mtime.

"Not read" is measured with a Python audit hook (PEP 578) on the ``open`` event: the interpreter
raises it for every file opened by ``open()``, ``Path.read_bytes()`` or ``os.open`` in this process,
whoever calls it, and ``dag.test()`` runs the tasks in this process. A run that opened a scan is
seen; listing the folder (``os.scandir``) opens no file. Each scenario first shows the hook does
see the reads of a run that must read, so a zero later is a measurement, not a blind spot.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import Any

from airflow.utils.state import DagRunState

from tests.faults.images import TABLES, make_images, png
from tests.fixtures.warehouses import Warehouse
from tests.incremental.test_example_dag_runs import posts, rows, snapshot


class OpenedFiles:
    """Every file under ``folder`` opened while watching (an audit hook cannot be removed: it idles)."""

    def __init__(self) -> None:
        self.folder: str | None = None
        self.opened: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if event != "open" or self.folder is None or not args:
            return
        path = args[0]
        if isinstance(path, (str, bytes, os.PathLike)):
            text = os.fsdecode(path)
            if text.startswith(self.folder):
                with self._lock:
                    self.opened.append(os.path.basename(text))

    def watch(self, folder: Path) -> None:
        self.folder = str(folder) + os.sep
        self.opened = []

    def take(self) -> list[str]:
        with self._lock:
            taken, self.opened = self.opened, []
        return sorted(set(taken))


OPENED = OpenedFiles()
sys.addaudithook(OPENED)


def test_unchanged_files_are_not_opened_and_a_touched_one_is_read_once(
    example_dag: Any, emulator: Any, warehouse: Warehouse, tmp_path: Path
) -> None:
    images = make_images(tmp_path / "scans", count=3)
    images.teach(emulator)
    conf = {"images_folder": str(images.folder)}
    OPENED.watch(images.folder)

    # 1. Three new files: each opened (the hook sees reads), three POSTs.
    assert example_dag.test(run_conf=conf).state == DagRunState.SUCCESS
    assert posts(emulator) == 3
    assert OPENED.take() == sorted(images.csv)
    loaded = snapshot(rows(warehouse))

    # 2. Unchanged: no file opened, no POST.
    assert example_dag.test(run_conf=conf).state == DagRunState.SUCCESS
    assert OPENED.take() == []
    assert posts(emulator) == 3

    # 3. One file touched (same bytes, a later mtime): read once to learn it is the same, not
    #    resubmitted; its new fingerprint is recorded.
    touched = images.folder / "scan-002.png"
    stat = touched.stat()
    os.utime(touched, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    assert example_dag.test(run_conf=conf).state == DagRunState.SUCCESS
    assert OPENED.take() == ["scan-002.png"]
    assert posts(emulator) == 3
    assert snapshot(rows(warehouse)) == loaded
    [(fingerprint,)] = warehouse.query(f"SELECT fingerprint FROM ocr_tables__inputs WHERE source = '{touched}'")
    assert fingerprint == f"{stat.st_size}:mtime_ns:{stat.st_mtime_ns + 5_000_000_000}"

    # 4. ... so the next run opens nothing again.
    assert example_dag.test(run_conf=conf).state == DagRunState.SUCCESS
    assert OPENED.take() == []
    assert posts(emulator) == 3

    # 5. The table stays the truth: delete one file's rows and the next run reads and recognises it
    #    again, though its fingerprint did not change.
    warehouse.execute(f"DELETE FROM ocr_tables WHERE _source = '{images.folder / 'scan-000.png'}'")
    run = example_dag.test(run_conf=conf)
    assert run.state == DagRunState.SUCCESS
    assert OPENED.take() == ["scan-000.png"]
    assert posts(emulator) == 4
    again = rows(warehouse)
    assert set(again.loc[again["_dag_run_id"] == run.run_id, "_image"]) == {"scan-000.png"}


def test_a_bounded_run_takes_the_oldest_files_first_and_leaves_the_rest_unread(
    example_dag: Any, emulator: Any, warehouse: Warehouse, tmp_path: Path
) -> None:
    images = make_images(tmp_path / "scans", count=0)
    for seed in range(5):
        images.add(f"scan-{seed:03d}.png", png(60 + seed), TABLES[seed])
    images.teach(emulator)
    # Modification times opposite to the names: scan-004 is the oldest.
    for age, name in enumerate(sorted(images.csv)):
        os.utime(images.folder / name, ns=(1_700_000_000_000_000_000 - age * 10**9,) * 2)
    conf = {"images_folder": str(images.folder), "max_documents_per_run": 2}
    OPENED.watch(images.folder)

    taken = []
    for expected in (["scan-003.png", "scan-004.png"], ["scan-001.png", "scan-002.png"], ["scan-000.png"]):
        run = example_dag.test(run_conf=conf)
        assert run.state == DagRunState.SUCCESS
        assert OPENED.take() == expected  # the waiting files were not opened either
        loaded = rows(warehouse)
        taken.append(sorted(set(loaded.loc[loaded["_dag_run_id"] == run.run_id, "_image"])))
    assert taken == [["scan-003.png", "scan-004.png"], ["scan-001.png", "scan-002.png"], ["scan-000.png"]]
    assert posts(emulator) == 5


def test_rows_and_records_commit_together(
    example_dag: Any, emulator: Any, warehouse: Warehouse, tmp_path: Path, failures: Any
) -> None:
    images = make_images(tmp_path / "scans", count=2)
    images.teach(emulator)
    conf = {"images_folder": str(images.folder)}
    # A records table that refuses any fingerprint: the load's last write fails.
    warehouse.execute(
        "CREATE TABLE ocr_tables__inputs (source text, fingerprint text CHECK (fingerprint IS NULL), "
        "size integer, sha256 text, page_count integer, outcome text, reason text, dag_run_id text, "
        "recorded_at timestamp)"
    )
    OPENED.watch(images.folder)

    failed = example_dag.test(run_conf=conf)

    assert failed.state == DagRunState.FAILED
    assert "ocr_tables__inputs" in failures.text("load")
    assert rows(warehouse).empty  # no row landed without its record...
    assert warehouse.query("SELECT COUNT(*) FROM ocr_tables__inputs") == [(0,)]
    assert OPENED.take() == sorted(images.csv)

    # ... and no record without its rows: the next run reads both files again and loads them.
    warehouse.execute("DROP TABLE ocr_tables__inputs")
    run = example_dag.test(run_conf=conf)
    assert run.state == DagRunState.SUCCESS
    assert OPENED.take() == sorted(images.csv)
    loaded = rows(warehouse)
    assert sorted(set(loaded["_image"])) == sorted(images.csv)
    assert sorted(r[0] for r in warehouse.query("SELECT source FROM ocr_tables__inputs")) == [
        str(p) for p in images.paths
    ]


def test_a_scan_stored_twice_is_recorded_under_both_names(
    example_dag: Any, emulator: Any, warehouse: Warehouse, tmp_path: Path
) -> None:
    images = make_images(tmp_path / "scans", count=2)
    (images.folder / "copy-of-scan-000.png").write_bytes((images.folder / "scan-000.png").read_bytes())
    images.teach(emulator)
    conf = {"images_folder": str(images.folder)}
    OPENED.watch(images.folder)

    assert example_dag.test(run_conf=conf).state == DagRunState.SUCCESS
    assert posts(emulator) == 2  # the copy's bytes are the original's: paid once
    assert OPENED.take() == ["copy-of-scan-000.png", "scan-000.png", "scan-001.png"]
    recorded = dict(warehouse.query("SELECT source, outcome FROM ocr_tables__inputs"))
    assert recorded == {str(images.folder / n): "loaded" for n in ("copy-of-scan-000.png", *images.csv)}

    # Neither name is read again while unchanged.
    assert example_dag.test(run_conf=conf).state == DagRunState.SUCCESS
    assert OPENED.take() == []
    assert posts(emulator) == 2


def test_a_rejected_file_is_not_opened_again_while_unchanged_but_still_fails_a_strict_run(
    example_dag: Any, emulator: Any, warehouse: Warehouse, tmp_path: Path, capfd: Any
) -> None:
    images = make_images(tmp_path / "scans", count=1)
    images.teach(emulator)
    bad = images.folder / "notes.png"
    bad.write_bytes(b"date,amount\n2026-01-01,3\n")
    (images.folder / "empty.png").write_bytes(b"")
    skip = {"images_folder": str(images.folder), "on_bad_input": "skip"}
    OPENED.watch(images.folder)

    # 1. Both bad files read and rejected, with the fingerprint they were listed with.
    assert example_dag.test(run_conf=skip).state == DagRunState.SUCCESS
    assert OPENED.take() == sorted(["empty.png", "notes.png", *images.csv])
    assert posts(emulator) == 1
    recorded = dict(warehouse.query("SELECT source, fingerprint FROM ocr_tables__inputs WHERE outcome = 'rejected'"))
    stat = bad.stat()
    assert recorded[str(bad)] == f"{stat.st_size}:mtime_ns:{stat.st_mtime_ns}"

    # 2. Unchanged: nothing opened, nothing paid, the summary still counts both as set aside.
    capfd.readouterr()
    assert example_dag.test(run_conf=skip).state == DagRunState.SUCCESS
    log = "".join(capfd.readouterr())
    assert OPENED.take() == []
    assert posts(emulator) == 1
    assert "2 unchanged since an earlier run rejected them" in log

    # 3. on_bad_input='fail' does not trust the earlier rejection: the bad files fail the run, unpaid.
    strict = example_dag.test(run_conf={**skip, "on_bad_input": "fail"})
    assert strict.state == DagRunState.FAILED
    assert sorted(OPENED.take()) == ["empty.png", "notes.png"]
    assert posts(emulator) == 1

    # 4. The bad file replaced by a scan: read (new fingerprint), submitted, loaded.
    images.add("notes.png", png(7), TABLES[1])
    images.teach(emulator)
    OPENED.take()  # the test's own writes and reads
    assert example_dag.test(run_conf=skip).state == DagRunState.SUCCESS
    assert OPENED.take() == ["notes.png"]
    assert posts(emulator) == 2
    outcomes = dict(warehouse.query("SELECT source, outcome FROM ocr_tables__inputs"))
    assert outcomes[str(bad)] == "loaded"
    assert outcomes[str(images.folder / "empty.png")] == "rejected"

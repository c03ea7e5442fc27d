"""The example DAG over ``s3://scans@bucket/scans`` in SeaweedFS: a run costs what is new.

Checked where a user would check it: POSTs counted at the emulator (what the service bills),
object GETs counted at the wire in front of the S3 server (what the store bills and what the
network carries), and the rows in the warehouse table (SQLite file and PostgreSQL).
"""

from __future__ import annotations

from typing import Any

from airflow.utils.state import DagRunState

from tests.faults.images import TABLES, png
from tests.fixtures.warehouses import Warehouse
from tests.incremental.test_example_dag_runs import DOWNSTREAM, posts, rows, snapshot, states
from tests.object_storage.conftest import BucketFolder


def data_rows(csv_text: str) -> int:
    """Rows the load makes of a fixture CSV: every table's lines but its header."""
    return sum(len(block.splitlines()) - 1 for block in csv_text.strip().split("\n\n"))


def test_runs_over_a_bucket_read_and_pay_only_for_what_is_new(
    example_dag: Any, emulator: Any, warehouse: Warehouse, bucket: BucketFolder, s3_server: Any
) -> None:
    for seed in range(3):
        bucket.add(f"scan-{seed:03d}.png", png(seed), TABLES[seed])
    bucket.teach(emulator)
    conf = {"images_folder": bucket.uri}

    # 1. Three new scans: each object read once (hashed and submitted from one GET), three POSTs,
    #    their rows once each.
    first = example_dag.test(run_conf=conf)
    assert first.state == DagRunState.SUCCESS
    assert posts(emulator) == 3
    tally = s3_server.proxy.reset()
    assert sorted(tally.objects_read) == sorted(bucket.key(n) for n in bucket.csv)
    loaded = rows(warehouse)
    assert sorted(loaded["_image"].unique()) == sorted(bucket.csv)
    assert loaded["_source"].str.startswith(f"{bucket.uri}/").all()
    before = snapshot(loaded)

    # 2. Nothing changed: the listing only. No object GET, no POST, the table as it was.
    second = example_dag.test(run_conf=conf)
    assert second.state == DagRunState.SUCCESS
    tally = s3_server.proxy.reset()
    assert tally.requests["get"] == 0, tally.objects_read
    assert tally.bytes_out["get"] == 0
    assert tally.requests["list"] >= 1  # it did look at the bucket
    assert posts(emulator) == 3
    assert {t: states(second)[t] for t in DOWNSTREAM} == dict.fromkeys(DOWNSTREAM, "skipped")
    assert snapshot(rows(warehouse)) == before

    # 3. One scan overwritten with other bytes: only it is read, one POST, its rows replaced.
    bucket.add("scan-001.png", png(41), TABLES[5])
    bucket.teach(emulator)
    third = example_dag.test(run_conf=conf)
    assert third.state == DagRunState.SUCCESS
    tally = s3_server.proxy.reset()
    assert set(tally.objects_read) == {bucket.key("scan-001.png")}
    assert posts(emulator) == 4
    after = rows(warehouse)
    replaced = after[after["_image"] == "scan-001.png"]
    assert set(replaced["_dag_run_id"]) == {third.run_id}
    assert len(replaced) == data_rows(TABLES[5])  # its new table's rows, not the old ones
    others = after[after["_image"] != "scan-001.png"]
    assert snapshot(others[[c for c in loaded.columns]]) == snapshot(loaded[loaded["_image"] != "scan-001.png"])

    # 4. And then nothing again: the new version's fingerprint was recorded with its rows.
    fourth = example_dag.test(run_conf=conf)
    assert fourth.state == DagRunState.SUCCESS
    assert s3_server.proxy.reset().requests["get"] == 0
    assert posts(emulator) == 4


def test_a_backlog_is_worked_off_in_bounded_runs(
    example_dag: Any, emulator: Any, warehouse: Warehouse, bucket: BucketFolder, s3_server: Any
) -> None:
    for seed in range(25):
        bucket.add(f"old-{seed:03d}.png", png(100 + seed), TABLES[seed % len(TABLES)])
    bucket.teach(emulator)
    conf = {"images_folder": bucket.uri, "max_documents_per_run": 10}

    per_run = []
    for expected in (10, 10, 5):
        run = example_dag.test(run_conf=conf)
        assert run.state == DagRunState.SUCCESS
        tally = s3_server.proxy.reset()
        # Each run reads only the documents it takes, never the ones waiting or already loaded.
        assert len(set(tally.objects_read)) == expected
        loaded = rows(warehouse)
        taken = set(loaded.loc[loaded["_dag_run_id"] == run.run_id, "_image"])
        assert len(taken) == expected
        per_run.append(taken)
    assert posts(emulator) == 25

    # Every scan in exactly one run, each with exactly its table's rows, none twice.
    assert set().union(*per_run) == set(bucket.csv)
    assert sum(len(taken) for taken in per_run) == 25
    loaded = rows(warehouse)
    counts = loaded.groupby("_image").size().to_dict()
    assert counts == {name: data_rows(text) for name, text in bucket.csv.items()}

    # The backlog done, a fourth run reads nothing and pays nothing.
    done = example_dag.test(run_conf=conf)
    assert done.state == DagRunState.SUCCESS
    assert s3_server.proxy.reset().requests["get"] == 0
    assert posts(emulator) == 25

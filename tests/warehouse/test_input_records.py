"""``<table>__inputs``: one row per source, written in the load's transaction, read back per source."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from aspose_ocr_provider.warehouse import TableBatch, TableWriter
from aspose_ocr_provider.warehouse.input_records import (
    InputRecord,
    input_records_target,
    read_input_records,
)
from aspose_ocr_provider.warehouse.writer import StreamedLoad
from tests.fixtures.warehouses import Warehouse

WHEN = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)


def _load(warehouse: Warehouse, records: list[InputRecord], run: str, fail: bool = False) -> None:
    hook = warehouse.hook()
    rows = TableWriter(hook, "ocr_tables")
    target = input_records_target(hook, "ocr_tables", records, run, WHEN)
    batch = TableBatch(pd.DataFrame({"item": ["bolts"]}, dtype=object))
    def stop() -> list[tuple[TableWriter, list[TableBatch]]]:
        if fail:  # the records are written by now; the COMMIT never comes
            raise RuntimeError("the load stopped before its COMMIT")
        return []

    with StreamedLoad([rows, target[0]]) as load:
        load.finish([(rows, [batch]), target], more=stop)


def test_records_replace_per_source_and_the_view_lists_rejections(warehouse: Warehouse) -> None:
    good = InputRecord("file:///scans/a.png", "loaded", size=120, sha256="a" * 64, page_count=1)
    empty = InputRecord("file:///scans/b.png", "rejected", size=0, sha256="e" * 64, reason="empty (0 bytes)")
    gone = InputRecord("file:///scans/c.png", "rejected", reason="cannot be read: PermissionError")
    _load(warehouse, [good, empty, gone], "run-1")

    found = read_input_records(warehouse.hook(), "ocr_tables", [good.source, empty.source, gone.source, "x"])
    assert set(found) == {good.source, empty.source, gone.source}
    assert found[empty.source].reason == "empty (0 bytes)" and found[empty.source].size == 0
    assert found[gone.source].sha256 is None and found[gone.source].size is None
    assert found[good.source].dag_run_id == "run-1" and found[good.source].page_count == 1
    rejected = warehouse.query(
        "SELECT source, reason, dag_run_id FROM ocr_tables__rejected_inputs ORDER BY source"
    )
    assert rejected == [(empty.source, "empty (0 bytes)", "run-1"), (gone.source, gone.reason, "run-1")]

    # The empty file replaced by a good one: its row is replaced, not added to.
    fixed = InputRecord(empty.source, "loaded", size=99, sha256="f" * 64, page_count=1)
    _load(warehouse, [fixed], "run-2")
    assert warehouse.query("SELECT count(*) FROM ocr_tables__inputs") == [(3,)]
    assert [r[0] for r in warehouse.query("SELECT source FROM ocr_tables__rejected_inputs")] == [gone.source]
    after = read_input_records(warehouse.hook(), "ocr_tables", [empty.source])
    assert after[empty.source].outcome == "loaded" and after[empty.source].dag_run_id == "run-2"


def test_a_load_rolled_back_records_nothing(warehouse: Warehouse) -> None:
    with pytest.raises(RuntimeError):
        _load(warehouse, [InputRecord("s.png", "rejected", reason="empty")], "run-1", fail=True)
    assert read_input_records(warehouse.hook(), "ocr_tables", ["s.png"]) == {}
    assert warehouse.columns("ocr_tables__inputs") == []


def test_no_table_yet_reads_as_no_records(warehouse: Warehouse) -> None:
    assert read_input_records(warehouse.hook(), "ocr_tables", ["a.png"]) == {}


def test_xcom_round_trip_and_unknown_outcome() -> None:
    record = InputRecord("a.png", "rejected", size=3, reason="why", fingerprint="3:etag")
    assert InputRecord.from_xcom({**record.to_xcom(), "newer_key": 1}) == record
    assert record.same_listing("3:etag") and not record.same_listing(None)
    assert not InputRecord("b.png", "rejected").same_bytes(None)
    with pytest.raises(ValueError, match="Unknown input outcome"):
        InputRecord("a.png", "skipped")

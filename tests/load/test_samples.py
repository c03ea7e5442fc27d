"""The bundled sample scans through the emulator into a real database, checked against their
ground-truth CSVs: what lands in the warehouse is what the image shows."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from aspose_ocr_provider.emulator.testing import EmulatorHandle, run_emulator
from aspose_ocr_provider.hooks.aspose_ocr import AsposeOcrHook
from aspose_ocr_provider.sample_data import iter_samples
from aspose_ocr_provider.tables import result_tables
from aspose_ocr_provider.warehouse import TableBatch, write_frames
from tests.fixtures.warehouses import Warehouse
from tests.load.ocr_tasks import submit_image

SAMPLES = list(iter_samples())


def ground_truth(path: Path) -> list[list[list[str]]]:
    """Tables of a ground-truth CSV (blank lines separate tables)."""
    tables: list[list[list[str]]] = [[]]
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.reader(handle):
            if not row:
                tables.append([])
            else:
                tables[-1].append(row)
    return [t for t in tables if t]


def as_number(cell: str) -> float | None:
    """An independent reading of a numeric cell: strip $ and thousands commas; % is a fraction."""
    text = cell.strip()
    if not re.fullmatch(r"-?\$?[\d,]+(\.\d+)?%?", text):
        return None
    value = float(text.replace("$", "").replace(",", "").rstrip("%"))
    return value / 100 if text.endswith("%") else value


@pytest.fixture
def emu(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorHandle]:
    with run_emulator(pending_polls=0, processing_polls=0) as handle:
        monkeypatch.setenv("AIRFLOW_CONN_ASPOSE_OCR_DEFAULT", handle.airflow_conn_json())
        yield handle


@pytest.mark.skipif(not SAMPLES, reason="the package ships no sample scans")
def test_every_sample_loads_exactly_its_ground_truth(emu: EmulatorHandle, warehouse: Warehouse) -> None:
    hook = AsposeOcrHook()
    db = warehouse.hook()
    for image, truth_csv in SAMPLES:
        result = hook.get_result(submit_image(emu, image.read_bytes()))
        truths = ground_truth(truth_csv)
        # One header row, as the ground truth writes it (a merged header is checked on its own).
        text_tables = result_tables(result, infer_types=False, header_rows=1)
        typed_tables = result_tables(result, infer_types=True, header_rows=1)
        assert len(text_tables) == len(truths), image.name
        for number, (truth, text, typed) in enumerate(zip(truths, text_tables, typed_tables, strict=True), 1):
            header, rows = truth[0], truth[1:]
            assert list(text.columns.values()) == [h.strip() for h in header], image.name
            table = f"{image.stem}_{number}"
            write_frames(db, table, [TableBatch(text.frame, index_column="_source_row")])
            names = ", ".join(f'"{n}"' for n in text.frame.columns)
            loaded = warehouse.query(f'SELECT {names} FROM "{table}" ORDER BY "_source_row"')
            expected = [
                tuple((cell.strip() or None) for cell in row) for row in rows if any(c.strip() for c in row)
            ]
            assert loaded == expected, image.name
            # Typed columns: every converted value equals an independent reading of the cell.
            for position, column in enumerate(typed.frame.columns):
                series = typed.frame[column]
                if str(series.dtype) not in ("Int64", "Float64"):
                    continue
                for row, value in zip(expected, series.tolist(), strict=True):
                    cell = row[position]
                    if cell is None:
                        assert pd.isna(value), f"{image.name} {column}"
                    else:
                        assert value == pytest.approx(as_number(cell)), f"{image.name} {column} {cell!r}"

"""``aspose-ocr-show``: a loaded table printed one image, page and table at a time."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from aspose_ocr_provider.show_rows import main


def _warehouse(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.execute(
            'CREATE TABLE ocr_tables (item TEXT, qty INTEGER, name TEXT, city TEXT, '
            '"_source" TEXT, "_source_page" INTEGER, "_source_table" INTEGER, "_dag_run_id" TEXT)'
        )
        db.executemany(
            "INSERT INTO ocr_tables VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                ("Bolt", 3, None, None, "/scans/parts.png", 1, 1, "r1"),
                ("Nut", 7, None, None, "/scans/parts.png", 1, 1, "r1"),
                (None, None, "Alice", "Paris", "/scans/report.pdf", 2, 1, "r1"),
            ],
        )
    return path


def test_each_image_page_and_table_with_only_its_own_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(_warehouse(tmp_path / "w.db"))]) == 0
    out = capsys.readouterr().out
    parts, report = out.split("--- report.pdf, page 2, table 1: 1 row(s) ---")
    assert "--- parts.png, page 1, table 1: 2 row(s) ---" in parts
    assert "Bolt" in parts and "qty" in parts and "city" not in parts and "_source" not in parts
    assert "Alice" in report and "city" in report and "qty" not in report
    assert "3 row(s) from 2 source(s) in table 'ocr_tables'." in out


def test_a_missing_file_or_table_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "none.db")]) == 2
    assert "none.db is not a file" in capsys.readouterr().err
    assert main([str(_warehouse(tmp_path / "w.db")), "invoices"]) == 2
    assert "has no table 'invoices'" in capsys.readouterr().err

"""The engine registry and the fixtures engine's file conventions."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from aspose_ocr_provider.emulator.engines import get_engine
from aspose_ocr_provider.emulator.engines.base import RecognitionError, Table, TableEngine
from aspose_ocr_provider.emulator.engines.fixtures import (
    DEFAULT_FIXTURES_DIR,
    FixturesEngine,
    parse_fixture_csv,
)
from aspose_ocr_provider.models import TableSettings
from tests.emulator.conftest import make_png


def test_registry_builds_fixtures_engine(tmp_path: Path) -> None:
    engine = get_engine("fixtures", fixtures_dir=tmp_path)
    assert isinstance(engine, TableEngine)
    assert isinstance(engine, FixturesEngine) and engine.fixtures_dir == tmp_path
    assert get_engine("fixtures").fixtures_dir == DEFAULT_FIXTURES_DIR  # type: ignore[attr-defined]


def test_registry_unknown_name() -> None:
    with pytest.raises(ValueError, match="valid engines are: fixtures, local"):
        get_engine("tesseract")


def test_local_engine_missing_packages_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    # A missing optional package cannot be produced in this venv on demand; block the import.
    monkeypatch.setitem(sys.modules, "aspose_ocr_provider.emulator.engines.local", None)
    with pytest.raises(RuntimeError, match=r"pip install 'airflow-provider-aspose-ocr\[local\]'"):
        get_engine("local")


def test_fixture_csv_blank_line_separates_tables() -> None:
    tables = parse_fixture_csv("\ufeffa,b\n1,2\n\n\nc\n3\n\n")
    assert tables == [Table.of([["a", "b"], ["1", "2"]]), Table.of([["c"], ["3"]])]


def test_fixtures_engine_matches_bytes_not_names(tmp_path: Path) -> None:
    (tmp_path / "one.png").write_bytes(make_png(1))
    (tmp_path / "one.csv").write_text("x,y\n", encoding="utf-8")
    (tmp_path / "two.JPG").write_bytes(make_png(2))
    (tmp_path / "two.csv").write_text("z\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    engine = FixturesEngine(tmp_path)
    assert len(engine) == 2
    assert engine.recognize(make_png(1), TableSettings()) == [Table.of([["x", "y"]])]
    assert engine.recognize(make_png(2), TableSettings()) == [Table.of([["z"]])]
    with pytest.raises(RecognitionError, match="knows no table"):
        engine.recognize(make_png(3), TableSettings())

"""The example DAG over a folder that changes between runs, into both real warehouses.

Reuses the fault suite's quick example DAG (test timing only, failure recorder) and the load
tests' two warehouses (a SQLite file and the session PostgreSQL, each as connection ``warehouse``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from aspose_ocr_provider.emulator.testing import run_emulator
from tests.faults.conftest import example_dag, failures, point_connection
from tests.fixtures.warehouses import warehouse

__all__ = ["emulator", "example_dag", "failures", "warehouse"]


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An emulator whose tasks complete at the first poll, behind ``aspose_ocr_default``."""
    with run_emulator(pending_polls=0, processing_polls=0) as emu:
        point_connection(monkeypatch, emu)
        yield emu

"""Test-session set-up shared by every part: an isolated Airflow home and the shared fixtures.

The environment is set at import time, before anything imports Airflow, so no test reads or
writes the developer's own ~/airflow.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="aspose-ocr-airflow-home-"))
# Removed when the test process ends, so a day of test runs does not fill /tmp with metadata DBs.
atexit.register(shutil.rmtree, _AIRFLOW_HOME, ignore_errors=True)
os.environ["AIRFLOW_HOME"] = str(_AIRFLOW_HOME)
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "True"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(Path(__file__).resolve().parent.parent / "dags")
os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "INFO")

# tests.environment_check stops the session at once when Airflow cannot run here at all
# (`-p no:tests.environment_check` turns it off, e.g. to watch the per-test timeouts instead).
pytest_plugins = [
    "tests.environment_check",
    "tests.timeout_stacks",
    "aspose_ocr_provider.emulator.testing",
    "tests.fixtures.postgres",
]


@pytest.fixture(scope="session")
def airflow_db() -> Iterator[Path]:
    """A migrated Airflow metadata database (SQLite in the session's AIRFLOW_HOME) for dag.test()."""
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        check=True,
        capture_output=True,
        env=os.environ.copy(),
    )
    yield _AIRFLOW_HOME


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An SQLite warehouse file behind the example DAGs' default ``warehouse`` connection.

    The path is percent-encoded: Airflow refuses ``sqlite:////abs/path`` as an invalid authority.
    """
    path = tmp_path / "warehouse.db"
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", "sqlite://" + urllib.parse.quote(str(path), safe=""))
    return path


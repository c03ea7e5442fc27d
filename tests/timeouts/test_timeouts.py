"""Every test has a timeout that fires, even inside ``dag.test()``.

A broken environment once made ``dag.test()`` sleep for 20 minutes per test until CI's time
limit, and nothing said why: pytest-timeout's SIGALRM method does not survive Airflow arming and
disarming SIGALRM for a task's ``execution_timeout``. The suite uses the thread method; this
runs a test that stalls on purpose in a pytest of its own and checks that it is ended, with a
stack, naming the test.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STALLING = Path(__file__).with_name("stalling_run.py")


@pytest.mark.timeout(300)
def test_a_test_stalled_in_dag_test_is_ended_naming_it() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "AIRFLOW"))}
    started = time.monotonic()
    run = subprocess.run(
        # The suite's own configuration (pyproject.toml), with a short timeout for the stalled test.
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "--timeout=30", "-v", str(STALLING)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,  # the stalled test waits an hour: reaching this means the timeout did not fire
    )
    elapsed = time.monotonic() - started
    output = run.stdout + run.stderr
    assert run.returncode != 0, output[-3000:]
    assert "Timeout" in output, output[-3000:]
    # The stack names the test that stalled and the call it stalled in.
    assert "test_a_run_that_waits_an_hour_for_its_retry" in output, output[-3000:]
    assert "dag.test(" in output or "def test(" in output, output[-3000:]
    assert elapsed < 200, f"the stalled test was ended only after {elapsed:.0f} s"

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
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STALLING = Path(__file__).with_name("stalling_run.py")


@pytest.mark.timeout(480)
# Alone, and in a pytest-xdist worker as the suite runs (where the stacks come at the end).
@pytest.mark.parametrize("runner", [["-p", "no:xdist"], ["-n", "1"]], ids=["alone", "xdist"])
def test_a_test_stalled_in_dag_test_is_ended_naming_it(runner: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "AIRFLOW"))}
    run = subprocess.run(
        # The suite's own configuration (pyproject.toml), with a short timeout for the stalled test
        # itself (not its fixtures: migrating Airflow's database takes a minute on a busy machine).
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *runner, "--timeout=30", "-o", "timeout_func_only=true", "-v", str(STALLING)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=400,  # the stalled test waits an hour: reaching this means the timeout did not fire
    )
    output = run.stdout + run.stderr
    assert run.returncode != 0, output[-3000:]
    # The stack names the test that stalled and the call it stalled in.
    stack = output[output.index("Timeout") :] if "Timeout" in output else ""
    assert "test_a_run_that_waits_an_hour_for_its_retry" in stack, output[-3000:]
    assert "dag.test(" in stack, output[-3000:]
    assert "did not finish in 30 s" in stack or runner == ["-p", "no:xdist"], output[-3000:]

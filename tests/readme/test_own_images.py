"""The README's "Your own images in 3 steps", followed literally in a fresh clone.

The test clones the repository (its committed HEAD: what a user gets), draws three table images
into ``my-images/`` as the README tells the user to put theirs, and runs the shell blocks of that
README section as written: the install block, step 1 (the emulator, left running as in a first
terminal), then steps 2 and 3 in one shell (the second terminal). The environment is a user's
shell: none of the test session's Airflow settings or virtualenv. The only liberty taken: if the
README's port is already taken on this machine, another free port is put in its place.
"""

from __future__ import annotations

import csv
import io
import os
import re
import select
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts.make_samples import Spec, render
from tests.ground_truth import assert_exactly_once, sqlite_rows

ROOT = Path(__file__).resolve().parents[2]
SECTION = "## Your own images in 3 steps"
README_PORT = "8765"

TABLES = {
    "fruit.png": [["Fruit", "Qty"], ["Apple", "3"], ["Pear", "7"]],
    "staff.png": [["Name", "City"], ["Alice", "Paris"], ["Bob", "Berlin"], ["Carol", "Rome"]],
    "parts.png": [["Part", "Price"], ["Bolt", "1.50"], ["Nut", "0.25"]],
}


def readme_blocks() -> list[str]:
    """The ```bash blocks of the README section, in order."""
    text = (ROOT / "README.md").read_text()
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    section = text[start : end if end > 0 else len(text)]
    return re.findall(r"```bash\n(.*?)```", section, flags=re.S)


def user_env() -> dict[str, str]:
    """A fresh shell's environment: this machine's, minus the test session's Airflow settings,
    virtualenv and Python paths."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AIRFLOW", "PYTEST", "OPENLINEAGE"))
        and key not in ("VIRTUAL_ENV", "PYTHONPATH")
    }
    env["PATH"] = os.pathsep.join(
        p for p in os.environ.get("PATH", "").split(os.pathsep) if p and not p.startswith(str(ROOT))
    )
    return env


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return str(sock.getsockname()[1])


def run(script: str, cwd: Path, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        ["bash", "-e", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, (
        f"README commands failed:\n{script}\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    )
    return done


@pytest.fixture
def emulator_terminal() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes started as the README's first terminal; stopped (Ctrl+C) when the test ends."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.mark.fresh_clone
@pytest.mark.timeout(1200)  # a new virtualenv, the install and the README's runs
def test_readme_own_images_in_three_steps(tmp_path: Path, emulator_terminal: list[Any]) -> None:
    blocks = readme_blocks()
    assert len(blocks) == 4, "expected: install, step 1 (emulator), step 2 (connections), step 3 (run)"
    install, step1, step2, step3 = blocks
    assert "--engine local" in step1 and "airflow dags test" in step3 and "images_folder" in step3
    port = README_PORT if port_is_free(int(README_PORT)) else free_port()
    step1, step2 = step1.replace(README_PORT, port), step2.replace(README_PORT, port)

    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=120)
    images = clone / "my-images"
    images.mkdir()
    truth: dict[str, str] = {}
    for name, rows in TABLES.items():
        render([Spec(rows=rows)]).save(images / name)
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        truth[name] = buffer.getvalue()
    env = user_env()

    run(install, clone, env, timeout=900)

    emulator = subprocess.Popen(
        ["bash", "-e", "-c", step1],
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    emulator_terminal.append(emulator)
    assert emulator.stdout is not None
    deadline = time.monotonic() + 120
    first_line = ""
    while not first_line and time.monotonic() < deadline and emulator.poll() is None:
        ready, _, _ = select.select([emulator.stdout], [], [], 1.0)
        if ready:
            first_line = emulator.stdout.readline()
    assert first_line.startswith(f"Listening on http://127.0.0.1:{port}"), f"emulator said: {first_line!r}"

    done = run(step2 + "\n" + step3, clone, env, timeout=900)

    loaded = sqlite_rows(clone / "warehouse.db")
    assert loaded["_dag_run_id"].nunique() == 1
    assert_exactly_once(loaded, str(loaded["_dag_run_id"].iloc[0]), truth)
    assert "Alice" in done.stdout and "Bolt" in done.stdout, "step 3 should print the rows"
    # Readable in a terminal: one block per image, each with its own columns, no wide lines.
    for name, rows in TABLES.items():
        assert f"--- {name}, page 1, table 1: {len(rows) - 1} row(s) ---" in done.stdout
    assert max(len(line) for line in done.stdout.splitlines()) <= 120, done.stdout

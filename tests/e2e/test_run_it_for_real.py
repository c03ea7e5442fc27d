"""The README's "run it for real" (docs/run-it-for-real.md), followed as written in a fresh clone,
then nothing left running.

The test clones the repository (its committed HEAD), installs it as the section says, and runs
each shell block of the section in order, in a user's environment (none of the test session's
Airflow settings): ``scripts/airflow-up.sh`` starts the deployment; the event-driven DAG is
unpaused and a scan dropped into ``my-images/``; its rows land in ``ocr_tables``; a run of the
declared-tables DAG withholds the scan's total line and its review asks; the REST answer block is
run the moment the question appears (an answer that early once got lost in a retry, see
docs/review.md) and is applied; ``--down`` stops the deployment. Then no process the start
started is alive, and none runs with the clone's ``AIRFLOW_HOME``.

Liberties taken: the README's port 8080 becomes a free one (other deployments may share the
machine); ``/path/to/your/scan.png`` is the test's scan; variables set by an earlier block
(``API=...``) are set again before a later one, as the user's terminal keeps them; between
blocks the test waits for what the README says to wait for (the rows, the question).
"""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import psutil
import pytest

from scripts.make_samples import Spec, render
from tests.e2e.deployment import wait_for

# A fresh install and a whole deployment (about a minute each, longer on a busy machine).
# A fresh clone's install, a deployment and its runs: 672 s once at load average 17.
pytestmark = [pytest.mark.deployment, pytest.mark.timeout(1500)]

ROOT = Path(__file__).resolve().parents[2]
WALKTHROUGH = "docs/run-it-for-real.md"
README_PORT = "8080"
SCAN_PLACEHOLDER = "/path/to/your/scan.png"
# An invoice with a total line: its empty Qty (a required column) withholds that row for review.
INVOICE = [
    ["Item", "Qty", "Unit Price", "Amount"],
    ["Hammer", "3", "$12.50", "$37.50"],
    ["Chisel", "2", "$8.00", "$16.00"],
    ["TOTAL DUE", "", "", "$53.50"],
]


def readme_blocks() -> list[str]:
    """The walkthrough's shell blocks; the README names its start and links it (one page)."""
    readme = (ROOT / "README.md").read_text()
    assert "scripts/airflow-up.sh" in readme and f"({WALKTHROUGH})" in readme
    return re.findall(r"```bash\n(.*?)```", (ROOT / WALKTHROUGH).read_text(), flags=re.S)


def user_env() -> dict[str, str]:
    """A fresh shell's environment: no Airflow settings, virtualenv or Python path of this session."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AIRFLOW", "PYTEST", "OPENLINEAGE", "ASPOSE_OCR"))
        and key not in ("VIRTUAL_ENV", "PYTHONPATH")
    }
    env["PATH"] = os.pathsep.join(
        p for p in os.environ.get("PATH", "").split(os.pathsep) if p and not p.startswith(str(ROOT))
    )
    return env


def free_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return str(sock.getsockname()[1])


class Terminal:
    """The user's terminal in the clone: blocks run one after the other, keeping the variables."""

    def __init__(self, clone: Path, port: str, scan: Path) -> None:
        self.clone, self.port, self.scan = clone, port, scan
        self.env = user_env()
        self.kept: list[str] = []

    def run(self, block: str, timeout: float = 300) -> str:
        block = (
            block.replace(f"127.0.0.1:{README_PORT}", f"127.0.0.1:{self.port}")
            .replace("scripts/airflow-up.sh\n", f"scripts/airflow-up.sh --port {self.port}\n")
            .replace(SCAN_PLACEHOLDER, str(self.scan))
        )
        script = "\n".join(["set -e", *self.kept, block])
        started = time.monotonic()
        done = subprocess.run(
            ["bash", "-c", script], cwd=self.clone, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        print(f"[e2e] README block ({time.monotonic() - started:.1f} s):\n{block}{done.stdout[-1500:]}")
        assert done.returncode == 0, f"README block failed:\n{block}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        # Variables the user's shell keeps for the next block (API=..., DAG=..., Q=...).
        self.kept += [line for line in block.splitlines() if re.match(r"^[A-Z]+=", line)]
        self.kept += ["source .venv/bin/activate"] if "source .venv/bin/activate" in block else []
        return done.stdout

    def api(self, path: str) -> Any:
        token = (self.clone / ".airflow" / "api-token").read_text().strip()
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/api/v2{path}", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read())

    def api_or_none(self, path: str) -> Any:
        try:
            return self.api(path)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise

    def query(self, sql: str) -> list[tuple[Any, ...]] | None:
        """Rows of ``sql`` in the clone's warehouse.db; None while its table does not exist."""
        try:
            with sqlite3.connect(self.clone / "warehouse.db") as conn:
                return conn.execute(sql).fetchall()
        except sqlite3.OperationalError:
            return None


def started_processes(home: Path) -> list[psutil.Process]:
    """Every process the start recorded, with every process they started (task processes too)."""
    found = []
    for line in (home / "pids").read_text().splitlines():
        try:
            leader = psutil.Process(int(line.split()[1]))
            found += [leader, *leader.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
    return found


def runs_with_home(home: Path) -> list[psutil.Process]:
    """Processes whose environment names ``home`` as AIRFLOW_HOME (what a leak would look like)."""
    leaked = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get("AIRFLOW_HOME") == str(home):
                leaked.append(proc)
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return leaked


def test_the_readme_run_it_for_real_as_written_then_nothing_left(tmp_path: Path) -> None:
    blocks = readme_blocks()
    assert len(blocks) == 7, "start, watch + drop, rows, review run, answer, rows, stop"
    start, watch, show_rows, review_run, answer, show_invoices, stop = blocks
    assert "scripts/airflow-up.sh" in start and SCAN_PLACEHOLDER in watch and "--down" in stop

    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=120)
    scan = tmp_path / "invoice.png"
    render([Spec(rows=INVOICE, right={1, 2, 3})]).save(scan)
    term = Terminal(clone, free_port(), scan)
    home = clone / ".airflow"

    began = time.monotonic()
    said = term.run(start, timeout=600)
    print(f"[e2e] install + airflow-up.sh: {time.monotonic() - began:.1f} s")
    assert f"http://127.0.0.1:{term.port}" in said and "login admin, password" in said
    assert 'curl -H "Authorization: Bearer ' in said
    processes = started_processes(home)
    try:
        # The connection test the README describes, with the deployment's CLI.
        tested = term.run("source .airflow/env.sh\nairflow connections test aspose_ocr_default", timeout=180)
        assert "Connection success!" in tested

        term.run(watch)
        wait_for(
            "the dropped scan's rows in ocr_tables",
            lambda: term.query("SELECT 1 FROM ocr_tables WHERE item = 'Chisel'") or None,
            timeout=240,
            interval=1,
        )
        assert "Hammer" in term.run(show_rows)

        term.run(review_run)
        hitl = "/dags/aspose_ocr_declared_tables/dagRuns/review-1/taskInstances/review/-1/hitlDetails"
        question = wait_for("the review to ask", lambda: term.api_or_none(hitl), timeout=300, interval=0.2)
        term.run(answer)  # the moment the question appears
        actions = {k: p for k, p in question["params"].items() if k.endswith("_action")}
        assert len(actions) == 1, question["params"]  # the total line
        assert next(iter(actions.values()))["value"] is None  # no action chosen for it by the form

        def finished() -> str | None:
            run = term.api("/dags/aspose_ocr_declared_tables/dagRuns/review-1")
            return str(run["state"]) if run["state"] in ("success", "failed") else None

        assert wait_for("the review run to finish", finished, timeout=300) == "success"
        records = term.query("SELECT row_text, resolution FROM ocr_quarantine WHERE source_row IS NOT NULL")
        assert records and {resolution for _, resolution in records} == {"rejected"}, records
        assert all("TOTAL DUE" in str(row_text) for row_text, _ in records), records
        result = term.api(
            "/dags/aspose_ocr_declared_tables/dagRuns/review-1/taskInstances/review/xcomEntries/return_value"
        )["value"]
        result = json.loads(result) if isinstance(result, str) else result
        assert len(result["rejected"]) == 1 and result["unknown"] == [], result
        shown = term.run(show_invoices)
        assert "Hammer" in shown and "Chisel" in shown and "TOTAL DUE" not in shown
        processes = started_processes(home)  # with the task processes started since
    finally:
        term.run(stop, timeout=120)

    _, alive = psutil.wait_procs(processes, timeout=10)
    assert not alive, f"left running after --down: {alive}"
    assert not runs_with_home(home), "a process with the deployment's AIRFLOW_HOME is still running"

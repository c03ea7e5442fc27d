"""The event-driven example in a real deployment: documents landing in a folder start runs.

A separate scheduler (LocalExecutor), DAG processor, triggerer and API server, the emulator CLI as
the OCR service, and a folder the DAG is pointed at through ``ASPOSE_OCR_WATCH_URI``. What a user
would check: three scans dropped into the folder start a run that loads them; two more start a
second run that pays for those two only; a triggerer that dies and comes back names every
document again, and the run that follows pays for nothing and duplicates no row.
"""

from __future__ import annotations

import contextlib
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from aspose_ocr_provider.emulator.process import EmulatorProcess
from tests.e2e.deployment import Deployment, deployment_env, emulator_connections, free_port, wait_for
from tests.ground_truth import assert_exactly_once, csv_of, sqlite_rows

ROOT = Path(__file__).resolve().parents[2]
DAG_ID = "aspose_ocr_on_new_documents"
DAG_FILE = ROOT / "dags" / f"{DAG_ID}.py"
TABLE = "inbox_tables"
POKE_INTERVAL = "2"
TASK = "load_new_documents"  # a run is this one task

# A whole deployment starts (about a minute, longer on a busy machine) before the test's own runs.
pytestmark = [pytest.mark.deployment, pytest.mark.timeout(900)]


@dataclass
class EventDeployment:
    dep: Deployment
    emulator: EmulatorProcess
    scans: list[Path]  # images with a fixture CSV each, not yet in the inbox
    inbox: Path
    warehouse: Path


def make_scans(folder: Path, count: int) -> list[Path]:
    """Distinct table images, each with the CSV the emulator answers for it."""
    from PIL import Image

    scans = []
    for number in range(count):
        image = folder / f"scan-{number}.png"
        Image.new("RGB", (80, 40), (40 * number, 90, 200 - 30 * number)).save(image)
        rows = "\n".join(f"part-{number}-{row},{row * 7 + number}" for row in range(1, 4))
        image.with_suffix(".csv").write_text(f"item,count\n{rows}\n")
        scans.append(image)
    return scans


def drop(scan: Path, inbox: Path) -> None:
    """Land a scan as the DAG's docs ask: copied under a temporary name, then renamed."""
    part = inbox / f"{scan.name}.part"
    shutil.copyfile(scan, part)
    part.rename(inbox / scan.name)


@contextlib.contextmanager
def event_deployment(
    home: Path, watch_uri: str, env: dict[str, str] | None = None
) -> Iterator[tuple[Deployment, EmulatorProcess, list[Path], Path]]:
    """A deployment of only the event-driven DAG watching ``watch_uri``, with the emulator taught
    five scans: ``(deployment, emulator, scans, SQLite warehouse)``. ``env``: more settings."""
    fixtures, dags = home / "fixtures", home / "dags"
    for folder in (fixtures, dags):
        folder.mkdir()
    shutil.copyfile(DAG_FILE, dags / DAG_FILE.name)  # only this DAG: less for the processor to parse
    scans = make_scans(fixtures, 5)
    warehouse = home / "warehouse.db"
    emulator = EmulatorProcess("--fixtures", str(fixtures), "--pending-polls", "1")
    api_port = free_port()
    extra = {
        **emulator_connections(emulator.url, warehouse),
        "ASPOSE_OCR_WATCH_URI": watch_uri,
        "ASPOSE_OCR_WATCH_TABLE": TABLE,
        "ASPOSE_OCR_WATCH_POKE_INTERVAL": POKE_INTERVAL,
        "ASPOSE_OCR_WATCH_SWEEP": "none",  # every run here is the watcher's, even across an hour
        # A watcher is registered when the DAG file is parsed after unpausing.
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "5",
        # How soon a dead triggerer's triggers go to a live one.
        "AIRFLOW__TRIGGERER__TRIGGERER_HEALTH_CHECK_THRESHOLD": "15",
        **(env or {}),
    }
    dep = Deployment(home=home, env=deployment_env(home, dags, api_port, extra), api_port=api_port)
    try:
        dep.airflow("db", "migrate")
        dep.start()
        wait_for("the API server, scheduler and triggerer to report healthy", dep.healthy, timeout=180)
        yield dep, emulator, scans, warehouse
    finally:
        dep.stop()
        emulator.stop()


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EventDeployment]:
    home = tmp_path_factory.mktemp("airflow-events")
    inbox = home / "inbox"
    inbox.mkdir()
    with event_deployment(home, str(inbox)) as (dep, emulator, scans, warehouse):
        yield EventDeployment(dep, emulator, scans, inbox, warehouse)


def submit_posts(emulator: EmulatorProcess) -> int:
    return int(emulator.stats()["endpoints"].get("submit", 0))


def watching(dep: Deployment) -> bool | None:
    """True once the triggerer runs the folder watcher (its first listing is logged)."""
    dep.check_alive()
    return True if "Watching " in dep.log_of("triggerer").read_text(errors="replace") else None


def finished_run(dep: Deployment, known: set[str], timeout: float = 150) -> dict[str, Any]:
    """The one run not in ``known``, once it has finished; fails if more than one appeared."""

    def probe() -> dict[str, Any] | None:
        dep.check_alive()
        new = [r for r in dep.dag_runs(DAG_ID) if r["dag_run_id"] not in known]
        assert len(new) <= 1, f"more than one new run: {[r['dag_run_id'] for r in new]}"
        return new[0] if new and new[0]["state"] in ("success", "failed") else None

    run = wait_for("a run started by the watcher to finish", probe, timeout=timeout)
    states = dep.task_states(DAG_ID, run["dag_run_id"])
    print(f"[e2e] {run['dag_run_id']} ({run['run_type']}): {states}")
    assert run["state"] == "success", states
    assert run["run_type"] == "asset_triggered"
    return run


def assert_restart_cost_nothing(
    emulator: EmulatorProcess, warehouse: Path, loaded: Any, earlier_runs: list[dict[str, Any]]
) -> None:
    """After the restart's run: no POST beyond the five scans', the table as the runs before left it."""
    assert submit_posts(emulator) == 5, "the restart paid for a scan again"
    after = sqlite_rows(warehouse, TABLE)
    assert len(after) == len(loaded)
    keys = Counter(zip(after["_source"], after["_source_table"], after["_source_row"], strict=True))
    assert max(keys.values()) == 1, "a row was loaded twice"
    assert set(after["_dag_run_id"]) == {run["dag_run_id"] for run in earlier_runs}


def named_documents(dep: Deployment, run_id: str) -> list[str]:
    """The documents the run took (its one task's ``inputs`` XCom: one record per document)."""
    return [Path(r["source"]).name for r in dep.xcom(DAG_ID, run_id, TASK, "inputs")]


def test_new_scans_start_runs_that_load_them_once(deployed: EventDeployment) -> None:
    dep, emulator, inbox = deployed.dep, deployed.emulator, deployed.inbox
    dep.unpause(DAG_ID)
    wait_for("the triggerer to run the folder watcher", lambda: watching(dep), timeout=120)
    assert dep.dag_runs(DAG_ID) == []  # an empty folder starts nothing

    # 1. Three scans land: one run loads exactly them, one POST each.
    first, second = deployed.scans[:3], deployed.scans[3:]
    for scan in first:
        drop(scan, inbox)
    run_1 = finished_run(dep, set())
    assert sorted(named_documents(dep, run_1["dag_run_id"])) == [s.name for s in first]
    assert submit_posts(emulator) == 3
    rows_1 = assert_exactly_once(sqlite_rows(deployed.warehouse, TABLE), run_1["dag_run_id"], csv_of(first))

    # 2. Two more: a second run with exactly two POSTs, for those two.
    for scan in second:
        drop(scan, inbox)
    run_2 = finished_run(dep, {run_1["dag_run_id"]})
    assert sorted(named_documents(dep, run_2["dag_run_id"])) == [s.name for s in second]
    assert submit_posts(emulator) == 5
    loaded = sqlite_rows(deployed.warehouse, TABLE)
    rows_2 = assert_exactly_once(loaded, run_2["dag_run_id"], csv_of(second))
    assert len(loaded) == rows_1 + rows_2  # run 1's rows untouched

    # 3. The triggerer dies (SIGKILL, as its machine would) and comes back: the re-created watcher
    #    names all five scans again; the run that follows skips them all unread (their listing
#    fingerprints are recorded), submits nothing and writes nothing.
    dep.kill("triggerer")
    dep.start("triggerer")
    run_3 = finished_run(dep, {run_1["dag_run_id"], run_2["dag_run_id"]}, timeout=180)
    states = dep.task_states(DAG_ID, run_3["dag_run_id"])
    assert states == {TASK: "skipped"}, states
    said = dep.worker_log_events(DAG_ID, run_3["dag_run_id"], TASK)
    assert any(f"name {len(deployed.scans)} document(s)" in line for line in said), said
    assert_restart_cost_nothing(emulator, deployed.warehouse, loaded, [run_1, run_2])

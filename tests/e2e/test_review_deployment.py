"""The declared-tables example's review step in a real deployment: a person answers in Airflow.

API server, scheduler, DAG processor and triggerer run as separate processes; the emulator CLI is
the OCR service; the warehouse is a SQLite file. Run 1's load withholds three rows (``12,5O`` and
``4.OO`` in decimal columns, ``1O`` in an integer one); the review waits for a person; the answer
goes in through the REST API call the UI makes (PATCH ``.../hitlDetails``): ``12.50`` loads its row
as a decimal, the stock row is rejected, and a correction that still does not read (``4.0O``) is
refused and stays. No POST reaches the OCR service while the answer is applied. Run 2 brings a new
withheld row; its review asks about it and about the refused one, nobody answers, the review times
out and the run succeeds. A headless Chromium opens the question in the Airflow UI.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aspose_ocr_provider.emulator.process import EmulatorProcess
from tests.e2e.deployment import Deployment, deployment_env, emulator_connections, free_port, wait_for

# A whole deployment starts (about a minute, longer on a busy machine) before the test's own runs.
pytestmark = [pytest.mark.deployment, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]
DAG_ID = "aspose_ocr_declared_tables"
REVIEW = "review"
SCREENSHOT = ROOT / "docs" / "images" / "review.png"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

INVOICE_1 = 'Item,Qty,Unit Price,Amount\nWidget,2,"12,5O",25.00\nGizmo,3,4.OO,12.00\nGadget,1,3.00,3.00\n'
STOCK_1 = "Code,Description,Price,Stock\nA-1,Copper wire,1.50,10\nB-2,Steel rod,2.00,1O\n"
INVOICE_2 = "Item,Qty,Unit Price,Amount\nBolt,7,0.20,1.4O\nNut,9,0.10,0.90\n"
STOCK_2 = "Code,Description,Price,Stock\nC-3,Brass,3.25,4\n"


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four scans, each with the CSV the emulator answers for it (distinct bytes: distinct inputs)."""
    from PIL import Image

    folder = tmp_path_factory.mktemp("review-scans")
    for number, (name, csv_text) in enumerate(
        [("invoice-1", INVOICE_1), ("stock-1", STOCK_1), ("invoice-2", INVOICE_2), ("stock-2", STOCK_2)]
    ):
        Image.new("RGB", (90, 40), (40 * number, 90, 200 - 30 * number)).save(folder / f"{name}.png")
        (folder / f"{name}.csv").write_text(csv_text)
    return folder


@pytest.fixture(scope="module")
def emulator(scans: Path) -> Iterator[EmulatorProcess]:
    emu = EmulatorProcess("--fixtures", str(scans))
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory, emulator: EmulatorProcess) -> Iterator[Deployment]:
    home = tmp_path_factory.mktemp("airflow-review")
    api_port = free_port()
    connections = {
        **emulator_connections(emulator.url, home / "warehouse.db"),
        # The scheduler's sweep of timed-out questions runs this often (default 15 s).
        "AIRFLOW__SCHEDULER__TRIGGER_TIMEOUT_CHECK_INTERVAL": "3",
    }
    dep = Deployment(home=home, env=deployment_env(home, ROOT / "dags", api_port, connections), api_port=api_port)
    dep.airflow("db", "migrate")
    dep.start()
    try:
        wait_for("the API server, scheduler and triggerer to report healthy", dep.healthy, timeout=120)
        yield dep
    finally:
        dep.stop()


def warehouse(dep: Deployment) -> Path:
    return Path(urllib.parse.unquote(dep.env["AIRFLOW_CONN_WAREHOUSE"].removeprefix("sqlite://")))


def query(dep: Deployment, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(warehouse(dep)) as conn:
        return conn.execute(sql).fetchall()


def hitl_path(run_id: str) -> str:
    return f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/{REVIEW}/-1/hitlDetails"


def question(dep: Deployment, run_id: str) -> dict[str, Any] | None:
    """The review's question once the task waits for it (awaiting input on 3.3, deferred before)."""
    ti = dep.task_instance(DAG_ID, run_id, REVIEW)
    if not ti or ti["state"] not in ("awaiting_input", "deferred"):
        if ti and ti["state"] in ("success", "failed", "upstream_failed", "skipped"):
            raise AssertionError(f"the review ended as {ti['state']} without asking")
        return None
    detail = dep.get_or_none(hitl_path(run_id))
    return dict(detail) if detail else None


def fields_about(detail: dict[str, Any], recognised: str) -> tuple[str, str]:
    """(decision field, value field) of the row whose problem cell was recognised as ``recognised``,
    found as a person finds it: by what the field's description says."""
    params = detail["params"]
    (value_key,) = [k for k, p in params.items() if f"Recognised {recognised!r}" in str(p.get("description"))]
    row_key = value_key.split("_value_", 1)[0]
    return f"{row_key}_action", value_key


def post_count(emulator: EmulatorProcess) -> int:
    return sum(1 for r in emulator.requests() if r["method"] == "POST")


@pytest.fixture(scope="module")
def first_question(deployment: Deployment, scans: Path) -> dict[str, Any]:
    """Run 1 started and its review waiting for an answer."""
    deployment.trigger(
        DAG_ID,
        "review-1",
        {
            "invoices": str(scans / "invoice-1.png"),
            "stock_lists": str(scans / "stock-1.png"),
            "review_hours": 1,
        },
    )
    return wait_for("run 1's review to ask", lambda: question(deployment, "review-1"), timeout=180, interval=2)


def test_the_ui_shows_the_question_with_its_source_raw_text_and_reason(
    deployment: Deployment, first_question: dict[str, Any], tmp_path: Path
) -> None:
    chromium = shutil.which("chromium")
    assert chromium, "chromium is not installed (Debian package `chromium`; .ci/run installs it)"
    url = (
        f"http://127.0.0.1:{deployment.api_port}/dags/{DAG_ID}/runs/review-1/tasks/{REVIEW}/required_actions"
    )

    def browse(*args: str) -> subprocess.CompletedProcess[str]:
        profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
        profile.mkdir()
        return subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1400,2200", *args, url],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    # The page renders in the browser (a single-page app): read its DOM once the scripts ran.
    def rendered() -> str | None:
        dom = browse("--virtual-time-budget=20000", "--dump-dom").stdout
        return dom if "invoice-1.png" in dom else None

    dom = wait_for("the UI to render the review", rendered, timeout=180, interval=1)
    assert "12,5O" in dom  # the raw text
    assert "is not a number" in dom  # the reason
    assert "stock-1.png" in dom and "1O" in dom

    shot = tmp_path / "review.png"
    browse("--virtual-time-budget=20000", f"--screenshot={shot}")
    assert shot.exists() and shot.stat().st_size > 20_000
    if os.environ.get("UPDATE_SCREENSHOTS"):  # refresh the docs' picture on purpose only
        shutil.copy(shot, SCREENSHOT)


@pytest.fixture(scope="module")
def first_answer(deployment: Deployment, emulator: EmulatorProcess, first_question: dict[str, Any]) -> int:
    """Run 1's question answered through the REST API, as the UI does; the POSTs the service saw
    before the answer."""
    detail = first_question
    posts_before = post_count(emulator)
    answers = {k: p["value"] for k, p in detail["params"].items()}
    _, widget_value = fields_about(detail, "12,5O")
    _, gizmo_value = fields_about(detail, "4.OO")
    steel_action, _ = fields_about(detail, "1O")
    answers.update({widget_value: "12.50", gizmo_value: "4.0O", steel_action: "reject"})
    # The call the UI makes when the person presses "Apply answers".
    deployment.request(
        "PATCH", hitl_path("review-1"), {"chosen_options": ["Apply answers"], "params_input": answers}
    )
    state = wait_for("run 1 to finish", lambda: deployment.run_state(DAG_ID, "review-1"), timeout=120)
    assert state == "success", deployment.task_states(DAG_ID, "review-1")
    return posts_before


def test_the_question_names_each_withheld_row_and_offers_a_field_per_problem_cell(
    first_question: dict[str, Any],
) -> None:
    detail = first_question
    body = detail["body"].replace("\\", "")
    for shown in ("invoice-1.png", "stock-1.png", "12,5O", "4.OO", "1O", "is not a number", "on_hand", "integer"):
        assert shown in body, shown
    assert set(detail["options"]) == {"Apply answers", "Later"}
    actions = [k for k in detail["params"] if k.endswith("_action")]
    assert len(actions) == 3 and all(detail["params"][k]["value"] == "correct" for k in actions)
    _, widget_value = fields_about(detail, "12,5O")
    assert detail["params"][widget_value]["value"] == "12,5O"  # prefilled with the text as recognised


def test_an_answer_loads_the_correction_as_a_decimal_rejects_and_refuses_without_calling_the_service(
    deployment: Deployment, emulator: EmulatorProcess, first_answer: int
) -> None:
    dep = deployment
    assert post_count(emulator) == first_answer, "applying the answer sent something to the OCR service"

    # 12.50 is in the invoices table as a decimal, with the provenance of its image and row.
    widget = query(
        dep,
        'SELECT unit_price, typeof(unit_price), qty, amount, "_source", "_source_row", "_source_sha256" '
        "FROM invoices WHERE item = 'Widget'",
    )
    assert len(widget) == 1
    unit_price, stored_as, qty, amount, source, source_row, sha256 = widget[0]
    assert (unit_price, stored_as, qty, amount) == (12.5, "real", 2, 25.0)
    assert (Path(source).name, source_row) == ("invoice-1.png", 2)
    assert sha256 == query(dep, "SELECT sha256 FROM ocr_quarantine WHERE raw_text = '12,5O'")[0][0]
    assert query(dep, "SELECT count(*) FROM invoices WHERE item = 'Gizmo'") == [(0,)]
    assert query(dep, "SELECT count(*) FROM stock WHERE code = 'B-2'") == [(0,)]
    records = {
        raw: (resolution, answered_by, answered_at, value, note)
        for raw, resolution, answered_by, answered_at, value, note in query(
            dep,
            "SELECT raw_text, resolution, answered_by, answered_at, answered_value, answer_note FROM ocr_quarantine",
        )
    }
    resolution, answered_by, answered_at, value, _ = records["12,5O"]
    assert (resolution, value) == ("resolved", "12.50") and answered_by and answered_at
    assert records["1O"][0] == "rejected" and records["1O"][1] == answered_by
    resolution, _, _, value, note = records["4.OO"]
    assert resolution is None and value == "4.0O"
    assert note and "'4.0O'" in note and "is not a number" in note
    result = dep.xcom(DAG_ID, "review-1", REVIEW)
    assert (len(result["resolved"]), len(result["rejected"]), len(result["refused"])) == (1, 1, 1)
    assert result["rows_per_table"] == {"invoices": 1}


def test_the_next_review_asks_again_with_the_new_rows_and_times_out_without_failing_the_run(
    deployment: Deployment, scans: Path, first_answer: int
) -> None:
    dep = deployment
    # Run 2: new scans with one new withheld row. Its review asks about it and the refused row.
    dep.trigger(
        DAG_ID,
        "review-2",
        {
            "invoices": str(scans / "invoice-2.png"),
            "stock_lists": str(scans / "stock-2.png"),
            "review_hours": 0.005,  # 18 s
        },
    )
    second = wait_for("run 2's review to ask", lambda: question(dep, "review-2"), timeout=180, interval=2)
    asked = {str(p.get("description")) for p in second["params"].values() if p.get("description")}
    assert any("'1.4O'" in d for d in asked) and any("'4.OO'" in d for d in asked), asked
    assert len([k for k in second["params"] if k.endswith("_action")]) == 2
    assert "4.0O" in second["body"].replace("\\", "")  # the refused answer, with why

    state = wait_for("run 2's review to time out", lambda: dep.run_state(DAG_ID, "review-2"), timeout=150)
    assert state == "success", dep.task_states(DAG_ID, "review-2")
    assert dep.task_states(DAG_ID, "review-2")[REVIEW] == "success"
    assert dep.xcom(DAG_ID, "review-2", REVIEW)["timed_out"] is True
    waiting = query(dep, "SELECT raw_text FROM ocr_quarantine WHERE resolution IS NULL ORDER BY raw_text")
    assert waiting == [("1.4O",), ("4.OO",)]
    assert query(dep, "SELECT count(*) FROM invoices WHERE item = 'Bolt'") == [(0,)]
    assert query(dep, "SELECT count(*) FROM invoices WHERE item = 'Widget'") == [(1,)]

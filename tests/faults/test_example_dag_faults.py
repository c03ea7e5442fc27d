"""The example DAG under faults: each table exactly once, or a failure that names image and cause.

Every scenario runs ``dags/aspose_ocr_tables_to_warehouse.py`` with ``dag.test()`` against the
emulator over loopback HTTP, with the fault switched on in the emulator (or in PostgreSQL), and
then reads the warehouse back as a user would.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from airflow.utils.state import DagRunState

from aspose_ocr_provider.emulator.testing import run_emulator
from aspose_ocr_provider.models import RECOGNIZE_TABLE_PATH, TASK_STATUS_PATH, TaskStatus
from tests.airflow_runs import task_states, xcom
from tests.faults.images import FaultImages
from tests.ground_truth import assert_exactly_once, sqlite_rows

SEED = 20261129


def _run(dag: Any, images: FaultImages, **conf: Any) -> Any:
    return dag.test(run_conf={"images_folder": images.folder.as_uri(), **conf})


def _faults(rate: float, kinds: list[str]) -> dict[str, Any]:
    return {"*": {"rate": rate, "kinds": kinds, "retry_after": 0}}


@pytest.mark.parametrize(
    "kinds",
    [
        pytest.param(["429", "500", "502", "503"], id="20pct-429-or-5xx"),
        pytest.param(["drop"], id="20pct-dropped-connections"),
    ],
)
def test_flaky_service_loads_every_table_once(
    example_dag: Any, images: FaultImages, warehouse: Any, connect: Any, kinds: list[str]
) -> None:
    with run_emulator(
        pending_polls=1, processing_polls=1, fault_seed=SEED, faults=_faults(0.2, kinds)
    ) as emu:
        images.teach(emu)
        connect(emu)
        run = _run(example_dag, images)
        faulted = [r for r in emu.requests if r.status is None or r.status >= 429]

    assert run.state == DagRunState.SUCCESS
    assert faulted, "the emulator injected no fault: the scenario tested nothing"
    assert_exactly_once(sqlite_rows(warehouse), run.run_id, images.csv)


def test_token_revoked_mid_run_is_renewed_and_every_table_loads_once(
    example_dag: Any, images: FaultImages, warehouse: Any, connect: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    # Each token dies after 10 uses, in the middle of a batch of concurrent requests, and every
    # token is revoked again as the sensor and the load start (all three tasks hit a dead token).
    with run_emulator(pending_polls=2, processing_polls=1, revoke_after=10) as emu:
        for task_id in ("wait_for_ocr", "load"):
            example_dag.get_task(task_id).on_execute_callback = [lambda context: emu.revoke_tokens()]
        images.teach(emu)
        connect(emu)
        run = _run(example_dag, images)
        refused = [r for r in emu.requests if r.status == 401]
        tokens = emu.count("POST", "/connect/token")

    assert run.state == DagRunState.SUCCESS
    assert refused and tokens > 1, "no token was revoked during the run"
    logs = "".join(capfd.readouterr())
    assert "refused the bearer token" in logs, "the task logs should say a token was renewed"
    assert emu.client_secret not in logs
    assert task_states(run)["load"] == ("success", 1), "a revoked token should cost no task retry"
    assert_exactly_once(sqlite_rows(warehouse), run.run_id, images.csv)


def _errored_images(emu: Any, run: Any) -> dict[str, str]:
    """``image name -> task id`` of the submissions the emulator ended in Error (its ground truth)."""
    records = xcom(run, "submit", "submissions")
    return {
        r["source"].rsplit("/", 1)[-1]: r["task_id"]
        for r in records
        if emu.task_status(r["task_id"]) == TaskStatus.ERROR
    }


def test_tasks_in_error_fail_the_run_naming_image_and_message(
    example_dag: Any, images: FaultImages, warehouse: Any, connect: Any, failures: Any
) -> None:
    with run_emulator(pending_polls=1, processing_polls=0, fault_seed=SEED, task_error_rate=0.4) as emu:
        images.teach(emu)
        connect(emu)
        run = _run(example_dag, images)
        errored = _errored_images(emu, run)

    assert errored and len(errored) < len(images.csv), "the seed should fail some tasks, not all"
    assert run.state == DagRunState.FAILED
    message = failures.text("wait_for_ocr")
    for image, task_id in errored.items():
        assert image in message and task_id in message
    assert "Injected fault: the emulator was told to fail this task." in message
    assert task_states(run)["load"][0] == "upstream_failed"
    assert sqlite_rows(warehouse).empty, "a failed run must leave nothing in the warehouse"


def test_tasks_in_error_can_be_skipped_and_the_rest_load_once(
    example_dag: Any, images: FaultImages, warehouse: Any, connect: Any
) -> None:
    # The DAG's owner opts in to loading what completed (both switches are documented).
    example_dag.get_task("wait_for_ocr").fail_on_error = False
    example_dag.get_task("load").skip_failed = True
    with run_emulator(pending_polls=1, processing_polls=0, fault_seed=SEED, task_error_rate=0.4) as emu:
        images.teach(emu)
        connect(emu)
        run = _run(example_dag, images)
        errored = _errored_images(emu, run)

    assert run.state == DagRunState.SUCCESS
    assert errored
    report = xcom(run, "load")
    skipped = {s["source"].rsplit("/", 1)[-1]: s for s in report["skipped"]}
    assert sorted(skipped) == sorted(errored)
    assert all(s["messages"] and s["status"] == "Error" for s in skipped.values())
    loadable = {name: text for name, text in images.csv.items() if name not in errored}
    assert_exactly_once(sqlite_rows(warehouse), run.run_id, loadable)


class _TriggererRestart:
    """Runs the sensor's trigger until it is mid-wait, stops it as a triggerer shutdown does
    (the trigger task is cancelled), then builds a new one from the kwargs Airflow stored in its
    ``trigger`` row (encrypted and read back) and lets that one finish the wait."""

    def __init__(self, trigger: Any, emulator: Any, polls_before_restart: int) -> None:
        self.trigger = trigger
        self.emulator = emulator
        self.polls_before_restart = polls_before_restart
        self.reborn: Any = None

    async def run(self) -> Any:
        from airflow.models.trigger import Trigger
        from airflow.sdk._shared.module_loading import import_string

        first = self.trigger.run()
        step = asyncio.ensure_future(anext(first))
        while (
            await asyncio.to_thread(self.emulator.count, "GET", TASK_STATUS_PATH) < self.polls_before_restart
        ):
            assert not step.done(), "the trigger fired before the restart: the scenario tested nothing"
            await asyncio.sleep(0.01)
        step.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await step
        await first.aclose()

        row = Trigger.from_object(self.trigger)
        self.reborn = import_string(row.classpath)(**row.kwargs)
        self.emulator.configure(pending_polls=0)  # the service finishes while the triggerer is down
        async for event in self.reborn.run():
            yield event
            return


def test_triggerer_restart_mid_wait_fires_the_same_verdict(
    example_dag: Any, images: FaultImages, warehouse: Any, connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import airflow.sdk.definitions.dag as dag_module

    inline = dag_module._run_inline_trigger
    restarts: list[_TriggererRestart] = []
    with run_emulator(pending_polls=10_000, processing_polls=0) as emu:

        def restarting(trigger: Any, ti: Any) -> Any:
            restarts.append(_TriggererRestart(trigger, emu, polls_before_restart=2 * len(images.csv)))
            return inline(restarts[-1], ti)

        monkeypatch.setattr(dag_module, "_run_inline_trigger", restarting)
        images.teach(emu)
        connect(emu)
        run = _run(example_dag, images)

    assert run.state == DagRunState.SUCCESS
    assert len(restarts) == 1 and restarts[0].reborn is not None
    assert restarts[0].reborn.serialize() == restarts[0].trigger.serialize()
    assert emu.client_secret not in repr(restarts[0].trigger.serialize()), "a secret in trigger kwargs"
    assert xcom(run, "wait_for_ocr")["completed"] == xcom(run, "submit")
    assert_exactly_once(sqlite_rows(warehouse), run.run_id, images.csv)


class WorkerDied(Exception):
    """Stands for the worker process dying: no Python code of the try runs after it."""


@pytest.mark.parametrize("graceful", [False, True], ids=["sigkill", "sigterm"])
def test_submit_killed_after_submitting_then_retried(
    example_dag: Any,
    images: FaultImages,
    warehouse: Any,
    connect: Any,
    monkeypatch: pytest.MonkeyPatch,
    graceful: bool,
) -> None:
    """A worker dies after the POSTs were accepted, before the ids reach XCom; the retry runs.

    ``sigkill``: nothing runs on the way down; the retry reuses the ids the ledger kept, so no
    image is paid for twice. ``sigterm``: Airflow's handler calls ``on_kill`` first, which
    cancels the unfinished tasks; the retry finds them gone (NotExist) and submits them again.
    """
    from aspose_ocr_provider.operators.submit import AsposeOcrSubmitTableOperator

    real = AsposeOcrSubmitTableOperator._submit_all
    deaths: list[int] = []

    def dies_once(self: Any, todo: Any, settings: Any, ledger: Any) -> Any:
        done = real(self, todo, settings, ledger)
        if not deaths:
            deaths.append(len(done))
            if graceful:
                self.on_kill()  # what the task runner's SIGTERM handler does
            raise WorkerDied("worker lost after submitting")
        return done

    monkeypatch.setattr(AsposeOcrSubmitTableOperator, "_submit_all", dies_once)
    n = len(images.csv)
    with run_emulator(pending_polls=1, processing_polls=1) as emu:
        images.teach(emu)
        connect(emu)
        run = _run(example_dag, images)
        posts = emu.count("POST", RECOGNIZE_TABLE_PATH)
        cancels = emu.count("DELETE", RECOGNIZE_TABLE_PATH)

    assert deaths == [n]
    assert run.state == DagRunState.SUCCESS
    assert task_states(run)["submit"] == ("success", 2)
    if graceful:
        assert (posts, cancels) == (2 * n, n)
    else:
        assert (posts, cancels) == (n, 0), "the retry paid again for images it had already submitted"
    assert_exactly_once(sqlite_rows(warehouse), run.run_id, images.csv)

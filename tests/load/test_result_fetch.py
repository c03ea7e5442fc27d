"""fetch_ordered: results of many OCR tasks over the real hook, several at a time, in input order."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from aspose_ocr_provider.emulator.testing import EmulatorHandle, run_emulator
from aspose_ocr_provider.hooks.aspose_ocr import AsposeOcrHook
from aspose_ocr_provider.models import TaskResult, TaskStatus
from aspose_ocr_provider.operators.result_fetch import fetch_ordered
from tests.load.ocr_tasks import submit


@pytest.fixture
def emu(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorHandle]:
    with run_emulator(pending_polls=0, processing_polls=0) as handle:
        monkeypatch.setenv("AIRFLOW_CONN_ASPOSE_OCR_DEFAULT", handle.airflow_conn_json())
        yield handle


class InFlight:
    """Wraps a fetch function and records the most calls running at once."""

    def __init__(self, hook: AsposeOcrHook) -> None:
        self.hook, self.now, self.peak = hook, 0, 0
        self.lock = threading.Lock()

    def __call__(self, task_id: str) -> TaskResult:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        try:
            return self.hook.get_result(task_id)
        finally:
            with self.lock:
                self.now -= 1


def test_results_come_back_in_input_order_with_bounded_concurrency(emu: EmulatorHandle) -> None:
    ids = [submit(emu, [["n"], [str(i)]]) for i in range(24)]
    # Every answer takes 50 ms, so requests overlap whenever the fetcher lets them.
    emu.configure(faults={"result": {"rate": 1.0, "kinds": ["slow"], "slow_seconds": 0.05}})
    fetch = InFlight(AsposeOcrHook())

    got = list(fetch_ordered(fetch, ids, max_concurrency=4))

    assert [key for key, _ in got] == ids
    assert [r.id for _, r in got] == ids
    assert all(r.task_status is TaskStatus.COMPLETED for _, r in got)
    # The rows of each result are the ones taught for that task (nothing mixed up between threads).
    assert [r.results[0].content.decode().splitlines()[-1] for _, r in got] == [f"{i}" for i in range(24)]
    assert fetch.peak == 4
    assert emu.count("GET", "/v5.0/ocr/RecognizeTable") == len(ids)


def test_a_failed_fetch_is_raised_at_its_turn_and_stops_the_rest(emu: EmulatorHandle) -> None:
    ids = [submit(emu, [["n"], [str(i)]]) for i in range(40)]
    hook = AsposeOcrHook()

    def fetch(task_id: str) -> TaskResult:
        if task_id == ids[3]:
            raise RuntimeError(f"cannot fetch {task_id}")
        return hook.get_result(task_id)

    seen = []
    with pytest.raises(RuntimeError, match=ids[3]):
        for key, _ in fetch_ordered(fetch, ids, max_concurrency=2):
            seen.append(key)
    assert seen == ids[:3]
    # The window ahead of the failure was fetched at most; the rest was never asked for.
    assert emu.count("GET", "/v5.0/ocr/RecognizeTable") <= 3 + 2 * 2


def test_max_concurrency_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_concurrency must be a positive integer"):
        list(fetch_ordered(str, ["a"], max_concurrency=0))


def test_the_load_operator_refuses_a_bad_max_concurrency() -> None:
    from aspose_ocr_provider.operators.load import AsposeOcrTableToSqlOperator

    with pytest.raises(ValueError, match="max_concurrency must be a positive integer, got 0"):
        AsposeOcrTableToSqlOperator(task_id="load", ocr_task_ids=[], conn_id="w", table="t", max_concurrency=0)


def test_more_threads_than_urllib3s_pool_keep_their_connections(
    emu: EmulatorHandle, caplog: pytest.LogCaptureFixture
) -> None:
    ids = [submit(emu, [["n"], [str(i)]]) for i in range(48)]
    emu.configure(faults={"result": {"rate": 1.0, "kinds": ["slow"], "slow_seconds": 0.05}})
    full = "Connection pool is full"
    with caplog.at_level("WARNING", logger="urllib3.connectionpool"):
        # The hook as it was: 16 threads share urllib3's 10 pooled connections (what is seen).
        fetch = InFlight(AsposeOcrHook())
        assert len(list(fetch_ordered(fetch, ids[:24], max_concurrency=16))) == 24
        assert fetch.peak == 16
        assert any(full in r.getMessage() for r in caplog.records)
        caplog.clear()

        fetch = InFlight(AsposeOcrHook(pool_size=16))
        assert len(list(fetch_ordered(fetch, ids[24:], max_concurrency=16))) == 24
        assert fetch.peak == 16
        assert not [r.getMessage() for r in caplog.records if full in r.getMessage()]

"""Retries and token renewals are summed up for one log line per batch, not logged per request."""

from __future__ import annotations

import logging

import pytest

from aspose_ocr_provider.emulator.testing import EmulatorHandle
from aspose_ocr_provider.models import TableSettings
from tests.hooks.conftest import CONN_ID, FAST_RETRIES, HookClient
from tests.job.job_images import png


def test_a_flaky_batch_logs_nothing_per_request_and_sums_up_every_retry(
    client: HookClient,
    connection: EmulatorHandle,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        f"AIRFLOW_CONN_{CONN_ID.upper()}", connection.airflow_conn_json(**{**FAST_RETRIES, "max_retries": 12})
    )
    ids = [client("submit_table", png(seed), TableSettings()) for seed in range(6)]
    connection.configure(
        faults={"status": {"rate": 0.5, "kinds": ["503"], "retry_after": 0}}, fault_seed=7, revoke_after=4
    )
    connection.revoke_tokens()
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        for task_id in ids:
            client("get_status", task_id)
    served_503 = sum(1 for r in connection.requests if r.status == 503)
    refused = sum(1 for r in connection.requests if r.status == 401)

    assert served_503 > 0 and refused > 0, "the scenario injected no fault"
    loud = [r for r in caplog.records if r.levelno >= logging.INFO and "aspose_ocr" in r.name]
    assert loud == [], [r.getMessage() for r in loud]
    summary = client.hook.tally.summary()
    assert summary is not None
    assert f"{served_503} request(s) retried ({served_503}x HTTP 503)" in summary
    assert f"refused the bearer token {refused} time(s)" in summary
    assert client.hook.tally.summary() is None, "a summary covers what happened since the last one"

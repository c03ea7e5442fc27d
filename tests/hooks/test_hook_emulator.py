"""Both hooks over real HTTP against the emulator: tokens, refresh, retries, errors, the Test button."""

from __future__ import annotations

import asyncio
import json

import pytest

from aspose_ocr_provider.emulator.testing import EmulatorHandle, run_emulator
from aspose_ocr_provider.exceptions import (
    AsposeOcrApiError,
    AsposeOcrAuthError,
    AsposeOcrUnreachableError,
)
from aspose_ocr_provider.hooks import protocol
from aspose_ocr_provider.hooks.aspose_ocr import AsposeOcrAsyncHook
from aspose_ocr_provider.hooks.token_cache import TokenCache
from aspose_ocr_provider.models import RECOGNIZE_TABLE_PATH, TOKEN_PATH, TableSettings, TaskStatus
from tests.hooks.conftest import CONN_ID, FAST_RETRIES, HookClient, png

CSV = "Item,Qty\nApples,3\nPears,5\n"


def test_round_trip_submit_status_result_cancel(client: HookClient, connection: EmulatorHandle) -> None:
    image = png(1)
    connection.add_fixture(image, CSV)
    task_id = client("submit_table", image, TableSettings(language="english"))
    connection.wait_idle()
    status = client("get_status", task_id)
    assert status.id == task_id and status.task_status is TaskStatus.COMPLETED and not status.results
    result = client("get_result", task_id)
    assert result.task_status is TaskStatus.COMPLETED
    assert result.csv is not None
    # The service puts a row of column numbers above the table; the table itself follows verbatim.
    assert result.csv.splitlines()[-3:] == CSV.splitlines()
    client("cancel", task_id)
    assert connection.count("DELETE", RECOGNIZE_TABLE_PATH) == 1


def test_many_calls_share_one_token(client: HookClient, connection: EmulatorHandle) -> None:
    ids = [client("submit_table", png(i)) for i in range(5)]
    for task_id in ids:
        client("get_status", task_id)
    assert connection.count("POST", TOKEN_PATH) == 1
    assert connection.count("POST", RECOGNIZE_TABLE_PATH) == 5


def test_revoked_token_is_refreshed_once_and_the_call_succeeds(
    client: HookClient, connection: EmulatorHandle
) -> None:
    task_id = client("submit_table", png(2))
    connection.revoke_tokens()
    assert client("get_status", task_id).id == task_id
    statuses = [r.status for r in connection.requests if r.endpoint == "status"]
    assert statuses == [401, 200]
    assert connection.count("POST", TOKEN_PATH) == 2


def test_expired_token_is_refreshed(client: HookClient, connection: EmulatorHandle) -> None:
    task_id = client("submit_table", png(3))
    connection.advance_clock(connection.config.token_ttl + 1)
    assert client("get_status", task_id).id == task_id
    assert connection.count("POST", TOKEN_PATH) == 2


def test_a_token_refused_twice_is_an_auth_error_not_a_loop(
    client: HookClient, connection: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tokens from another server (token_url elsewhere) are never accepted by this one.
    with run_emulator(client_secret=connection.client_secret) as other:
        conn = json.loads(connection.airflow_conn_json(token_url=other.url + TOKEN_PATH))
        monkeypatch.setenv("AIRFLOW_CONN_ASPOSE_OCR_ELSEWHERE", json.dumps(conn))
        elsewhere = HookClient(client.kind, conn_id="aspose_ocr_elsewhere")
        with pytest.raises(AsposeOcrAuthError) as err:
            elsewhere("get_status", "some-id")
        assert other.count("POST", TOKEN_PATH) == 2
    assert connection.count("GET", "/v5.0/ocr/Utilities/GetTaskStatus") == 2
    assert "refused a freshly issued token" in str(err.value) and "'aspose_ocr_elsewhere'" in str(err.value)


@pytest.mark.parametrize("kind", ["503", "429"])
def test_transient_failure_then_success_waits_what_retry_after_asked(
    client: HookClient, connection: EmulatorHandle, kind: str
) -> None:
    connection.configure(faults={"submit": {"rate": 1.0, "kinds": [kind], "retry_after": 1}}, fault_seed=1)
    # The service recovers while the hook waits: the next attempt must succeed.
    client.on_sleep = lambda _seconds: connection.configure(faults={})
    task_id = client("submit_table", png(5))
    assert task_id
    submits = [r for r in connection.requests if r.endpoint == "submit"]
    assert [r.status for r in submits] == [int(kind), 200]
    assert client.delays == [1.0]
    assert submits[1].time - submits[0].time >= 1.0 - 0.05


def test_persistent_5xx_gives_up_after_the_configured_retries(
    client: HookClient, connection: EmulatorHandle
) -> None:
    connection.configure(faults={"status": {"rate": 1.0, "kinds": ["500"]}}, fault_seed=1)
    with pytest.raises(AsposeOcrApiError) as err:
        client("get_status", "some-id")
    assert err.value.status == 500
    assert f"after {FAST_RETRIES['max_retries'] + 1} attempt(s)" in str(err.value)
    assert connection.count("GET", "/v5.0/ocr/Utilities/GetTaskStatus") == FAST_RETRIES["max_retries"] + 1
    assert len(client.delays) == FAST_RETRIES["max_retries"]


def test_dropped_connections_are_retried(client: HookClient, connection: EmulatorHandle) -> None:
    connection.configure(faults={"status": {"rate": 1.0, "kinds": ["drop"]}}, fault_seed=1)
    client.on_sleep = lambda _seconds: connection.configure(faults={})
    task_id = client("submit_table", png(6))
    assert client("get_status", task_id).id == task_id
    statuses = [r.status for r in connection.requests if r.endpoint == "status"]
    # aiohttp itself resends an idempotent request once when a reused keep-alive connection drops.
    assert statuses[-1] == 200 and statuses[:-1] and set(statuses[:-1]) == {None}
    assert len(client.delays) == 1


def test_a_400_is_not_retried_and_carries_the_server_message(
    client: HookClient, connection: EmulatorHandle
) -> None:
    bad = protocol.ApiCall("POST", RECOGNIZE_TABLE_PATH, json_body={"image": "not base64!", "settings": {}})
    with pytest.raises(AsposeOcrApiError) as err:
        client("_call", bad)
    assert err.value.status == 400
    assert "image" in err.value.message and "base64" in err.value.message
    assert connection.count("POST", RECOGNIZE_TABLE_PATH) == 1
    assert client.delays == []


def test_test_connection_succeeds_and_fails_in_words(
    client: HookClient, connection: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok, message = client("test_connection")
    assert ok, message
    assert "emulator-client-id" in message
    conn = json.loads(connection.airflow_conn_json(**FAST_RETRIES))
    conn["password"] = "wrong-secret"
    monkeypatch.setenv("AIRFLOW_CONN_ASPOSE_OCR_BAD", json.dumps(conn))
    ok, message = HookClient(client.kind, conn_id="aspose_ocr_bad")("test_connection")
    assert not ok
    assert "rejected client id 'emulator-client-id'" in message
    assert "'aspose_ocr_bad'" in message and "wrong-secret" not in message


def test_rejected_credentials_raise_auth_error_naming_the_connection(
    client: HookClient, connection: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = json.loads(connection.airflow_conn_json())
    conn["login"] = "nobody"
    monkeypatch.setenv("AIRFLOW_CONN_ASPOSE_OCR_BAD", json.dumps(conn))
    bad = HookClient(client.kind, conn_id="aspose_ocr_bad")
    with pytest.raises(AsposeOcrAuthError) as err:
        bad("submit_table", png(7))
    assert err.value.conn_id == "aspose_ocr_bad" and err.value.client_id == "nobody"
    assert "rejected client id 'nobody'" in str(err.value)
    assert connection.count("POST", TOKEN_PATH) == 1  # a 400 from the token endpoint is final


def test_unreachable_host_is_reported_with_the_url(
    client: HookClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv(
        "AIRFLOW_CONN_ASPOSE_OCR_DOWN",
        json.dumps(
            {
                "conn_type": "aspose_ocr",
                "login": "id",
                "password": "pw",
                "host": f"http://127.0.0.1:{port}",
                "extra": {**FAST_RETRIES, "max_retries": 1},
            }
        ),
    )
    down = HookClient(client.kind, conn_id="aspose_ocr_down")
    with pytest.raises(AsposeOcrUnreachableError) as err:
        down("get_status", "x")
    assert f"http://127.0.0.1:{port}/connect/token" in str(err.value)
    assert "after 2 attempt(s)" in str(err.value) and "'aspose_ocr_down'" in str(err.value)
    ok, message = down("test_connection")
    assert not ok and "Could not reach" in message


async def test_async_with_shares_one_session_and_token(connection: EmulatorHandle) -> None:
    cache = TokenCache()
    async with AsposeOcrAsyncHook(aspose_ocr_conn_id=CONN_ID) as hook:
        hook.token_cache = cache
        ids = await asyncio.gather(*(hook.submit_table(png(10 + i)) for i in range(8)))
        results = await asyncio.gather(*(hook.get_status(t) for t in ids))
    assert [r.id for r in results] == list(ids)
    assert connection.count("POST", TOKEN_PATH) == 1


def test_threads_sharing_one_sync_hook_fetch_one_token(connection: EmulatorHandle) -> None:
    from concurrent.futures import ThreadPoolExecutor

    client = HookClient("sync")
    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda i: client("submit_table", png(20 + i)), range(16)))
    assert len(set(ids)) == 16
    assert connection.count("POST", TOKEN_PATH) == 1


class _Clock:
    """A monotonic clock the test moves, in step with the emulator's clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_token_is_renewed_shortly_before_expires_in_without_a_401(
    client: HookClient, connection: EmulatorHandle
) -> None:
    connection.configure(token_ttl=100)
    clock = _Clock()
    client.cache.clock = clock
    task_id = client("submit_table", png(30))
    for elapsed in (50, 85):  # still well inside the lifetime: the cached token is used
        connection.advance_clock(elapsed - (clock.now - 1000.0))
        clock.now = 1000.0 + elapsed
        client("get_status", task_id)
    assert connection.count("POST", TOKEN_PATH) == 1
    connection.advance_clock(95 - 85)  # 10 s before expiry: renewed before the server refuses it
    clock.now = 1000.0 + 95
    client("get_status", task_id)
    assert connection.count("POST", TOKEN_PATH) == 2
    assert 401 not in [r.status for r in connection.requests]


def test_credential_lockout_fails_at_once_with_the_wait_in_words(
    client: HookClient, connection: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = json.loads(connection.airflow_conn_json())
    conn["password"] = "wrong-secret"
    monkeypatch.setenv("AIRFLOW_CONN_ASPOSE_OCR_BAD", json.dumps(conn))
    bad = HookClient(client.kind, conn_id="aspose_ocr_bad")
    for _ in range(connection.config.token_failure_limit + 1):
        assert not bad("test_connection")[0]
    ok, message = bad("test_connection")
    assert not ok
    assert "HTTP 429" in message and "wait 600 s" in message and "'aspose_ocr_bad'" in message
    assert bad.delays == []


def test_an_emulator_on_a_reused_port_is_not_sent_the_earlier_ones_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The OS gives ports out again; a token the process cached for an earlier emulator at the
    same address is forgotten when the new one starts, so its first request is not a 401."""
    from aspose_ocr_provider.hooks.aspose_ocr import AsposeOcrHook

    with run_emulator() as first:
        monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", first.airflow_conn_json(**FAST_RETRIES))
        AsposeOcrHook(aspose_ocr_conn_id=CONN_ID).submit_table(png(1))
        port = int(first.url.rsplit(":", 1)[1])
    with run_emulator(port=port) as second:
        AsposeOcrHook(aspose_ocr_conn_id=CONN_ID).submit_table(png(2))
        assert [r.status for r in second.requests if r.path == RECOGNIZE_TABLE_PATH] == [200]

"""The client secret and bearer tokens never reach a log line, an exception text or a repr."""

from __future__ import annotations

import json
import logging
import traceback

import pytest

from aspose_ocr_provider.emulator.testing import EmulatorHandle
from aspose_ocr_provider.exceptions import AsposeOcrError
from aspose_ocr_provider.hooks.connection_settings import AsposeOcrConnectionSettings
from tests.hooks.conftest import HookClient, png

BAD_SECRET = "Wr0ng-Known-Secret-Value"


def _exception_text(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)) + repr(exc)


def test_secret_and_tokens_never_appear_in_logs_or_errors(
    client: HookClient,
    connection: EmulatorHandle,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)  # urllib3 and aiohttp debug lines included
    seen: list[str] = []
    tokens: list[str] = []

    def remember_token() -> None:
        settings = client.hook._settings
        token = client.cache.get(settings.cache_key)
        assert token
        tokens.append(token)

    task_id = client("submit_table", png(1))
    remember_token()
    connection.revoke_tokens()  # the next call gets a 401, refreshes, retries
    connection.configure(faults={"result": {"rate": 1.0, "kinds": ["503"], "retry_after": 0}})
    client.on_sleep = lambda _s: connection.configure(faults={})
    client("get_result", task_id)
    remember_token()
    seen.append(client.hook.tally.summary() or "")  # the one line the operators log per batch
    ok, message = client("test_connection")
    seen.append(message)
    remember_token()

    # A second connection with a wrong secret: the failure names the client id, never the secret.
    conn = json.loads(connection.airflow_conn_json())
    conn["password"] = BAD_SECRET
    monkeypatch.setenv("AIRFLOW_CONN_ASPOSE_OCR_BAD", json.dumps(conn))
    bad = HookClient(client.kind, conn_id="aspose_ocr_bad")
    with pytest.raises(AsposeOcrError) as err:
        bad("get_status", task_id)
    seen.append(_exception_text(err.value))
    seen.append(bad("test_connection")[1])
    seen += [repr(client.hook), repr(bad.hook), repr(client.hook._settings), repr(client.cache._tokens)]

    captured = capsys.readouterr()
    seen += [captured.out, captured.err]
    seen += [record.getMessage() for record in caplog.records]
    seen += [_exception_text(r.exc_info[1]) for r in caplog.records if r.exc_info and r.exc_info[1]]
    haystack = "\n".join(seen)

    assert ok and len(set(tokens)) == 3  # first, refreshed after the 401, and the Test button's own
    assert "1 request(s) retried (1x HTTP 503)" in haystack  # the summary the operators log names the retry
    for secret in (connection.client_secret, BAD_SECRET, *tokens):
        assert secret not in haystack


def test_secret_and_token_are_registered_with_airflows_masker(
    client: HookClient, connection: EmulatorHandle
) -> None:
    try:
        from airflow.sdk.log import _secrets_masker
    except ImportError:  # Airflow 3.0
        from airflow.sdk.execution_time.secrets_masker import _secrets_masker

    client("submit_table", png(2))
    token = client.cache.get(client.hook._settings.cache_key)
    assert token
    redacted = _secrets_masker().redact(f"secret={connection.client_secret} bearer={token}")
    assert connection.client_secret not in redacted and token not in redacted


def test_settings_repr_hides_the_secret() -> None:
    settings = AsposeOcrConnectionSettings(conn_id="c", client_id="id", client_secret="hidden-value")
    assert "hidden-value" not in repr(settings) and "hidden-value" not in str(settings)
    assert "hidden-value" not in settings.cache_key

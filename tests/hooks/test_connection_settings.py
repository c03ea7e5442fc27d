"""The ``aspose_ocr`` connection in its URI and JSON forms, defaults, and bad values in words."""

from __future__ import annotations

import json
import random

import pytest

from aspose_ocr_provider.compat import Connection
from aspose_ocr_provider.emulator.testing import EmulatorHandle
from aspose_ocr_provider.exceptions import AsposeOcrConfigError
from aspose_ocr_provider.hooks.aspose_ocr import AsposeOcrHook
from aspose_ocr_provider.hooks.connection_settings import AsposeOcrConnectionSettings
from aspose_ocr_provider.hooks.retry_policy import RetryPolicy, parse_retry_after
from aspose_ocr_provider.models import DEFAULT_BASE_URL, TOKEN_PATH
from tests.airflow_runs import connection_from_uri


def settings_of(conn: Connection) -> AsposeOcrConnectionSettings:
    return AsposeOcrConnectionSettings.from_connection(conn, "c")


def test_empty_host_means_the_public_service() -> None:
    s = settings_of(Connection(conn_id="c", conn_type="aspose_ocr", login="id", password="pw"))
    assert s.base_url == DEFAULT_BASE_URL and s.token_url == DEFAULT_BASE_URL + TOKEN_PATH
    assert s.verify_ssl and s.retry == RetryPolicy()


@pytest.mark.parametrize(
    ("uri", "base_url"),
    [
        ("aspose-ocr://my%2Fid:p%40ss@127.0.0.1:8080?scheme=http", "http://127.0.0.1:8080"),
        ("aspose-ocr://http://my%2Fid:p%40ss@127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("aspose-ocr://my%2Fid:p%40ss@api.example.test", "https://api.example.test"),
    ],
)
def test_uri_forms(uri: str, base_url: str) -> None:
    conn = connection_from_uri(uri, conn_id="c")
    assert conn.conn_type == "aspose_ocr"
    s = settings_of(conn)
    assert (s.client_id, s.client_secret, s.base_url) == ("my/id", "p@ss", base_url)
    assert s.token_url == base_url + TOKEN_PATH


def test_uri_extras_are_read_from_strings() -> None:
    conn = connection_from_uri(
        "aspose-ocr://id:pw@h.test?timeout=5&verify_ssl=false&max_retries=2&backoff_base=0.5"
        "&token_url=https%3A%2F%2Fauth.test%2Fconnect%2Ftoken",
        conn_id="c",
    )
    s = settings_of(conn)
    assert (s.timeout, s.verify_ssl, s.retry.max_retries, s.retry.backoff_base) == (5.0, False, 2, 0.5)
    assert s.token_url == "https://auth.test/connect/token"


def test_json_and_uri_env_connections_reach_the_emulator(
    aspose_ocr_emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = aspose_ocr_emulator
    port = emu.url.rsplit(":", 1)[1]
    monkeypatch.setenv("AIRFLOW_CONN_OCR_JSON", emu.airflow_conn_json(timeout=10))
    monkeypatch.setenv(
        "AIRFLOW_CONN_OCR_URI",
        f"aspose-ocr://{emu.client_id}:{emu.client_secret}@127.0.0.1:{port}?scheme=http",
    )
    for conn_id in ("ocr_json", "ocr_uri"):
        ok, message = AsposeOcrHook(aspose_ocr_conn_id=conn_id).test_connection()
        assert ok, message


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"login": ""}, "no Client ID (login)"),
        ({"password": None}, "no Client Secret (password)"),
        ({"extra": json.dumps({"timout": 3})}, "unknown extra field(s) ['timout']"),
        ({"extra": json.dumps({"timeout": "soon"})}, "extra timeout must be a number"),
        ({"extra": json.dumps({"max_retries": 1.5})}, "extra max_retries must be a whole number"),
        ({"extra": json.dumps({"verify_ssl": "maybe"})}, "extra verify_ssl must be true or false"),
        ({"extra": json.dumps({"token_url": "auth.test/token"})}, "must be a full http(s) URL"),
        ({"host": "ftp://files.test"}, "is not an API base URL"),
    ],
)
def test_bad_values_are_named(fields: dict, words: str) -> None:
    kwargs = {"conn_id": "c", "conn_type": "aspose_ocr", "login": "id", "password": "pw", **fields}
    with pytest.raises(AsposeOcrConfigError) as err:
        settings_of(Connection(**kwargs))
    assert words in str(err.value) and "'c'" in str(err.value)


def test_ui_prefixed_and_blank_extras() -> None:
    extra = {"extra__aspose_ocr__timeout": "7", "token_url": "", "verify_ssl": None}
    s = settings_of(
        Connection(conn_id="c", conn_type="aspose_ocr", login="i", password="p", extra=json.dumps(extra))
    )
    assert s.timeout == 7.0 and s.verify_ssl and s.token_url.endswith(TOKEN_PATH)


def test_backoff_grows_with_jitter_under_the_cap_and_retry_after_wins() -> None:
    policy = RetryPolicy(backoff_base=1.0, backoff_max=8.0)
    rng = random.Random(0)
    for attempt in range(6):
        step = min(8.0, 2.0**attempt)
        delays = {policy.backoff(attempt, rng) for _ in range(50)}
        assert all(step / 2 <= d <= step for d in delays) and len(delays) > 1
    assert policy.delay(3, retry_after=2.5) == 2.5
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None

"""The ``aspose-ocr-emulator`` command, started as a separate process and driven by plain HTTP."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.emulator.conftest import make_png

SCRIPT = Path(sys.executable).with_name("aspose-ocr-emulator")


@contextmanager
def cli(*args: str, module: bool = False) -> Iterator[str]:
    """Start the emulator process on port 0 and yield the URL it announces on its first line."""
    command = (
        [sys.executable, "-m", "aspose_ocr_provider.emulator"]
        if module or not SCRIPT.exists()
        else [str(SCRIPT)]
    )
    env = {**os.environ, "PYTHONUNBUFFERED": "0"}
    proc = subprocess.Popen(
        [*command, "--port", "0", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.fullmatch(r"Listening on (http://127\.0\.0\.1:(\d+))\n", line)
        assert match, (
            f"first line was {line!r}; stderr: {proc.stderr.read() if proc.poll() is not None and proc.stderr else ''}"
        )
        assert int(match.group(2)) > 0
        yield match.group(1)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0


def http(
    method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def admin(url: str, path: str, payload: dict[str, Any] | None = None) -> Any:
    body = None if payload is None else json.dumps(payload).encode()
    status, _, data = http("GET" if body is None else "POST", url + "/_emulator/" + path, body)
    assert status == 200, data
    return json.loads(data)


def token(url: str, client_id: str = "emulator-client-id", secret: str = "emulator-client-secret") -> str:
    form = urlencode(
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    ).encode()
    status, ctype, data = http(
        "POST", url + "/connect/token", form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 200, data
    assert ctype.startswith("application/json")
    return str(json.loads(data)["access_token"])


@pytest.fixture
def fixtures(tmp_path: Path) -> Path:
    (tmp_path / "sales.png").write_bytes(make_png(1))
    (tmp_path / "sales.csv").write_text("Region,Units\nNorth,12\nSouth,7\n", encoding="utf-8")
    return tmp_path


def test_cli_serves_the_whole_workflow(fixtures: Path) -> None:
    with cli("--fixtures", str(fixtures), "--pending-polls", "2", "--processing-polls", "1") as url:
        auth = {"Authorization": "Bearer " + token(url)}
        body = json.dumps(
            {"image": base64.b64encode(make_png(1)).decode(), "settings": {"resultTypeTable": "Csv"}}
        )
        status, ctype, data = http(
            "POST",
            url + "/v5.0/ocr/RecognizeTable",
            body.encode(),
            {**auth, "Content-Type": "application/json"},
        )
        assert (status, ctype) == (200, "text/plain; charset=utf-8")
        task_id = data.decode()
        seen = []
        for _ in range(10):
            status, ctype, data = http("GET", f"{url}/v5.0/ocr/RecognizeTable?id={task_id}", None, auth)
            assert (status, ctype) == (200, "application/json; charset=utf-8")
            answer = json.loads(data)
            seen.append(answer["taskStatus"])
            if answer["taskStatus"] == "Completed":
                break
        assert seen[:3] == ["Pending", "Pending", "Processing"]
        assert seen[-1] == "Completed"
        csv_text = base64.b64decode(answer["results"][0]["data"]).decode("utf-8")
        assert csv_text == "0,1\nRegion,Units\nNorth,12\nSouth,7\n"
        stats = admin(url, "stats")
        assert stats["endpoints"] == {"token": 1, "submit": 1, "result": len(seen)}


def test_cli_module_form_and_admin_routes(fixtures: Path) -> None:
    env_secret = "from-the-environment"
    os.environ["ASPOSE_OCR_EMULATOR_CLIENT_SECRET"] = env_secret
    try:
        with cli("--fixtures", str(fixtures), "--token-ttl", "100", "--fault-seed", "3", module=True) as url:
            status, _, data = http(
                "POST",
                url + "/connect/token",
                urlencode(
                    {
                        "grant_type": "client_credentials",
                        "client_id": "emulator-client-id",
                        "client_secret": "emulator-client-secret",
                    }
                ).encode(),
                {"Content-Type": "application/x-www-form-urlencoded"},
            )
            assert status == 400 and json.loads(data)["error"] == "invalid_client"
            tok = token(url, secret=env_secret)
            auth = {"Authorization": "Bearer " + tok}
            assert http("GET", url + "/v5.0/ocr/Utilities/GetTaskStatus?id=x", None, auth)[0] == 200
            config = admin(url, "config")
            assert config["token_ttl"] == 100
            assert "client_secret" not in config and env_secret not in json.dumps(config)
            admin(url, "advance-clock", {"seconds": 100})
            assert http("GET", url + "/v5.0/ocr/Utilities/GetTaskStatus?id=x", None, auth)[0] == 401
            auth = {"Authorization": "Bearer " + token(url, secret=env_secret)}
            assert admin(url, "revoke-tokens", {})["revoked"] == 1
            assert http("GET", url + "/v5.0/ocr/Utilities/GetTaskStatus?id=x", None, auth)[0] == 401
            auth = {"Authorization": "Bearer " + token(url, secret=env_secret)}
            admin(url, "config", {"faults": {"status": {"rate": 1.0, "kinds": ["502"]}}})
            assert http("GET", url + "/v5.0/ocr/Utilities/GetTaskStatus?id=x", None, auth)[0] == 502
            status, _, data = http(
                "POST", url + "/_emulator/config", json.dumps({"faults": {"nope": {}}}).encode()
            )
            assert status == 400 and "valid endpoints" in json.loads(data)["detail"]
            image = make_png(9)
            admin(url, "fixtures", {"image": base64.b64encode(image).decode(), "csv": "a\n"})
            requests = admin(url, "requests")
            assert all(env_secret not in json.dumps(r) and tok not in json.dumps(r) for r in requests)
    finally:
        del os.environ["ASPOSE_OCR_EMULATOR_CLIENT_SECRET"]


def test_cli_fault_flags() -> None:
    with cli("--fault", "token:1:429", "--fault-retry-after", "9") as url:
        form = urlencode({"grant_type": "client_credentials"}).encode()
        request = urllib.request.Request(url + "/connect/token", data=form, method="POST")
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=30)
        assert caught.value.code == 429
        assert caught.value.headers["Retry-After"] == "9"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--fault", "result"], "ENDPOINT:RATE"),
        (["--fault", "results:0.1"], "valid endpoints"),
        (["--fault", "result:0.1:teapot"], "valid kinds"),
        (["--engine", "magic"], "invalid choice"),
        (["--retention", "0"], "retention"),
    ],
)
def test_cli_bad_flags_fail_in_words(args: list[str], words: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "aspose_ocr_provider.emulator", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert words in proc.stderr
    assert proc.stdout == ""


def test_console_script_is_installed() -> None:
    if shutil.which("aspose-ocr-emulator", path=str(SCRIPT.parent)) is None:
        pytest.skip("package not installed into this venv (pip install -e .)")
    proc = subprocess.run([str(SCRIPT), "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert "--fixtures" in proc.stdout


def test_emulator_process_serves_and_stops() -> None:
    from aspose_ocr_provider.emulator.process import EmulatorProcess

    with EmulatorProcess("--pending-polls", "0") as emulator:
        assert emulator.url.startswith("http://127.0.0.1:")
        stats = emulator.stats()
        assert stats["engine"] == "fixtures"
        assert stats["tasks"]["submitted"] == 0
    assert emulator.proc.returncode is not None


def test_emulator_process_reports_a_command_that_does_not_start() -> None:
    from aspose_ocr_provider.emulator.process import EmulatorProcess

    with pytest.raises(RuntimeError, match="did not announce its address"):
        EmulatorProcess("--engine", "no-such-engine")

"""The in-process form: run_emulator, the handle's controls, and the pytest fixtures."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import aiohttp
import pytest

from aspose_ocr_provider.emulator.testing import EmulatorHandle, run_emulator
from aspose_ocr_provider.models import RECOGNIZE_TABLE_PATH, TaskStatus
from tests.emulator.conftest import Api, make_png


def test_airflow_conn_json(emu: EmulatorHandle) -> None:
    conn = json.loads(emu.airflow_conn_json(poll_interval=0.1))
    assert conn == {
        "conn_type": "aspose_ocr",
        "login": "emulator-client-id",
        "password": "emulator-client-secret",
        "host": emu.url,
        "extra": {"poll_interval": 0.1},
    }
    assert emu.url.startswith("http://127.0.0.1:")


def test_connection_fixture_sets_the_default_connection(aspose_ocr_connection: EmulatorHandle) -> None:
    assert os.environ["AIRFLOW_CONN_ASPOSE_OCR_DEFAULT"] == aspose_ocr_connection.airflow_conn_json()


async def test_handle_counts_and_records(api: Api, emu: EmulatorHandle) -> None:
    emu.configure(pending_polls=0, processing_polls=0)
    image = make_png(1)
    emu.add_fixture(image, "a,b\n1,2\n")
    task_id = await api.submit(image, {"resultTypeTable": "Csv"})
    assert emu.task_status(task_id) in (TaskStatus.PROCESSING, TaskStatus.COMPLETED)
    emu.wait_idle()
    assert emu.task_status(task_id) is TaskStatus.COMPLETED
    await api.get(task_id)
    await api.get(task_id, path="/V5.0/ocr/recognizeTABLE")
    assert emu.count("POST", RECOGNIZE_TABLE_PATH) == 1
    assert emu.count("GET", RECOGNIZE_TABLE_PATH + "?id=whatever") == 2
    assert emu.count("DELETE", RECOGNIZE_TABLE_PATH) == 0
    last = emu.requests[-1]
    assert (last.method, last.path, last.query, last.status) == (
        "GET",
        "/V5.0/ocr/recognizeTABLE",
        {"id": task_id},
        200,
    )
    assert emu.stats()["tasks"]["by_status"] == {"Completed": 1}


def test_two_emulators_are_independent() -> None:
    with run_emulator() as one, run_emulator(client_id="other", client_secret="pw") as two:
        assert one.url != two.url
        assert json.loads(two.airflow_conn_json())["login"] == "other"


def test_bad_config_fails_before_starting() -> None:
    with pytest.raises(ValueError, match="settable here"), run_emulator(pending_pols=1):
        pass
    with pytest.raises(ValueError, match="pending_polls"), run_emulator(pending_polls=-1):
        pass


def test_engine_without_fixtures_refuses_add_fixture() -> None:
    class Nothing:
        name = "nothing"

        def recognize(self, image: bytes, settings: object) -> list[object]:
            return []

    with run_emulator(engine=Nothing()) as emu, pytest.raises(TypeError, match="takes no fixtures"):  # type: ignore[arg-type]
        emu.add_fixture(b"x", "a\n")


async def test_engine_finding_no_table_completes_without_results() -> None:
    class Empty:
        name = "empty"

        def recognize(self, image: bytes, settings: object) -> list[object]:
            return []

    with run_emulator(engine=Empty(), pending_polls=0, processing_polls=0) as emu:  # type: ignore[arg-type]
        async with aiohttp.ClientSession() as session:
            api = Api(session, emu)
            body = await api.wait_final(await api.submit(make_png(3)))
    assert (body["taskStatus"], body["responseStatusCode"], body["results"]) == (
        "Completed",
        "NoAnyResultData",
        None,
    )


def test_importing_testing_does_not_import_pytest() -> None:
    code = "import sys, aspose_ocr_provider.emulator.testing as t; print('pytest' in sys.modules, hasattr(t, 'run_emulator'))"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert proc.stdout.split() == ["False", "True"]


def test_engine_can_be_chosen_by_name() -> None:
    with pytest.raises(ValueError, match="fixtures"), run_emulator(engine="no-such-engine"):
        pass
    with run_emulator(engine="fixtures") as emu:
        assert emu.url.startswith("http://127.0.0.1:")

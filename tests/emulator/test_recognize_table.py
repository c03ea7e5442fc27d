"""POST / GET / DELETE RecognizeTable and GetTaskStatus: the wire contract, over real HTTP."""

from __future__ import annotations

import base64
import csv
import io
import uuid
from pathlib import Path

import pytest
from openpyxl import load_workbook

from aspose_ocr_provider.emulator.testing import EmulatorHandle, run_emulator
from aspose_ocr_provider.models import (
    RECOGNIZE_TABLE_PATH,
    TASK_STATUS_PATH,
    TableSettings,
    TaskResult,
    TaskStatus,
    recognize_table_body,
)
from tests.emulator.conftest import Api, decode, make_png

ROWS = [["Item", "Qty", "Price"], ["Apple", "3", "1.50"], ["Pear, green", "10", "0.99"]]


def expected_csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([str(i) for i in range(len(rows[0]))])
    writer.writerows(rows)
    return buffer.getvalue()


async def test_post_answers_bare_guid_as_text_plain(api: Api, emu: EmulatorHandle) -> None:
    image = make_png(1)
    emu.add_fixture_table(image, ROWS)
    resp = await api.submit_raw(recognize_table_body(image, TableSettings()))
    assert resp.status == 200
    assert resp.content_type == "text/plain"
    text = await resp.text()
    assert str(uuid.UUID(text)) == text


async def test_full_walk_pending_processing_completed_with_csv(api: Api, emu: EmulatorHandle) -> None:
    image = make_png(2)
    emu.add_fixture_table(image, ROWS)
    task_id = await api.submit(image, TableSettings().to_json())
    first = await api.get(task_id)
    assert first == {
        "id": task_id,
        "responseStatusCode": "NotReady",
        "taskStatus": "Pending",
        "results": None,
        "error": None,
    }
    second = await api.get(task_id)
    assert (second["taskStatus"], second["responseStatusCode"]) == ("Processing", "NotReady")
    final = await api.wait_final(task_id)
    assert list(final) == ["id", "responseStatusCode", "taskStatus", "results", "error"]
    assert (final["taskStatus"], final["responseStatusCode"], final["error"]) == ("Completed", "Ok", None)
    assert [r["type"] for r in final["results"]] == ["Csv"]
    assert decode(final["results"][0]).decode("utf-8") == expected_csv(ROWS)
    # The shared model reads it back the same way the provider will.
    assert TaskResult.from_json(final).csv == expected_csv(ROWS)


async def test_queue_timing_in_polls_is_configurable(api: Api, emu: EmulatorHandle) -> None:
    emu.configure(pending_polls=3, processing_polls=2)
    image = make_png(3)
    emu.add_fixture_table(image, ROWS)
    task_id = await api.submit(image, {"resultTypeTable": "Csv"})
    emu.wait_idle()
    seen = [(await api.get(task_id))["taskStatus"] for _ in range(6)]
    assert seen == ["Pending"] * 3 + ["Processing"] * 2 + ["Completed"]


async def test_queue_timing_in_seconds_follows_the_clock(api: Api, emu: EmulatorHandle) -> None:
    emu.configure(pending_polls=0, processing_polls=0, pending_seconds=5, processing_seconds=5)
    image = make_png(4)
    emu.add_fixture_table(image, ROWS)
    task_id = await api.submit(image, {"resultTypeTable": "Csv"})
    emu.wait_idle()
    assert (await api.get(task_id))["taskStatus"] == "Pending"
    assert emu.task_status(task_id) is TaskStatus.PENDING
    emu.advance_clock(5)
    assert (await api.get(task_id))["taskStatus"] == "Processing"
    emu.advance_clock(5)
    assert (await api.get(task_id))["taskStatus"] == "Completed"


async def test_get_task_status_has_status_without_results(api: Api, emu: EmulatorHandle) -> None:
    emu.configure(pending_polls=0, processing_polls=0)
    image = make_png(5)
    emu.add_fixture_table(image, ROWS)
    task_id = await api.submit(image, {"resultTypeTable": "Csv"})
    status = await api.wait_final(task_id, path=TASK_STATUS_PATH)
    assert (status["taskStatus"], status["responseStatusCode"], status["results"]) == (
        "Completed",
        "Ok",
        None,
    )
    full = await api.get(task_id)
    assert decode(full["results"][0]).decode() == expected_csv(ROWS)


@pytest.mark.parametrize(
    "path", ["/V5.0/OCR/RECOGNIZETABLE", "/v5.0/ocr/recognizetable", "/v5.0/RecognizeTable"]
)
async def test_paths_are_case_insensitive(api: Api, emu: EmulatorHandle, path: str) -> None:
    emu.configure(pending_polls=0, processing_polls=0)
    image = make_png(6)
    emu.add_fixture_table(image, ROWS)
    resp = await api.submit_raw(recognize_table_body(image), path=path)
    assert resp.status == 200
    task_id = await resp.text()
    body = await api.wait_final(task_id, path=path)
    assert body["taskStatus"] == "Completed"
    status = await api.get(task_id, path=TASK_STATUS_PATH.lower())
    assert status["taskStatus"] == "Completed"


@pytest.mark.parametrize("key", ["Rotate", "rotate", "ROTATE"])
async def test_rotate_in_either_case(api: Api, emu: EmulatorHandle, key: str) -> None:
    image = make_png(7)
    emu.add_fixture_table(image, ROWS)
    resp = await api.submit_raw(
        {"image": base64.b64encode(image).decode(), "settings": {key: 90, "resultTypeTable": "csv"}}
    )
    assert resp.status == 200
    assert (await api.wait_final(await resp.text()))["taskStatus"] == "Completed"


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"settings": {}}, "image", "required"),
        ({"image": "", "settings": {}}, "image", "required"),
        ({"image": base64.b64encode(b"x").decode()}, "settings", "required"),
        ({"image": "not base64!!", "settings": {}}, "image", "base64"),
        ({"image": "aGVsbG8", "settings": {}}, "image", "base64"),
        (
            {"image": "aGVsbG8=", "settings": {"resultTypeTable": "Pdf"}},
            "settings.resultTypeTable",
            "CsvAndExcel",
        ),
        ({"image": "aGVsbG8=", "settings": {"language": "Klingon"}}, "settings.language", "Klingon"),
        ({"image": "aGVsbG8=", "settings": {"dsrMode": "CraftPoly"}}, "settings.dsrMode", "CraftPoly"),
        (
            {"image": "aGVsbG8=", "settings": {"makeBinarization": "yes"}},
            "settings.makeBinarization",
            "true or false",
        ),
        ({"image": "aGVsbG8=", "settings": {"colour": 1}}, "settings.colour", "Unknown settings member"),
        ({"image": "aGVsbG8=", "settings": [1]}, "settings", "JSON object"),
        ({"image": "aGVsbG8=", "settings": {}, "extra": 1}, "extra", "Unknown member"),
        ("{not json", "$", "not valid JSON"),
        ("[1, 2]", "$", "JSON object"),
    ],
)
async def test_malformed_bodies_are_400_problem_json(api: Api, body: object, field: str, words: str) -> None:
    resp = await api.submit_raw(body)
    assert resp.status == 400
    assert resp.content_type == "application/problem+json"
    problem = await resp.json(content_type=None)
    assert problem["status"] == 400
    assert problem["title"] == "One or more validation errors occurred."
    assert words.lower() in " ".join(problem["errors"][field]).lower()


async def test_get_without_id_is_400(api: Api) -> None:
    for path in (RECOGNIZE_TABLE_PATH, TASK_STATUS_PATH):
        async with api.session.get(api.url + path, headers=await api.auth()) as resp:
            assert resp.status == 400
            assert "id" in (await resp.json(content_type=None))["errors"]


async def test_unknown_id_is_not_exist(api: Api) -> None:
    task_id = str(uuid.uuid4())
    for path in (RECOGNIZE_TABLE_PATH, TASK_STATUS_PATH):
        body = await api.get(task_id, path)
        assert (body["id"], body["taskStatus"], body["responseStatusCode"]) == (
            task_id,
            "NotExist",
            "TaskNotFound",
        )


async def test_cancel_then_not_exist(api: Api, emu: EmulatorHandle) -> None:
    image = make_png(8)
    emu.add_fixture_table(image, ROWS)
    task_id = await api.submit(image)
    async with api.session.delete(
        api.url + RECOGNIZE_TABLE_PATH, params={"id": task_id}, headers=await api.auth()
    ) as resp:
        assert resp.status == 200
        assert await resp.read() == b""
    assert (await api.get(task_id))["taskStatus"] == "NotExist"


async def test_results_expire_after_retention(api: Api, emu: EmulatorHandle) -> None:
    emu.configure(pending_polls=0, processing_polls=0, retention=3600, token_ttl=7200)
    image = make_png(9)
    emu.add_fixture_table(image, ROWS)
    task_id = await api.submit(image)
    assert (await api.wait_final(task_id))["taskStatus"] == "Completed"
    emu.advance_clock(3599)
    assert (await api.get(task_id))["taskStatus"] == "Completed"
    emu.advance_clock(1)
    assert (await api.get(task_id))["taskStatus"] == "NotExist"
    assert emu.stats()["tasks"]["held"] == 0


async def test_default_retention_is_a_day(api: Api, emu: EmulatorHandle) -> None:
    image = make_png(10)
    emu.add_fixture_table(image, ROWS)
    task_id = await api.submit(image)
    emu.wait_idle()
    emu.advance_clock(86399)
    assert emu.task_status(task_id) is not TaskStatus.NOT_EXIST
    emu.advance_clock(1)
    assert emu.task_status(task_id) is TaskStatus.NOT_EXIST


async def test_bytes_that_are_not_an_image_end_in_error(api: Api) -> None:
    task_id = await api.submit(b"%PDF-1.7 this is no table image")
    body = await api.wait_final(task_id)
    assert (body["taskStatus"], body["responseStatusCode"], body["results"]) == ("Error", "Error", None)
    assert "not an image" in body["error"]["messages"][0]
    task_id = await api.submit(b"hello")
    assert "not an image" in (await api.wait_final(task_id))["error"]["messages"][0]


async def test_image_without_fixture_ends_in_error(api: Api) -> None:
    body = await api.wait_final(await api.submit(make_png(11)))
    assert body["taskStatus"] == "Error"
    assert "knows no table for this image" in body["error"]["messages"][0]


async def test_result_types(api: Api, emu: EmulatorHandle) -> None:
    emu.configure(pending_polls=0, processing_polls=0)
    image = make_png(12)
    emu.add_fixture_table(image, ROWS)

    text = await api.wait_final(await api.submit(image, {"resultTypeTable": "Text"}))
    assert [r["type"] for r in text["results"]] == ["Text"]
    assert decode(text["results"][0]).decode() == "".join("\t".join(row) + "\n" for row in ROWS)

    default = await api.wait_final(await api.submit(image, {}))
    assert [r["type"] for r in default["results"]] == ["Text"]

    excel = await api.wait_final(await api.submit(image, {"resultTypeTable": "Excel"}))
    assert [r["type"] for r in excel["results"]] == ["Excel"]
    assert TaskResult.from_json(excel).result_of_kind("excel") is not None
    sheet = load_workbook(io.BytesIO(decode(excel["results"][0]))).worksheets[0]
    cells = [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert cells == list(csv.reader(io.StringIO(expected_csv(ROWS))))

    both = await api.wait_final(await api.submit(image, {"resultTypeTable": "CsvAndExcel"}))
    assert [r["type"] for r in both["results"]] == ["Csv", "Excel"]
    assert decode(both["results"][0]).decode() == expected_csv(ROWS)
    assert decode(both["results"][1]).startswith(b"PK\x03\x04")


async def test_several_tables_give_several_csv_results(api: Api, emu: EmulatorHandle) -> None:
    image = make_png(13)
    second = [["a", "b"], ["1", "2"]]
    emu.add_fixture(image, expected_csv(ROWS).split("\n", 1)[1] + "\n" + "a,b\n1,2\n")
    body = await api.wait_final(await api.submit(image, {"resultTypeTable": "Csv"}))
    assert [decode(r).decode() for r in body["results"]] == [expected_csv(ROWS), expected_csv(second)]


async def test_fixtures_folder_pairs_and_missing_folder(api: Api, tmp_path: Path) -> None:
    image = make_png(14)
    (tmp_path / "invoice.png").write_bytes(image)
    (tmp_path / "invoice.csv").write_text("Name,Total\nÅsa,12\n", encoding="utf-8")
    (tmp_path / "orphan.png").write_bytes(make_png(15))
    with run_emulator(fixtures_dir=str(tmp_path), pending_polls=0, processing_polls=0) as emu:
        api.emu, api.url, api._token = emu, emu.url, None
        body = await api.wait_final(await api.submit(image, {"resultTypeTable": "Csv"}))
        assert decode(body["results"][0]).decode("utf-8") == "0,1\nName,Total\nÅsa,12\n"
        # A pair added while it runs is picked up.
        late = make_png(16)
        (tmp_path / "late.png").write_bytes(late)
        (tmp_path / "late.csv").write_text("x\n", encoding="utf-8")
        body = await api.wait_final(await api.submit(late, {"resultTypeTable": "Csv"}))
        assert body["taskStatus"] == "Completed"
    with run_emulator(fixtures_dir=str(tmp_path / "missing")) as emu:
        api.emu, api.url, api._token = emu, emu.url, None
        body = await api.wait_final(await api.submit(image))
        assert body["taskStatus"] == "Error"
        assert str(tmp_path / "missing") in body["error"]["messages"][0]


async def test_unknown_path_and_wrong_method(api: Api) -> None:
    async with api.session.get(api.url + "/v5.0/ocr/RecognizeNothing") as resp:
        assert resp.status == 404
    async with api.session.put(api.url + RECOGNIZE_TABLE_PATH) as resp:
        assert resp.status == 405
        assert set(resp.headers["Allow"].split(", ")) == {"POST", "GET", "DELETE"}

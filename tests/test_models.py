"""The wire shapes every part shares: what goes out must be what the official SDK sends."""

from __future__ import annotations

import base64
import json

import pytest

from aspose_ocr_provider.models import (
    LANGUAGES,
    ProblemDetails,
    ResultItem,
    ResultTypeTable,
    TableSettings,
    TaskRef,
    TaskResult,
    TaskStatus,
    iter_task_ids,
    recognize_table_body,
    sniff_image_format,
    task_refs,
)


def test_default_settings_match_what_the_official_sdk_sends_plus_csv_output() -> None:
    assert TableSettings().to_json() == {
        "makeSkewCorrect": True,
        "makeSpellCheck": False,
        "makeContrastCorrection": False,
        "resultTypeTable": "Csv",
        "makeBinarization": True,
        "makeUpsampling": False,
    }


def test_full_settings_serialise_in_sdk_key_order_with_capital_rotate() -> None:
    settings = TableSettings.from_kwargs(
        language="german",
        result_type_table="csvandexcel",
        rotate=90,
        dsr_mode="LineDetector",
        dsr_confidence="high",
        result_type="JSON",
        regions=[(1, 2, 30, 40)],
    )
    assert list(settings.to_json()) == [
        "language",
        "makeSkewCorrect",
        "makeSpellCheck",
        "makeContrastCorrection",
        "resultTypeTable",
        "Rotate",
        "makeBinarization",
        "makeUpsampling",
        "dsrMode",
        "dsrConfidence",
        "resultType",
        "regions",
    ]
    wire = settings.to_json()
    assert wire["language"] == "German"
    assert wire["resultTypeTable"] == "CsvAndExcel"
    assert wire["dsrConfidence"] == "High"
    assert wire["regions"] == [
        {"rect": {"topLeftX": 1, "topLeftY": 2, "bottomRightX": 30, "bottomRightY": 40}, "order": 0}
    ]


@pytest.mark.parametrize(
    ("kwargs", "named", "lists"),
    [
        ({"language": "Klingon"}, "Klingon", "Ukrainan"),
        ({"result_type_table": "Xlsx"}, "result_type_table", "CsvAndExcel"),
        ({"dsr_mode": "CraftPoly"}, "dsr_mode", "LineDetector"),
        ({"dsr_confidence": "Max"}, "dsr_confidence", "Ultra"),
        ({"result_type": "Docx"}, "result_type", "TextAndPdfAndHocr"),
    ],
)
def test_unknown_enum_values_are_refused_with_the_valid_ones_listed(kwargs, named, lists) -> None:
    with pytest.raises(ValueError) as info:
        TableSettings.from_kwargs(**kwargs)
    assert named in str(info.value)
    assert lists in str(info.value)


def test_a_misspelt_setting_name_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="langauge"):
        TableSettings.from_kwargs(langauge="English")


def test_bad_region_and_rotate_values_say_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="empty"):
        TableSettings.from_kwargs(regions=[(10, 10, 5, 5)])
    with pytest.raises(ValueError, match="rotate"):
        TableSettings.from_kwargs(rotate="ninety")


def test_server_side_parsing_ignores_key_case_and_refuses_unknown_keys() -> None:
    assert TableSettings.from_json({"rotate": 5}).rotate == 5
    assert TableSettings.from_json({"Rotate": 5, "RESULTTYPETABLE": "excel"}).result_type_table is (
        ResultTypeTable.EXCEL
    )
    with pytest.raises(ValueError, match="colour"):
        TableSettings.from_json({"colour": "red"})


def test_language_list_is_the_154_names_of_the_contract() -> None:
    assert len(LANGUAGES) == len(set(LANGUAGES)) == 154
    assert {"English", "Ukrainan", "Kazah", "HWT_ENG", "Devanagari"} <= set(LANGUAGES)


def test_request_body_carries_base64_image_and_settings() -> None:
    body = recognize_table_body(b"\x89PNG\r\n\x1a\nxyz")
    assert base64.b64decode(body["image"]) == b"\x89PNG\r\n\x1a\nxyz"
    assert body["settings"]["resultTypeTable"] == "Csv"
    json.dumps(body)  # must be JSON-serialisable as sent


def test_task_result_round_trips_and_decodes_csv_with_bom() -> None:
    csv_bytes = "\ufeff0,1\nName,Qty\r\nApple,3\n".encode()
    wire = {
        "id": "abc",
        "responseStatusCode": "Ok",
        "taskStatus": "Completed",
        "results": [{"type": "Csv", "data": base64.b64encode(csv_bytes).decode()}],
        "error": None,
    }
    result = TaskResult.from_json(wire)
    assert result.task_status is TaskStatus.COMPLETED and result.task_status.is_final
    assert result.csv == "0,1\nName,Qty\r\nApple,3\n"
    assert TaskResult.from_json(result.to_json()) == result


def test_unknown_task_status_is_an_error_naming_valid_statuses() -> None:
    with pytest.raises(ValueError, match="NotExist"):
        TaskResult.from_json({"taskStatus": "Queued"})


def test_excel_results_are_recognised_by_their_bytes_not_their_label() -> None:
    xlsx = ResultItem(type="Xlsx", data=base64.b64encode(b"PK\x03\x04rest").decode())
    assert xlsx.kind == "excel"
    assert ResultItem(type="Csv", data=base64.b64encode(b"a,b").decode()).kind == "csv"


def test_invalid_base64_in_a_result_is_reported_in_words() -> None:
    with pytest.raises(ValueError, match="invalid base64"):
        _ = ResultItem(type="Csv", data="not base64!!").content


def test_error_messages_are_kept() -> None:
    result = TaskResult.from_json(
        {"taskStatus": "Error", "error": {"messages": ["bad image"], "warnings": None}}
    )
    assert result.messages == ("bad image",)
    assert not result.results


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n...", "png"),
        (b"\xff\xd8\xff\xe0...", "jpeg"),
        (b"GIF89a...", "gif"),
        (b"BM....", "bmp"),
        (b"II*\x00...", "tiff"),
        (b"MM\x00*...", "tiff"),
        (b"%PDF-1.7...", "pdf"),
        (b"hello", None),
        (b"", None),
    ],
)
def test_image_formats_are_sniffed_from_magic_bytes(data: bytes, kind: str | None) -> None:
    assert sniff_image_format(data) == kind


def test_problem_details_flatten_to_one_sentence() -> None:
    body = ProblemDetails(400, "One or more validation errors occurred.", errors={"image": ["required"]})
    assert ProblemDetails.message_of(body.to_json()) == (
        "One or more validation errors occurred. image: required"
    )
    assert ProblemDetails.message_of({"error": "invalid_client"}) == "invalid_client"


def test_task_ids_come_from_ids_lists_and_submit_records() -> None:
    records = [{"task_id": "a", "source": "x.png"}, {"task_id": "b", "source": "y.png"}]
    assert list(iter_task_ids("a")) == ["a"]
    assert list(iter_task_ids(["a", "b"])) == ["a", "b"]
    assert list(iter_task_ids(records)) == ["a", "b"]
    assert list(iter_task_ids(None)) == []


def test_task_refs_keep_sources_from_mapped_submits_and_rendered_templates() -> None:
    mapped = [[{"task_id": "a", "source": "x.png"}], [{"task_id": "b", "source": "y.png"}, "c"]]
    expected = [TaskRef("a", "x.png"), TaskRef("b", "y.png"), TaskRef("c")]
    assert task_refs(mapped) == expected
    assert task_refs(str(mapped)) == expected  # what Jinja renders without native objects
    assert task_refs(json.dumps(mapped)) == expected
    with pytest.raises(ValueError, match="no 'task_id'"):
        task_refs([{"source": "x.png"}])
    with pytest.raises(ValueError, match="rendered to"):
        task_refs("[not, a list")

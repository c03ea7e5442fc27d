"""The local engine against the samples' ground truth: structure, deskew, Rotate, regions, errors."""

from __future__ import annotations

import importlib
import sys

import cv2
import numpy as np
import pytest

from aspose_ocr_provider.emulator.engines import get_engine
from aspose_ocr_provider.emulator.engines.base import RecognitionError
from aspose_ocr_provider.models import Region, TableSettings

from .conftest import exact_rate, sample


def rows_of(tables):  # type: ignore[no-untyped-def]
    return [[list(row) for row in t.rows] for t in tables]


@pytest.mark.parametrize(
    ("stem", "minimum"),
    [
        ("ruled_merged_header", 0.95),  # merged cells spanning rows and columns
        ("ruled_two_tables", 0.95),  # several tables in one image
        ("ruled_rotated", 0.95),  # 2.5 degrees off, straightened by makeSkewCorrect
        ("unruled_staff", 0.85),  # no lines at all: rows and columns from alignment
    ],
)
def test_sample_matches_ground_truth(local_engine, stem: str, minimum: float) -> None:
    image, truth = sample(stem)
    got = local_engine.recognize(image, TableSettings())
    assert len(got) == len(truth)
    assert [t.width for t in got] == [t.width for t in truth]
    assert exact_rate(truth, rows_of(got)) >= minimum


def test_merged_cells_leave_the_spanned_cells_empty(local_engine) -> None:
    image, truth = sample("ruled_merged_header")
    header = local_engine.recognize(image, TableSettings())[0].rows[:2]
    assert header == truth[0].rows[:2]


def test_rotate_turns_the_image_before_reading(local_engine) -> None:
    image, truth = sample("ruled_invoice")
    gray = cv2.imdecode(np.frombuffer(image, np.uint8), cv2.IMREAD_GRAYSCALE)
    ok, turned = cv2.imencode(".png", cv2.rotate(gray, cv2.ROTATE_90_CLOCKWISE))
    assert ok
    got = local_engine.recognize(turned.tobytes(), TableSettings(rotate=90))
    assert exact_rate(truth, rows_of(got)) >= 0.95


def test_regions_limit_reading_to_their_rectangles(local_engine) -> None:
    image, truth = sample("ruled_two_tables")
    height, width = cv2.imdecode(np.frombuffer(image, np.uint8), cv2.IMREAD_GRAYSCALE).shape
    lower_half = Region.coerce((0, height // 2, width, height))
    got = local_engine.recognize(image, TableSettings(regions=(lower_half,)))
    assert len(got) == 1
    assert exact_rate(truth[1:], rows_of(got)) >= 0.95


def test_region_outside_the_image_is_refused_in_words(local_engine) -> None:
    image, _ = sample("ruled_two_tables")
    with pytest.raises(RecognitionError, match="outside the"):
        local_engine.recognize(image, TableSettings(regions=(Region.coerce((5000, 5000, 5100, 5100)),)))


def test_unreadable_image_fails_the_task_in_words(local_engine) -> None:
    with pytest.raises(RecognitionError, match="could not decode"):
        local_engine.recognize(b"not an image at all", TableSettings())


def test_blank_page_has_no_table(local_engine) -> None:
    _ok, blank = cv2.imencode(".png", np.full((200, 300), 255, np.uint8))
    assert local_engine.recognize(blank.tobytes(), TableSettings()) == []


def test_missing_extra_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "rapidocr", None)
    monkeypatch.delitem(sys.modules, "aspose_ocr_provider.emulator.engines.local", raising=False)
    with pytest.raises(ImportError, match=r"pip install 'airflow-provider-aspose-ocr\[local\]'"):
        importlib.import_module("aspose_ocr_provider.emulator.engines.local")
    with pytest.raises(RuntimeError, match=r"airflow-provider-aspose-ocr\[local\]"):
        get_engine("local")

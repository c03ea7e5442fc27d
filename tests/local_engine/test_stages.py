"""Issue 31's pages through the emulator's HTTP API with the staged local engine: a page turned
sideways gives the upright table, a framed table under a dark band gives its rows, a ruled table
with row spans keeps every row, a page that is only a table (no layout region) still gives it."""

from __future__ import annotations

import logging

import cv2
import numpy as np
import pytest

from aspose_ocr_provider.emulator.engines import local_regions
from aspose_ocr_provider.models import TableSettings

from .conftest import exact_rate, sample
from .drawn_pages import BAND_ROWS, SPAN_ROWS, band_table, span_table, turned


@pytest.mark.parametrize("degrees", [90, 270])
def test_a_page_turned_sideways_gives_the_upright_table(read_over_http, degrees: int) -> None:  # type: ignore[no-untyped-def]
    assert read_over_http(turned(span_table(), degrees)) == [SPAN_ROWS]


def test_the_heuristics_alone_read_a_turned_page_as_garbage() -> None:
    """What the orientation stage is for: without it the same page comes back transposed."""
    from aspose_ocr_provider.emulator.engines.local import LocalTableEngine

    got = LocalTableEngine(models=False).recognize(turned(span_table(), 90), TableSettings())
    assert [[list(r) for r in t.rows] for t in got] != [SPAN_ROWS]


def test_a_framed_zebra_table_under_a_dark_title_band_gives_its_rows(read_over_http) -> None:  # type: ignore[no-untyped-def]
    assert read_over_http(band_table()) == [BAND_ROWS]


def test_a_ruled_table_with_row_spans_keeps_every_row(read_over_http) -> None:  # type: ignore[no-untyped-def]
    assert read_over_http(span_table()) == [SPAN_ROWS]


def test_a_page_with_no_table_region_still_gives_its_table(read_over_http) -> None:  # type: ignore[no-untyped-def]
    """A noisy scan that is nothing but a table: the layout model calls the whole page a figure
    and finds no table region; the heuristics read the page instead."""
    image, truth = sample("unruled_noisy")
    gray = cv2.imdecode(np.frombuffer(image, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert not [r for r in local_regions.find_regions(gray) if r.label == "table"], "precondition: no region"
    assert exact_rate(truth, read_over_http(image)) >= 0.9


def test_the_strategy_of_each_table_is_logged(local_engine, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    image, _ = sample("ruled_zebra")
    with caplog.at_level(logging.DEBUG, logger="aspose_ocr_provider.emulator.engines"):
        local_engine.recognize(image, TableSettings())
    assert any("ruled grid" in r.getMessage() for r in caplog.records), [r.getMessage() for r in caplog.records]

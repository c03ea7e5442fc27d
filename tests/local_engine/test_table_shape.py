"""The engine's judgement of what is a table, on rows a reader can check by eye."""

from __future__ import annotations

import logging

import pytest

from aspose_ocr_provider.emulator.engines.local_shape import Candidate, one_per_region, why_not_a_table


def test_two_rows_of_two_aligned_cells_are_a_table() -> None:
    assert why_not_a_table([["Zone", "Moved"], ["Bulk A", "1,180"]]) is None


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        ([["Employee name", "Maria Jensen"]], "1 row(s)"),  # a lone form box
        ([["100"], ["90"], ["80"], ["Blue", "Green", "Red"]], "1 row(s)"),  # axis ticks and categories
        ([["A", "", ""], ["", "B", ""], ["C", "", "D"], ["", "E", "F"]], None),
        (
            [
                ["The survey covers private households in", "Hours worked per person fell slightly"],
                ["all regions and is weighted to the", "mainly because more people took part"],
            ],
            "running text",
        ),
    ],
)
def test_what_is_not_a_table_says_why(rows: list[list[str]], reason: str | None) -> None:
    why = why_not_a_table(rows)
    assert (why is None) if reason is None else (why is not None and reason in why)


def test_overlapping_candidates_come_back_once_the_fuller_one_kept(caplog: pytest.LogCaptureFixture) -> None:
    ruled = Candidate((0, 0, 100, 100), [["a", "b"], ["1", "2"]], "ruled")
    unruled = Candidate((5, 5, 95, 90), [["a", "b"], ["1", "2"], ["3", "4"]], "unruled")
    apart = Candidate((0, 200, 100, 260), [["x", "y"], ["5", "6"]], "unruled")
    with caplog.at_level(logging.DEBUG, logger="aspose_ocr_provider.emulator.engines.local_shape"):
        kept = one_per_region([ruled, apart, unruled])
    assert kept == [unruled, apart]
    assert "Left out a ruled table" in caplog.text

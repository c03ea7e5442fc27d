"""The bench's and tests' measure counts what a user copying rows out would count as wrong."""

from __future__ import annotations

from aspose_ocr_provider.emulator.engines.local_accuracy import score_precision, score_rows

TRUTH = [["Item", "Description", "Unit Price"], ["B-2210", "Gel pens, black, box of 12", "9.95"]]


def test_rows_found_cell_by_cell_among_extra_tables_rows_and_empty_columns() -> None:
    got = [["INVOICE", "", "No. 7"], ["Item", "", "Description", "Unit Price"], ["B-2210", "Gel pens, black, box of 12", "", "9.95"]]
    score = score_rows(TRUTH, got)
    assert (score.rows_ok, score.rows, score.cells_exact, score.cells) == (2, 2, 6, 6)


def test_columns_run_together_break_the_row() -> None:
    got = [["Item Description", "Unit Price"], ["B-2210", "Gel pens, black, box of 12 9.95"]]
    assert score_rows(TRUTH, got).rows_ok == 0


def test_wrapped_cell_split_over_two_rows_breaks_the_row() -> None:
    got = [["B-2210", "Gel pens, black,", "9.95"], ["", "box of 12", ""]]
    assert score_rows(TRUTH[1:], got).rows_ok == 0


def test_misread_character_is_a_text_error_not_a_structure_error() -> None:
    score = score_rows(TRUTH[1:], [["B-2210", "Gel pens, black, box of 12", "995"]])
    assert (score.rows_ok, score.cells_exact, score.cells) == (1, 2, 3)


def test_a_table_returned_twice_counts_against_precision() -> None:
    table = [list(row) for row in TRUTH]
    once = score_precision(TRUTH, [table])
    twice = score_precision(TRUTH, [table, table])
    assert (once.real, once.loaded, once.junk_columns) == (2, 2, 0)
    assert (twice.real, twice.loaded, twice.junk_columns) == (2, 4, 3)


def test_titles_and_chart_ticks_are_loaded_rows_that_are_not_real() -> None:
    got = [[["INVOICE", "", ""], *[list(r) for r in TRUTH]], [["100", "Blue"], ["90", "Green"]]]
    score = score_precision(TRUTH, got)
    assert (score.real, score.loaded) == (2, 5)
    assert score.junk_columns == 2


def test_optional_rows_count_neither_for_nor_against() -> None:
    got = [[*[list(r) for r in TRUTH], ["", "Total", "630.67"]]]
    score = score_precision(TRUTH, got, optional=[["Total", "630.67"]])
    assert (score.real, score.loaded, score.precision) == (2, 2, 1.0)

"""Decoding and cleaning recognised tables, checked against the ground truth they were made from."""

from __future__ import annotations

import pandas as pd
import pytest

from aspose_ocr_provider.models import ResponseStatusCode, ResultItem, TaskResult, TaskStatus
from aspose_ocr_provider.tables import (
    clean_table,
    decode_result,
    is_index_row,
    parse_csv,
    result_tables,
    result_to_dataframe,
    sql_safe_names,
)
from tests.tables.messy import cloud_csv, task_result

TRUTH = [
    ["Item", "Qty", "Unit Price", "Note"],
    ["Widget, large", "1,200", "$3.50", 'says "hi"'],
    ["Gadget", "7", "$12.00", ""],
    ["Line\nbreak", "", "$0.99", "ünïcödé ✓"],
]


def _expected_frame(rows: list[list[str]]) -> list[list[str | None]]:
    return [[cell or None for cell in row] for row in rows]


@pytest.mark.parametrize("crlf", [False, True])
@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("ragged", [False, True])
def test_messy_cloud_csv_cleans_back_to_the_ground_truth(crlf: bool, bom: bool, ragged: bool) -> None:
    result = task_result(cloud_csv(TRUTH, crlf=crlf, ragged=ragged), bom=bom)
    [table] = result_tables(result, infer_types=False)
    assert list(table.columns.values()) == TRUTH[0]
    assert list(table.frame.columns) == ["item", "qty", "unit_price", "note"]
    assert table.frame.values.tolist() == _expected_frame(TRUTH[1:])
    # Row numbers count the header as row 1, as a person counts rows in the image.
    assert table.frame.index.tolist() == [2, 3, 4]


def test_decode_result_gives_one_text_per_table_and_strips_the_bom() -> None:
    first, second = cloud_csv(TRUTH), cloud_csv([["a", "b"], ["1", "2"]])
    texts = decode_result(task_result(first, second, bom=True))
    assert texts == [first, second]


def test_every_table_of_a_task_is_returned_in_order() -> None:
    other = [["Name", "Score"], ["Ann", "3"]]
    tables = result_tables(task_result(cloud_csv(TRUTH), cloud_csv(other)), infer_types=False)
    assert [t.frame.values.tolist() for t in tables] == [
        _expected_frame(TRUTH[1:]),
        _expected_frame(other[1:]),
    ]


def test_index_row_is_recognised_only_when_it_counts_from_zero() -> None:
    assert is_index_row(["0", "1", "2"])
    assert is_index_row(["0", " 1 ", ""])
    assert not is_index_row(["1", "2", "3"])
    assert not is_index_row(["0", "2"])
    assert not is_index_row(["", ""])


def test_a_real_first_row_of_numbers_can_be_kept() -> None:
    rows = parse_csv("0,1\n5,6\n")
    assert clean_table(rows, header="none", index_row=False).frame.values.tolist() == [["0", "1"], ["5", "6"]]
    assert clean_table(rows, header="none").frame.values.tolist() == [["5", "6"]]


def test_header_none_and_explicit_names() -> None:
    rows = parse_csv(cloud_csv(TRUTH))
    no_header = clean_table(rows, header="none")
    assert list(no_header.frame.columns) == ["col__1", "col__2", "col__3", "col__4"]
    assert no_header.frame.values.tolist() == _expected_frame(TRUTH)
    named = clean_table(rows, header=["What", "How many", "Price", "Remarks"])
    assert list(named.frame.columns) == ["what", "how_many", "price", "remarks"]
    assert named.frame.values.tolist() == _expected_frame(TRUTH)


def test_explicit_names_of_the_wrong_count_fail_in_words() -> None:
    with pytest.raises(ValueError, match="gives 2 column names but the recognised table has 4 columns"):
        clean_table(parse_csv(cloud_csv(TRUTH)), header=["a", "b"])


def test_hostile_header_cells_become_unique_names_with_the_original_kept() -> None:
    headers = ['x"; DROP TABLE t; --', "'", "]", "`", "Größe €", "Qty", "qty", "", "2024", None]
    names, mapping = sql_safe_names(headers, reserved=["_source"])
    assert names == [
        "x_drop_table_t",
        "col__2",
        "col__3",
        "col__4",
        "größe_eur",
        "qty",
        "qty__2",
        "col__8",
        "col_2024",
        "col__10",
    ]
    assert [mapping[n] for n in names] == [h or "" for h in headers]
    raw, _ = sql_safe_names(headers, sanitize=False)
    assert raw[:5] == ['x"; DROP TABLE t; --', "'", "]", "`", "Größe €"]
    assert len({n.casefold() for n in raw}) == len(raw)


def test_names_clash_with_reserved_provenance_columns_are_suffixed() -> None:
    names, _ = sql_safe_names(["_source", "_SOURCE"], reserved=["_source"], sanitize=False)
    assert names == ["_source__3", "_SOURCE__2"]


def test_long_names_fit_postgres_63_byte_limit_and_stay_unique() -> None:
    names, _ = sql_safe_names(["é" * 100, "é" * 100])
    assert all(len(n.encode()) <= 63 for n in names)
    assert len(set(names)) == 2


def test_only_empty_rows_gives_an_empty_frame() -> None:
    table = clean_table(parse_csv("0,1\n,\n,\n"))
    assert table.frame.shape == (0, 0)


def test_result_to_dataframe_is_usable_without_a_database() -> None:
    frame = result_to_dataframe(task_result(cloud_csv(TRUTH)))
    assert frame.attrs["columns"]["unit_price"] == "Unit Price"
    assert frame["qty"].dtype == "Int64"
    assert frame["qty"].tolist()[:2] == [1200, 7]
    assert pd.isna(frame["qty"].tolist()[2])
    assert frame["unit_price"].tolist() == [3.5, 12.0, 0.99]


def test_a_task_that_did_not_complete_fails_in_words() -> None:
    failed = TaskResult(id="t-9", task_status=TaskStatus.ERROR, messages=("Image is too dark",))
    with pytest.raises(ValueError, match=r"t-9 is Error.*Image is too dark"):
        decode_result(failed)
    blank = TaskResult(
        id="t-7", task_status=TaskStatus.COMPLETED, response_status_code=ResponseStatusCode.NO_ANY_RESULT_DATA
    )
    assert decode_result(blank) == []  # no table in the image: nothing to load
    no_csv = TaskResult(id="t-8", task_status=TaskStatus.COMPLETED, results=(ResultItem("Text", "aGk="),))
    with pytest.raises(ValueError, match="no CSV result"):
        decode_result(no_csv)

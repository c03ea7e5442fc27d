"""The database-free path from an OCR result to DataFrames: decode, clean, infer types.

Usable on its own: ``result_to_dataframe(hook.get_result(task_id))`` gives the first table of a
task as a DataFrame without any warehouse involved.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from aspose_ocr_provider.models import TaskResult
from aspose_ocr_provider.tables.clean import CleanTable, HeaderSpec, IndexRowSpec, clean_table
from aspose_ocr_provider.tables.decode import decode_result, parse_csv
from aspose_ocr_provider.tables.header_rows import HeaderRowsSpec
from aspose_ocr_provider.tables.types import infer_types as _infer_types


def csv_to_table(
    text: str,
    *,
    header: HeaderSpec = "first_row",
    index_row: IndexRowSpec = "auto",
    infer_types: bool = True,
    sanitize_names: bool = True,
    reserved_names: Iterable[str] = (),
    header_rows: HeaderRowsSpec = "auto",
) -> CleanTable:
    """One recognised table's CSV text as a :class:`CleanTable` (see :func:`clean_table`)."""
    table = clean_table(
        parse_csv(text),
        header=header,
        index_row=index_row,
        sanitize_names=sanitize_names,
        reserved_names=reserved_names,
        header_rows=header_rows,
    )
    if infer_types:
        table.text = table.frame
        table.frame = _infer_types(table.frame)
    return table


def result_tables(
    task_result: TaskResult,
    *,
    header: HeaderSpec = "first_row",
    index_row: IndexRowSpec = "auto",
    infer_types: bool = True,
    sanitize_names: bool = True,
    reserved_names: Iterable[str] = (),
    header_rows: HeaderRowsSpec = "auto",
) -> list[CleanTable]:
    """Every table of a Completed task, cleaned, in the order the service listed them."""
    reserved = tuple(reserved_names)
    return [
        csv_to_table(
            text,
            header=header,
            index_row=index_row,
            infer_types=infer_types,
            sanitize_names=sanitize_names,
            reserved_names=reserved,
            header_rows=header_rows,
        )
        for text in decode_result(task_result)
    ]


def result_to_dataframe(
    task_result: TaskResult,
    *,
    table: int = 0,
    header: HeaderSpec = "first_row",
    index_row: IndexRowSpec = "auto",
    infer_types: bool = True,
    sanitize_names: bool = True,
    header_rows: HeaderRowsSpec = "auto",
) -> pd.DataFrame:
    """One table of a Completed task (the first by default) as a DataFrame.

    The frame's index is the row's position in the recognised table (header = row 1); the
    original header text of each column is in ``frame.attrs["columns"]``.
    """
    tables = result_tables(
        task_result,
        header=header,
        index_row=index_row,
        infer_types=infer_types,
        sanitize_names=sanitize_names,
        header_rows=header_rows,
    )
    if not 0 <= table < len(tables):
        raise IndexError(
            f"OCR task {task_result.id} holds {len(tables)} table(s); table={table} does not exist."
        )
    chosen = tables[table]
    chosen.frame.attrs["columns"] = dict(chosen.columns)
    return chosen.frame

"""Turning recognised tables into the ``results`` items of a Completed task, as the cloud renders them.

The service base64-encodes every result. Its CSV starts with a row of column indices (seen in the
docs' sample); the Text layout, the Excel ``type`` label and one-item-per-table are inferred.
"""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Sequence

from aspose_ocr_provider.emulator.engines.base import Table
from aspose_ocr_provider.models import ResultItem, ResultTypeTable

DEFAULT_RESULT_TYPE = ResultTypeTable.TEXT
"""What the service returns when ``resultTypeTable`` is not sent (the docs' default)."""

EXCEL_TYPE_LABEL = "Excel"
"""The ``type`` of an Excel result; undocumented, so consumers should sniff the zip magic."""


def _padded(table: Table) -> list[list[str]]:
    width = table.width
    return [list(row) + [""] * (width - len(row)) for row in table.rows]


def table_to_csv(table: Table) -> str:
    """CSV text of one table: the column-index row, then the rows, ``\\n`` line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([str(i) for i in range(table.width)])
    writer.writerows(_padded(table))
    return buffer.getvalue()


def table_to_text(table: Table) -> str:
    """Plain text of one table: cells separated by tabs, rows by newlines."""
    return "".join("\t".join(row) + "\n" for row in table.rows)


def tables_to_xlsx(tables: Sequence[Table]) -> bytes:
    """A real .xlsx workbook, one worksheet per table, laid out like the CSV (index row first)."""
    from openpyxl import Workbook

    workbook = Workbook()
    first = workbook.active
    if first is not None:
        workbook.remove(first)
    for number, table in enumerate(tables, start=1):
        sheet = workbook.create_sheet(title=f"Table{number}")
        sheet.append([str(i) for i in range(table.width)])
        for row in _padded(table):
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _item(label: str, data: bytes) -> ResultItem:
    return ResultItem(type=label, data=base64.b64encode(data).decode("ascii"))


def render_results(tables: Sequence[Table], result_type: ResultTypeTable | None) -> tuple[ResultItem, ...]:
    """The ``results`` of a task that found ``tables``, in the format the client asked for.

    One Csv or Text item per table; one Excel workbook for all tables; CsvAndExcel gives the CSV
    items followed by the workbook. No tables gives no items.
    """
    if not tables:
        return ()
    kind = result_type or DEFAULT_RESULT_TYPE
    items: list[ResultItem] = []
    if kind in (ResultTypeTable.CSV, ResultTypeTable.CSV_AND_EXCEL):
        items.extend(_item("Csv", table_to_csv(t).encode("utf-8")) for t in tables)
    if kind is ResultTypeTable.TEXT:
        items.extend(_item("Text", table_to_text(t).encode("utf-8")) for t in tables)
    if kind in (ResultTypeTable.EXCEL, ResultTypeTable.CSV_AND_EXCEL):
        items.append(_item(EXCEL_TYPE_LABEL, tables_to_xlsx(tables)))
    return tuple(items)

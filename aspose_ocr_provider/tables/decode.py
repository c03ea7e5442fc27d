"""From a task's results to raw CSV rows: base64 -> text -> lists of cells.

The service sends every table as base64 of UTF-8 CSV; a task whose image holds several tables
carries one Csv result per table. This step only undoes the transport encoding and the CSV
quoting; deciding what is header, noise or data is :mod:`.clean`'s job.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
from collections.abc import Sequence

from aspose_ocr_provider.models import ResponseStatusCode, ResultItem, TaskResult, TaskStatus

RawTable = list[list[str]]


def decode_csv_bytes(data: bytes) -> str:
    """UTF-8 text of a CSV payload, BOM removed and line ends normalised to ``\\n``.

    OCR output from Windows-based services often arrives with CRLF and a BOM; the csv module
    handles CRLF itself, but a BOM would otherwise glue itself to the first header cell.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"The CSV result is not valid UTF-8 (byte {exc.start}): the service is documented to send "
            "UTF-8; check that the result really is a Csv table."
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_csv_base64(data: str) -> str:
    """Text of one base64 CSV result (the ``data`` member of an OCR result)."""
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"The CSV result holds invalid base64 data: {exc}") from None
    return decode_csv_bytes(raw)


def parse_csv(text: str) -> RawTable:
    """Rows of cells, as written; quoted cells may hold commas and line breaks."""
    return [list(row) for row in csv.reader(io.StringIO(text), strict=False)]


def csv_results(task_result: TaskResult) -> list[ResultItem]:
    """Every CSV result of a task, in the order the service listed them (one per table)."""
    return [item for item in task_result.results if item.kind == "csv"]


def decode_result(task_result: TaskResult) -> list[str]:
    """The CSV text of every table a Completed task recognised.

    Raises ValueError in words when the task is not Completed or holds no CSV result, since a
    load that silently wrote nothing would hide the problem until someone queried the table.
    """
    status = task_result.task_status
    if status is not TaskStatus.COMPLETED:
        detail = "; ".join(task_result.messages) or "no message from the service"
        raise ValueError(
            f"OCR task {task_result.id} is {status.value}, not Completed ({detail}); "
            "wait for it to complete (the sensor does) or resubmit the image."
        )
    items = csv_results(task_result)
    if (
        not items
        and not task_result.results
        and task_result.response_status_code is ResponseStatusCode.NO_ANY_RESULT_DATA
    ):
        return []  # the service found no table in the image: nothing to load, not an error
    if not items:
        kinds = ", ".join(sorted({item.kind or "?" for item in task_result.results})) or "none"
        raise ValueError(
            f"OCR task {task_result.id} has no CSV result (result kinds: {kinds}); submit it with "
            "result_type_table='Csv' or 'CsvAndExcel'."
        )
    return [decode_csv_bytes(item.content) for item in items]


def decode_result_rows(task_result: TaskResult) -> list[RawTable]:
    """Raw rows of every table a Completed task recognised."""
    return [parse_csv(text) for text in decode_result(task_result)]


def parse_tables(texts: Sequence[str]) -> list[RawTable]:
    return [parse_csv(text) for text in texts]

"""Render a ground-truth table the way the OCR cloud sends it, with the noise it adds."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Sequence

from aspose_ocr_provider.models import ResponseStatusCode, ResultItem, TaskResult, TaskStatus


def cloud_csv(
    rows: Sequence[Sequence[str]],
    *,
    index_row: bool = True,
    pad: str = "  ",
    crlf: bool = False,
    trailing_empty_rows: int = 2,
    trailing_empty_cols: int = 1,
    ragged: bool = False,
) -> str:
    """CSV text of ``rows`` with an index row, padded cells, and empty rows/columns trailing."""
    width = max(len(r) for r in rows) + trailing_empty_cols
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n" if crlf else "\n")
    if index_row:
        writer.writerow([str(i) for i in range(width)])
    for i, row in enumerate(rows):
        cells = [f"{pad}{cell}{pad}" if cell else "" for cell in row]
        if ragged and i % 2 and cells and not row[-1]:
            cells = cells[:-1]  # a missed last border: the row comes out short
        else:
            cells += [""] * (width - len(cells))
        writer.writerow(cells)
    for _ in range(trailing_empty_rows):
        writer.writerow([""] * width)
    return out.getvalue()


def task_result(*csv_texts: str, bom: bool = False, task_id: str = "task-1") -> TaskResult:
    """A Completed task holding one Csv result per text (as base64, like the service)."""
    items = [
        ResultItem(
            type="Csv", data=base64.b64encode(("\ufeff" if bom else "").encode() + t.encode()).decode()
        )
        for t in csv_texts
    ]
    return TaskResult(
        id=task_id,
        task_status=TaskStatus.COMPLETED,
        response_status_code=ResponseStatusCode.OK,
        results=tuple(items),
    )

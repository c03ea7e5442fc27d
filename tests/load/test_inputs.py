"""What the load operator accepts as ``ocr_task_ids`` after templating, and the provenance spec."""

from __future__ import annotations

import json

import pytest

from aspose_ocr_provider.models import task_refs
from aspose_ocr_provider.tables import DEFAULT_PROVENANCE, provenance_columns

RECORDS = [
    {"source": "a.png", "task_id": "t1", "sha256": "x", "submitted_at": "2026-01-01T00:00:00+00:00"},
    {"source": "b.png", "task_id": "t2", "sha256": "y", "submitted_at": "2026-01-01T00:00:00+00:00"},
]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("t1", [("t1", "t1")]),
        (["t1", "t2"], [("t1", "t1"), ("t2", "t2")]),
        (RECORDS, [("a.png", "t1"), ("b.png", "t2")]),
        (RECORDS[0], [("a.png", "t1")]),
        (json.dumps(RECORDS), [("a.png", "t1"), ("b.png", "t2")]),  # Jinja output of a JSON string
        (repr(RECORDS), [("a.png", "t1"), ("b.png", "t2")]),  # Jinja output of an XCom list
        (repr(["t1", "t2"]), [("t1", "t1"), ("t2", "t2")]),
        ([["t1"], ["t2"]], [("t1", "t1"), ("t2", "t2")]),  # mapped submit tasks
        ([RECORDS[:1], RECORDS[1:]], [("a.png", "t1"), ("b.png", "t2")]),  # mapped, with records
        (None, []),
    ],
)
def test_task_ids_and_records_in_every_form(value: object, expected: list[tuple[str, str]]) -> None:
    assert [(ref.source or ref.task_id, ref.task_id) for ref in task_refs(value)] == expected


def test_unreadable_input_fails_in_words() -> None:
    with pytest.raises(ValueError, match="not a task id or a list"):
        task_refs("[not, a list")
    with pytest.raises(ValueError, match="has no 'task_id'"):
        task_refs([{"source": "a.png"}])


def test_provenance_spec() -> None:
    assert provenance_columns(True) == DEFAULT_PROVENANCE
    assert provenance_columns(False) == {}
    renamed = provenance_columns({"source": "file_name", "loaded_at": None})
    assert renamed["source"] == "file_name"
    assert "loaded_at" not in renamed
    with pytest.raises(ValueError, match="share the name"):
        provenance_columns({"source": "_dag_run_id"})

"""max_documents_per_run as a DAG author and a rendered template give it."""

from __future__ import annotations

import pytest

from aspose_ocr_provider.operators.submit import AsposeOcrSubmitTableOperator, parse_limit


@pytest.mark.parametrize("value", [0, -3, "0", "ten", 2.5, True])
def test_a_bad_limit_fails_when_the_dag_is_parsed_naming_the_option(value: object) -> None:
    with pytest.raises(ValueError, match=r"max_documents_per_run must be a whole number >= 1, or None"):
        AsposeOcrSubmitTableOperator(task_id="submit", images="/data/*.png", max_documents_per_run=value)


@pytest.mark.parametrize(("rendered", "limit"), [(None, None), ("None", None), ("", None), ("10", 10), (7, 7)])
def test_a_rendered_limit_is_read_back(rendered: object, limit: int | None) -> None:
    assert parse_limit("max_documents_per_run", rendered) == limit


def test_a_templated_limit_is_checked_when_rendered_not_at_parse_time() -> None:
    task = AsposeOcrSubmitTableOperator(
        task_id="submit", images="/data/*.png", max_documents_per_run="{{ params.max_documents_per_run }}"
    )
    assert "max_documents_per_run" in task.template_fields

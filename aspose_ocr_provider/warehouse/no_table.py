"""Inputs that were recognised but gave no rows, kept beside the table they would have gone to.

An image in which the service found no table (or only a header) leaves no row in the warehouse
table, so the table alone cannot say it was already paid for: every incremental run would submit
it again. The load step records such inputs in a small companion table, ``<table>__no_table``,
in the same transaction as the rows, with the same identity columns, and the incremental check
reads both. Delete an input's row there to have it recognised again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from aspose_ocr_provider.warehouse.batch import TableBatch
from aspose_ocr_provider.warehouse.dialects import SqlDialect

NO_TABLE_SUFFIX = "__no_table"
OUTCOME_COLUMN = "_outcome"


@dataclass(frozen=True)
class NoTableOutcome:
    """One input recognised without rows to load.

    :param outcome: ``"no table"`` (the service found none) or ``"no rows"`` (tables with a header only).
    """

    source: str
    sha256: str
    page: int
    task_id: str
    outcome: str


def no_table_companion(table: str, dialect: SqlDialect) -> str:
    """The companion table's name for ``table``: same schema, name + ``__no_table``, quoted."""
    parts = dialect.split_table(table)
    parts[-1] += NO_TABLE_SUFFIX
    return ".".join(dialect.quote(p) for p in parts)


def no_table_batch(
    outcomes: Sequence[NoTableOutcome], provenance: Mapping[str, str], run_values: Mapping[str, Any]
) -> TableBatch:
    """The companion rows for ``outcomes``, under the table's own provenance column names.

    :param provenance: ``{key: column}`` of the enabled provenance columns (needs the identity ones).
    :param run_values: values shared by the load's rows (``dag_run_id``, ``loaded_by``, ``loaded_at``).
    """
    fields = {
        "source": [o.source for o in outcomes],
        "source_sha256": [o.sha256 for o in outcomes],
        "source_page": [o.page for o in outcomes],
        "ocr_task_id": [o.task_id for o in outcomes],
    }
    frame = pd.DataFrame({provenance[k]: v for k, v in fields.items() if k in provenance})
    frame[OUTCOME_COLUMN] = [o.outcome for o in outcomes]
    constants = {provenance[k]: v for k, v in run_values.items() if k in provenance}
    return TableBatch(frame, constants=constants)

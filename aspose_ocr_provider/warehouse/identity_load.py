"""What one load knows about its inputs' identities, and how it writes rows keyed by them.

The load step hands every input it read here: its source, task id, identity and how many rows it
gave. From that come the rows an idempotent load replaces
(:class:`~aspose_ocr_provider.warehouse.replaced_rows.ReplacedRows`) and the companion
``__no_table`` rows of inputs that gave none (:mod:`~aspose_ocr_provider.warehouse.no_table`), all
written in the table's one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aspose_ocr_provider.documents.identity import InputIdentity
from aspose_ocr_provider.models import TaskRef
from aspose_ocr_provider.tables.provenance import IDENTITY_KEYS
from aspose_ocr_provider.warehouse.batch import TableBatch
from aspose_ocr_provider.warehouse.dialects import dialect_for
from aspose_ocr_provider.warehouse.no_table import NoTableOutcome, no_table_batch, no_table_companion
from aspose_ocr_provider.warehouse.replaced_rows import LoadedInput, ReplacedRows
from aspose_ocr_provider.warehouse.writer import TableWriter, Target


def distinct_inputs(refs: Sequence[TaskRef]) -> tuple[list[TaskRef], list[TaskRef]]:
    """``(first of each input, the repeats)``: one input is loaded once however often it is given.

    The same bytes under two names are one input (the submit step sent them once); a bare task id
    is its own input.
    """
    first: dict[Any, TaskRef] = {}
    repeats: list[TaskRef] = []
    for ref in refs:
        key = ref.identity or ("task", ref.task_id)
        if key in first:
            repeats.append(ref)
        else:
            first[key] = ref
    return list(first.values()), repeats


class IdentityLoad:
    """The inputs of one load and what they gave.

    :param provenance: ``{key: column}`` of the enabled provenance columns.
    :param keep_history: keep older versions' rows of a source whose bytes changed.
    """

    def __init__(self, provenance: Mapping[str, str], keep_history: bool = False) -> None:
        self.provenance = dict(provenance)
        self.keep_history = keep_history
        self.inputs: list[LoadedInput] = []
        self.no_rows: list[NoTableOutcome] = []

    def add(self, source: str, task_id: str, identity: InputIdentity | None, tables: int, rows: int) -> None:
        """Record one input this load (re)writes, with the number of tables and rows it gave."""
        self.inputs.append(LoadedInput(source, identity))
        if identity is not None and rows == 0:
            outcome = "no table" if tables == 0 else "no rows"
            self.no_rows.append(NoTableOutcome(source, identity.sha256, identity.page, task_id, outcome))

    @property
    def keyed(self) -> bool:
        """Whether the identity columns are on, so inputs can be replaced and outcomes recorded."""
        return all(k in self.provenance for k in IDENTITY_KEYS)

    def replaced_rows(
        self, source: str | None = None, sha256: str | None = None, page: str | None = None
    ) -> ReplacedRows:
        """The rows of this load's inputs in a table whose identity columns are named as given.

        By default they are the provenance columns; the quarantine table names them ``source``,
        ``sha256`` and ``page``.
        """
        return ReplacedRows(
            self.inputs,
            source_column=source or self.provenance["source"],
            sha256_column=sha256 or self.provenance["source_sha256"],
            page_column=page or self.provenance["source_page"],
            keep_history=self.keep_history,
        )

    def companion_writer(self, hook: Any, table: str, mode: str) -> TableWriter:
        """The writer of ``table``'s ``__no_table`` companion.

        In idempotent mode it replaces the companion rows of the same inputs (those added until
        the load ends), so it deletes the stale records of inputs that now have rows.
        """
        dialect = dialect_for(getattr(hook, "dialect_name", None))
        replace = self.replaced_rows() if mode == "idempotent" else None
        return TableWriter(hook, no_table_companion(table, dialect), mode=mode, replace_rows=replace)

    def companion_batches(self, run_values: Mapping[str, Any]) -> list[TableBatch]:
        """This load's no-row inputs as companion rows (none: nothing to add, only deletes)."""
        return [no_table_batch(self.no_rows, self.provenance, run_values)] if self.no_rows else []

    def companion_target(self, hook: Any, table: str, mode: str, run_values: Mapping[str, Any]) -> Target:
        """The ``__no_table`` companion of ``table`` with this load's no-row inputs."""
        return self.companion_writer(hook, table, mode), self.companion_batches(run_values)

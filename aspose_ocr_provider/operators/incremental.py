"""The submit step's view of the warehouse: check it before paying, skip what it already holds.

A scheduled DAG over a folder sees the same images run after run; each submission is billed. With
a warehouse target, the submit step first checks the connection and table (so a typo fails before
any POST), then leaves out every input whose identity the table already holds (see
:mod:`aspose_ocr_provider.warehouse.loaded_inputs`). When nothing is new the task skips, and so do
the wait and load steps after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aspose_ocr_provider.compat import AirflowSkipException
from aspose_ocr_provider.exceptions import AsposeOcrConfigError, AsposeOcrError
from aspose_ocr_provider.sources import ImageSource
from aspose_ocr_provider.tables.provenance import IDENTITY_KEYS, ProvenanceSpec, provenance_columns
from aspose_ocr_provider.warehouse.connection import check_warehouse
from aspose_ocr_provider.warehouse.input_records import INPUTS_SUFFIX, REJECTED_VIEW_SUFFIX
from aspose_ocr_provider.warehouse.loaded_inputs import find_loaded_inputs
from aspose_ocr_provider.warehouse.no_table import NO_TABLE_SUFFIX
from aspose_ocr_provider.warehouse.writer import TableWriter


def parse_flag(name: str, value: object) -> bool:
    """A boolean option that may arrive rendered from a template (``"True"``, ``"false"``)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError(f"{name} must be True or False, got {value!r}.")


def nothing_to_submit(total: int) -> AirflowSkipException:
    """The skip of a run with no new input; its reason is the one line the task log shows."""
    return AirflowSkipException(f"0 new of {total} images; nothing to submit")


@dataclass(frozen=True)
class WarehouseTarget:
    """The table the submitted images will be loaded into.

    :param conn_id: a common-sql connection id.
    :param table: ``table`` or ``schema.table``, as the load step is given it.
    :param provenance: the load step's ``provenance`` option, for the identity columns' names.
    """

    conn_id: str
    table: str
    provenance: ProvenanceSpec = True

    def identity_columns(self) -> dict[str, str]:
        columns = provenance_columns(self.provenance)
        missing = [key for key in IDENTITY_KEYS if key not in columns]
        if missing:
            raise ValueError(
                f"The incremental check needs the provenance column(s) {', '.join(missing)} to recognise "
                "loaded inputs; keep them in provenance or set incremental=False."
            )
        return columns

    def check(self) -> TableWriter:
        """Fail before paying if the connection or the table name is wrong (see ``check_warehouse``)."""
        try:
            return check_warehouse(self.conn_id, self.table, NO_TABLE_SUFFIX, INPUTS_SUFFIX, REJECTED_VIEW_SUFFIX)
        except AsposeOcrError as exc:
            kind = AsposeOcrConfigError if isinstance(exc, AsposeOcrConfigError) else AsposeOcrError
            raise kind(f"{exc} Nothing was submitted.") from None

    def new_inputs(self, writer: TableWriter, sources: Sequence[ImageSource], log: Any) -> list[ImageSource]:
        """``sources`` without those the table already holds, in input order.

        :raises AirflowSkipException: when none is new.
        """
        found = find_loaded_inputs(writer, (s.identity for s in sources), self.identity_columns())
        new = [s for s in sources if s.identity not in found.loaded]
        if not new:
            raise nothing_to_submit(len(sources))
        log.info(
            "%d new of %d images; %d already in %s (checked in %d queries, %.3f s).",
            len(new),
            len(sources),
            len(sources) - len(new),
            self.table,
            found.queries,
            found.seconds,
        )
        return new

"""Which warehouse table each recognised table goes to, and what is set aside on the way.

One load step may feed several tables (one per declared layout) plus the quarantine table. The
plan collects the recognised tables, routes and converts them, and hands them to the writers
in chunks as they come (see :meth:`LoadPlan.take`); all of them commit in one transaction or
none does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from aspose_ocr_provider.tables.clean import CleanTable
from aspose_ocr_provider.tables.quarantine import (
    BAD_DATA_POLICIES,
    BadDataError,
    CellOrigin,
    QuarantineRecord,
    quarantine_frame,
)
from aspose_ocr_provider.tables.schema import TableSchema, apply_schema, route
from aspose_ocr_provider.warehouse.batch import TableBatch
from aspose_ocr_provider.warehouse.writer import TableWriter, Target


@dataclass
class _Destination:
    table: str
    schema: TableSchema | None
    batches: list[TableBatch] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    rows: int = 0
    """Rows waiting in ``batches``."""
    written: bool = False
    """Whether any batch went to this table."""
    writer: TableWriter | None = None


class LoadPlan:
    """Routes recognised tables to their warehouse tables and gathers quarantine records.

    :param table: the target table when no schema is declared (or the one declared schema's).
    :param schemas: declared layouts; each recognised table goes to the one its headers fit.
    :param on_bad_data: ``"quarantine"`` sets what does not fit aside; ``"fail"`` raises
        :class:`BadDataError` naming it, before anything is written.
    :param quarantine_table: where set-aside records go.
    """

    def __init__(
        self,
        table: str | None,
        schemas: Sequence[TableSchema] = (),
        *,
        on_bad_data: str = "quarantine",
        quarantine_table: str,
    ) -> None:
        if on_bad_data not in BAD_DATA_POLICIES:
            raise ValueError(
                f"Unknown on_bad_data {on_bad_data!r}; use one of: {', '.join(BAD_DATA_POLICIES)}."
            )
        self.schemas = list(schemas)
        self.on_bad_data = on_bad_data
        self.quarantine_table = quarantine_table
        self.records: list[QuarantineRecord] = []
        self._destinations: dict[str, _Destination] = {}
        if table is not None and not self.schemas:
            self._destinations[table] = _Destination(table, None)
        for schema in self.schemas:
            self._destinations.setdefault(schema.table, _Destination(schema.table, schema))
        for schema in self.schemas:
            if schema.totals_table is not None:
                self._destinations.setdefault(schema.totals_table, _Destination(schema.totals_table, schema))

    @property
    def tables(self) -> list[str]:
        return list(self._destinations)

    def route(self, table: CleanTable, origin: CellOrigin) -> tuple[str | None, pd.DataFrame | None]:
        """The target table of a recognised table and its rows as that table's columns.

        ``(None, None)`` when it fits no declared layout (then it is a quarantine record).
        """
        if not self.schemas:
            (only,) = self._destinations.values()
            return only.table, table.frame
        headers = [table.columns.get(str(c), str(c)) for c in table.cells.columns]
        schema = route(self.schemas, headers)
        if schema is None:
            layouts = ", ".join(s.table for s in self.schemas)
            self.records.append(
                QuarantineRecord(
                    None,
                    origin,
                    f"headers {headers} fit none of the declared tables ({layouts}); the table was not loaded",
                    row_text={str(i): h for i, h in enumerate(headers, start=1)},
                )
            )
            return None, None
        mapped = apply_schema(schema, table, origin)
        self.records.extend(mapped.records)
        return schema.table, mapped.frame

    @property
    def has_data(self) -> bool:
        """Whether there is anything to write: rows, or records to set aside."""
        return bool(self.records) or any(d.written for d in self._destinations.values())

    @property
    def pending_rows(self) -> int:
        """Rows added and not yet taken."""
        return sum(d.rows for d in self._destinations.values())

    @property
    def written_tables(self) -> list[str]:
        """The tables any batch went to."""
        return [d.table for d in self._destinations.values() if d.written]

    def add(self, target: str, batch: TableBatch, source: str, totals: Sequence[bool] | None = None) -> None:
        """Queue ``batch`` for ``target``; ``totals`` marks its summary rows, which a declared
        table's ``totals=`` may leave out or send to another table."""
        schema = self._destinations[target].schema
        if totals is not None and schema is not None and schema.totals != "keep" and any(totals):
            mask = pd.Series(list(totals), index=batch.frame.index, dtype=bool)
            if schema.totals_table is not None:
                self._queue(schema.totals_table, _rows(batch, mask), source)
            batch = _rows(batch, ~mask)
        self._queue(target, batch, source)

    def _queue(self, target: str, batch: TableBatch, source: str) -> None:
        destination = self._destinations[target]
        destination.batches.append(batch)
        destination.sources.append(source)
        destination.rows += len(batch.frame)
        destination.written = True

    def check(self) -> None:
        """Fail when data was set aside and the load must not go on without it."""
        if self.records and self.on_bad_data == "fail":
            raise BadDataError(self.records)

    def writers(self, make_writer: Any) -> list[TableWriter]:
        """The writer of every table (made once).

        :param make_writer: ``(table, declared kinds, SQL types) -> TableWriter``.
        """
        for destination in self._destinations.values():
            if destination.writer is None:
                schema = destination.schema
                destination.writer = make_writer(
                    destination.table,
                    schema.kinds() if schema else None,
                    schema.sql_types() if schema else None,
                )
        return [d.writer for d in self._destinations.values() if d.writer is not None]

    def take(self) -> list[tuple[Target, list[str]]]:
        """``((writer, batches), sources of the batches)`` for every table with batches waiting;
        they are handed over (the plan keeps none). Call :meth:`writers` first."""
        out: list[tuple[Target, list[str]]] = []
        for destination in self._destinations.values():
            if not destination.batches:
                continue
            assert destination.writer is not None, "LoadPlan.writers() makes the writers first"
            out.append(((destination.writer, destination.batches), destination.sources))
            destination.batches, destination.sources, destination.rows = [], [], 0
        return out

    def quarantined(self) -> list[QuarantineRecord]:
        """Everything set aside so far: by routing and parsing, and by the writers' type checks."""
        writers = [d.writer for d in self._destinations.values() if d.writer is not None]
        return [*self.records, *(r for w in writers for r in w.quarantined)]

    def quarantine_target(self, writer: TableWriter, constants: Mapping[str, Any]) -> list[Target]:
        records = self.quarantined()
        if not records:
            return []
        return [(writer, [TableBatch(quarantine_frame(records), constants=constants)])]


def _rows(batch: TableBatch, mask: pd.Series) -> TableBatch:
    text = batch.text.loc[mask.to_numpy()] if batch.text is not None else None
    return replace(batch, frame=batch.frame.loc[mask.to_numpy()], text=text)

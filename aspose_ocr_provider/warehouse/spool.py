"""Rows a streamed load has written but whose columns' final types are not known yet.

A load that writes as results arrive cannot create or widen its table from the first chunk
alone: image 700 may bring a column image 1 lacked, or text into a column that was numeric so
far, and the table must come out exactly as if every image had been written at once (new
columns before the provenance columns; a widened column holding each number as the image shows
it, not as a cast renders it). So each chunk goes into a temporary table of the same
transaction, one column per (column, kind) it arrived as, plus the text of every non-text value
while widening is allowed. At the end the target gets its final columns once and every held row
is copied in with one ``INSERT ... SELECT`` that casts or picks the text per column, in the order
the rows came. Memory stays at one chunk; the database does the holding.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from aspose_ocr_provider.exceptions import clause
from aspose_ocr_provider.warehouse.batch import TableBatch
from aspose_ocr_provider.warehouse.type_conflicts import as_text

if TYPE_CHECKING:
    from aspose_ocr_provider.warehouse.dialects import SqlDialect

class HoldingTableError(RuntimeError):
    """The database refused the temporary table a streamed load holds its chunks in."""


AS_TEXT = "as text"
"""The pseudo-kind of the column holding a non-text column's values as text."""

_names = itertools.count(1)


class Spool:
    """One target table's held rows, in a temporary table on the load's connection.

    :param dialect: the connection's dialect (its ``spool_sql`` creates the table).
    :param column_type: ``(column, kind) -> SQL type`` as the target would create the column.
    :param keep_text: also hold non-text values as text, so the column can still be widened to text.
    """

    def __init__(self, dialect: SqlDialect, column_type: Callable[[str, str], str], keep_text: bool) -> None:
        if dialect.spool_sql is None:
            raise ValueError(f"{dialect.name} has no temporary table for a streamed load.")
        self.dialect = dialect
        self.column_type = column_type
        self.keep_text = keep_text
        self.qname = dialect.quote(f"_aspose_ocr_spool_{next(_names)}")
        self.columns: dict[tuple[str, str], str] = {}
        """``(column, kind)`` -> the spool column holding that column's values of that kind."""
        self._created = False

    def add(
        self,
        cur: Any,
        batch: TableBatch,
        kinds: Mapping[str, str],
        declared: Mapping[str, str],
        insert: Callable[[Any, TableBatch, Mapping[str, str], str], int],
    ) -> int:
        """Hold one batch's rows (already brought to this chunk's ``kinds``); the rows held.

        :param insert: the writer's ``(cur, batch, kinds, into)`` row insert.
        """
        data: dict[str, pd.Series] = {}
        spool_kinds: dict[str, str] = {}
        for column in batch.frame.columns:
            name, kind = str(column), kinds[str(column)]
            held = self._column(cur, name, kind)
            data[held], spool_kinds[held] = batch.frame[column], kind
            if self.keep_text and kind != "text" and name not in declared:
                text = self._column(cur, name, AS_TEXT)
                data[text], spool_kinds[text] = as_text(batch, name), "text"
        index = None
        if batch.index_column:
            index = self._column(cur, batch.index_column, kinds[batch.index_column])
            spool_kinds[index] = kinds[batch.index_column]
        constants = {}
        for name, value in batch.constants.items():
            held = self._column(cur, name, kinds[name])
            constants[held], spool_kinds[held] = value, kinds[name]
        frame = pd.DataFrame(data, index=batch.frame.index)
        return insert(cur, TableBatch(frame, constants=constants, index_column=index), spool_kinds, self.qname)

    def _column(self, cur: Any, name: str, kind: str) -> str:
        """The spool column for ``name``'s values of ``kind``, created on first use."""
        key = (name, kind)
        held = self.columns.get(key)
        if held is not None:
            return held
        held = f"c{len(self.columns) + 1}"
        self.columns[key] = held
        sql_type = self.dialect.column_type("text") if kind == AS_TEXT else self.column_type(name, kind)
        column = f"{self.dialect.quote(held)} {sql_type}"
        if not self._created:
            try:
                cur.execute(self.dialect.spool_sql.format(table=self.qname, columns=column))  # type: ignore[union-attr]
            except Exception as exc:
                raise HoldingTableError(
                    "the database refused the temporary table that holds the rows written before the "
                    f"load's end ({type(exc).__name__}: {clause(exc)}). Writing as results arrive needs "
                    "the TEMPORARY privilege on the database (GRANT TEMPORARY ON DATABASE <database> TO "
                    "<role>); without it, load with rows_per_write=None"
                ) from exc
            self._created = True
        else:
            cur.execute(self.dialect.add_column_sql.format(table=self.qname, column=self.dialect.quote(held), type=sql_type))
        return held

    def copy_into(self, cur: Any, qtable: str, kinds: Mapping[str, str]) -> None:
        """Insert every held row into ``qtable``, whose columns have their final ``kinds``; drop the spool."""
        if not self._created:
            return
        names = list(dict.fromkeys(name for name, kind in self.columns if kind != AS_TEXT))
        quote = self.dialect.quote
        columns = ", ".join(quote(n) for n in names)
        values = ", ".join(self._value(n, kinds[n]) for n in names)
        cur.execute(f"INSERT INTO {qtable} ({columns}) SELECT {values} FROM {self.qname} ORDER BY _seq")  # noqa: S608 - identifiers quoted
        cur.execute(f"DROP TABLE {self.qname}")
        self._created = False

    def _value(self, name: str, final: str) -> str:
        """The SQL giving ``name``'s value as its final kind, whichever kind each row arrived as.

        Each row fills exactly one of the column's spool columns, so COALESCE picks it.
        """
        quote = self.dialect.quote
        parts: list[str] = []
        for (held_name, kind), held in self.columns.items():
            if held_name != name or kind == AS_TEXT:
                continue
            if kind == final:
                parts.append(quote(held))
            elif final == "text" and (name, AS_TEXT) in self.columns:
                continue  # its text is in the text column
            else:
                sql = self.dialect.date_to_timestamp_sql if (kind, final) == ("date", "timestamp") else "CAST({column} AS {type})"
                parts.append(sql.format(column=quote(held), type=self.column_type(name, final)))
        if final == "text" and (name, AS_TEXT) in self.columns:
            parts.append(quote(self.columns[(name, AS_TEXT)]))
        return parts[0] if len(parts) == 1 else f"COALESCE({', '.join(parts)})"

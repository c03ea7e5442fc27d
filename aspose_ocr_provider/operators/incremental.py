"""The submit step's view of the warehouse: check it before paying, skip what it already holds.

A scheduled DAG over a folder sees the same images run after run; each submission is billed. With
a warehouse target, the submit step first checks the connection and table (so a typo fails before
any POST), then leaves out every input whose identity the table already holds (see
:mod:`aspose_ocr_provider.warehouse.loaded_inputs`). When nothing is new the task skips, and so do
the wait and load steps after it.

Inputs that come from a listing (:func:`aspose_ocr_provider.documents.listing.list_documents`, as the
example DAG's find step gives them) are checked before any byte is read: a document whose listing
fingerprint is the one recorded in ``<table>__inputs`` when it was last loaded, found to hold no
table or rejected is skipped unread (:meth:`WarehouseTarget.unchanged_listed`). A changed
fingerprint only means "read and hash it": the sha256 stays the identity, and a touched but
identical document gets its new fingerprint recorded (:meth:`WarehouseTarget.record_fingerprints`)
so the next run skips it unread.

A load into declared tables writes one input's rows into several tables: each layout's table and
the quarantine table. The target names them all (``other_tables``, ``quarantine_table``) and an
input is held when any of them holds its identity; with rows deleted from all of them, the next
run recognises it again. Without that, a reload would replace rows a person corrected in review.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aspose_ocr_provider.compat import AirflowSkipException
from aspose_ocr_provider.documents.identity import InputIdentity
from aspose_ocr_provider.documents.listing import ListedDocument
from aspose_ocr_provider.documents.reading import ImageSource
from aspose_ocr_provider.exceptions import AsposeOcrConfigError, AsposeOcrError
from aspose_ocr_provider.tables.provenance import IDENTITY_KEYS, ProvenanceSpec, provenance_columns
from aspose_ocr_provider.warehouse.connection import check_table_name, check_warehouse
from aspose_ocr_provider.warehouse.input_records import (
    INPUTS_SUFFIX,
    LOADED,
    NO_TABLE,
    REJECTED,
    REJECTED_VIEW_SUFFIX,
    InputRecord,
    input_records_target,
    read_input_records,
)
from aspose_ocr_provider.warehouse.loaded_inputs import LoadedInputs, find_loaded_inputs
from aspose_ocr_provider.warehouse.no_table import NO_TABLE_SUFFIX
from aspose_ocr_provider.warehouse.writer import TableWriter, write_together


def parse_flag(name: str, value: object) -> bool:
    """A boolean option that may arrive rendered from a template (``"True"``, ``"false"``)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError(f"{name} must be True or False, got {value!r}.")


def parse_other_tables(value: object, table: str | None, quarantine_table: object = None) -> tuple[str, ...]:
    """The ``other_tables`` option: more tables the load writes, besides ``table``.

    :raises ValueError: naming what is wrong and the form expected.
    """
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ValueError(
            "other_tables must be a list of the other table names the load writes, e.g. ['stock']; "
            f"got {value!r}."
        )
    bad = [t for t in value if not isinstance(t, str) or not t.strip()]
    if bad:
        raise ValueError(f"other_tables must hold table names (non-empty text); got {bad[0]!r} in {list(value)!r}.")
    tables = tuple(t.strip() for t in value)
    if tables and table is None:
        raise ValueError(
            "other_tables needs warehouse_conn_id and table (the load's first table); "
            f"got other_tables={list(tables)!r} without them."
        )
    repeated = sorted({t for t in tables if tables.count(t) > 1 or t in (table, quarantine_table)})
    if repeated:
        raise ValueError(
            f"other_tables names {', '.join(map(repr, repeated))} more than once or as table or "
            "quarantine_table: list each other table once."
        )
    return tables


def parse_quarantine_table(value: object, table: str | None) -> str | None:
    """The ``quarantine_table`` option of the incremental check; see :func:`parse_other_tables`."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"quarantine_table must be a table name or None; got {value!r}.")
    if table is None:
        raise ValueError(
            "quarantine_table needs warehouse_conn_id and table (the load's first table); "
            f"got quarantine_table={value!r} without them."
        )
    if value.strip() == table:
        raise ValueError(f"quarantine_table {value!r} is the table itself: name the load's quarantine_table.")
    return value.strip()


def nothing_to_submit(total: int) -> AirflowSkipException:
    """The skip of a run with no new input; its reason is the one line the task log shows."""
    return AirflowSkipException(f"0 new of {total} images; nothing to submit")


@dataclass
class ListingCheck:
    """What the records said of a run's listed documents, before any was read.

    :param unchanged: documents whose fingerprint matches their record (and whose rows, for a
        loaded or no-table record, the table still holds): not read, not submitted.
    :param changed: documents to read and hash: new, changed, or recorded without a fingerprint.
    :param records: the records found, by source.
    :param seconds: wall time of the check.
    """

    unchanged: list[ListedDocument] = field(default_factory=list)
    changed: list[ListedDocument] = field(default_factory=list)
    records: dict[str, InputRecord] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass(frozen=True)
class WarehouseTarget:
    """The table the submitted images will be loaded into.

    :param conn_id: a common-sql connection id.
    :param table: ``table`` or ``schema.table``, as the load step is given it (with declared
        tables, the first one, beside which ``__inputs`` records are kept).
    :param provenance: the load step's ``provenance`` option, for the identity columns' names.
    :param other_tables: the other tables the load writes (its other declared tables), with the
        same provenance columns.
    :param quarantine_table: the load's quarantine table, when it sets bad data aside.
    """

    conn_id: str
    table: str
    provenance: ProvenanceSpec = True
    other_tables: tuple[str, ...] = ()
    quarantine_table: str | None = None

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
            writer = check_warehouse(self.conn_id, self.table, NO_TABLE_SUFFIX, INPUTS_SUFFIX, REJECTED_VIEW_SUFFIX)
            for other in self.also_held_in():
                try:
                    check_table_name(writer.hook, other)
                except ValueError as exc:
                    raise AsposeOcrConfigError(
                        f"Warehouse table {other!r} on connection {self.conn_id!r}: {exc}"
                    ) from None
            return writer
        except AsposeOcrError as exc:
            kind = AsposeOcrConfigError if isinstance(exc, AsposeOcrConfigError) else AsposeOcrError
            raise kind(f"{exc} Nothing was submitted.") from None

    def also_held_in(self) -> tuple[str, ...]:
        """The tables besides ``table`` an input's rows may be in."""
        return (*self.other_tables, *([self.quarantine_table] if self.quarantine_table else []))

    def held(self, writer: TableWriter, sources: Sequence[ImageSource]) -> LoadedInputs:
        """Which of ``sources``' identities the load's tables (or ``__no_table`` companion) hold."""
        return self._find(writer, (s.identity for s in sources))

    def _find(self, writer: TableWriter, identities: Iterable[InputIdentity]) -> LoadedInputs:
        return find_loaded_inputs(
            writer,
            identities,
            self.identity_columns(),
            other_tables=self.other_tables,
            quarantine_table=self.quarantine_table,
        )

    def new_inputs(
        self,
        writer: TableWriter,
        sources: Sequence[ImageSource],
        log: Any,
        *,
        found: LoadedInputs | None = None,
        total: int | None = None,
    ) -> list[ImageSource]:
        """``sources`` without those the table already holds, in input order.

        :param found: the result of :meth:`held` for ``sources``, when the caller already has it.
        :param total: the run's inputs, for the log, when some were passed over before reading.
        :raises AirflowSkipException: when none is new.
        """
        found = found if found is not None else self.held(writer, sources)
        new = [s for s in sources if s.identity not in found.loaded]
        if not new:
            raise nothing_to_submit(len(sources) if total is None else total)
        log.info(
            "%d new of %d images; %d already in %s (checked in %d queries, %.3f s).",
            len(new),
            len(sources),
            len(sources) - len(new),
            " or ".join((self.table, *self.also_held_in())),
            found.queries,
            found.seconds,
        )
        return new

    def unchanged_listed(
        self, writer: TableWriter, listed: Sequence[ListedDocument], *, rejected_too: bool = True
    ) -> ListingCheck:
        """Split listed documents into those unchanged since recorded and those to read.

        A loaded or no-table record counts only while the load's tables (or the ``__no_table``
        companion) still hold a page of the recorded sha256: delete a document's rows and the
        next run reads and recognises it again, as without fingerprints. This costs database
        queries over the recorded digests, never a read of the documents.

        :param rejected_too: whether a rejection recorded with this fingerprint (and the bytes'
            sha256: a file that could not be read is always tried again) is also passed over.
            Off with ``on_bad_input="fail"``, where a bad file must fail the run every time.
        """
        started = time.perf_counter()
        check = ListingCheck(records=read_input_records(writer.hook, self.table, [d.source for d in listed]))
        matched = {
            d.source: check.records[d.source]
            for d in listed
            if d.source in check.records and check.records[d.source].same_listing(d.fingerprint)
        }
        backed = [r for r in matched.values() if r.outcome != REJECTED and r.sha256 is not None]
        wanted = {
            identity
            for r in backed
            for page in range(1, max(1, r.page_count or 1) + 1)
            if (identity := InputIdentity.from_values(r.sha256, page)) is not None
        }
        held = {i.sha256 for i in self._find(writer, wanted).loaded}
        for document in listed:
            record = matched.get(document.source)
            rejected = record is not None and record.outcome == REJECTED
            if rejected and (not rejected_too or record is None or record.sha256 is None):
                check.changed.append(document)
            elif record is not None and (rejected or record.sha256 in held):
                check.unchanged.append(document)
            else:
                check.changed.append(document)
        check.seconds = time.perf_counter() - started
        return check

    def record_fingerprints(
        self,
        writer: TableWriter,
        known: Sequence[ImageSource],
        found: LoadedInputs,
        listed: Mapping[str, ListedDocument],
        records: Mapping[str, InputRecord],
        run_id: str,
    ) -> int:
        """Record the new fingerprint of listed documents read this run whose pages are all loaded.

        A file touched but not changed (copied again, its mtime bumped) is read once, found
        loaded, and from then on skipped unread. Written at once, in its own transaction: these
        documents are not submitted, so no load of this run will write them. Returns how many.

        :param known: the pages read this run (those the table lacks are left out here).
        :param found: :meth:`held`'s answer for them.
        :param listed: the run's listing entries, by source.
        :param records: the records :meth:`unchanged_listed` found, by source.
        """
        by_document: dict[str, list[ImageSource]] = {}
        for src in known:
            by_document.setdefault(src.source, []).append(src)
        fresh = []
        for source, pages in by_document.items():
            if any(p.identity not in found.loaded for p in pages):
                continue  # a page still to load: the load step records the document
            entry, record = listed.get(source), records.get(source)
            if entry is None or (record is not None and record.same_listing(entry.fingerprint)):
                continue
            document = pages[0].document
            if record is not None and record.same_bytes(document.sha256) and record.outcome != REJECTED:
                outcome = record.outcome
            else:
                outcome = LOADED if any(p.identity in found.with_rows for p in pages) else NO_TABLE
            fresh.append(
                InputRecord(
                    source,
                    outcome,
                    size=document.size,
                    sha256=document.sha256,
                    page_count=document.page_count,
                    fingerprint=entry.fingerprint,
                )
            )
        if fresh:
            write_together([input_records_target(writer.hook, self.table, fresh, run_id, datetime.now(UTC))])
        return len(fresh)

"""The submit step's view of the warehouse: check it before paying, skip what it already holds.

A scheduled DAG over a folder sees the same images run after run; each submission is billed. With
a warehouse target, the submit step first checks the connection and table (so a typo fails before
any POST), then leaves out every input whose identity the table already holds (see
:mod:`aspose_ocr_provider.warehouse.loaded_inputs`). When nothing is new the task skips, and so do
the wait and load steps after it.

Inputs that come from a listing (:func:`aspose_ocr_provider.listing.list_documents`, as the
example DAG's find step gives them) are checked before any byte is read: a document whose listing
fingerprint is the one recorded in ``<table>__inputs`` when it was last loaded, found to hold no
table or rejected is skipped unread (:meth:`WarehouseTarget.unchanged_listed`). A changed
fingerprint only means "read and hash it": the sha256 stays the identity, and a touched but
identical document gets its new fingerprint recorded (:meth:`WarehouseTarget.record_fingerprints`)
so the next run skips it unread.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aspose_ocr_provider.compat import AirflowSkipException
from aspose_ocr_provider.exceptions import AsposeOcrConfigError, AsposeOcrError
from aspose_ocr_provider.identity import InputIdentity
from aspose_ocr_provider.listing import ListedDocument
from aspose_ocr_provider.sources import ImageSource
from aspose_ocr_provider.tables.provenance import IDENTITY_KEYS, ProvenanceSpec, provenance_columns
from aspose_ocr_provider.warehouse.connection import check_warehouse
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

    def held(self, writer: TableWriter, sources: Sequence[ImageSource]) -> LoadedInputs:
        """Which of ``sources``' identities the table (or its ``__no_table`` companion) holds."""
        return find_loaded_inputs(writer, (s.identity for s in sources), self.identity_columns())

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
            self.table,
            found.queries,
            found.seconds,
        )
        return new

    def unchanged_listed(
        self, writer: TableWriter, listed: Sequence[ListedDocument], *, rejected_too: bool = True
    ) -> ListingCheck:
        """Split listed documents into those unchanged since recorded and those to read.

        A loaded or no-table record counts only while the table (or its ``__no_table``
        companion) still holds a page of the recorded sha256: delete a document's rows and the
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
        held = {i.sha256 for i in find_loaded_inputs(writer, wanted, self.identity_columns()).loaded}
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

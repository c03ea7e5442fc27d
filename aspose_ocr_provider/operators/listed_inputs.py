"""The submit step's first pass over its inputs: what to read this run, decided before reading any.

Listing entries (dicts from :func:`aspose_ocr_provider.documents.listing.list_documents`) carry a
fingerprint; with a warehouse and ``incremental`` on, those unchanged since recorded are passed
over unread (:meth:`~aspose_ocr_provider.operators.incremental.WarehouseTarget.unchanged_listed`),
and so, with ``on_bad_input="skip"``, are those an earlier run rejected with the same fingerprint.
Of the rest, a bounded run takes the oldest first. Plain paths, globs, URIs and bytes carry no
fingerprint: they are always read, as before listings existed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aspose_ocr_provider.documents.listing import ListedDocument, oldest_first
from aspose_ocr_provider.exceptions import AsposeOcrError
from aspose_ocr_provider.operators.incremental import WarehouseTarget
from aspose_ocr_provider.warehouse.input_records import REJECTED, InputRecord
from aspose_ocr_provider.warehouse.writer import TableWriter


@dataclass
class ReadPlan:
    """What a run reads.

    :param listed: every listing entry given, by source (for fingerprints in the records).
    :param to_read: the listed documents to read now, oldest first when bounded.
    :param plain: the inputs without a fingerprint, read as given.
    :param records: the ``<table>__inputs`` records of the listed sources, by source.
    :param rejected_unread: the records of the listed documents passed over unread because an
        earlier run rejected them with the same fingerprint (for the run's set-aside summary).
    """

    listed: dict[str, ListedDocument] = field(default_factory=dict)
    to_read: list[ListedDocument] = field(default_factory=list)
    plain: list[Any] = field(default_factory=list)
    records: dict[str, InputRecord] = field(default_factory=dict)
    rejected_unread: list[InputRecord] = field(default_factory=list)

    def inputs(self) -> list[Any]:
        """What ``check_images`` reads: the chosen listing entries, then the plain inputs."""
        return [d.to_xcom() for d in self.to_read] + self.plain

    def fingerprints(self) -> dict[str, str]:
        """The listing fingerprint of every listed source, for the records the run writes."""
        return {source: d.fingerprint for source, d in self.listed.items()}


def plan_reads(
    items: Sequence[Any],
    *,
    target: WarehouseTarget | None,
    writer: TableWriter | None,
    incremental: bool,
    limit: int | None,
    log: Any,
    skip_rejected: bool = True,
) -> ReadPlan:
    """Split ``items`` and pass over the listed documents that need no read (see the module doc).

    :param skip_rejected: pass over unread the documents rejected before with the same
        fingerprint (``on_bad_input="skip"``); else they are read and checked again.
    :raises AsposeOcrError: a listing entry without a source or fingerprint.
    """
    try:
        entries = [ListedDocument.from_xcom(i) for i in items if ListedDocument.is_entry(i)]
    except ValueError as exc:
        raise AsposeOcrError(f"Nothing was submitted: {exc}") from None
    plan = ReadPlan(listed={d.source: d for d in entries}, plain=[i for i in items if not ListedDocument.is_entry(i)])
    plan.to_read = list(plan.listed.values())
    if target is not None and writer is not None and incremental and plan.listed:
        check = target.unchanged_listed(writer, plan.to_read, rejected_too=skip_rejected)
        plan.to_read, plan.records = check.changed, check.records
        plan.rejected_unread = [
            check.records[d.source] for d in check.unchanged if check.records[d.source].outcome == REJECTED
        ]
        log.info(
            "%d of %d listed document(s) unchanged since recorded (listing fingerprint): not read "
            "(checked in %.3f s).",
            len(check.unchanged),
            len(plan.listed),
            check.seconds,
        )
    if limit is not None and len(plan.to_read) > limit:
        ordered = oldest_first(plan.to_read)
        plan.to_read = ordered[:limit]
        log.info(
            "max_documents_per_run=%d: reading %d listed document(s) now; %d wait for a later run "
            "(oldest first).",
            limit,
            limit,
            len(ordered) - limit,
        )
    return plan

"""One bad file never blocks a folder: what the submit step sets aside, and what it tells the load.

With ``on_bad_input="skip"`` the inputs that cannot be submitted (see
:func:`~aspose_ocr_provider.documents.reading.check_images`) are set aside and the good ones go on. Each is
recorded in ``<table>__inputs`` with its reason (see
:mod:`~aspose_ocr_provider.warehouse.input_records`); an input whose record says it was rejected
with the very same bytes is passed over quietly on later runs, and a file replaced by a good one is
picked up like any new file, its record replaced by the load.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aspose_ocr_provider.documents.reading import ImageSource, Rejection
from aspose_ocr_provider.warehouse.input_records import LOADED, REJECTED, InputRecord

ON_BAD_INPUT: tuple[str, ...] = ("fail", "skip")

INPUTS_XCOM_KEY = "inputs"
"""XCom key of the submit step's per-document records (:meth:`InputRecord.to_xcom`): the
documents submitted (outcome ``loaded`` until the load finds they gave no rows) and the newly
rejected ones, for the load step's ``input_records``."""

_SHOWN = 5


def parse_on_bad_input(value: object) -> str:
    """``"fail"`` or ``"skip"``, also as rendered from a template."""
    text = value.strip().lower() if isinstance(value, str) else value
    if text not in ON_BAD_INPUT:
        raise ValueError(
            f"on_bad_input must be 'fail' (the run fails before any POST, naming each bad input) or "
            f"'skip' (bad inputs are set aside and recorded, the good ones submitted); got {value!r}."
        )
    return str(text)


def _record(rejection: Rejection, fingerprints: Mapping[str, str]) -> InputRecord:
    # A file that could not be read (no sha256) keeps no fingerprint: every run tries it again.
    fingerprint = fingerprints.get(rejection.source) if rejection.sha256 is not None else None
    return InputRecord(
        rejection.source,
        REJECTED,
        size=rejection.size,
        sha256=rejection.sha256,
        page_count=rejection.page_count,
        reason=rejection.reason,
        fingerprint=fingerprint,
    )


def unread_rejection(record: InputRecord) -> Rejection:
    """The rejection a record stands for, for an input passed over unread (its listing
    fingerprint is the one it was rejected with)."""
    reason = record.reason or "rejected"
    return Rejection(
        record.source,
        f"{record.source}: {reason}",
        size=record.size,
        sha256=record.sha256,
        page_count=record.page_count,
    )


@dataclass
class SetAside:
    """The inputs a run sets aside: those not rejected before with the same bytes, and the rest."""

    new: list[Rejection] = field(default_factory=list)
    unchanged: list[Rejection] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.new or self.unchanged)

    def records(self, fingerprints: Mapping[str, str] | None = None) -> list[InputRecord]:
        """The records to write: the new rejections (the unchanged ones are recorded already).

        :param fingerprints: listing fingerprints by source: a rejected file read with one is
            passed over unread by later runs while its fingerprint stays the same.
        """
        return [_record(r, fingerprints or {}) for r in self.new]

    def summary(self, table: str | None) -> str:
        """The one line the task log gives them."""
        total = len(self.new) + len(self.unchanged)
        where = f" (see {table}__rejected_inputs)" if table else ""
        parts = [f"Set aside {total} bad input(s), not submitted{where}"]
        if self.new:
            shown = "; ".join(f"{_name(r.source)}: {_short(r.reason)}" for r in self.new[:_SHOWN])
            more = f"; and {len(self.new) - _SHOWN} more" if len(self.new) > _SHOWN else ""
            parts.append(f"{len(self.new)} new: {shown}{more}")
        if self.unchanged:
            parts.append(f"{len(self.unchanged)} unchanged since an earlier run rejected them")
        return ". ".join(parts) + "."


def set_aside(
    rejected: Sequence[Rejection], known: Mapping[str, InputRecord], unread: Sequence[InputRecord] = ()
) -> SetAside:
    """Split ``rejected`` by whether ``known`` (the warehouse's records) already rejected the same bytes.

    :param unread: the records of inputs passed over unread, rejected before with the same
        listing fingerprint: unchanged rejections too.
    """
    found = SetAside(unchanged=[unread_rejection(r) for r in unread])
    for rejection in rejected:
        record = known.get(rejection.source)
        same = record is not None and record.outcome == REJECTED and record.same_bytes(rejection.sha256)
        (found.unchanged if same else found.new).append(rejection)
    return found


def submitted_records(
    sources: Sequence[ImageSource], fingerprints: Mapping[str, str] | None = None
) -> list[InputRecord]:
    """One record per document among ``sources`` (outcome ``loaded`` until the load says otherwise).

    :param fingerprints: listing fingerprints by source (see
        :func:`aspose_ocr_provider.documents.listing.list_documents`): recorded with the rows, so the next
        run skips the unchanged document unread.
    """
    fingerprints = fingerprints or {}
    documents = {id(s.document): s.document for s in sources}
    return [
        InputRecord(
            d.source,
            LOADED,
            size=d.size,
            sha256=d.sha256,
            page_count=d.page_count,
            fingerprint=fingerprints.get(d.source),
        )
        for d in documents.values()
    ]


def parse_input_records(value: Any) -> list[InputRecord]:
    """The records a load step is given: the submit step's ``inputs`` XCom, or lists of them."""
    if value is None:
        return []
    if isinstance(value, str):
        import json

        text = value.strip()
        if not text:
            return []
        try:
            value = json.loads(text)
        except ValueError:
            import ast

            value = ast.literal_eval(text)
    if isinstance(value, Mapping):
        return [InputRecord.from_xcom(value)]
    records: list[InputRecord] = []
    for item in value:
        records.extend(parse_input_records(item))
    return records


def _name(source: str) -> str:
    return source.rstrip("/").rsplit("/", 1)[-1] or source


def _short(reason: str) -> str:
    return reason.split(";", 1)[0].strip()

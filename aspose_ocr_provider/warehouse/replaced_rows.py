"""Which rows an idempotent load deletes before inserting: the rows of the same inputs.

Keying on the input (its bytes' digest and page) rather than on the DAG run is what keeps one copy
of each image's rows across re-runs of a logical date, ``airflow dags test`` reruns (which give
the run a new id), cleared tasks and backfills. A file rewritten in place is a new input; by
default its older version's rows (same ``_source``, another digest) go too, so the table holds
what the folder holds now. Rows loaded before the identity columns existed have no digest and
count as an older version of their source.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from aspose_ocr_provider.documents.identity import InputIdentity

INPUTS_PER_STATEMENT = 100
"""Inputs named in one DELETE: a few hundred bound values, well under every driver's limit."""


@dataclass(frozen=True)
class LoadedInput:
    """One input a load writes: where it came from and, when known, its identity."""

    source: str
    identity: InputIdentity | None


class ReplacedRows:
    """The rows of ``inputs`` already in a table, as bounded DELETE conditions.

    :param inputs: the inputs this load writes (including those that yield no rows, so a file
        whose new version has no table still replaces its old rows). Read when the conditions
        are built, so a load that writes as results arrive can go on adding to it.
    :param source_column: provenance column holding the source.
    :param sha256_column: provenance column holding the digest.
    :param page_column: provenance column holding the page.
    :param keep_history: keep the rows of older versions of the same source (another digest);
        by default they are replaced.
    """

    def __init__(
        self,
        inputs: Sequence[LoadedInput],
        *,
        source_column: str,
        sha256_column: str,
        page_column: str,
        keep_history: bool = False,
    ) -> None:
        self._given = inputs
        self.source_column = source_column
        self.sha256_column = sha256_column
        self.page_column = page_column
        self.keep_history = keep_history

    @property
    def inputs(self) -> list[LoadedInput]:
        """Each input once, in the order given."""
        return list(dict.fromkeys(self._given))

    def column_kinds(self) -> dict[str, str]:
        """The columns the conditions read, so the writer adds them to an older table first."""
        return {self.source_column: "text", self.sha256_column: "text", self.page_column: "integer"}

    def _condition(self, item: LoadedInput, quote: Any, ph: str) -> tuple[str, list[Any]]:
        source, sha, page = quote(self.source_column), quote(self.sha256_column), quote(self.page_column)
        if item.identity is None:
            # A bare task id (or a record without a digest): its source is all that identifies it.
            return f"{source} = {ph}", [item.source]
        same = f"({sha} = {ph} AND {page} = {ph})"
        params: list[Any] = [item.identity.sha256, item.identity.page]
        if self.keep_history:
            return same, params
        older = f"({source} = {ph} AND ({sha} IS NULL OR {sha} <> {ph}))"
        return f"{same} OR {older}", [*params, item.source, item.identity.sha256]

    def where_clauses(self, quote: Any, placeholder: str) -> Iterator[tuple[str, list[Any]]]:
        """``(condition, params)`` pairs, each covering up to :data:`INPUTS_PER_STATEMENT` inputs.

        :param quote: the dialect's identifier quoting function.
        :param placeholder: the driver's bound-parameter marker (``%s``, ``?``).
        """
        inputs = self.inputs
        for start in range(0, len(inputs), INPUTS_PER_STATEMENT):
            parts = [self._condition(i, quote, placeholder) for i in inputs[start : start + INPUTS_PER_STATEMENT]]
            yield " OR ".join(f"({sql})" for sql, _ in parts), [p for _, params in parts for p in params]

"""Remember which images a task instance already paid for, across its tries.

Why Airflow Variables: in Airflow 3 a new try starts by deleting every XCom of the task
instance (the execution API hands the worker ``xcom_keys_to_clear``), so XCom cannot carry ids
from a failed try to the next. Variables are reachable from a running task through the Task SDK
(``Variable.set/get/keys/delete`` go over the supervisor to the execution API), survive tries,
and need no extra infrastructure.

Layout: entries are kept in pages of up to ``PAGE_SIZE`` ids, one Variable per page, keyed
``aspose_ocr.submissions.<ti digest>.<page>``; the task-instance digest covers dag_id, run_id,
task_id and map_index, and each entry is keyed by a digest of the image sha256 and the exact
settings sent. Listing a task instance's pages is one ``Variable.keys(prefix)`` call. A page is
rewritten at most every ``FLUSH_SECONDS`` while ids arrive, and always when submitting ends,
fails or is interrupted (execution_timeout, SIGTERM), so such a try loses no id; only a hard
kill (SIGKILL, OOM) can lose the last ``FLUSH_SECONDS`` of ids. Writing one Variable per id
instead measured about 6 ms per id in ``dag.test()``, which at thousands of images would cost
more than the submissions themselves. A successful try deletes its pages: its ids then live in
its XCom, and clearing a finished task is a deliberate re-run.

When the Task SDK is not reachable (the operator called outside a task runner), the ledger
warns once and keeps entries in memory only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

KEY_PREFIX = "aspose_ocr.submissions."


def image_key(sha256: str, settings_json: Mapping[str, Any], page: int = 1) -> str:
    """The identity of one paid-for recognition: the same page of the same bytes, same settings.

    Every page of a document has its own key, so a retry reuses each page's id and never pays
    for a page twice.
    """
    canonical = json.dumps(settings_json, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{sha256}|{page}|{canonical}".encode()).hexdigest()[:40]


@dataclass(frozen=True)
class LedgerEntry:
    """What an earlier try obtained for one page (1 for a plain image)."""

    task_id: str
    sha256: str
    source: str
    submitted_at: str
    page: int = 1

    def to_json(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "sha256": self.sha256,
            "source": self.source,
            "submitted_at": self.submitted_at,
            "page": self.page,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LedgerEntry:
        return cls(
            task_id=str(data["task_id"]),
            sha256=str(data["sha256"]),
            source=str(data.get("source", "")),
            submitted_at=str(data["submitted_at"]),
            page=int(data.get("page", 1)),
        )


class SubmissionLedger:
    """Per-task-instance store of submitted ids, backed by paged Airflow Variables."""

    PAGE_SIZE = 250
    FLUSH_SECONDS = 0.5

    def __init__(self, dag_id: str, run_id: str, task_id: str, map_index: int) -> None:
        self.label = f"{dag_id}/{run_id}/{task_id}[{map_index}]"
        digest = hashlib.sha256(f"{dag_id}\x00{run_id}\x00{task_id}\x00{map_index}".encode()).hexdigest()
        self.prefix = f"{KEY_PREFIX}{digest[:24]}."
        self._pages: list[dict[str, dict[str, Any]]] = []
        self._page_of: dict[str, int] = {}
        self._dirty: set[int] = set()
        self._stored: set[int] = set()
        self._last_flush = time.monotonic()
        self._durable = True

    @classmethod
    def for_task_instance(cls, ti: Any) -> SubmissionLedger:
        map_index = getattr(ti, "map_index", -1)
        return cls(ti.dag_id, ti.run_id, ti.task_id, -1 if map_index is None else int(map_index))

    def _degrade(self, exc: BaseException) -> None:
        if self._durable:
            log.warning(
                "Cannot reach Airflow Variables (%s: %s); submitted ids of %s are kept in memory only, so "
                "a retry of this task would submit again.",
                type(exc).__name__,
                exc,
                self.label,
            )
        self._durable = False

    def _page(self, number: int) -> dict[str, dict[str, Any]]:
        while len(self._pages) <= number:
            self._pages.append({})
        return self._pages[number]

    def load(self) -> dict[str, LedgerEntry]:
        """Entries that earlier tries of this task instance recorded, by image key."""
        from aspose_ocr_provider.compat import Variable

        try:
            keys = list(Variable.keys(prefix=self.prefix))  # a lazy proxy: force it here
        except Exception as exc:
            self._degrade(exc)
            keys = []
        for key in keys:
            try:
                number = int(key[len(self.prefix) :])
                raw = Variable.get(key, deserialize_json=True)
                entries = {str(k): LedgerEntry.from_json(v).to_json() for k, v in dict(raw).items()}
            except Exception as exc:
                log.warning("Ignoring unreadable submission ledger page %s: %s", key, exc)
                continue
            self._stored.add(number)
            self._page(number).update(entries)
            self._page_of.update(dict.fromkeys(entries, number))
        return {key: LedgerEntry.from_json(value) for page in self._pages for key, value in page.items()}

    def record(self, image_key: str, entry: LedgerEntry) -> None:
        """Add one submission; written out within ``FLUSH_SECONDS``, or by ``flush``."""
        number = len(self._pages) - 1
        if number < 0 or len(self._pages[number]) >= self.PAGE_SIZE:
            number += 1
        self._page(number)[image_key] = entry.to_json()
        self._page_of[image_key] = number
        self._dirty.add(number)
        if time.monotonic() - self._last_flush >= self.FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write every changed page now."""
        from aspose_ocr_provider.compat import Variable

        self._last_flush = time.monotonic()
        dirty, self._dirty = sorted(self._dirty), set()
        if not self._durable:
            return
        for number in dirty:
            key = f"{self.prefix}{number}"
            page = self._pages[number]
            try:
                if page:
                    Variable.set(
                        key,
                        page,
                        description=f"Aspose.OCR task ids submitted by {self.label}; reused if it retries.",
                        serialize_json=True,
                    )
                    self._stored.add(number)
                elif number in self._stored:
                    Variable.delete(key)
                    self._stored.discard(number)
            except Exception as exc:
                self._degrade(exc)
                return

    def forget(self, image_keys: list[str]) -> None:
        """Drop entries whose ids expired, and write the change."""
        for key in image_keys:
            number = self._page_of.pop(key, None)
            if number is not None:
                self._pages[number].pop(key, None)
                self._dirty.add(number)
        if self._dirty:
            self.flush()

    def clear(self) -> None:
        """Delete every page (the try succeeded; its ids are in XCom now)."""
        for page in self._pages:
            page.clear()
        self._page_of.clear()
        self._dirty = set(self._stored)
        self.flush()

"""Remember which images a task instance already paid for, across its tries.

Why not XCom: in Airflow 3 a new try starts by deleting every XCom of the task instance (the
execution API hands the worker ``xcom_keys_to_clear``), so XCom cannot carry ids from a failed
try to the next.

Where: on Airflow 3.3+ in the task state store (``context["task_state_store"]``, AIP-103), which
is scoped to the task instance (dag, run, task, map index), kept across its tries, invisible to
users editing Variables, and given a retention so that the pages of a task that never succeeds
expire with the ids themselves (the service forgets a task after 24 hours). On older Airflow,
where the context has no store, in Airflow Variables keyed ``aspose_ocr.submissions.<ti
digest>.<page>``; the digest covers dag_id, run_id, task_id and map_index.

Layout: entries are kept in pages of up to ``PAGE_SIZE`` ids, numbered from 0, so a retry finds
them by reading pages until the first missing one (the store has no key listing, and older Task
SDKs have no ``Variable.keys``). Each entry is keyed by a digest of the image sha256 and the exact
settings sent. Small pages keep every write small (one write rewrites only the page that changed)
and well under the store's 64 KB value limit.

When: the submit operator writes new ids as soon as POSTs return, but at most once every
``FLUSH_GAP`` seconds (ids that return in between, or during a write, go into the next one, due
at most ``FLUSH_GAP`` after the last write ended, whether or not more POSTs return). So a hard
kill (SIGKILL, OOM) can lose only the ids accepted in the last ``FLUSH_GAP`` plus one write, a
round trip to the metadata database (``write_stats`` reports the longest). Writing after every
POST instead made a 6-page retry under a 1 s ``execution_timeout`` miss it on a loaded machine:
each write is a round trip through the supervisor and the API server. A successful try deletes its pages: its
ids then live in its XCom, and clearing a finished task is a deliberate re-run.

When neither the store nor Variables are reachable (the operator called outside a task runner),
the ledger warns once and keeps entries in memory only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from aspose_ocr_provider.compat import SUPERVISOR_LOCK
from aspose_ocr_provider.models import RETENTION_SECONDS

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


class PageStore(Protocol):
    """Where the pages live: numbered JSON values that survive the task's tries."""

    name: str

    def get(self, number: int) -> Any: ...

    def set(self, number: int, page: dict[str, dict[str, Any]]) -> None: ...

    def delete(self, number: int) -> None: ...


class TaskStatePages:
    """Pages in the task state store of Airflow 3.3+, already scoped to the task instance."""

    name = "the task state store"
    RETENTION = timedelta(seconds=RETENTION_SECONDS)
    """The service forgets a task after 24 hours; a page kept longer could only be resubmitted."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def get(self, number: int) -> Any:
        with SUPERVISOR_LOCK:
            return self._store.get(f"{KEY_PREFIX}{number}", None)

    def set(self, number: int, page: dict[str, dict[str, Any]]) -> None:
        with SUPERVISOR_LOCK:
            self._store.set(f"{KEY_PREFIX}{number}", page, retention=self.RETENTION)

    def delete(self, number: int) -> None:
        with SUPERVISOR_LOCK:
            self._store.delete(f"{KEY_PREFIX}{number}")


class VariablePages:
    """Pages in Airflow Variables: the fallback where the context has no task state store."""

    name = "Airflow Variables"

    def __init__(self, dag_id: str, run_id: str, task_id: str, map_index: int) -> None:
        digest = hashlib.sha256(f"{dag_id}\x00{run_id}\x00{task_id}\x00{map_index}".encode()).hexdigest()
        self.prefix = f"{KEY_PREFIX}{digest[:24]}."
        self._description = (
            f"Aspose.OCR task ids submitted by {dag_id}/{run_id}/{task_id}[{map_index}]; reused if it "
            "retries, deleted when it succeeds."
        )

    def get(self, number: int) -> Any:
        from aspose_ocr_provider.compat import Variable

        with SUPERVISOR_LOCK:
            return Variable.get(f"{self.prefix}{number}", default=None, deserialize_json=True)

    def set(self, number: int, page: dict[str, dict[str, Any]]) -> None:
        from aspose_ocr_provider.compat import Variable

        with SUPERVISOR_LOCK:
            Variable.set(f"{self.prefix}{number}", page, description=self._description, serialize_json=True)

    def delete(self, number: int) -> None:
        from aspose_ocr_provider.compat import Variable

        with SUPERVISOR_LOCK:
            Variable.delete(f"{self.prefix}{number}")


@dataclass
class WriteStats:
    """How often the ledger wrote, and its longest write: the SIGKILL window of a try."""

    writes: int = 0
    seconds: float = 0.0
    longest: float = 0.0

    def add(self, seconds: float) -> None:
        self.writes += 1
        self.seconds += seconds
        self.longest = max(self.longest, seconds)


class SubmissionLedger:
    """Per-task-instance record of submitted ids, in pages of a ``PageStore``."""

    PAGE_SIZE = 50
    FLUSH_GAP = 0.25
    """Least time between two writes: bounds both their cost and the SIGKILL window."""

    def __init__(self, pages: PageStore, label: str) -> None:
        self.pages = pages
        self.label = label
        self._pages: list[dict[str, dict[str, Any]]] = []
        self._page_of: dict[str, int] = {}
        self._dirty: set[int] = set()
        self._stored: set[int] = set()
        self._durable = True
        # The first write falls due FLUSH_GAP after the try starts, like every later one after the
        # write before it: a try that submits one image quickly writes once, not twice.
        self._last_write = time.monotonic()
        self.write_stats = WriteStats()

    @classmethod
    def for_context(cls, context: Mapping[str, Any]) -> SubmissionLedger:
        """The task state store when the running Airflow has one (3.3+), else Variables."""
        ti = context["ti"]
        map_index = getattr(ti, "map_index", -1)
        map_index = -1 if map_index is None else int(map_index)
        label = f"{ti.dag_id}/{ti.run_id}/{ti.task_id}[{map_index}]"
        store = context.get("task_state_store")
        if store is not None:
            return cls(TaskStatePages(store), label)
        return cls(VariablePages(ti.dag_id, ti.run_id, ti.task_id, map_index), label)

    @property
    def durable(self) -> bool:
        """Whether the ids reach storage a retry can read (False once it proved unreachable)."""
        return self._durable

    def account(self) -> str:
        """What the ledger did this try, for the task's summary line: where, how often, how long
        its longest write took (the SIGKILL window)."""
        if not self._durable:
            return f"ids kept in memory only ({self.pages.name} unreachable)"
        stats = self.write_stats
        return (
            f"ids kept in {self.pages.name} for a retry ({stats.writes} write(s), longest "
            f"{stats.longest * 1000:.0f} ms) until this success deleted them"
        )

    def _degrade(self, exc: BaseException) -> None:
        if self._durable:
            log.warning(
                "Cannot reach %s (%s: %s); submitted ids of %s are kept in memory only, so a retry of "
                "this task would submit again.",
                self.pages.name,
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
        number = 0
        while True:
            try:
                raw = self.pages.get(number)
            except Exception as exc:
                self._degrade(exc)
                break
            if raw is None:
                break
            self._stored.add(number)
            try:
                entries = {str(k): LedgerEntry.from_json(v).to_json() for k, v in dict(raw).items()}
            except Exception as exc:
                log.warning(
                    "Ignoring unreadable page %d of submitted ids in %s: %s", number, self.pages.name, exc
                )
                entries = {}
            self._page(number).update(entries)
            self._page_of.update(dict.fromkeys(entries, number))
            number += 1
        return {key: LedgerEntry.from_json(value) for page in self._pages for key, value in page.items()}

    def record(self, image_key: str, entry: LedgerEntry) -> None:
        """Add one submission; written by ``flush_if_due`` once due, or by ``flush``."""
        number = len(self._pages) - 1
        if number < 0 or len(self._pages[number]) >= self.PAGE_SIZE:
            number += 1
        self._page(number)[image_key] = entry.to_json()
        self._page_of[image_key] = number
        self._dirty.add(number)

    def due_in(self) -> float | None:
        """Seconds until recorded ids are due to be written (0: now), or None when none wait."""
        if not self._dirty:
            return None
        return max(0.0, self._last_write + self.FLUSH_GAP - time.monotonic())

    def flush_if_due(self) -> None:
        """Write recorded ids if ``FLUSH_GAP`` has passed since the last write."""
        if self.due_in() == 0.0:
            self.flush()

    def flush(self) -> None:
        """Write every changed page now (an emptied page stays, empty, so later pages are found)."""
        dirty, self._dirty = sorted(self._dirty), set()
        if not self._durable or not dirty:
            return
        started = time.monotonic()
        try:
            for number in dirty:
                self.pages.set(number, self._pages[number])
                self._stored.add(number)
        except Exception as exc:
            self._degrade(exc)
            return
        finally:
            self._last_write = time.monotonic()
        self.write_stats.add(self._last_write - started)

    def forget(self, image_keys: list[str]) -> None:
        """Drop entries whose ids expired, and write the change."""
        for key in image_keys:
            number = self._page_of.pop(key, None)
            if number is not None:
                self._pages[number].pop(key, None)
                self._dirty.add(number)
        self.flush()

    def clear(self) -> None:
        """Delete every page (the try succeeded; its ids are in XCom now)."""
        self._pages.clear()
        self._page_of.clear()
        self._dirty.clear()
        if not self._durable:
            return
        try:
            for number in sorted(self._stored, reverse=True):  # the last first: no gap ever hides a page
                self.pages.delete(number)
                self._stored.discard(number)
        except Exception as exc:
            self._degrade(exc)

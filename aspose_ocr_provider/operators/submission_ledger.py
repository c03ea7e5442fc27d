"""Remember which images a task instance already paid for, across its tries.

Why Airflow Variables: in Airflow 3 a new try starts by deleting every XCom of the task
instance (the execution API hands the worker ``xcom_keys_to_clear``), so XCom cannot carry ids
from a failed try to the next. Variables are reachable from a running task through the Task SDK
(``Variable.set/get/keys/delete`` go over the supervisor to the execution API), survive tries,
and need no extra infrastructure.

Layout: one small Variable per submitted image, written the moment its POST returns, so a try
killed mid-batch loses at most the requests in flight. Keys are
``aspose_ocr.submission.<ti digest>.<image digest>`` where the task-instance digest covers
dag_id, run_id, task_id and map_index, and the image digest covers the image sha256 and the
exact settings sent. Listing a task instance's entries is one ``Variable.keys(prefix)`` call.
A successful try deletes its entries: its ids then live in its XCom, and clearing a finished
task is a deliberate re-run.

When the Task SDK is not reachable (the operator called outside a task runner), the ledger
warns once and keeps entries in memory only.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

KEY_PREFIX = "aspose_ocr.submission."


def image_key(sha256: str, settings_json: Mapping[str, Any]) -> str:
    """The identity of one paid-for recognition: the same bytes with the same settings."""
    canonical = json.dumps(settings_json, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{sha256}|{canonical}".encode()).hexdigest()[:40]


@dataclass(frozen=True)
class LedgerEntry:
    """What an earlier try obtained for one image."""

    task_id: str
    sha256: str
    source: str
    submitted_at: str

    def to_json(self) -> dict[str, str]:
        return {
            "task_id": self.task_id,
            "sha256": self.sha256,
            "source": self.source,
            "submitted_at": self.submitted_at,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LedgerEntry:
        return cls(
            task_id=str(data["task_id"]),
            sha256=str(data["sha256"]),
            source=str(data.get("source", "")),
            submitted_at=str(data["submitted_at"]),
        )


class SubmissionLedger:
    """Per-task-instance store of submitted ids, backed by Airflow Variables."""

    def __init__(self, dag_id: str, run_id: str, task_id: str, map_index: int) -> None:
        self.label = f"{dag_id}/{run_id}/{task_id}[{map_index}]"
        digest = hashlib.sha256(f"{dag_id}\x00{run_id}\x00{task_id}\x00{map_index}".encode()).hexdigest()
        self.prefix = f"{KEY_PREFIX}{digest[:24]}."
        self._memory: dict[str, LedgerEntry] = {}
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

    def load(self) -> dict[str, LedgerEntry]:
        """Entries that earlier tries of this task instance recorded, by image key."""
        from airflow.sdk import Variable

        entries = dict(self._memory)
        try:
            keys = list(Variable.keys(prefix=self.prefix))  # a lazy proxy: force it here
        except Exception as exc:
            self._degrade(exc)
            return entries
        for key in keys:
            try:
                raw = Variable.get(key, deserialize_json=True)
                entries[key[len(self.prefix) :]] = LedgerEntry.from_json(raw)
            except Exception as exc:
                log.warning("Ignoring unreadable submission ledger entry %s: %s", key, exc)
        return entries

    def record(self, image_key: str, entry: LedgerEntry) -> None:
        """Persist one submission now, so a kill right after it does not lose the id."""
        from airflow.sdk import Variable

        self._memory[image_key] = entry
        if not self._durable:
            return
        try:
            Variable.set(
                self.prefix + image_key,
                entry.to_json(),
                description=f"Aspose.OCR task id submitted by {self.label}; reused if that task retries.",
                serialize_json=True,
            )
        except Exception as exc:
            self._degrade(exc)

    def forget(self, image_keys: list[str]) -> None:
        """Drop entries (ids that expired or a try that succeeded)."""
        from airflow.sdk import Variable

        for key in image_keys:
            self._memory.pop(key, None)
            if not self._durable:
                continue
            try:
                Variable.delete(self.prefix + key)
            except Exception as exc:
                log.warning("Could not delete submission ledger entry %s: %s", self.prefix + key, exc)

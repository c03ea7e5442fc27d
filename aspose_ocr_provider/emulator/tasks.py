"""The task queue: ids, the Pending -> Processing -> Completed/Error walk, cancel and retention.

A task's phase comes from how often it has been polled and how long ago (on the emulator clock)
it was submitted, so tests step through the states without sleeping. Recognition itself runs in
a worker thread; a task whose phases are over but whose engine has not finished reads as
Processing, exactly what a client of a busy service would see.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from dataclasses import dataclass, field

from aspose_ocr_provider.emulator.clock import Clock
from aspose_ocr_provider.models import ResponseStatusCode, ResultItem, TaskResult, TaskStatus


@dataclass(frozen=True)
class QueueTiming:
    """How long a task shows each in-flight state.

    :param pending_polls: Status reads answered Pending.
    :param processing_polls: Status reads then answered Processing.
    :param pending_seconds: Clock seconds a task stays at least Pending.
    :param processing_seconds: Clock seconds it then stays at least Processing.
    """

    pending_polls: int = 1
    processing_polls: int = 1
    pending_seconds: float = 0.0
    processing_seconds: float = 0.0


@dataclass(frozen=True)
class Outcome:
    """How a task ended: Completed with results, or Error with messages."""

    status: TaskStatus
    code: ResponseStatusCode
    results: tuple[ResultItem, ...] = ()
    messages: tuple[str, ...] = ()

    @classmethod
    def completed(cls, results: tuple[ResultItem, ...]) -> Outcome:
        code = ResponseStatusCode.OK if results else ResponseStatusCode.NO_ANY_RESULT_DATA
        return cls(TaskStatus.COMPLETED, code, results)

    @classmethod
    def failed(cls, message: str) -> Outcome:
        return cls(TaskStatus.ERROR, ResponseStatusCode.ERROR, messages=(message,))


@dataclass
class Task:
    id: str
    created_at: float
    polls: int = 0
    outcome: Outcome | None = field(default=None, repr=False)


_IN_FLIGHT_CODE = ResponseStatusCode.NOT_READY


class TaskStore:
    """Every accepted task until retention ends.

    Tasks are kept in submission order, so expired ones are dropped from the front in O(1) each.
    Not thread-safe: the emulator touches it only from its event loop.

    :param clock: The emulator clock.
    :param timing: Queue timing.
    :param retention: Seconds a task is readable after submission.
    """

    def __init__(self, clock: Clock, timing: QueueTiming, retention: float) -> None:
        self.clock = clock
        self.timing = timing
        self.retention = retention
        self._tasks: OrderedDict[str, Task] = OrderedDict()
        self.submitted = 0

    def __len__(self) -> int:
        self._expire()
        return len(self._tasks)

    def create(self) -> Task:
        self._expire()
        task = Task(id=str(uuid.uuid4()), created_at=self.clock.now())
        self._tasks[task.id] = task
        self.submitted += 1
        return task

    def finish(self, task_id: str, outcome: Outcome) -> None:
        """Record the engine's outcome; ignored when the task was cancelled or expired meanwhile."""
        task = self._tasks.get(task_id)
        if task is not None:
            task.outcome = outcome

    def cancel(self, task_id: str) -> bool:
        """Forget the task (later reads say NotExist); whether it existed."""
        self._expire()
        return self._tasks.pop(task_id, None) is not None

    def _expire(self) -> None:
        cutoff = self.clock.now() - self.retention
        while self._tasks:
            task = next(iter(self._tasks.values()))
            if task.created_at > cutoff:
                break
            self._tasks.popitem(last=False)

    def _get(self, task_id: str) -> Task | None:
        self._expire()
        return self._tasks.get(task_id)

    def status_of(self, task: Task) -> tuple[TaskStatus, Outcome | None]:
        t = self.timing
        elapsed = self.clock.now() - task.created_at
        if task.polls < t.pending_polls or elapsed < t.pending_seconds:
            return TaskStatus.PENDING, None
        if (
            task.polls < t.pending_polls + t.processing_polls
            or elapsed < t.pending_seconds + t.processing_seconds
            or task.outcome is None
        ):
            return TaskStatus.PROCESSING, None
        return task.outcome.status, task.outcome

    def peek(self, task_id: str) -> TaskStatus:
        """The status a poll would report now, without counting as a poll."""
        task = self._get(task_id)
        if task is None:
            return TaskStatus.NOT_EXIST
        return self.status_of(task)[0]

    def poll(self, task_id: str, *, with_results: bool) -> TaskResult:
        """Answer one status read (GET result or GetTaskStatus) and count it."""
        task = self._get(task_id)
        if task is None:
            return TaskResult(
                id=task_id,
                task_status=TaskStatus.NOT_EXIST,
                response_status_code=ResponseStatusCode.TASK_NOT_FOUND,
            )
        status, outcome = self.status_of(task)
        task.polls += 1
        if outcome is None:
            return TaskResult(id=task.id, task_status=status, response_status_code=_IN_FLIGHT_CODE)
        return TaskResult(
            id=task.id,
            task_status=outcome.status,
            response_status_code=outcome.code,
            results=outcome.results if with_results else (),
            messages=outcome.messages,
        )

    def counts(self) -> dict[str, int]:
        """Tasks held per status they would report now (for the stats route)."""
        out: dict[str, int] = {}
        self._expire()
        for task in self._tasks.values():
            name = self.status_of(task)[0].value
            out[name] = out.get(name, 0) + 1
        return out

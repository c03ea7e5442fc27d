"""Fetch OCR results several at a time, handed back in input order, with bounded memory.

At the real service's latency (100-300 ms a request) fetching 1,000 results one after another
costs minutes of a worker slot; fetching ``max_concurrency`` at a time divides that. Results are
yielded in the order of the ids, so the load writes rows in a stable order, and at most
``2 * max_concurrency`` results are held at any moment (in flight or done and waiting for their
turn), so memory does not grow with the number of images.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

K = TypeVar("K")
R = TypeVar("R")

DEFAULT_FETCH_CONCURRENCY = 8
"""The load step's default ``max_concurrency``: the same as the submit operator's."""


def check_max_concurrency(value: object) -> int:
    """``value`` if it is a positive integer; else a ValueError naming it."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"max_concurrency must be a positive integer, got {value!r}.")
    return value


def fetch_ordered(
    fetch: Callable[[K], R], keys: Iterable[K], max_concurrency: int = DEFAULT_FETCH_CONCURRENCY
) -> Iterator[tuple[K, R]]:
    """Yield ``(key, fetch(key))`` in the order of ``keys``, calling ``fetch`` on a thread pool.

    ``fetch`` must be thread-safe (the Aspose.OCR hook is: one HTTP session per thread). An
    exception from ``fetch`` is raised when its key's turn comes; the requests queued behind it
    are then cancelled, as they are when the caller stops iterating early.

    :param fetch: Gets one result, e.g. ``hook.get_result``.
    :param keys: What to fetch, e.g. OCR task ids; read lazily, as the window moves on.
    :param max_concurrency: Most ``fetch`` calls running at once.
    """
    check_max_concurrency(max_concurrency)
    todo = iter(keys)
    window: deque[tuple[K, Future[R]]] = deque()
    pool = ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="aspose-ocr-fetch")

    def refill() -> None:
        while len(window) < 2 * max_concurrency:
            key = next(todo, _END)
            if key is _END:
                return
            window.append((key, pool.submit(fetch, key)))  # type: ignore[arg-type]

    try:
        refill()
        while window:
            key, future = window.popleft()
            result = future.result()
            refill()
            yield key, result
    finally:
        for _, future in window:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


_END = object()

"""The stacks of a timed-out test reach the terminal, also when pytest-xdist ran it.

pytest-timeout's thread method prints every thread's stack and ends the process; in an xdist
worker that output is lost, and the controller says only "worker crashed while running X". Here
the timer writes the stacks to a folder the controller made first, and the controller prints
them at the end of the run, under the test's name. Then pytest-timeout's own handler runs as
before (its output, its exit).
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import sys
import tempfile
import threading
import traceback
from pathlib import Path
from typing import Any

import pytest
from pytest_timeout import timeout_timer

FOLDER_VARIABLE = "ASPOSE_OCR_TEST_TIMEOUT_STACKS"


def pytest_configure(config: pytest.Config) -> None:
    # The controller (or a run without xdist) makes the folder; workers inherit the variable.
    if not hasattr(config, "workerinput"):
        folder = tempfile.mkdtemp(prefix="aspose-ocr-test-timeouts-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        os.environ[FOLDER_VARIABLE] = folder


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_set_timer(item: pytest.Item, settings: Any) -> bool | None:
    if settings.method != "thread" or not os.environ.get(FOLDER_VARIABLE):
        return None  # pytest-timeout's own timer

    def stacks_then_timeout() -> None:
        _write_stacks(item, settings.timeout)
        timeout_timer(item, settings)

    timer = threading.Timer(settings.timeout, stacks_then_timeout)
    timer.name = f"timeout {item.nodeid}"
    timer.daemon = True

    def cancel() -> None:
        timer.cancel()
        timer.join()

    item.cancel_timeout = cancel  # type: ignore[attr-defined]  # read by pytest-timeout's cancel hook
    timer.start()
    return True


def _write_stacks(item: pytest.Item, timeout: float) -> None:
    lines = [f"{item.nodeid} did not finish in {timeout:g} s; every thread's stack:\n"]
    names = {t.ident: t.name for t in threading.enumerate()}
    for ident, frame in sys._current_frames().items():
        if ident == threading.get_ident():
            continue
        lines.append(f"\n--- thread {names.get(ident, ident)} ---\n")
        lines.extend(traceback.format_stack(frame))
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid)[:200] + ".txt"
    (Path(os.environ[FOLDER_VARIABLE]) / name).write_text("".join(lines))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    folder = os.environ.get(FOLDER_VARIABLE)
    if hasattr(config, "workerinput") or not folder or not Path(folder).is_dir():
        return
    for path in sorted(Path(folder).glob("*.txt")):
        terminalreporter.section("Timeout", sep="+")
        terminalreporter.write(path.read_text())

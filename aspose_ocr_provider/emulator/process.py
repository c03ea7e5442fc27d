"""The emulator's CLI in a child process, for scripts and tests that need it outside their own.

A deployment test or a benchmark must not share an event loop (or a CPU budget) with the
emulator it measures, so it starts the real command and reads the address the command announces
on its first stdout line; everything else goes through HTTP, including the ``/_emulator/``
admin routes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from types import TracebackType
from typing import Any

ANNOUNCEMENT = "Listening on "


class EmulatorProcess:
    """``python -m aspose_ocr_provider.emulator --port 0 *args`` until :meth:`stop` (or ``with`` ends).

    :param args: CLI options, e.g. ``"--fixtures", "/data/scans", "--pending-polls", "2"``.
    :param python: The interpreter to run it with (this one by default).
    """

    def __init__(self, *args: str, python: str = sys.executable) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 (our own command, argv list, no shell)
            [python, "-m", "aspose_ocr_provider.emulator", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()  # blocks until the address is announced
        if not line.startswith(ANNOUNCEMENT):
            self.stop()
            raise RuntimeError(
                f"The Aspose.OCR emulator did not announce its address (exit code {self.proc.returncode}); "
                f"first line: {line!r}. Run the same command by hand to see its error."
            )
        self.url = line.removeprefix(ANNOUNCEMENT)

    def stats(self) -> dict[str, Any]:
        """Requests per endpoint and task counts, from ``GET /_emulator/stats``."""
        with urllib.request.urlopen(self.url + "/_emulator/stats", timeout=10) as resp:  # noqa: S310 (our own URL)
            return dict(json.loads(resp.read()))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> EmulatorProcess:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

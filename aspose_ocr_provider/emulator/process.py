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
from collections.abc import Mapping
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

    def _admin(self, route: str, body: Mapping[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(  # noqa: S310 (our own URL)
            f"{self.url}/_emulator/{route}", data=data, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 (our own URL)
            return json.loads(resp.read())

    def stats(self) -> dict[str, Any]:
        """Requests per endpoint and task counts, from ``GET /_emulator/stats``."""
        return dict(self._admin("stats"))

    def requests(self) -> list[dict[str, Any]]:
        """Every request answered so far (method, path, status, time, endpoint), oldest first."""
        return list(self._admin("requests"))

    def configure(self, **changes: Any) -> dict[str, Any]:
        """Change run-time settings (``pending_seconds=...``, ``faults={...}``); returns the config."""
        return dict(self._admin("config", changes))

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

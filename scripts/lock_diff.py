"""One line: which installed packages differ from a lock file (``scripts/latest-releases.sh``).

Run with the environment's own interpreter: ``python scripts/lock_diff.py LOCK``. Reads the
lock's ``name==version`` lines (markers for this interpreter applied) and the environment's
installed distributions; prints e.g. ``3 changed since locks/newest.txt: cryptography 50.0.2 -> 51.0.1, ...``.
"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def locked(lock: Path) -> dict[str, str]:
    pins = {}
    for line in lock.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or "==" not in line:
            continue
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate():
            pins[canonicalize_name(req.name)] = next(iter(req.specifier)).version
    return pins


def installed() -> dict[str, str]:
    return {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}


def main(lock: str) -> None:
    # The project itself and the virtualenv's own tooling are not part of the resolution.
    ignored = {"airflow-provider-aspose-ocr", "pip", "setuptools", "uv", "wheel"}
    pins = {n: v for n, v in locked(Path(lock)).items() if n not in ignored}
    now = {n: v for n, v in installed().items() if n not in ignored}
    changes = [f"{n} {pins[n]} -> {now[n]}" for n in sorted(pins) if n in now and now[n] != pins[n]]
    changes += [f"{n} {v} (new)" for n, v in sorted(now.items()) if n not in pins]
    changes += [f"{n} {pins[n]} (gone)" for n in sorted(pins) if n not in now]
    print(f"{len(changes)} changed since {lock}" + (": " + ", ".join(changes) if changes else ""))


if __name__ == "__main__":
    main(sys.argv[1])

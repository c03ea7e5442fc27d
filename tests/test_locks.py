"""The lock files CI installs from agree with what the project declares.

``scripts/lock.sh`` writes them; a change to pyproject.toml's dependencies or to the oldest
Airflow's constraints without a refresh would install something nobody resolved. These read the
files only (no registry).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCKS = {"newest": ROOT / "locks/newest.txt", "airflow-3.0": ROOT / "locks/airflow-3.0.txt"}
PYTHON_3_11 = {"python_version": "3.11", "python_full_version": "3.11.7", "sys_platform": "linux",
               "platform_system": "Linux", "implementation_name": "cpython",
               "platform_python_implementation": "CPython", "platform_machine": "x86_64"}


def pins(lock: Path) -> dict[str, str]:
    """``name -> version`` that the lock installs on Linux with CPython 3.11."""
    found = {}
    for line in lock.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate(PYTHON_3_11):
            found[canonicalize_name(req.name)] = next(iter(req.specifier)).version
    return found


def declared() -> list[Requirement]:
    """pyproject.toml's dependencies and every extra the dev extra pulls in."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    wanted, requirements = ["dev"], [Requirement(r) for r in project["dependencies"]]
    while wanted:
        for raw in extras[wanted.pop()]:
            req = Requirement(raw)
            if canonicalize_name(req.name) == canonicalize_name(project["name"]):
                wanted.extend(req.extras)
            else:
                requirements.append(req)
    return requirements


@pytest.mark.parametrize("name", sorted(LOCKS))
def test_each_lock_pins_every_declared_dependency_within_its_range(name: str) -> None:
    locked = pins(LOCKS[name])
    problems = []
    for req in declared():
        if req.marker is not None and not req.marker.evaluate(PYTHON_3_11):
            continue
        version = locked.get(canonicalize_name(req.name))
        if version is None:
            problems.append(f"{req.name} is not in the lock")
        elif not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req.name}=={version} is outside {req}")
    assert not problems, f"{LOCKS[name].name} is stale; run scripts/lock.sh: " + "; ".join(problems)


def test_the_oldest_lock_keeps_what_airflow_3_0_cannot_run_with() -> None:
    locked = pins(LOCKS["airflow-3.0"])
    constraints = [
        Requirement(line.split("#", 1)[0].strip())
        for line in (ROOT / "scripts/constraints-airflow-3.0.txt").read_text().splitlines()
        if line.split("#", 1)[0].strip()
    ]
    assert {canonicalize_name(c.name) for c in constraints} >= {"apache-airflow", "cryptography"}
    for constraint in constraints:
        version = locked[canonicalize_name(constraint.name)]
        assert constraint.specifier.contains(version, prereleases=True), f"{constraint} but the lock has {version}"
    assert locked["apache-airflow"] == "3.0.6"
    assert int(locked["cryptography"].split(".")[0]) < 51


def test_the_newest_lock_installs_an_airflow_the_package_declares() -> None:
    airflow = next(r for r in declared() if r.name == "apache-airflow")
    version = pins(LOCKS["newest"])["apache-airflow"]
    assert airflow.specifier.contains(version)

"""The example DAG over a folder in a real S3-compatible store (SeaweedFS) and over a local folder.

Reuses the fault suite's quick example DAG, the incremental suite's emulator and the two
warehouses; adds the session's SeaweedFS (``tests.fixtures.s3``) and a bucket per test behind an
``aws`` connection named ``scans``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.faults.conftest import example_dag, failures
from tests.fixtures.s3 import S3Server, s3_server
from tests.fixtures.warehouses import warehouse
from tests.incremental.conftest import emulator

__all__ = ["emulator", "example_dag", "failures", "s3_server", "warehouse"]

CONN_ID = "scans"
BUCKET = "scans"
_folders = itertools.count()


@dataclass
class BucketFolder:
    """A prefix of its own in the bucket: what a user points ``images_folder`` at, and the truth of each scan."""

    server: S3Server
    bucket: str
    prefix: str
    csv: dict[str, str] = field(default_factory=dict)
    data: dict[str, bytes] = field(default_factory=dict)

    @property
    def uri(self) -> str:
        return f"s3://{CONN_ID}@{self.bucket}/{self.prefix}"

    def key(self, name: str) -> str:
        return f"/{self.bucket}/{self.prefix}/{name}"

    def add(self, name: str, data: bytes, csv_text: str) -> None:
        """Upload (or overwrite) a scan, straight to the server: not counted as the DAG's traffic."""
        self.server.put(self.bucket, f"{self.prefix}/{name}", data)
        self.csv[name] = csv_text
        self.data[name] = data

    def teach(self, emulator: Any) -> None:
        for name, text in self.csv.items():
            emulator.add_fixture(self.data[name], text)


@pytest.fixture(scope="session")
def scans_bucket(s3_server: S3Server) -> str:
    s3_server.make_bucket(BUCKET)
    return BUCKET


@pytest.fixture
def bucket(s3_server: S3Server, scans_bucket: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[BucketFolder]:
    """A new folder (prefix) in the session's bucket, behind connection ``scans``; counts start at zero."""
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", s3_server.airflow_conn_json())
    s3_server.proxy.reset()
    yield BucketFolder(s3_server, scans_bucket, f"run-{next(_folders)}/scans")

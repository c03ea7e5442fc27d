"""OpenLineage events of a real run of the example DAG, as a lineage backend would receive them.

``airflow dags test`` runs in a child process with the OpenLineage provider's own ``file``
transport configured (one JSON event per line), exactly as a deployment configures a transport;
the test then reads the events a lineage backend would have received.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from aspose_ocr_provider.emulator.testing import run_emulator
from aspose_ocr_provider.lineage import LineageNotes, image_dataset_name, operator_lineage
from aspose_ocr_provider.sample_data import iter_samples, sample_dir

pytest.importorskip("airflow.providers.openlineage", reason="the 'openlineage' extra is not installed")

DAG_ID = "aspose_ocr_tables_to_warehouse"


def _events(path: Path, job: str, event_type: str) -> list[dict[str, Any]]:
    events = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [e for e in events if e["job"]["name"] == f"{DAG_ID}.{job}" and e["eventType"] == event_type]


def test_the_load_event_names_every_image_and_the_table_with_columns_and_rows(
    airflow_db: Path, tmp_path: Path
) -> None:
    events = tmp_path / "openlineage.jsonl"
    warehouse = tmp_path / "warehouse.db"
    with run_emulator(pending_polls=0, processing_polls=0) as emu:  # answers from the bundled samples
        env = {
            **os.environ,
            "AIRFLOW_CONN_ASPOSE_OCR_DEFAULT": emu.airflow_conn_json(),
            "AIRFLOW_CONN_WAREHOUSE": "sqlite://" + urllib.parse.quote(str(warehouse), safe=""),
            "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps(
                {"type": "file", "log_file_path": str(events), "append": True}
            ),
            "AIRFLOW__OPENLINEAGE__NAMESPACE": "ocr-tests",
        }
        done = subprocess.run(
            [sys.executable, "-m", "airflow", "dags", "test", DAG_ID, "-c", json.dumps({"images_folder": str(sample_dir())})],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    [complete] = _events(events, "load", "COMPLETE")
    samples = [str(image) for image, _ in iter_samples()]
    assert [(d["namespace"], d["name"]) for d in complete["inputs"]] == [("file", s) for s in samples]

    [output] = complete["outputs"]
    assert (output["namespace"], output["name"]) == (f"sqlite://{warehouse}", "ocr_tables")
    with sqlite3.connect(warehouse) as db:
        table_columns = [(row[1], row[2]) for row in db.execute("PRAGMA table_info(ocr_tables)")]
        rows = db.execute("SELECT COUNT(*) FROM ocr_tables").fetchone()[0]
    fields = [(f["name"], f["type"]) for f in output["facets"]["schema"]["fields"]]
    assert sorted(fields) == sorted(table_columns)
    assert rows > 0
    assert output["outputFacets"]["outputStatistics"]["rowCount"] == rows
    assert "extractionError" not in complete["run"]["facets"], "no image failed in this run"

    [submitted] = _events(events, "submit", "COMPLETE")
    assert [d["name"] for d in submitted["inputs"]] == samples
    [started] = _events(events, "load", "START")
    assert [(d["namespace"], d["name"]) for d in started["outputs"]] == [(output["namespace"], "ocr_tables")]


def test_skipped_images_are_extraction_errors_and_bytes_have_no_dataset() -> None:
    lineage = operator_lineage(
        LineageNotes(
            inputs=["/data/a.png", "s3://bucket/scans/b.png", "<bytes input #3>"],
            problems=[("s3://bucket/scans/b.png", "OCR task t-2 is Error: image is corrupt")],
        )
    )
    assert [(d.namespace, d.name) for d in lineage.inputs] == [
        ("file", "/data/a.png"),
        ("s3://bucket", "scans/b.png"),
    ]
    facet = lineage.run_facets["extractionError"]
    assert (facet.totalTasks, facet.failedTasks) == (3, 1)
    assert [(e.task, e.errorMessage) for e in facet.errors] == [
        ("s3://bucket/scans/b.png", "OCR task t-2 is Error: image is corrupt")
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("/data/scans/a.png", ("file", "/data/scans/a.png")),
        ("file:///data/scans/a%20b.png", ("file", "/data/scans/a b.png")),
        ("file://nas/share/a.png", ("file://nas", "/share/a.png")),
        ("gs://bucket/x/y.tif", ("gs://bucket", "x/y.tif")),
        ("<bytes input #1>", None),
    ],
)
def test_image_names_follow_openlineage_naming(source: str, expected: tuple[str, str] | None) -> None:
    assert image_dataset_name(source) == expected

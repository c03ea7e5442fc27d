"""Log lines one run of the example DAG writes, in total and from this provider's own loggers.

Runs ``airflow dags test aspose_ocr_tables_to_warehouse`` in a fresh ``AIRFLOW_HOME`` against an
emulator process answering for the bundled samples, with the faults a real service shows now and
then (a share of requests answered 503 or dropped, tokens revoked every few uses), and counts
the lines of the task logs. To compare two versions, run it in each checkout with that
checkout's own venv (an editable install imports the package from its own checkout):

    .venv/bin/python bench/log_lines_bench.py

Prints: total lines, lines from ``aspose_ocr_provider`` loggers, and how many of those name a
single request (a retry or a token renewal of one request) rather than a batch or a poll round.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

from aspose_ocr_provider.emulator.process import EmulatorProcess
from aspose_ocr_provider.sample_data import sample_dir

ROOT = Path(__file__).resolve().parents[1]
DAG_ID = "aspose_ocr_tables_to_warehouse"
PER_REQUEST = re.compile(r"failed \(attempt \d+ of \d+\); retrying|refused the bearer token; fetching")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--fault-rate", type=float, default=0.2)
    parser.add_argument("--revoke-after", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20261129)
    args = parser.parse_args()
    source = ROOT
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}

    with tempfile.TemporaryDirectory(prefix="log-lines-bench-") as tmp:
        home = Path(tmp) / "airflow"
        env.update(
            AIRFLOW_HOME=str(home),
            AIRFLOW__CORE__LOAD_EXAMPLES="False",
            AIRFLOW__CORE__DAGS_FOLDER=str(source / "dags"),
            AIRFLOW_CONN_WAREHOUSE="sqlite://" + urllib.parse.quote(f"{tmp}/warehouse.db", safe=""),
        )
        subprocess.run(
            [sys.executable, "-m", "airflow", "db", "migrate"], env=env, check=True, capture_output=True
        )
        emulator_args = [
            "--pending-polls", "2", "--processing-polls", "1",
            "--fault", f"*:{args.fault_rate}:503,drop", "--fault-retry-after", "0",
            "--fault-seed", str(args.seed), "--revoke-after", str(args.revoke_after),
        ]  # fmt: skip
        with EmulatorProcess(*emulator_args) as emulator:
            env["AIRFLOW_CONN_ASPOSE_OCR_DEFAULT"] = json.dumps(
                {
                    "conn_type": "aspose_ocr",
                    "login": "emulator-client-id",
                    "password": "emulator-client-secret",
                    "host": emulator.url,
                    "extra": {"backoff_base": 0.01, "backoff_max": 0.05, "max_retries": 8},
                }
            )
            done = subprocess.run(
                # The DAG loads only what it is told to (no default input): the bundled samples.
                [sys.executable, "-m", "airflow", "dags", "test", DAG_ID,
                 "-c", json.dumps({"images_folder": str(sample_dir())})],
                env=env,
                capture_output=True,
                text=True,
            )
    lines = (done.stdout + done.stderr).splitlines()
    ours = [line for line in lines if "aspose_ocr_provider" in line]
    per_request = [line for line in ours if PER_REQUEST.search(line)]
    print(f"source: {source}")
    print(f"dags test exit code: {done.returncode}")
    print(f"log lines in total: {len(lines)}")
    print(f"lines from aspose_ocr_provider loggers: {len(ours)}")
    print(f"  of which about one request: {len(per_request)}")
    for line in ours:
        print("   ", re.sub(r"^\S+\s+\[\w+\s*\]\s*", "", line)[:160])
    return 0 if done.returncode == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())

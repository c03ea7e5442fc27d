"""Bad inputs bench: the memory and time of a run over a folder with five bad files, next to a clean one.

Runs ``airflow dags test aspose_ocr_tables_to_warehouse`` (a fresh ``AIRFLOW_HOME``, a SQLite
warehouse, an emulator process answering for the good scans) three times, each in a process of its
own whose peak RSS is read when it ends:

- ``baseline``: a folder of two good scans;
- ``skip``: the same two scans and five bad files (empty, not an image, a PDF page of 200 x 200
  inches, a 1,000-page PDF, a 1.6-gigapixel PNG of 1.6 MB), ``on_bad_input="skip"``;
- ``fail``: the same folder with the default ``on_bad_input="fail"``: the run fails before any POST.

Decoding the PNG alone would take 1.6 GB; the target is a run under 1 GiB, and near the baseline.

    .venv/bin/python bench/bad_inputs_bench.py
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aspose_ocr_provider.emulator.process import EmulatorProcess  # noqa: E402
from tests.faults.images import giant_png, make_images, pdf_with_page  # noqa: E402

DAG_ID = "aspose_ocr_tables_to_warehouse"
MEASURED = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[2:], capture_output=True, text=True)\n"
    "open(sys.argv[1], 'w').write(done.stdout + done.stderr)\n"
    "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)
RUN_DURATION = re.compile(r"DagRun Finished: .*\brun_duration=([0-9.]+)")


def run(env: dict[str, str], conf: dict[str, str], log: Path) -> tuple[int, float, float, float]:
    """``(exit code, seconds, peak RSS in MiB, the run's duration as Airflow reports it)`` of one
    ``airflow dags test`` in a process of its own (its seconds include Airflow's start-up); its
    output is written to ``log``."""
    command = [sys.executable, "-m", "airflow", "dags", "test", DAG_ID, "-c", json.dumps(conf)]
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", MEASURED, str(log), *command], env=env, capture_output=True, text=True, check=True
    ).stdout.split()  # fmt: skip
    found = RUN_DURATION.search(log.read_text())
    return int(out[0]), time.perf_counter() - started, int(out[1]) / 1024, float(found.group(1)) if found else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tail", type=int, default=0, help="print this many last lines of the failing run's output")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    with tempfile.TemporaryDirectory(prefix="bad-inputs-bench-") as tmp:
        work = Path(tmp)
        good = make_images(work / "good", count=2)
        mixed = make_images(work / "mixed", count=2)
        bad = {
            "empty.png": b"",
            "notes.png": b"date,amount\n2026-01-01,3\n",
            "poster.pdf": pdf_with_page(200, 200),
            "ledger.pdf": pdf_with_page(8.5, 11, pages=1000),
            "giant.png": giant_png(),
        }
        for name, data in bad.items():
            (mixed.folder / name).write_bytes(data)
        env.update(
            AIRFLOW_HOME=str(work / "airflow"),
            AIRFLOW__CORE__LOAD_EXAMPLES="False",
            AIRFLOW__CORE__DAGS_FOLDER=str(ROOT / "dags"),
        )
        subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env, check=True, capture_output=True)
        results = {}
        with EmulatorProcess("--fixtures", str(good.folder), "--pending-polls", "0", "--processing-polls", "0") as emu:
            env["AIRFLOW_CONN_ASPOSE_OCR_DEFAULT"] = json.dumps(
                {
                    "conn_type": "aspose_ocr",
                    "login": "emulator-client-id",
                    "password": "emulator-client-secret",
                    "host": emu.url,
                    "extra": {"backoff_base": 0.01, "backoff_max": 0.05},
                }
            )
            for name, folder, extra in (
                ("baseline", good.folder, {}),
                ("skip", mixed.folder, {"on_bad_input": "skip"}),
                ("fail", mixed.folder, {}),
            ):
                db = work / f"{name}.db"
                env["AIRFLOW_CONN_WAREHOUSE"] = "sqlite://" + urllib.parse.quote(str(db), safe="")
                results[name] = run(env, {"images_folder": folder.as_uri(), **extra}, work / f"{name}.log")
            failed_log = (work / "fail.log").read_text().splitlines()
    base = results["baseline"]
    print(f"{'run':<10} {'exit':>4} {'seconds':>8} {'run s':>6} {'peak RSS MiB':>13} {'RSS / baseline':>15}")
    for name, (code, seconds, rss, submit) in results.items():
        print(f"{name:<10} {code:>4} {seconds:>8.1f} {submit:>6.1f} {rss:>13.0f} {rss / base[2]:>15.2f}")
    print("decoding the 1.6-gigapixel PNG alone would take 1,526 MiB")
    if args.tail:
        print(f"--- last {args.tail} lines of the failing run ---")
        print("\n".join(failed_log[-args.tail :]))
    ok = results["baseline"][0] == 0 and results["skip"][0] == 0 and results["fail"][0] != 0
    return 0 if ok and results["skip"][2] < 1024 else 1


if __name__ == "__main__":
    raise SystemExit(main())

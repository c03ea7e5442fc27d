#!/usr/bin/env bash
# The README's first command: install the provider into .venv, start the local Aspose.OCR
# emulator, run the example DAG end to end with `airflow dags test` into an SQLite warehouse,
# print the loaded rows and the database's path, and stop the emulator.
# Offline: nothing talks to the real Aspose.OCR Cloud. Everything lives under .demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DAG_ID=aspose_ocr_tables_to_warehouse
TABLE=ocr_tables

echo "==> Installing the provider into .venv (first run: a minute or two)"
bash scripts/bootstrap.sh
export PATH="$ROOT/.venv/bin:$PATH"

DEMO="$ROOT/.demo"
rm -rf "$DEMO"
mkdir -p "$DEMO"
WAREHOUSE="$DEMO/warehouse.db"
export AIRFLOW_HOME="$DEMO/airflow"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__DAGS_FOLDER="$ROOT/dags"

# With the `local` extra installed (the dev install has it) the emulator really recognises the
# images offline; without it, it answers from the samples' ground-truth CSVs.
if python -c "import rapidocr, onnxruntime, cv2" 2>/dev/null; then ENGINE=local; else ENGINE=fixtures; fi
echo "==> Starting the Aspose.OCR emulator (engine: $ENGINE)"
# coproc: the emulator's first stdout line is its address; `read` blocks until it is printed.
coproc EMULATOR { exec aspose-ocr-emulator --port 0 --engine "$ENGINE" 2>"$DEMO/emulator.log"; }
EMULATOR_PID=$EMULATOR_PID
stop_emulator() {
  kill "$EMULATOR_PID" 2>/dev/null || true
  wait "$EMULATOR_PID" 2>/dev/null || true
}
trap stop_emulator EXIT
if ! read -r -t 60 LINE <&"${EMULATOR[0]}" || [[ $LINE != "Listening on "* ]]; then
  echo "The emulator did not start; its log ($DEMO/emulator.log):" >&2
  cat "$DEMO/emulator.log" >&2
  exit 1
fi
URL=${LINE#Listening on }
echo "    listening on $URL"

# The two connections the DAG uses. Only this one changes to use the real service:
#   AIRFLOW_CONN_ASPOSE_OCR_DEFAULT='{"conn_type": "aspose_ocr", "login": "<Client Id>", "password": "<Client Secret>"}'
export AIRFLOW_CONN_ASPOSE_OCR_DEFAULT="{\"conn_type\": \"aspose_ocr\", \"login\": \"emulator-client-id\", \"password\": \"emulator-client-secret\", \"host\": \"$URL\"}"
# An SQLite URI needs the file path percent-encoded (sqlite:////abs/path is refused).
export AIRFLOW_CONN_WAREHOUSE="sqlite://$(python -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$WAREHOUSE")"

echo "==> Creating the Airflow metadata database in $AIRFLOW_HOME"
airflow db migrate >"$DEMO/airflow-db-migrate.log" 2>&1 || {
  tail -n 40 "$DEMO/airflow-db-migrate.log" >&2
  exit 1
}

# The DAG loads only the folder it is given (an empty images_folder fails the run): the demo
# names the sample scans bundled with the provider.
SAMPLES=$(python -c 'from aspose_ocr_provider.sample_data import sample_dir; print(sample_dir())')
echo "==> Running the DAG $DAG_ID on $SAMPLES (airflow dags test; log: .demo/dags-test.log)"
airflow dags test "$DAG_ID" -c "{\"images_folder\": \"$SAMPLES\"}" >"$DEMO/dags-test.log" 2>&1 || {
  tail -n 60 "$DEMO/dags-test.log" >&2
  echo "The DAG run failed; full log: $DEMO/dags-test.log" >&2
  exit 1
}
echo "==> Rows loaded into table $TABLE"
aspose-ocr-show "$WAREHOUSE" "$TABLE"
echo "Warehouse database: $WAREHOUSE"

#!/usr/bin/env bash
# The test suite on the oldest Airflow the package declares (pyproject: apache-airflow>=3.0.6), in
# its own environment .venv-airflow-3.0 (uv makes it a minute). Runs the parts that differ between
# Airflow versions: hooks, emulator, models, example DAGs, load, tables and the dag.test() jobs.
# The main environment (scripts/test.sh) runs everything on the newest Airflow.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-airflow-3.0
# Installed from its lock (scripts/lock.sh resolves it under scripts/constraints-airflow-3.0.txt).
bash scripts/bootstrap.sh "$VENV" locks/airflow-3.0.txt
"$VENV/bin/python" -c 'import airflow; print("Oldest supported Airflow:", airflow.__version__)'
# The SQLite variants of the declared-table and streamed-load tests run on the newest Airflow only
# (CI time): SQLite is the same stdlib sqlite3 on both, and their PostgreSQL variants run here,
# where the driver differs (psycopg2 and its copy_expert on Airflow 3.0).
"$VENV/bin/python" -m pytest -p no:cacheprovider -n "${PYTEST_WORKERS:-auto}" \
  -k "not ((test_declared_tables or test_streamed_load) and sqlite)" \
  tests/hooks tests/emulator tests/test_models.py tests/dags tests/load tests/tables tests/warehouse tests/job tests/events tests/test_listing.py "$@"

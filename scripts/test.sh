#!/usr/bin/env bash
# The README's second command: install, lint, type-check and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/ruff check --no-cache aspose_ocr_provider tests bench dags scripts
.venv/bin/mypy
.venv/bin/python -c 'import airflow; print("Newest supported Airflow:", airflow.__version__)'
.venv/bin/python -m pytest "$@"

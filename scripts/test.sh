#!/usr/bin/env bash
# The README's test command: install, lint, type-check and run the test suite.
#
#   ./scripts/test.sh              the fast suite: everything but the real-deployment tests, on
#                                  every core (pytest-xdist); a few minutes on 2 cores
#   ./scripts/test.sh --all        the fast suite, then the end-to-end tests one at a time: real
#                                  deployments (`deployment`; `celery_deployment` where CI is set)
#                                  and the README followed in a fresh clone (`fresh_clone`): what
#                                  .ci/run runs on the newest Airflow
#   ./scripts/test.sh --latest     not gating: a fresh resolve of today's releases (no lock) for
#                                  both Airflows, their fast tests, one report line each of what
#                                  changed and what broke (scripts/latest-releases.sh)
#   ./scripts/test.sh ARGS...      the fast suite's selection with your pytest ARGS (a path, -k ...)
#
# Installs from locks/newest.txt (scripts/bootstrap.sh); scripts/lock.sh refreshes the locks.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--latest" ]; then
  shift
  exec bash scripts/latest-releases.sh "$@"
fi
bash scripts/bootstrap.sh
.venv/bin/ruff check --no-cache aspose_ocr_provider tests bench dags scripts
.venv/bin/mypy
.venv/bin/python -c 'import airflow; print("Newest supported Airflow:", airflow.__version__)'
FAST=(-n "${PYTEST_WORKERS:-auto}" -m "not deployment and not celery_deployment and not fresh_clone")
if [ "${1:-}" = "--all" ]; then
  shift
  status=0
  .venv/bin/python -m pytest "${FAST[@]}" "$@" || status=$?
  # Each deployment starts an API server, scheduler and triggerer (~1.4 GB): one at a time.
  e2e=0
  .venv/bin/python -m pytest -m "deployment or celery_deployment or fresh_clone" "$@" || e2e=$?
  # 5: none of the selected tests is end-to-end (e.g. --all tests/load): nothing failed.
  if [ "$e2e" -ne 0 ] && [ "$e2e" -ne 5 ]; then status=$e2e; fi
  exit "$status"
fi
.venv/bin/python -m pytest "${FAST[@]}" "$@"

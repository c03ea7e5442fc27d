#!/usr/bin/env bash
# Creates a virtualenv (if missing) and installs the provider with its dev extras into it, from a
# lock file: the README's two commands and CI install exactly the releases CI last tested, never
# whatever PyPI published overnight (scripts/lock.sh refreshes the locks deliberately).
#
#   scripts/bootstrap.sh                               .venv from locks/newest.txt
#   scripts/bootstrap.sh VENV LOCK                     another environment (the oldest Airflow's)
#   scripts/bootstrap.sh VENV --latest                 a fresh resolve (scripts/test.sh --latest)
#   scripts/bootstrap.sh --uv-only                     only .venv's uv (scripts/lock.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
# uv resolves Airflow's large dependency tree in seconds where pip takes minutes; pinned, as
# everything else the tests run on.
UV_REQUIREMENT="uv==0.13.10"
UV_ONLY=0
if [ "${1:-}" = "--uv-only" ]; then UV_ONLY=1; shift; fi
VENV=${1:-.venv}
LOCK=${2:-locks/newest.txt}
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check "$UV_REQUIREMENT"
[ "$UV_ONLY" = 1 ] && exit 0
if [ "$LOCK" = "--latest" ]; then
  "$VENV/bin/uv" pip install -q --python "$VENV/bin/python" --refresh -e ".[dev]" "${@:3}"
else
  # The lock as constraints: every package at its locked release; the editable project on top.
  "$VENV/bin/uv" pip install -q --python "$VENV/bin/python" -c "$LOCK" -e ".[dev]"
fi

#!/usr/bin/env bash
# Creates .venv (if missing) and installs the provider with its dev extras into it.
# Shared by the README's two commands and by CI, so all three install the same way.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# uv resolves Airflow's large dependency tree in seconds where pip takes minutes.
.venv/bin/python -m pip install -q --disable-pip-version-check uv
.venv/bin/uv pip install -q --python .venv/bin/python -e ".[dev]"

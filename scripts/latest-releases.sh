#!/usr/bin/env bash
# What tomorrow's releases would break, without gating on them: a fresh resolve of pyproject.toml
# (no lock) for each supported Airflow, the fast suite's selection on it, and one line per
# environment saying which packages differ from the lock and how the tests went. Always exits 0;
# `.ci/run` prints its report after the gating suites. When it names a break, pin the culprit
# (scripts/constraints-airflow-3.0.txt for the oldest, pyproject.toml otherwise) or fix the code,
# then refresh the locks with scripts/lock.sh.
#
#   scripts/test.sh --latest          both environments, their fast selections
#   scripts/test.sh --latest ARGS...  with your pytest ARGS instead of the default selection
set -uo pipefail
cd "$(dirname "$0")/.."
REPORT=.latest-releases
rm -rf "$REPORT" && mkdir -p "$REPORT"
FAST_MARKERS="not deployment and not celery_deployment and not fresh_clone"
# run_one NAME LOCK "RESOLVE OPTIONS" PYTEST-ARGS...: one environment, compared with LOCK
run_one() {
  local name=$1 lock=$2 resolve=$3
  shift 3
  local venv=".venv-latest-$name" log="$REPORT/$name.log"
  rm -rf "$venv"
  # shellcheck disable=SC2086
  if ! bash scripts/bootstrap.sh "$venv" --latest $resolve >"$log" 2>&1; then
    echo "latest releases [$name]: the fresh resolve failed to install: $(tail -n 3 "$log" | tr '\n' ' ')"
    return
  fi
  "$venv/bin/python" scripts/lock_diff.py "$lock" >"$REPORT/$name.changed"
  "$venv/bin/python" -m pytest -p no:cacheprovider -n "${PYTEST_WORKERS:-auto}" -q -m "$FAST_MARKERS" \
    "$@" >>"$log" 2>&1
  local code=$?
  local summary
  summary=$(grep -E "^(=+ )?[0-9]+ (passed|failed)|[0-9]+ (passed|failed|error)" "$log" | tail -n 1 | tr -d '=')
  local failed
  failed=$(grep -E "^(FAILED|ERROR) " "$log" | sed -E 's/^(FAILED|ERROR) ([^ ]+).*/\2/' | head -n 5 | tr '\n' ' ')
  echo "latest releases [$name]: $(cat "$REPORT/$name.changed"); tests (exit $code): ${summary:-no summary}${failed:+; first failures: $failed}; log: $log"
}
if [ "$#" -gt 0 ]; then
  run_one newest locks/newest.txt "" "$@"
else
  run_one newest locks/newest.txt "" tests
  # The oldest Airflow keeps the pins it cannot run without; everything else floats.
  run_one airflow-3.0 locks/airflow-3.0.txt "-c scripts/constraints-airflow-3.0.txt" \
    tests/hooks tests/emulator tests/test_models.py tests/dags tests/load tests/tables tests/warehouse \
    tests/job tests/events tests/test_listing.py
fi
exit 0

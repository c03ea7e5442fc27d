#!/usr/bin/env bash
# A real Airflow deployment on this checkout, in the background, with the emulator as the OCR
# service: what the event-driven DAG and the review step need (`airflow dags test` runs neither
# a triggerer nor the UI).
#
#   scripts/airflow-up.sh            start: scheduler (LocalExecutor), DAG processor, triggerer,
#                                    API server (UI + REST), and the emulator with the local OCR
#                                    engine; the connections aspose_ocr_default (the emulator) and
#                                    warehouse (warehouse.db); waits until healthy, then prints the
#                                    UI's URL, the login and a ready curl line with an API token
#   scripts/airflow-up.sh --down     stops every process the start started (their process groups,
#                                    by the pids it recorded), and nothing else
#
# Options (start): --port N (the UI and REST API; default 8080, 0 picks a free one),
# --watch DIR (the folder the event-driven DAG watches; default my-images), --warehouse FILE
# (default warehouse.db), --home DIR (AIRFLOW_HOME and every log and pid file; default .airflow;
# give the same --home to --down). ASPOSE_OCR_EMULATOR_ARGS replaces the emulator's
# "--engine local" (e.g. "--fixtures DIR"); AIRFLOW__* variables you export are kept.
#
# Each component runs in its own session (process group), as `airflow standalone` does not:
# stopping a group stops the task processes its component started. Logs: HOME/<component>.out.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

DOWN=0
PORT=8080
WATCH="$ROOT/my-images"
WAREHOUSE="$ROOT/warehouse.db"
HOME_DIR="$ROOT/.airflow"
while [ $# -gt 0 ]; do
  case "$1" in
    --down) DOWN=1 ;;
    --port) PORT=$2; shift ;;
    --watch) WATCH=$2; shift ;;
    --warehouse) WAREHOUSE=$2; shift ;;
    --home) HOME_DIR=$2; shift ;;
    -h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "airflow-up.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$HOME_DIR"
HOME_DIR=$(cd "$HOME_DIR" && pwd)
PIDS="$HOME_DIR/pids"

# `name pid start-time` per process started: the start time (from /proc) tells our process from
# a later one that got the same pid.
# (Field 22 of /proc/PID/stat, counted after the command name, which may hold spaces.)
start_time() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $20}' || true; }
ours() { [ -n "$2" ] && [ "$(start_time "$1")" = "$2" ]; }
descendants() {
  # Every live descendant of pid $1 (task processes may leave their component's group).
  local children
  children=$(ps -e -o pid=,ppid= | awk -v p="$1" '$2 == p {print $1}')
  for child in $children; do
    echo "$child"
    descendants "$child"
  done
}

down() {
  [ -f "$PIDS" ] || { echo "Nothing to stop: no $PIDS."; return 0; }
  local leaders=() tree=() name pid started
  while read -r name pid started; do
    if ours "$pid" "$started"; then
      leaders+=("$pid")
      for d in $(descendants "$pid"); do tree+=("$d:$(start_time "$d")"); done
      echo "Stopping $name (process group $pid)"
    fi
  done <"$PIDS"
  for pid in "${leaders[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  local deadline=$((SECONDS + 30)) alive
  while :; do
    alive=0
    for pid in "${leaders[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] || [ "$SECONDS" -ge "$deadline" ] && break
    sleep 0.5
  done
  for pid in "${leaders[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  for entry in "${tree[@]}"; do
    pid=${entry%%:*}
    ours "$pid" "${entry#*:}" && kill -KILL "$pid" 2>/dev/null || true
  done
  rm -f "$PIDS"
  echo "Stopped."
}

if [ "$DOWN" = 1 ]; then
  down
  exit 0
fi

if [ -f "$PIDS" ]; then
  while read -r name pid started; do
    if ours "$pid" "$started"; then
      echo "A deployment from $HOME_DIR is running ($name, pid $pid): stop it first with $0 --down" >&2
      exit 1
    fi
  done <"$PIDS"
  rm -f "$PIDS"
fi
[ -x "$ROOT/.venv/bin/airflow" ] || { echo "No .venv: run bash scripts/bootstrap.sh first." >&2; exit 1; }
export PATH="$ROOT/.venv/bin:$PATH"  # the components start `airflow` from PATH: this venv's
PY="$ROOT/.venv/bin/python"
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
if [ "$PORT" = 0 ]; then
  PORT=$(free_port)
elif ! "$PY" -c 'import socket, sys; socket.create_server(("127.0.0.1", int(sys.argv[1]))).close()' "$PORT" 2>/dev/null; then
  echo "Port $PORT is taken: give another with --port N (0 picks a free one)." >&2
  exit 1
fi
mkdir -p "$WATCH"
WATCH=$(cd "$WATCH" && pwd)
WAREHOUSE=$(cd "$(dirname "$WAREHOUSE")" && pwd)/$(basename "$WAREHOUSE")

launch() {
  # launch NAME LOG COMMAND...: a new session (setsid execs in place: $! is the group's id).
  local name=$1 log=$2
  shift 2
  setsid "$@" >"$log" 2>&1 </dev/null &
  echo "$name $! $(start_time $!)" >>"$PIDS"
}
started_ok=0
on_exit() { [ "$started_ok" = 1 ] || { echo "Start failed: stopping what was started." >&2; down >&2; }; }
trap on_exit EXIT

SECONDS=0
read -r -a EMULATOR_ARGS <<<"${ASPOSE_OCR_EMULATOR_ARGS:---engine local}"
launch emulator "$HOME_DIR/emulator.out" aspose-ocr-emulator --port 0 "${EMULATOR_ARGS[@]}"
EMULATOR_PID=$!
URL=""
for _ in $(seq 1 240); do
  LINE=$(head -n 1 "$HOME_DIR/emulator.out" 2>/dev/null || true)
  case "$LINE" in "Listening on "*) URL=${LINE#Listening on }; break ;; esac
  kill -0 "$EMULATOR_PID" 2>/dev/null || break
  sleep 0.25
done
[ -n "$URL" ] || { echo "The emulator did not start; its log:" >&2; tail -n 30 "$HOME_DIR/emulator.out" >&2; exit 1; }

# The environment of every component and of the task processes they start; also written to
# HOME/env.sh, so `source .airflow/env.sh` gives a shell the same `airflow` CLI.
WAREHOUSE_URI="sqlite://$("$PY" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$WAREHOUSE")"
cat >"$HOME_DIR/env.sh" <<EOF
export PATH="$ROOT/.venv/bin:\$PATH"
export AIRFLOW_HOME="$HOME_DIR"
export AIRFLOW__CORE__DAGS_FOLDER="${AIRFLOW__CORE__DAGS_FOLDER:-$ROOT/dags}"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__EXECUTOR=LocalExecutor
export AIRFLOW__CORE__PARALLELISM=${AIRFLOW__CORE__PARALLELISM:-4}
export AIRFLOW__CORE__TEST_CONNECTION=Enabled
export AIRFLOW__API__PORT=$PORT
export AIRFLOW__API__WORKERS=1
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL=http://localhost:$PORT/execution/
export AIRFLOW__CORE__AUTH_MANAGER=airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=admin:admin
export AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=$(free_port)
export AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT=$(free_port)
export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=${AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL:-5}
export AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC=${AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC:-2}
export AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC=${AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC:-2}
export AIRFLOW_CONN_ASPOSE_OCR_DEFAULT='{"conn_type": "aspose_ocr", "login": "emulator-client-id", "password": "emulator-client-secret", "host": "$URL"}'
export AIRFLOW_CONN_WAREHOUSE='$WAREHOUSE_URI'
export ASPOSE_OCR_WATCH_URI="$WATCH"
export ASPOSE_OCR_WATCH_POKE_INTERVAL=\${ASPOSE_OCR_WATCH_POKE_INTERVAL:-5}
EOF
# shellcheck source=/dev/null
source "$HOME_DIR/env.sh"

echo "Creating the metadata database in $HOME_DIR (log: $HOME_DIR/db-migrate.log)"
airflow db migrate >"$HOME_DIR/db-migrate.log" 2>&1 || { tail -n 30 "$HOME_DIR/db-migrate.log" >&2; exit 1; }
for component in scheduler dag-processor triggerer api-server; do
  launch "$component" "$HOME_DIR/$component.out" airflow "$component"
done

API="http://127.0.0.1:$PORT"
echo "Waiting for the scheduler, DAG processor, triggerer and API server to report healthy"
healthy() {
  curl -fsS --max-time 10 "$API/api/v2/monitor/health" 2>/dev/null | "$PY" 2>/dev/null -c '
import json, sys
health = json.load(sys.stdin)
parts = ("metadatabase", "scheduler", "triggerer", "dag_processor")
sys.exit(0 if all(health.get(p, {}).get("status") == "healthy" for p in parts) else 1)'
}
deadline=$((SECONDS + ${AIRFLOW_UP_TIMEOUT:-300}))
until healthy; do
  while read -r name pid started; do
    if ! ours "$pid" "$started"; then
      echo "$name exited; the end of $HOME_DIR/$name.out:" >&2
      tail -n 30 "$HOME_DIR/$name.out" >&2
      exit 1
    fi
  done <"$PIDS"
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "Not healthy after ${AIRFLOW_UP_TIMEOUT:-300} s; logs: $HOME_DIR/*.out" >&2
    exit 1
  fi
  sleep 1
done

PASSWORD=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["admin"])' \
  "$HOME_DIR/simple_auth_manager_passwords.json.generated")
TOKEN=$(curl -fsS -X POST "$API/auth/token" -H 'Content-Type: application/json' \
  -d "{\"username\": \"admin\", \"password\": \"$PASSWORD\"}" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
(umask 077 && echo "$TOKEN" >"$HOME_DIR/api-token")
started_ok=1
cat <<EOF
Airflow is up after ${SECONDS} s (LocalExecutor; AIRFLOW_HOME $HOME_DIR).
  UI:        $API  (login admin, password $PASSWORD)
  emulator:  $URL  (aspose_ocr_default; ${ASPOSE_OCR_EMULATOR_ARGS:---engine local})
  warehouse: $WAREHOUSE  (warehouse)
  watched:   $WATCH  (aspose_ocr_on_new_documents, once unpaused)
  REST API (token valid 24 h, also in $HOME_DIR/api-token):
    curl -H "Authorization: Bearer $TOKEN" $API/api/v2/dags
  The airflow CLI on it:  source $HOME_DIR/env.sh
  Stop everything:        $0 --down$([ "$HOME_DIR" = "$ROOT/.airflow" ] || echo " --home $HOME_DIR")
EOF

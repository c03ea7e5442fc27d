"""A real, throw-away Airflow deployment for end-to-end tests.

The scheduler, DAG processor, triggerer(s), API server and, with the Celery executor, Celery
workers run as separate processes in a temporary AIRFLOW_HOME on free ports, exactly as an
operator would run them, so the test sees what a deployment does: the triggerer process runs the
triggers, the task runner talks to the execution API. Each component gets its own session
(process group) so stopping it also stops the workers it spawned, and nothing else; ``kill``
SIGKILLs one component with every process it started, like a machine that dies.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import psutil

from aspose_ocr_provider.emulator.process import EmulatorProcess

T = TypeVar("T")

LOCAL_EXECUTOR_COMPONENTS: dict[str, tuple[str, ...]] = {
    name: (name,) for name in ("scheduler", "dag-processor", "triggerer", "api-server")
}
"""Component name -> ``airflow`` arguments: one of each, for the LocalExecutor."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(what: str, probe: Callable[[], T | None], timeout: float, interval: float = 0.5) -> T:
    """Poll ``probe`` until it returns a value (a condition, not a fixed sleep) or time runs out."""
    start = time.monotonic()
    deadline = start + timeout
    while True:
        value = probe()
        if value is not None:
            print(f"[e2e] {what}: {time.monotonic() - start:.1f} s")  # shown by pytest -s or on failure
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"Timed out after {timeout:.0f} s waiting for {what}.")
        time.sleep(interval)


@dataclass
class Deployment:
    """The running components, their logs, and a small REST client for the public API.

    :param components: component name -> ``airflow`` arguments (``{"worker-1": ("celery",
        "worker", ...)}``); names are what ``log_of``, ``kill`` and ``owner_of`` take.
    """

    home: Path
    env: dict[str, str]
    api_port: int
    components: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(LOCAL_EXECUTOR_COMPONENTS))
    processes: dict[str, subprocess.Popen[bytes] | StartedProcess] = field(default_factory=dict)
    killed: set[str] = field(default_factory=set)
    token: str | None = None
    """An API token (a deployment started by scripts/airflow-up.sh has logins; ours has none)."""

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}/api/v2"

    def log_of(self, component: str) -> Path:
        return self.home / f"{component}.out"

    def airflow(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "airflow", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"airflow {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
        return done

    def start(self, *names: str) -> None:
        """Start the named components, or every component not started yet."""
        for component in names or [c for c in self.components if c not in self.processes]:
            args = self.components[component]
            out = self.log_of(component).open("wb")
            self.processes[component] = subprocess.Popen(
                [sys.executable, "-m", "airflow", *args],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            out.close()

    def check_alive(self) -> None:
        for component, proc in self.processes.items():
            if component not in self.killed and proc.poll() is not None:
                tail = self.log_of(component).read_text(errors="replace")[-3000:]
                raise RuntimeError(f"airflow {component} exited with {proc.returncode}:\n{tail}")

    def kill(self, component: str) -> int:
        """SIGKILL ``component`` and every process it started (wherever they moved their process
        group), as when its machine dies; returns how many processes were killed."""
        root = psutil.Process(self.processes[component].pid)
        doomed = [root, *root.children(recursive=True)]
        for proc in doomed:
            try:
                proc.send_signal(signal.SIGKILL)
            except psutil.NoSuchProcess:
                continue
        psutil.wait_procs(doomed, timeout=30)
        self.killed.add(component)
        return len(doomed)

    def owner_of(self, pid: int) -> str | None:
        """The component whose process tree holds ``pid`` (a task's process, say), or None."""
        try:
            lineage = {pid, *(p.pid for p in psutil.Process(pid).parents())}
        except psutil.NoSuchProcess:
            return None
        for component, proc in self.processes.items():
            if proc.pid in lineage:
                return component
        return None

    def stop(self) -> None:
        running = [proc for proc in self.processes.values() if proc.poll() is None]
        # Task processes may leave their component's process group: remember them to reap after.
        descendants: list[psutil.Process] = []
        for proc in running:
            try:
                descendants.extend(psutil.Process(proc.pid).children(recursive=True))
            except psutil.NoSuchProcess:
                continue
        for proc in running:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in running:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        _, alive = psutil.wait_procs(descendants, timeout=10)
        for leftover in alive:
            leftover.kill()

    def request(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(self.api + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read() or b"null")

    def get_or_none(self, path: str) -> Any:
        """GET, with None for "not there (yet)": a 404 or a server not listening yet."""
        self.check_alive()
        try:
            return self.request("GET", path)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            # Not listening yet, or too busy to answer within the timeout: ask again later.
            return None

    # -- what the tests ask the REST API -------------------------------------------------------

    def healthy(self) -> bool | None:
        """True once the metadata database, scheduler, triggerer and DAG processor are healthy."""
        health = self.get_or_none("/monitor/health")
        if not health:
            return None
        parts = ("metadatabase", "scheduler", "triggerer", "dag_processor")
        return True if all(health.get(p, {}).get("status") == "healthy" for p in parts) else None

    def parsed_dag(self, dag_id: str) -> dict[str, Any] | None:
        """The DAG once the DAG processor parsed it and its next logical date is known."""
        dag = self.get_or_none(f"/dags/{dag_id}")
        return dag if dag and dag.get("next_dagrun_logical_date") else None

    def trigger(self, dag_id: str, run_id: str, conf: Mapping[str, Any]) -> None:
        """Start a run and unpause the DAG.

        The first run takes the logical date of the run the scheduler would create on unpausing:
        it then finds that run existing and creates no scheduled run next to ours. Later runs
        have no logical date (the next one is in the future, which the scheduler refuses to run).
        """
        dag = wait_for(f"the DAG processor to parse {dag_id}", lambda: self.parsed_dag(dag_id), 120)
        logical_date = dag["next_dagrun_logical_date"] if dag["is_paused"] else None
        body = {"dag_run_id": run_id, "logical_date": logical_date, "conf": dict(conf)}

        def post() -> bool | None:
            try:
                self.request("POST", f"/dags/{dag_id}/dagRuns", body)
            except urllib.error.HTTPError as exc:
                # A DAG being re-serialized by the DAG processor can be briefly not found.
                if exc.code != 404:
                    raise
                print(f"[e2e] POST dagRuns: 404 {exc.read()[:300]!r}; asking again")
                return None
            return True

        wait_for(f"run {run_id} to be accepted", post, timeout=60, interval=2)
        self.request("PATCH", f"/dags/{dag_id}", {"is_paused": False})

    def unpause(self, dag_id: str) -> None:
        """Unpause a DAG once the DAG processor has stored it (an asset-scheduled DAG has no next
        logical date to wait for)."""
        wait_for(f"the DAG processor to parse {dag_id}", lambda: self.get_or_none(f"/dags/{dag_id}"), 120)
        self.request("PATCH", f"/dags/{dag_id}", {"is_paused": False})

    def dag_runs(self, dag_id: str) -> list[dict[str, Any]]:
        """Every run of ``dag_id``, oldest first (runs started by asset events have generated ids)."""
        runs = self.request("GET", f"/dags/{dag_id}/dagRuns?order_by=id&limit=100")["dag_runs"]
        return [dict(run) for run in runs]

    def run_state(self, dag_id: str, run_id: str) -> str | None:
        """``success`` or ``failed`` once the run finished, else None."""
        run = self.get_or_none(f"/dags/{dag_id}/dagRuns/{run_id}")
        if run and run["state"] in ("success", "failed"):
            return str(run["state"])
        return None

    def task_instance(self, dag_id: str, run_id: str, task_id: str) -> dict[str, Any] | None:
        """The task instance as the REST API shows it (None until it exists or when no answer)."""
        ti = self.get_or_none(f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}")
        return dict(ti) if ti else None

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str | None]:
        tis = self.request("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances")["task_instances"]
        return {ti["task_id"]: ti["state"] for ti in tis}

    def xcom(self, dag_id: str, run_id: str, task_id: str, key: str = "return_value") -> Any:
        entry = self.request(
            "GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/xcomEntries/{key}"
        )
        value = entry["value"]
        return json.loads(value) if isinstance(value, str) else value

    def task_events(self, dag_id: str, run_id: str, task_id: str) -> list[str]:
        """The audit log of a task's state changes (``running``, ``deferred``, ...)."""
        logs = self.request(
            "GET", f"/eventLogs?dag_id={dag_id}&run_id={run_id}&task_id={task_id}&limit=100"
        )["event_logs"]
        return [str(e["event"]) for e in logs]

    def triggerer_job_ids(self) -> set[int]:
        jobs = self.request("GET", "/jobs?job_type=TriggererJob&limit=100")["jobs"]
        return {int(job["id"]) for job in jobs}

    def task_log_dir(self, dag_id: str, run_id: str, task_id: str) -> Path:
        return self.home / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}" / f"task_id={task_id}"

    def trigger_logs(self, dag_id: str, run_id: str, task_id: str) -> dict[int, Path]:
        """Triggerer job id -> the log it wrote for this task's trigger.

        A triggerer writes a trigger's log next to the task's log, named after its job id, so
        these say which triggerer processes ran the trigger.
        """
        logs = self.task_log_dir(dag_id, run_id, task_id).glob("attempt=*.log.trigger.*.log")
        return {int(p.name.rsplit(".trigger.", 1)[1].removesuffix(".log")): p for p in sorted(logs)}

    def worker_log_events(self, dag_id: str, run_id: str, task_id: str) -> list[str]:
        """The events the task itself logged (on a worker), every try."""
        logs = self.task_log_dir(dag_id, run_id, task_id).glob("attempt=*.log")
        return [str(e.get("event", "")) for p in sorted(logs) if ".trigger." not in p.name for e in log_events(p)]


def log_events(path: Path) -> list[dict[str, Any]]:
    """The JSON events of a structured task or trigger log (other lines skipped)."""
    events = []
    for line in path.read_text(errors="replace").splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            continue
    return events


def emulator_connections(emulator_url: str, warehouse: Path) -> dict[str, str]:
    """The two connections the example DAGs use: the emulator's credentials, an SQLite warehouse.

    The file path is percent-encoded: Airflow refuses ``sqlite:////abs/path``.
    """
    aspose_ocr = {
        "conn_type": "aspose_ocr",
        "login": "emulator-client-id",
        "password": "emulator-client-secret",
        "host": emulator_url,
    }
    return {
        "AIRFLOW_CONN_ASPOSE_OCR_DEFAULT": json.dumps(aspose_ocr),
        "AIRFLOW_CONN_WAREHOUSE": "sqlite://" + urllib.parse.quote(str(warehouse), safe=""),
    }


def deployment_env(home: Path, dags_folder: Path, api_port: int, extra: Mapping[str, str]) -> dict[str, str]:
    """The environment every component (and the task runner they spawn) shares."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    venv_bin = str(Path(sys.executable).parent)
    env.update(
        {
            # Components spawn `airflow` from PATH: make it this venv's.
            "PATH": venv_bin + os.pathsep + env.get("PATH", ""),
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__API__PORT": str(api_port),
            "AIRFLOW__API__WORKERS": "1",
            # With a non-default API port the task runner must be told where the execution API is.
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://localhost:{api_port}/execution/",
            "AIRFLOW__CORE__AUTH_MANAGER": (
                "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
            ),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            # Log servers on free ports, so parallel deployments on one machine do not collide.
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
            "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": "2",
        }
    )
    env.update(extra)
    return env


SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "airflow-up.sh"
"""The README's one command for a deployment: the tests that can run on it do, so the recipe is
what CI runs."""


class StartedProcess:
    """A component the script started (not our child): ``poll``/``wait`` as on a ``Popen``."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.proc = psutil.Process(pid)
        self.returncode: int | None = None

    def poll(self) -> int | None:
        try:
            if self.proc.is_running() and self.proc.status() != psutil.STATUS_ZOMBIE:
                return None
        except psutil.NoSuchProcess:
            pass
        self.returncode = -1  # not our child: its exit status is its parent's to read
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        try:
            self.proc.wait(timeout)
        except psutil.NoSuchProcess:
            pass
        except psutil.TimeoutExpired:
            raise subprocess.TimeoutExpired(str(self.pid), timeout or 0) from None
        return -1


class ScriptedEmulator(EmulatorProcess):
    """The emulator the script started, driven through its admin routes like our own."""

    def __init__(self, url: str) -> None:  # started elsewhere: only its address is ours
        self.url = url

    def stop(self) -> None:  # the script's --down stops it
        return None


def script_env(extra: Mapping[str, str]) -> dict[str, str]:
    """This session's environment without its Airflow settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "ASPOSE_OCR"))}
    env.update(extra)
    return env


@contextlib.contextmanager
def scripted_deployment(
    home: Path, emulator_args: Sequence[str], extra: Mapping[str, str] | None = None
) -> Iterator[tuple[Deployment, ScriptedEmulator]]:
    """``scripts/airflow-up.sh --home HOME --port 0`` with the emulator started with
    ``emulator_args`` and ``extra`` settings; ``--down`` when done. The deployment's environment
    is the one the script wrote to HOME/env.sh, its components the processes it recorded."""
    env = script_env({"ASPOSE_OCR_EMULATOR_ARGS": " ".join(emulator_args), **(extra or {})})
    up = ["bash", str(SCRIPT), "--home", str(home), "--port", "0", "--warehouse", str(home / "warehouse.db")]
    try:
        started = time.monotonic()
        done = subprocess.run(
            [*up, "--watch", str(home / "inbox")], env=env, capture_output=True, text=True, timeout=600
        )
        if done.returncode != 0:
            raise RuntimeError(f"airflow-up.sh failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
        print(f"[e2e] airflow-up.sh: healthy after {time.monotonic() - started:.1f} s")
        sourced = subprocess.run(
            ["bash", "-c", f"source {home / 'env.sh'} && env -0"], env=env, capture_output=True, timeout=60, check=True
        )
        dep_env = dict(item.split("=", 1) for item in sourced.stdout.decode().split("\0") if "=" in item)
        dep = Deployment(
            home=home,
            env=dep_env,
            api_port=int(dep_env["AIRFLOW__API__PORT"]),
            token=(home / "api-token").read_text().strip(),
        )
        for line in (home / "pids").read_text().splitlines():
            name, pid = line.split()[:2]
            dep.processes[name] = StartedProcess(int(pid))
        conn = json.loads(dep_env["AIRFLOW_CONN_ASPOSE_OCR_DEFAULT"])
        yield dep, ScriptedEmulator(conn["host"])
    finally:
        subprocess.run(["bash", str(SCRIPT), "--down", "--home", str(home)], env=env, timeout=120, check=False)

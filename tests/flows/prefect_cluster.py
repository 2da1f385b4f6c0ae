"""A real distributed Prefect deployment on loopback, for the deployment test: a Prefect server whose
own database is a fresh PostgreSQL database, a process work pool, worker processes, and our flows
deployed from prefect.yaml with `prefect deploy --all` — the commands the README's production
section gives, run as subprocesses of the .venv.

Every process runs in its own process group and is stopped with SIGINT (a Prefect worker ignores
SIGTERM for a long while), then SIGKILL. Flow runs are created and watched through the server's
REST API with httpx, so this test process never loads Prefect's settings (the flow tests' session
harness may be active in the same pytest process).
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy.engine import make_url

from demo.local_sinks import free_port

ROOT = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).with_name("prefect"))
SERVER_STARTUP_SECONDS = 150  # a fresh Prefect database is migrated first (~35 s on 2 busy cores)
FINAL_STATES = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


@contextmanager
def fresh_database(server_url: str, prefix: str) -> Iterator[str]:
    """CREATE DATABASE `<prefix>_<random>` on the server of `server_url` (a SQLAlchemy URL), DROP it after.

    Yields the new database's SQLAlchemy URL, same driver as `server_url`."""
    url = make_url(server_url)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    maintenance = f"host={url.host} port={url.port or 5432} user={url.username} dbname=postgres"
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _stop_group(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """SIGINT the process group, then SIGKILL whatever is left after `grace` seconds."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGINT)
            process.wait(timeout=grace)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    with suppress(ProcessLookupError):  # children (flow-run processes) may outlive their worker
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=grace)


@dataclass
class PrefectCluster:
    """The running server (REST at `api_url`), its workers, and the environment they share."""

    api_url: str
    env: dict[str, str]
    logs: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def spawn(self, name: str, *args: str, env: dict[str, str] | None = None) -> None:
        """Start `prefect <args>` in its own process group, its output in logs/<name>.log."""
        with (self.logs / f"{name}.log").open("ab") as log:
            self.processes[name] = subprocess.Popen(  # noqa: S603 (our own .venv's prefect)
                [PREFECT, *args], stdout=log, stderr=subprocess.STDOUT, env=env or self.env, cwd=ROOT,
                start_new_session=True,
            )  # fmt: skip

    def prefect(self, *args: str, timeout: float = 120) -> str:
        """Run `prefect <args>` to completion in the project directory; its output, or an assertion."""
        done = subprocess.run(  # noqa: S603
            [PREFECT, "--no-prompt", *args], capture_output=True, text=True, env=self.env, cwd=ROOT,
            timeout=timeout, check=False,
        )  # fmt: skip
        assert done.returncode == 0, (
            f"prefect {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
        return done.stdout

    def api(self, method: str, path: str, body: Any = None) -> Any:
        response = httpx.request(method, f"{self.api_url}{path}", json=body, timeout=30)
        response.raise_for_status()
        return response.json() if response.content else None

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            server = self.processes["server"]
            assert server.poll() is None, f"the Prefect server exited; see {self.logs / 'server.log'}"
            try:
                if httpx.get(f"{self.api_url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise AssertionError(
            f"the Prefect server did not answer within {timeout} s; see {self.logs / 'server.log'}"
        )

    def run_deployment(self, name: str, parameters: dict[str, Any]) -> str:
        """What `prefect deployment run <flow>/<deployment> --param …` does: a flow run for the workers."""
        deployment = self.api("GET", f"/deployments/name/{name}")
        run = self.api("POST", f"/deployments/{deployment['id']}/create_flow_run", {"parameters": parameters})
        return str(run["id"])

    def wait_final(self, run_ids: list[str], timeout: float) -> dict[str, dict[str, Any]]:
        """Poll until every run is in a final state; the runs as the API returns them."""
        deadline = time.monotonic() + timeout
        while True:
            runs = {run_id: self.api("GET", f"/flow_runs/{run_id}") for run_id in run_ids}
            if all(run["state_type"] in FINAL_STATES for run in runs.values()):
                return runs
            if time.monotonic() > deadline:
                states = {run_id: run["state_type"] for run_id, run in runs.items()}
                raise AssertionError(
                    f"flow runs not finished within {timeout} s: {states}; logs in {self.logs}"
                )
            time.sleep(1)

    def executing_workers(self, run_ids: list[str], timeout: float = 30) -> dict[str, str]:
        """Flow run id → the worker that ran it, from the `prefect.worker.executed-flow-run` events
        (they reach the database a few seconds after the run ends)."""
        wanted = {f"prefect.flow-run.{run_id}" for run_id in run_ids}
        deadline = time.monotonic() + timeout
        while True:
            body = {"filter": {"event": {"name": ["prefect.worker.executed-flow-run"]}, "any_resource": {"id": sorted(wanted)}},
                    "limit": 50}  # fmt: skip
            found = {
                related["prefect.resource.id"].removeprefix("prefect.flow-run."): event["resource"]["prefect.resource.name"]
                for event in self.api("POST", "/events/filter", body)["events"]
                for related in event["related"]
                if related.get("prefect.resource.role") == "flow-run"
            }  # fmt: skip
            if set(found) >= set(run_ids) or time.monotonic() > deadline:
                return found
            time.sleep(1)


def _clean_env(extra: dict[str, str]) -> dict[str, str]:
    """This process's environment without any PREFECT_* or APPRAISAL_* setting, plus `extra`."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "APPRAISAL_"))}
    return {**kept, **extra}


@contextmanager
def prefect_cluster(
    home: Path, prefect_database_url: str, engine_env: dict[str, str], workers: int = 2
) -> Iterator[PrefectCluster]:
    """Server on a free loopback port (its database: `prefect_database_url`, asyncpg), the `appraisal`
    process pool, our deployments from prefect.yaml, and `workers` workers (each at most one run at
    a time, so two simultaneous runs land on two workers). The scheduler service is off: the test
    triggers every run itself, with the simulated `now` as a parameter."""
    home.mkdir(parents=True, exist_ok=True)
    api_url = f"http://127.0.0.1:{free_port()}/api"
    prefect_env = {
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": api_url,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    database = (
        make_url(prefect_database_url)
        .set(drivername="postgresql+asyncpg")
        .render_as_string(hide_password=False)
    )
    server_env = _clean_env(prefect_env | {"PREFECT_API_DATABASE_CONNECTION_URL": database,
                                           "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false"})  # fmt: skip
    # Workers poll every second instead of every 10 (the default), so each round of runs starts promptly.
    cluster = PrefectCluster(
        api_url, _clean_env(prefect_env | engine_env | {"PREFECT_WORKER_QUERY_SECONDS": "1"}), home
    )
    port = api_url.rsplit(":", 1)[1].removesuffix("/api")
    try:
        cluster.spawn(
            "server", "server", "start", "--host", "127.0.0.1", "--port", port, "--no-ui", env=server_env
        )
        cluster.wait_healthy(SERVER_STARTUP_SECONDS)
        cluster.prefect("work-pool", "create", "appraisal", "--type", "process")
        for n in range(workers):
            cluster.spawn(
                f"worker-{n + 1}",
                "worker",
                "start",
                "--pool",
                "appraisal",
                "--name",
                f"worker-{n + 1}",
                "--limit",
                "1",
            )
        cluster.prefect("deploy", "--all", timeout=180)
        yield cluster
    finally:
        for process in reversed(cluster.processes.values()):
            _stop_group(process)

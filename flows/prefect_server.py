"""Finding, or starting, the local Prefect server that `appraisal serve` uses.

The server keeps its own database (PREFECT_HOME, by default ~/.prefect) — never our SQLite file
(STYLE.md pitfall 1). Analytics are off: its telemetry otherwise logs "database is locked".
"""

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from urllib.parse import urlparse

from config.errors import AppraisalError
from flows.runner import prefect_api_url, prefect_server_healthy

STARTUP_SECONDS = 90


@dataclass
class PrefectServer:
    api_url: str
    process: subprocess.Popen[bytes] | None  # None: it was already running, not ours to stop

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


def find_or_start_server(log_path: str) -> PrefectServer:
    """The server at PREFECT_API_URL (default 127.0.0.1:4200) if healthy, else one started here."""
    api_url = prefect_api_url()
    if prefect_server_healthy(api_url):
        return PrefectServer(api_url, None)
    address = urlparse(api_url)
    if address.hostname not in ("127.0.0.1", "localhost"):
        raise AppraisalError(
            f"PREFECT_API_URL={api_url} does not answer, and it is not a local address to start a server on"
        )
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    command = [
        sys.executable,
        "-m",
        "prefect",
        "server",
        "start",
        "--host",
        address.hostname,
        "--port",
        str(address.port or 4200),
    ]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)  # noqa: S603 (our own interpreter)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if prefect_server_healthy(api_url, timeout=1.0):
            return PrefectServer(api_url, process)
        if process.poll() is not None:
            raise AppraisalError(f"the Prefect server exited with code {process.returncode}; see {log_path}")
        time.sleep(0.5)
    process.terminate()
    raise AppraisalError(f"the Prefect server did not answer within {STARTUP_SECONDS} s; see {log_path}")

"""Running a flow from the CLI: through the Prefect server when one is up, otherwise directly.

A flow run without a server makes Prefect start a temporary one (~10 s, DESIGN §2); a one-line
command should not wait for that. So the CLI asks the server named by PREFECT_API_URL (or the
one `appraisal serve` starts on 127.0.0.1:4200) whether it is healthy: if so, the run goes
through Prefect and shows in its history; if not, the same step function runs in-process and the
CLI says that this run is not in Prefect's history.
"""

import os
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Mode = Literal["auto", "prefect", "direct"]

DEFAULT_API_URL = "http://127.0.0.1:4200/api"


@dataclass(frozen=True)
class RunOutcome:
    result: dict[str, Any]
    via_prefect: bool
    note: str


def prefect_api_url() -> str:
    return os.environ.get("PREFECT_API_URL") or DEFAULT_API_URL


def prefect_server_healthy(api_url: str, timeout: float = 0.5) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=timeout) as response:  # noqa: S310 (local URL)
            return response.status == 200
    except OSError:
        return False


def run_engine_step(
    flow_name: str, direct: Callable[[], dict[str, Any]], *, mode: Mode = "auto", **flow_parameters: Any
) -> RunOutcome:
    """Run flow `flow_name` of flows.engine_flows on the server, or `direct()` when there is none.

    `mode="prefect"` runs the flow with whatever Prefect configuration is active (a test harness);
    `mode="direct"` never touches Prefect.
    """
    api_url = prefect_api_url()
    if mode == "direct" or (mode == "auto" and not prefect_server_healthy(api_url)):
        note = (f"No Prefect server at {api_url}: ran the step directly (not in Prefect's run history). "
                "Start one with `appraisal serve`.")  # fmt: skip
        return RunOutcome(direct(), False, note)
    if mode == "auto":
        os.environ["PREFECT_API_URL"] = api_url
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # The CLI prints its own summary; the run's logs still reach the server.
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from flows import engine_flows  # imported only now: Prefect costs ~1 s to import

    flow = getattr(engine_flows, flow_name)
    # Heartbeats only help detect crashed deployment runs; for a run the user waits on they add ~1 s.
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        result = flow(**flow_parameters)
    return RunOutcome(result, True, f"Ran as Prefect flow '{flow.name}'.")

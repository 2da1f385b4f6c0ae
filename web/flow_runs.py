"""Recent Prefect flow runs for the HR dashboard, read from the Prefect server's REST API.

Plain HTTP with a short timeout rather than Prefect's client: importing Prefect costs seconds, and
its client would start a temporary server of its own when none is configured. An unreachable
server is reported on the page, not raised.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class FlowRunLine:
    flow_name: str
    run_name: str
    state_type: str
    state_name: str
    started_at: datetime | None
    expected_at: datetime | None


@dataclass(frozen=True)
class FlowRuns:
    runs: list[FlowRunLine]
    problem: str | None = None  # why the server could not be read


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def recent_flow_runs(api_url: str, limit: int = 25) -> FlowRuns:
    """The newest `limit` flow runs, newest first, with their flows' names."""
    base = api_url.rstrip("/")
    try:
        with httpx.Client(timeout=TIMEOUT_SECONDS) as client:
            response = client.post(
                f"{base}/flow_runs/filter", json={"limit": limit, "sort": "EXPECTED_START_TIME_DESC"}
            )
            response.raise_for_status()
            runs = _records(response.json())
            ids = sorted({run["flow_id"] for run in runs})
            names: dict[str, str] = {}
            if ids:
                flows = client.post(f"{base}/flows/filter", json={"flows": {"id": {"any_": ids}}})
                flows.raise_for_status()
                names = {flow["id"]: flow["name"] for flow in _records(flows.json())}
            lines = _lines(runs, names)
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        return FlowRuns([], f"{type(exc).__name__}: {exc}")
    return FlowRuns(lines)


def _records(answer: object) -> list[dict[str, Any]]:
    """The answer as a list of JSON objects; anything else is not a Prefect server's answer."""
    if not isinstance(answer, list) or not all(isinstance(item, dict) for item in answer):
        raise ValueError("the answer is not a list of records (is PREFECT_API_URL a Prefect server?)")
    return answer


def _lines(runs: list[dict[str, Any]], names: dict[str, str]) -> list[FlowRunLine]:
    return [
        FlowRunLine(
            names.get(run["flow_id"], run["flow_id"]),
            run.get("name") or "",
            (run.get("state") or {}).get("type") or run.get("state_type") or "",
            run.get("state_name") or (run.get("state") or {}).get("name") or "",
            _instant(run.get("start_time")),
            _instant(run.get("expected_start_time")),
        )
        for run in runs
    ]

"""The Prefect flows of the engine: open a period, advance stages. Each is one task per step
(never one per employee), retried on transient database errors, and publishes the period's
progress as a table artifact with a stable key."""

from datetime import date
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_table_artifact

from config.settings import load_settings
from flows.steps import advance_step, open_period_step, progress_step
from flows.transient import retry_if_transient

RETRY = {"retries": 3, "retry_delay_seconds": [1, 5, 15], "retry_condition_fn": retry_if_transient}
ACTOR = "prefect"


def artifact_key(period_key: str) -> str:
    """Prefect artifact keys allow lower-case letters, digits and dashes only."""
    return f"progress-{period_key.lower()}"


@task(**RETRY)
def open_period_task(cycle: str, now: str | None, start: str | None, end: str | None) -> dict[str, Any]:
    """Create the period, its appraisals and open self-assessments (set-based)."""
    settings = load_settings(now=now)
    return open_period_step(
        settings, cycle, start=date.fromisoformat(start) if start else None, end=date.fromisoformat(end) if end else None, actor=ACTOR
    )  # fmt: skip


@task(**RETRY)
def advance_task(now: str | None) -> dict[str, Any]:
    """Advance every open period."""
    return advance_step(load_settings(now=now), actor=ACTOR)


@task(**RETRY)
def publish_progress(period_key: str, now: str | None) -> None:
    """The `appraisal status` table of the period, as a Prefect table artifact."""
    progress = progress_step(load_settings(now=now), period_key)
    create_table_artifact(
        key=artifact_key(period_key),
        table=progress["rows"]
        or [{"unit": "-", "stage": "-", "open": 0, "overdue": 0, "submitted": 0, "missed": 0}],
        description=f"Progress of {period_key} at {progress['now']}: appraisals per stage {progress['stages']}",
    )


@flow(name="open-period")
def open_period_flow(
    cycle: str, now: str | None = None, start: str | None = None, end: str | None = None
) -> dict[str, Any]:
    """Open the cycle's period (idempotent: an existing period is reported, not recreated)."""
    result = open_period_task(cycle, now, start, end)
    publish_progress(result["period"], now)
    return result


@flow(name="advance-stages")
def advance_stages_flow(now: str | None = None) -> dict[str, Any]:
    """Move every appraisal of every open period as far as submissions and deadlines allow."""
    result = advance_task(now)
    for period in result["periods"]:
        publish_progress(period["period"], now)
    return result

"""The Prefect flows of the engine: open a period, advance stages. Each is one task per step
(never one per employee), retried on transient database errors, and publishes the period's
progress as a table artifact with a stable key."""

from datetime import date
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from config.settings import load_settings
from flows.failure_alerts import alert_hr
from flows.steps import (
    advance_step,
    close_due_step,
    close_step,
    open_period_step,
    progress_step,
    reminders_step,
    results_step,
)
from flows.transient import retry_if_transient
from models.db import create_db_engine
from notifications.dispatch import dispatch_pending

RETRY = {"retries": 3, "retry_delay_seconds": [1, 5, 15], "retry_condition_fn": retry_if_transient}
ACTOR = "prefect"
# Any failed or crashed run of an engine flow tells HR through the outbox.
ALERTS: dict[str, Any] = {"on_failure": [alert_hr], "on_crashed": [alert_hr]}


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


@flow(name="open-period", **ALERTS)
def open_period_flow(
    cycle: str, now: str | None = None, start: str | None = None, end: str | None = None
) -> dict[str, Any]:
    """Open the cycle's period (idempotent: an existing period is reported, not recreated)."""
    result = open_period_task(cycle, now, start, end)
    publish_progress(result["period"], now)
    return result


@flow(name="advance-stages", **ALERTS)
def advance_stages_flow(now: str | None = None) -> dict[str, Any]:
    """Move every appraisal of every open period as far as submissions and deadlines allow."""
    result = advance_task(now)
    for period in result["periods"]:
        publish_progress(period["period"], now)
    return result


def distribution_markdown(summary: dict[str, Any]) -> str:
    """The predikat distribution per unit, as the markdown artifact HR reads in the Prefect UI."""
    names = sorted({name for unit in summary["distribution"] for name in unit["counts"]}, key=_predikat_order)
    lines = [f"# Distribusi predikat — {summary['period']}", "", "| unit | " + " | ".join(names) + " | belum lengkap | di luar kurva |",
             "|---|" + "---|" * (len(names) + 2)]  # fmt: skip
    for unit in summary["distribution"]:
        counts = " | ".join(str(unit["counts"].get(name, 0)) for name in names)
        lines.append(
            f"| {unit['unit']} | {counts} | {unit['incomplete']} | {'; '.join(unit['outside']) or '-'} |"
        )
    if summary["accepted_outside_curve"]:
        lines += ["", "Distribusi di luar kurva diterima oleh HR saat penutupan."]
    return "\n".join(lines)


def _predikat_order(name: str) -> int:
    order = (
        "Sangat Baik",
        "Baik",
        "Cukup",
        "Butuh Perbaikan",
        "Kurang/Misconduct",
        "Kurang",
        "Sangat Kurang",
        "Buruk",
    )
    return order.index(name) if name in order else len(order)


@task
def publish_close(summary: dict[str, Any], now: str | None) -> None:
    """Markdown distribution per unit and the results table, keyed by period."""
    key = summary["period"].lower()
    create_markdown_artifact(
        key=f"distribution-{key}",
        markdown=distribution_markdown(summary),
        description=f"Predikat per unit, {summary['period']}",
    )
    rows = results_step(load_settings(now=now), summary["period"])
    create_table_artifact(
        key=f"results-{key}", table=rows or [{"nip": "-"}], description=f"Results of {summary['period']}"
    )


@task(**RETRY)
def close_task(period: str, now: str | None, force: bool, accept_distribution: bool) -> dict[str, Any]:
    """Score, calibrate-check, recommend and close one period in one transaction."""
    return close_step(
        load_settings(now=now), period, force=force, accept_distribution=accept_distribution, actor=ACTOR
    )


@task(**RETRY)
def close_due_task(now: str | None) -> dict[str, Any]:
    """Close the periods whose calibration time is over."""
    return close_due_step(load_settings(now=now), actor=ACTOR)


@flow(name="close-period", **ALERTS)
def close_period_flow(
    period: str, now: str | None = None, force: bool = False, accept_distribution: bool = False
) -> dict[str, Any]:
    """Close one period (idempotent: a closed period is reported, not changed)."""
    summary = close_task(period, now, force, accept_distribution)
    if summary["closed_now"]:
        publish_close(summary, now)
    return summary


@flow(name="close-due-periods", **ALERTS)
def close_due_periods_flow(now: str | None = None) -> dict[str, Any]:
    """The scheduled close: every period whose calibration days have passed."""
    result = close_due_task(now)
    for summary in result["closed"]:
        publish_close(summary, now)
    return result


@task
def dispatch_task(now: str | None) -> dict[str, int]:
    """Deliver the due outbox rows (each send outside any transaction, each outcome recorded)."""
    settings = load_settings(now=now)
    engine = create_db_engine(settings.database_url)
    report = dispatch_pending(engine, settings, settings.current_time())
    engine.dispose()
    return {
        "sent": report.sent,
        "retried": report.retried,
        "failed": report.failed,
        "skipped": report.skipped,
    }


@flow(name="dispatch-notifications", **ALERTS)
def dispatch_notifications_flow(now: str | None = None) -> dict[str, int]:
    """Deliver pending notifications through Apprise; retries with backoff live in the outbox rows."""
    return dispatch_task(now)


@task(**RETRY)
def reminders_task(now: str | None, dispatch: bool) -> dict[str, Any]:
    """Plan and enqueue the reminders due now, then deliver the outbox (unless `dispatch` is off)."""
    return reminders_step(load_settings(now=now), dispatch=dispatch)


@flow(name="send-reminders", **ALERTS)
def send_reminders_flow(now: str | None = None, dispatch: bool = True) -> dict[str, Any]:
    """The daily reminder run (office-hours start): invitations, reminders, escalations, HR digest."""
    return reminders_task(now, dispatch)

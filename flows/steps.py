"""The engine's steps as plain functions: what a Prefect flow runs, and what the CLI runs directly
when no Prefect server is up. Each step is one transaction and returns a JSON-able summary.

No Prefect import here: the CLI uses these without paying Prefect's start-up cost.
"""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, Select, select
from sqlmodel import Session

from config.cycle_indicators import TrainingProgramme
from config.errors import AppraisalError
from config.settings import Settings
from cycle.advancing import advance_period, open_periods
from cycle.calibration import calibration_time_over, period_by_key
from cycle.closing import CloseResult, close_period
from cycle.opening import open_period
from cycle.periods import explicit_window
from models.cycle import Period
from models.db import create_db_engine, read_session, write_session
from models.outbox import Notification
from models.progress_queries import (
    ALL_UNITS,
    find_period,
    find_unit_id,
    progress_report,
    stage_counts,
    stage_progress,
    unit_subtree,
)
from models.results_queries import period_results
from models.schema import require_current_schema
from notifications.dispatch import dispatch_pending, enqueue
from notifications.reminder_policy import LinkSettings, ReminderPlanner


def _engine(settings: Settings) -> Engine:
    engine = create_db_engine(settings.database_url)
    require_current_schema(engine)
    return engine


def _links(settings: Settings) -> LinkSettings:
    return LinkSettings(settings.base_url, settings.secret_key.get_secret_value())


def open_period_step(
    settings: Settings,
    cycle_name: str,
    *,
    start: date | None = None,
    end: date | None = None,
    actor: str = "system",
) -> dict[str, Any]:
    """Open the cycle's period for the window containing now (or start..end); idempotent."""
    config = settings.load_cycles()
    cycle = config.cycle(cycle_name)
    window = None
    if start is not None or end is not None:
        if start is None or end is None:
            raise AppraisalError("give both --start and --end, or neither")
        window = explicit_window(cycle_name, cycle.cadence, start, end, cycle.timezone or settings.timezone)
    engine = _engine(settings)
    with write_session(engine) as session:
        result = open_period(
            session,
            config,
            cycle_name,
            settings.current_time(),
            window=window,
            actor=actor,
            invite=_links(settings),
        )
    engine.dispose()
    return {
        "period": result.key,
        "created": result.created,
        "status": result.status,
        "appraisals": result.appraisals,
    }


def advance_step(settings: Settings, *, actor: str = "system") -> dict[str, Any]:
    """Advance every open period as far as submissions and deadlines allow."""
    engine = _engine(settings)
    now = settings.current_time()
    reports = []
    with write_session(engine) as session:
        for period in open_periods(session):
            report = advance_period(session, period, now, actor=actor, invite=_links(settings))
            reports.append({"period": report.period_key, "missed": dict(report.missed), "moved": dict(report.moved),
                            "without_reviewer": report.without_reviewer})  # fmt: skip
    engine.dispose()
    return {"now": now.isoformat(), "periods": reports}


def _reported_period(session: Session, period_key: str | None) -> Period:
    """The period a progress report is about, or a clear error when there is none."""
    period = find_period(session, period_key)
    if period is None:
        raise AppraisalError(
            f"no period {period_key!r}" if period_key else "no period yet: run `appraisal period open`"
        )
    return period


def progress_step(settings: Settings, period_key: str | None) -> dict[str, Any]:
    """Progress per unit and stage of one period (default: the latest), every unit: the table of the
    Prefect artifact (`appraisal status` uses status_step)."""
    engine = _engine(settings)
    now = settings.current_time()
    with read_session(engine) as session:
        period = _reported_period(session, period_key)
        stages = stage_counts(session, period.id)
        rows = [row.as_dict() for row in stage_progress(session, period.id, now)]
    engine.dispose()
    return _progress_summary(period, now, stages, rows=rows)


def _progress_summary(period: Period, now: datetime, stages: dict[str, int], **report: Any) -> dict[str, Any]:
    """What every progress report starts with: the period, its status, when, appraisals per stage."""
    return {"period": period.key, "status": period.status, "now": now.isoformat(), "stages": stages, **report}


def _unit_scope(session: Session, unit_code: str | None) -> tuple[str, Select[tuple[int]] | None]:
    """How totals name the units reported on, and their ids (None: every unit)."""
    if unit_code is None:
        return ALL_UNITS, None
    unit_id = find_unit_id(session, unit_code)
    if unit_id is None:
        raise AppraisalError(f"no unit {unit_code!r} (`appraisal roster show` lists the units)")
    return f"({unit_code} and sub-units)", unit_subtree(unit_id)


def status_step(
    settings: Settings, period_key: str | None, *, unit_code: str | None = None, top: int | None = None
) -> dict[str, Any]:
    """What `appraisal status` reports: progress_step's summary plus `totals` per stage, over every
    unit or over `unit_code` and the units below it; `rows` holds every unit of that scope, or,
    with `top`, only the `top` units with the most overdue reviews when there are more (`units`
    says how many there are)."""
    engine = _engine(settings)
    now = settings.current_time()
    with read_session(engine) as session:
        period = _reported_period(session, period_key)
        scope, unit_ids = _unit_scope(session, unit_code)
        stages = stage_counts(session, period.id)
        report = progress_report(session, period.id, now, scope=scope, unit_ids=unit_ids, top=top)
    engine.dispose()
    return _progress_summary(period, now, stages, totals=[line.as_dict() for line in report.totals],
                             rows=[line.as_dict() for line in report.lines], units=report.units)  # fmt: skip


def _training_lookup(settings: Settings) -> Callable[[str], list[TrainingProgramme]]:
    return settings.load_cycles().training_for


def close_step(
    settings: Settings,
    period_key: str,
    *,
    force: bool = False,
    accept_distribution: bool = False,
    actor: str = "system",
) -> dict[str, Any]:
    """Close one period (see cycle/closing.py for what is refused); idempotent."""
    engine = _engine(settings)
    with write_session(engine) as session:
        period = period_by_key(session, period_key)
        result = close_period(session, period, settings.current_time(), actor=actor, training_for=_training_lookup(settings),
                              links=_links(settings),
                              force=force, accept_distribution=accept_distribution)  # fmt: skip
        summary = _close_summary(result)
    engine.dispose()
    return summary


def _close_summary(result: CloseResult) -> dict[str, Any]:
    return {
        "period": result.period_key, "closed_now": result.closed_now, "appraisals": result.appraisals,
        "incomplete": result.incomplete, "forced": result.forced, "predikat": dict(result.predikat),
        "recommendations": dict(result.recommendations), "accepted_outside_curve": result.accepted_outside,
        "distribution": [{"unit": d.unit_code, "counts": d.counts, "incomplete": d.incomplete, "checked": d.checked,
                          "outside": d.outside} for d in result.distribution],
    }  # fmt: skip


def close_due_step(settings: Settings, *, actor: str = "system") -> dict[str, Any]:
    """Close every open period whose appraisals all reached calibration at least `calibration.days`
    working days ago. Refusals (a unit outside the curve) are collected and raised together, so
    the scheduled run fails visibly and HR is told, while the other periods still close."""
    engine = _engine(settings)
    now = settings.current_time()
    with read_session(engine) as session:
        due = [period.key for period in open_periods(session) if calibration_time_over(session, period, now)]
    engine.dispose()
    closed, refused = [], []
    for key in due:
        try:
            closed.append(close_step(settings, key, actor=actor))
        except AppraisalError as exc:
            refused.append(str(exc))
    if refused:
        raise AppraisalError("scheduled close refused:\n" + "\n".join(refused))
    return {"now": now.isoformat(), "closed": closed}


def results_step(settings: Settings, period_key: str) -> list[dict[str, str]]:
    """The results rows of a closed period (DESIGN §9 columns), for the results table artifact."""
    engine = _engine(settings)
    with read_session(engine) as session:
        rows = period_results(session, period_by_key(session, period_key).id)
    engine.dispose()
    return [row.export_fields() for row in rows]


def reminders_step(settings: Settings, *, dry_run: bool = False, dispatch: bool = True) -> dict[str, Any]:
    """Enqueue every reminder due now (DESIGN §7) and deliver the queue; `dry_run` only lists them,
    `dispatch=False` queues without delivering (the demo prints what goes out instead)."""
    engine = _engine(settings)
    now = settings.current_time()
    secret = settings.secret_key.get_secret_value()
    if dry_run:
        with read_session(engine) as session:
            planned = ReminderPlanner(session, now, settings.base_url, secret).plan()
            keys = [row["dedupe_key"] for row in planned]
            existing = set(
                session.execute(
                    select(Notification.dedupe_key).where(Notification.dedupe_key.in_(keys))
                ).scalars()
            )
        engine.dispose()
        return {
            "now": now.isoformat(),
            "dry_run": True,
            "would_send": [_describe(r) for r in planned if r["dedupe_key"] not in existing],
        }
    with write_session(engine) as session:
        planned = ReminderPlanner(session, now, settings.base_url, secret).plan()
        queued = enqueue(session, planned)
    if not dispatch:
        engine.dispose()
        return {
            "now": now.isoformat(),
            "dry_run": False,
            "queued": queued,
            "sent": 0,
            "retried": 0,
            "failed": 0,
        }
    report = dispatch_pending(engine, settings, now)
    engine.dispose()
    return {
        "now": now.isoformat(),
        "dry_run": False,
        "queued": queued,
        "sent": report.sent,
        "retried": report.retried,
        "failed": report.failed,
    }


def _describe(row: dict[str, Any]) -> dict[str, Any]:
    payload = row["payload"]
    who = payload.get("supervisor_name") or payload.get("reviewer_name") or "HR"
    return {
        "to": who,
        "channel": row["channel"],
        "template": row["template"],
        "about": payload.get("reviewee_name") or payload.get("period_key"),
    }

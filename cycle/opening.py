"""Opening a period: the period row, its indicator snapshot, one appraisal per active employee
and each employee's open self-assessment, all with INSERT … SELECT (no per-employee work)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, literal, select
from sqlmodel import Session

from config.cycles import CyclesConfig
from config.errors import AppraisalError
from cycle.deadlines import assign_due_dates
from cycle.indicator_snapshot import snapshot_indicator_set
from cycle.periods import PeriodWindow, window_containing
from models import Appraisal, Employee, Period, Review
from models.audit_log import record_events
from models.db import serialise_writers
from notifications.reminder_policy import LinkSettings, enqueue_invitations


@dataclass(frozen=True)
class OpenResult:
    key: str
    created: bool  # False: the period already existed and nothing was written
    status: str
    appraisals: int


def open_period(
    session: Session,
    config: CyclesConfig,
    cycle_name: str,
    now: datetime,
    *,
    window: PeriodWindow | None = None,
    actor: str = "system",
    invite: LinkSettings | None = None,
) -> OpenResult:
    """Open `cycle_name` for `window` (default: the window containing `now`); idempotent.

    With `invite`, each self-assessment's invitation is queued in the same transaction.
    """
    cycle = config.cycle(cycle_name)
    window = window or window_containing(
        cycle_name, cycle.cadence, now, cycle.timezone or "Asia/Jakarta", cycle.custom_period_days
    )
    serialise_writers(session, f"open-period:{cycle_name}")
    existing = session.execute(
        select(Period.key, Period.status, Period.id).where(
            Period.cycle_name == cycle_name,
            Period.starts_at == window.starts_at,
            Period.ends_at == window.ends_at,
        )
    ).first()
    if existing is not None:
        count = session.execute(
            select(func.count(Appraisal.id)).where(Appraisal.period_id == existing.id)
        ).scalar_one()
        return OpenResult(existing.key, False, existing.status, count)
    clash = session.execute(select(Period.starts_at, Period.ends_at).where(Period.key == window.key)).first()
    if clash is not None:
        raise AppraisalError(
            f"period {window.key} already exists with another window ({clash.starts_at.date()} – {clash.ends_at.date()}, end exclusive); "
            "choose --start/--end that match it, or a different start day"
        )
    period_id = session.execute(
        insert(Period).returning(Period.id),
        [{"key": window.key, "cycle_name": cycle_name, "starts_at": window.starts_at, "ends_at": window.ends_at,
          "status": "open", "indicator_set_id": snapshot_indicator_set(session, config, cycle.indicator_set),
          "cycle_snapshot": {"cycle": cycle.model_dump(mode="json"), "organisation": config.organisation.model_dump(mode="json"),
                             "scale": config.indicator_set(cycle.indicator_set).scale.model_dump(mode="json")},
          "opened_at": now, "created_at": now}],
    ).scalar_one()  # fmt: skip
    session.execute(
        insert(Appraisal).from_select(
            ["period_id", "employee_id", "unit_id", "stage", "stage_started_at", "updated_at"],
            select(literal(period_id), Employee.id, Employee.unit_id, literal("self_assessment"), literal(now, Appraisal.stage_started_at.type), literal(now, Appraisal.updated_at.type))
            .where(Employee.active)
            .order_by(Employee.id),
        )
    )  # fmt: skip
    session.execute(
        insert(Review).from_select(
            ["appraisal_id", "reviewer_id", "kind", "status", "opened_at"],
            select(Appraisal.id, Appraisal.employee_id, literal("self"), literal("open"), literal(now, Review.opened_at.type))
            .where(Appraisal.period_id == period_id),
        )
    )  # fmt: skip
    days = cycle.stages.self_assessment
    country = config.organisation.holidays_country
    assign_due_dates(
        session, period_id=period_id, kind="self", opened_at=now, working_days=days, country=country
    )
    if invite is not None:
        enqueue_invitations(session, now, invite, Appraisal.period_id == period_id, Review.kind == "self")
    count = session.execute(
        select(func.count(Appraisal.id)).where(Appraisal.period_id == period_id)
    ).scalar_one()
    record_events(
        session,
        now,
        actor,
        "period.open",
        "period",
        [(period_id, None, {"key": window.key, "status": "open", "appraisals": count})],
    )
    return OpenResult(window.key, True, "open", count)

"""Calibration: each unit's predikat distribution against the cycle's curve, and HR's overrides."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlmodel import Session

from config.cycle_scoring import CalibrationConfig
from config.errors import AppraisalError
from config.fields import PREDIKAT
from cycle.calendar import due_at
from cycle.period_scores import ScoredAppraisal, cycle_of, score_period
from cycle.scoring import PP46_PREDIKAT
from models import Appraisal, CalibrationOverride, Employee, Period
from models.audit_log import record_events


@dataclass
class UnitDistribution:
    unit_code: str
    counts: dict[str, int]
    incomplete: int
    checked: bool  # False for units smaller than the curve's minimum size
    outside: list[str] = field(default_factory=list)  # one readable line per band broken

    @property
    def rated(self) -> int:
        return sum(self.counts.values())


def count_predikat(units: dict[str, UnitDistribution], scored: Iterable[ScoredAppraisal]) -> None:
    """Add each appraisal's predikat (overrides applied) to its unit's counts in `units`; closing
    calls it batch by batch, so the curve is checked without holding the period's appraisals."""
    for item in scored:
        unit = units.setdefault(item.unit_code, UnitDistribution(item.unit_code, {}, 0, False))
        if item.predikat is None:
            unit.incomplete += 1
        else:
            unit.counts[item.predikat] = unit.counts.get(item.predikat, 0) + 1


def check_curve(units: Iterable[UnitDistribution], calibration: CalibrationConfig) -> list[UnitDistribution]:
    """The counted units by code, each marked with which curve bands its shares break."""
    for unit in units:
        unit.checked = unit.rated >= calibration.min_unit_size
        if not unit.checked:
            continue
        for predikat, band in calibration.ordered_curve():
            share = unit.counts.get(predikat, 0) / unit.rated
            if not band.allows(share):
                limits = " and ".join(
                    part
                    for part in (
                        f"≥ {band.min:.0%}" if band.min is not None else "",
                        f"≤ {band.max:.0%}" if band.max is not None else "",
                    )
                    if part
                )
                unit.outside.append(f"{predikat} {share:.0%} (curve {limits})")
    return sorted(units, key=lambda u: u.unit_code)


def distributions(
    scored: Iterable[ScoredAppraisal], calibration: CalibrationConfig
) -> list[UnitDistribution]:
    """Per unit: predikat counts (overrides applied), and which curve bands the shares break."""
    units: dict[str, UnitDistribution] = {}
    count_predikat(units, scored)
    return check_curve(units.values(), calibration)


def allowed_predikat(period: Period) -> tuple[str, ...]:
    """The predikat names the period's scheme uses."""
    return PP46_PREDIKAT if cycle_of(period).scoring.scheme == "pp46-2011" else PREDIKAT


def require_open(period: Period) -> None:
    """Every change to a closed period is refused; HR reopens it first (audited)."""
    if period.status == "closed":
        raise AppraisalError(
            f"period {period.key} is closed; nothing can change unless HR runs `appraisal period reopen --period {period.key} --reason …`"
        )


def set_override(
    session: Session, period: Period, nip: str, predikat: str, reason: str, now: datetime, actor: str
) -> None:
    """HR sets an appraisal's predikat by hand, with a reason; replaces an earlier override."""
    require_open(period)
    if predikat not in allowed_predikat(period):
        raise AppraisalError(
            f"PREDIKAT: expected one of {', '.join(allowed_predikat(period))}, got {predikat!r}"
        )
    if not reason.strip():
        raise AppraisalError("--reason: HR must say why the predikat is set by hand")
    row = session.execute(
        select(Appraisal.id, Appraisal.stage).join(Employee, Employee.id == Appraisal.employee_id)
        .where(Appraisal.period_id == period.id, Employee.nip == nip)
    ).first()  # fmt: skip
    if row is None:
        raise AppraisalError(f"NIP {nip} has no appraisal in {period.key}")
    if row.stage != "calibration":
        raise AppraisalError(
            f"the appraisal of {nip} is in {row.stage}; predikat can be set only in calibration"
        )
    computed = next((s for s in score_period(session, period, now=now) if s.appraisal_id == row.id), None)
    before = session.execute(
        select(CalibrationOverride.predikat, CalibrationOverride.reason).where(
            CalibrationOverride.appraisal_id == row.id
        )
    ).first()
    session.execute(delete(CalibrationOverride).where(CalibrationOverride.appraisal_id == row.id))
    session.execute(insert(CalibrationOverride), [{"appraisal_id": row.id, "computed_predikat": computed.score.predikat if computed else None,
                                                  "predikat": predikat, "reason": reason, "actor": actor, "at": now}])  # fmt: skip
    record_events(
        session,
        now,
        actor,
        "calibration.override",
        "appraisal",
        [(row.id, dict(before._mapping) if before else None, {"predikat": predikat, "reason": reason})],
    )


def period_by_key(session: Session, key: str) -> Period:
    period = session.execute(select(Period).where(Period.key == key)).scalar()
    if period is None:
        raise AppraisalError(f"--period: no period {key!r}; `appraisal period list` shows them")
    return period


def calibration_time_over(session: Session, period: Period, now: datetime) -> bool:
    """Every appraisal is in calibration, and HR's calibration days have passed since the last arrived."""
    outside = session.execute(
        select(func.count()).where(Appraisal.period_id == period.id, Appraisal.stage != "calibration")
    ).scalar_one()
    last = session.execute(
        select(func.max(Appraisal.stage_started_at)).where(Appraisal.period_id == period.id)
    ).scalar()
    if outside or last is None:
        return False
    cycle = cycle_of(period)
    days = cycle.calibration.days
    if days == 0:
        return True
    country = period.cycle_snapshot.get("organisation", {}).get("holidays_country", "ID")
    return now > due_at(last, days, cycle.timezone or "Asia/Jakarta", country)

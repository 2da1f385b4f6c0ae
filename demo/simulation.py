"""A simulated appraisal cycle: open a period, then fast-forward day by day while simulated staff
submit their reviews — most early, some late, a few never — and the engine advances stages.

Everything goes through the engine's own functions (open_period, record_submission,
advance_period) with an injected clock, so the demo shows exactly what a real cycle does.
Deterministic for a seed: plans and scores come from `random.Random` seeded per review.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from config.cycles import CyclesConfig
from cycle.advancing import advance_period
from cycle.calendar import is_working_day
from cycle.opening import open_period
from cycle.submissions import ASPECTS_BY_KIND, Submission, record_submission
from models import Appraisal, Employee, Indicator, Period, Review, Unit
from models.db import write_session
from models.progress_queries import stage_counts

SUBMIT_HOUR = time(10, 0)
NEVER = 0  # planned working day meaning "never submits"


@dataclass(frozen=True)
class DayReport:
    day: date
    submitted_today: int
    stages: dict[str, int]
    moved: dict[str, int]
    missed: dict[str, int]


def _plan(rng: random.Random, days: int) -> int:
    """On which working day of its stage a review is submitted (NEVER for a few)."""
    roll = rng.random()
    if roll < 0.06:
        return NEVER
    if roll < 0.50:
        return rng.randint(1, min(3, days))
    if roll < 0.88:
        return rng.randint(1, days)
    return rng.randint(max(1, days - 1), days)  # at the last moment


def _score(rng: random.Random, level: float, kind: str, low: int, high: int) -> int:
    bias = 0.4 if kind == "self" else 0.0  # people rate themselves a little higher
    return max(low, min(high, round(rng.gauss(level + bias, 0.6))))


class CitySimulation:
    """Holds the period, the plans made so far and the seeded randomness."""

    def __init__(self, engine: Engine, config: CyclesConfig, cycle_name: str, seed: int) -> None:
        self.engine, self.config, self.cycle_name, self.seed = engine, config, cycle_name, seed
        self.cycle = config.cycle(cycle_name)
        self.scale = config.indicator_set(self.cycle.indicator_set).scale
        self.plans: dict[int, int] = {}
        self.codes: dict[tuple[int, str, str], list[str]] = {}
        self.period_key = ""

    def open(self, now: datetime) -> int:
        with write_session(self.engine) as session:
            result = open_period(session, self.config, self.cycle_name, now, actor="demo")
        self.period_key = result.key
        return result.appraisals

    def _level(self, nip: str) -> float:
        return random.Random(f"{self.seed}:level:{nip}").gauss(3.4, 0.7)

    def _codes(self, session: Session, set_id: int, unit_code: str, kind: str) -> list[str]:
        key = (set_id, unit_code, kind)
        if key not in self.codes:
            self.codes[key] = list(session.execute(
                select(Indicator.code).where(Indicator.indicator_set_id == set_id, Indicator.aspect.in_(ASPECTS_BY_KIND[kind]),
                                             or_(Indicator.unit_code.is_(None), Indicator.unit_code == unit_code))
            ).scalars())  # fmt: skip
        return self.codes[key]

    def _submit_due(self, session: Session, now: datetime) -> int:
        reviewee, reviewer = aliased(Employee), aliased(Employee)
        rows = session.execute(
            select(Review.id, Review.kind, Review.opened_at, reviewee.nip, reviewer.nip, Unit.code, Period.indicator_set_id)
            .join(Appraisal, Appraisal.id == Review.appraisal_id).join(Period, Period.id == Appraisal.period_id)
            .join(reviewee, reviewee.id == Appraisal.employee_id).join(reviewer, reviewer.id == Review.reviewer_id)
            .join(Unit, Unit.id == Appraisal.unit_id)
            .where(Period.key == self.period_key, Review.status == "open")
            .order_by(Review.id)
        ).all()  # fmt: skip
        submitted = 0
        for review_id, kind, opened_at, reviewee_nip, reviewer_nip, unit_code, set_id in rows:
            rng = random.Random(f"{self.seed}:review:{review_id}")
            stage_days = (
                {
                    "self": self.cycle.stages.self_assessment,
                    "supervisor": self.cycle.stages.supervisor_review,
                }.get(kind)
                or self.cycle.stages.peer_review
                or 1
            )
            plan = self.plans.setdefault(review_id, _plan(rng, stage_days))
            if (
                plan == NEVER
                or _working_days_between(opened_at.astimezone(now.tzinfo).date(), now.date()) < plan
            ):
                continue
            codes = self._codes(session, set_id, unit_code, kind)
            level = self._level(reviewee_nip)
            scores = {code: _score(rng, level, kind, self.scale.min, self.scale.max) for code in codes}
            submission = Submission(self.period_key, reviewee_nip, reviewer_nip, kind, scores, None)
            record_submission(session, submission, now, actor=f"demo:{reviewer_nip}")
            submitted += 1
        return submitted

    def day(self, day: date, zone: ZoneInfo) -> DayReport:
        now = datetime.combine(day, SUBMIT_HOUR, tzinfo=zone)
        with write_session(self.engine) as session:
            submitted = self._submit_due(session, now) if is_working_day(day) else 0
            period = session.execute(select(Period).where(Period.key == self.period_key)).scalar_one()
            report = advance_period(session, period, now, actor="demo")
            stages = stage_counts(session, period.id)
        return DayReport(day, submitted, stages, dict(report.moved), dict(report.missed))


def _working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`."""
    return sum(is_working_day(start + timedelta(days=n)) for n in range(1, (end - start).days + 1))


def simulate(
    engine: Engine, config: CyclesConfig, *, cycle_name: str, start: datetime, seed: int, max_days: int = 120
) -> Iterator[DayReport | int]:
    """Yields the number of appraisals opened, then one report per simulated day until calibration."""
    simulation = CitySimulation(engine, config, cycle_name, seed)
    total = simulation.open(start)
    yield total
    zone = ZoneInfo(simulation.cycle.timezone or "Asia/Jakarta")
    for offset in range(1, max_days + 1):
        report = simulation.day(start.astimezone(zone).date() + timedelta(days=offset), zone)
        yield report
        if report.stages.get("calibration", 0) == total:
            return

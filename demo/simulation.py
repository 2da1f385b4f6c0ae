"""A simulated appraisal cycle: open a period, then fast-forward day by day while simulated staff
submit their reviews — most early, some late, a few never — and the engine advances stages.

Opening, advancing and closing run as the engine's steps through the same runner as the CLI
(Prefect flows when a server is up or `mode="prefect"`, the step functions directly otherwise);
submissions go through `record_submission`, as the web forms and CSV import do. The clock is
injected, so weeks pass in seconds. Deterministic for a seed: plans and scores come from
`random.Random` seeded per review.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from config.cycles import CyclesConfig
from config.settings import Settings, load_settings
from cycle.calendar import add_working_days, is_working_day, working_days_between
from cycle.submissions import Submission, record_submission
from flows.runner import Mode, run_engine_step
from flows.steps import advance_step, close_step, open_period_step, reminders_step
from models import Appraisal, Employee, Indicator, Notification, Period, Review, Unit
from models.cycle import reviewer_scores
from models.db import read_session, write_session
from models.progress_queries import stage_counts

REMIND_HOUR = time(10, 30)  # the reminder run, after the morning's submissions and advance
SUBMIT_HOUR = time(10, 0)
NEVER = 0  # planned working day meaning "never submits"


@dataclass(frozen=True)
class DayReport:
    day: date
    submitted_today: int
    stages: dict[str, int]
    moved: dict[str, int]
    missed: dict[str, int]
    messages: int = 0  # messages queued that day: invitations (open/advance), reminders, digests


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


@dataclass(frozen=True)
class EngineCalls:
    """Runs the engine's steps for the simulation against one database, in the runner's mode."""

    database_url: str
    mode: Mode = "auto"

    def settings(self, now: datetime) -> Settings:
        return load_settings(now=now.isoformat(), demo=True, database_url=self.database_url)

    def open(self, cycle: str, now: datetime) -> dict[str, Any]:
        direct = partial(open_period_step, self.settings(now), cycle, actor="demo")
        return run_engine_step(
            "open_period_flow", direct, mode=self.mode, cycle=cycle, now=now.isoformat()
        ).result

    def advance(self, now: datetime) -> dict[str, Any]:
        direct = partial(advance_step, self.settings(now), actor="demo")
        return run_engine_step("advance_stages_flow", direct, mode=self.mode, now=now.isoformat()).result

    def remind(self, now: datetime) -> dict[str, Any]:
        """The daily reminder run, queuing what is due; the demo prints it rather than mailing 10,000 people."""
        direct = partial(reminders_step, self.settings(now), dispatch=False)
        return run_engine_step(
            "send_reminders_flow", direct, mode=self.mode, now=now.isoformat(), dispatch=False
        ).result

    def close(self, period: str, now: datetime) -> dict[str, Any]:
        """Close, HR accepting the distribution (the demo has no HR to calibrate unit by unit)."""
        direct = partial(close_step, self.settings(now), period, accept_distribution=True, actor="demo")
        return run_engine_step(
            "close_period_flow",
            direct,
            mode=self.mode,
            period=period,
            now=now.isoformat(),
            accept_distribution=True,
        ).result


class CitySimulation:
    """Holds the period, the plans made so far and the seeded randomness."""

    def __init__(
        self, engine: Engine, calls: EngineCalls, config: CyclesConfig, cycle_name: str, seed: int
    ) -> None:
        self.engine, self.calls, self.config, self.cycle_name, self.seed = (
            engine,
            calls,
            config,
            cycle_name,
            seed,
        )
        self.cycle = config.cycle(cycle_name)
        self.scale = config.indicator_set(self.cycle.indicator_set).scale
        self.plans: dict[int, int] = {}
        self.codes: dict[tuple[int, str, str], list[str]] = {}
        self.period_key = ""

    def open(self, now: datetime) -> int:
        result = self.calls.open(self.cycle_name, now)
        self.period_key = result["period"]
        return int(result["appraisals"])

    def _level(self, nip: str) -> float:
        return random.Random(f"{self.seed}:level:{nip}").gauss(3.1, 0.45)

    def _codes(self, session: Session, set_id: int, unit_code: str, kind: str) -> list[str]:
        key = (set_id, unit_code, kind)
        if key not in self.codes:
            rows = session.execute(
                select(Indicator.code, Indicator.aspect, Indicator.source)
                .where(Indicator.indicator_set_id == set_id, or_(Indicator.unit_code.is_(None), Indicator.unit_code == unit_code))
            ).all()  # fmt: skip
            self.codes[key] = [code for code, aspect, source in rows if reviewer_scores(kind, aspect, source)]
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
                or working_days_between(opened_at.astimezone(now.tzinfo).date(), now.date()) < plan
            ):
                continue
            codes = self._codes(session, set_id, unit_code, kind)
            level = self._level(reviewee_nip)
            scores = {code: _score(rng, level, kind, self.scale.min, self.scale.max) for code in codes}
            submission = Submission(self.period_key, reviewee_nip, reviewer_nip, kind, scores, None)
            record_submission(session, submission, now, actor=f"demo:{reviewer_nip}")
            submitted += 1
        return submitted

    def _outbox_size(self) -> int:
        with read_session(self.engine) as session:
            return session.execute(select(func.count(Notification.id))).scalar_one()

    def day(self, day: date, zone: ZoneInfo) -> DayReport:
        now = datetime.combine(day, SUBMIT_HOUR, tzinfo=zone)
        queued_before = self._outbox_size()
        submitted = 0
        if is_working_day(day):
            with write_session(self.engine) as session:
                submitted = self._submit_due(session, now)
        report = next(p for p in self.calls.advance(now)["periods"] if p["period"] == self.period_key)
        self.calls.remind(datetime.combine(day, REMIND_HOUR, tzinfo=zone))
        messages = self._outbox_size() - queued_before
        with read_session(self.engine) as session:
            period_id = session.execute(select(Period.id).where(Period.key == self.period_key)).scalar_one()
            stages = stage_counts(session, period_id)
        return DayReport(day, submitted, stages, report["moved"], report["missed"], messages)


def simulate(
    engine: Engine,
    calls: EngineCalls,
    config: CyclesConfig,
    *,
    cycle_name: str,
    start: datetime,
    seed: int,
    max_days: int = 120,
) -> Iterator[DayReport | int | dict[str, Any]]:
    """Yields the number of appraisals opened, one report per simulated day until every appraisal
    is in calibration, then the close summary (the working day after calibration ends)."""
    simulation = CitySimulation(engine, calls, config, cycle_name, seed)
    total = simulation.open(start)
    yield total
    zone = ZoneInfo(simulation.cycle.timezone or "Asia/Jakarta")
    day = start.astimezone(zone).date()
    for _ in range(max_days):
        day += timedelta(days=1)
        report = simulation.day(day, zone)
        yield report
        if report.stages.get("calibration", 0) == total:
            break
    close_day = add_working_days(day, simulation.cycle.calibration.days or 1)
    yield calls.close(simulation.period_key, datetime.combine(close_day, SUBMIT_HOUR, tzinfo=zone))

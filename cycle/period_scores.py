"""Scoring a whole period from stored rows: a few set-based queries, then the pure rules per appraisal.

Used by `calibration show` (provisional figures) and by closing (stored figures), so both show
exactly the same numbers, always reproducible from the review scores and, for IKM-sourced
indicators, the citizens' survey responses in the database (as of `now` while the period is open).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from config.public_satisfaction import PublicSatisfactionRule
from cycle.periods import cycle_of
from cycle.scoring import AppraisalScore, IndicatorInput, PublicScore, score_appraisal
from feedback.period_ikm import unit_indexes
from models import (
    Appraisal,
    CalibrationOverride,
    Employee,
    Indicator,
    IndicatorSet,
    Period,
    Review,
    ReviewScore,
    Unit,
)


@dataclass
class ScoredAppraisal:
    """One appraisal's computed figures, with HR's override (if any) applied to the predikat."""

    appraisal_id: int
    nip: str
    name: str
    unit_code: str
    stage: str
    score: AppraisalScore
    override: str | None = None
    override_reason: str | None = None

    @property
    def predikat(self) -> str | None:
        return self.override or self.score.predikat


def _indicators(session: Session, period: Period) -> dict[str | None, list[IndicatorInput]]:
    rows = session.execute(
        select(Indicator.unit_code, Indicator.code, Indicator.aspect, Indicator.weight, Indicator.source)
        .where(Indicator.indicator_set_id == period.indicator_set_id).order_by(Indicator.id)
    ).all()  # fmt: skip
    by_unit: dict[str | None, list[IndicatorInput]] = defaultdict(list)
    for unit_code, code, aspect, weight, source in rows:
        by_unit[unit_code].append(IndicatorInput(code, aspect, weight, source))
    return by_unit


def _public_scores(
    session: Session, period: Period, now: datetime, rule: PublicSatisfactionRule
) -> dict[str, PublicScore]:
    """Per unit code: its IKM, response count and, from the minimum sample on, the mapped score."""
    return {
        unit_code: PublicScore(figures.index, figures.responses,
                               rule.score_for(figures.index) if figures.meets_min_sample else None)
        for unit_code, figures in unit_indexes(session, period, now).items()
    }  # fmt: skip


def _means(session: Session, period_id: int) -> dict[int, dict[tuple[str, str], tuple[float, int]]]:
    query = (
        select(Review.appraisal_id, Review.kind, ReviewScore.indicator_code, func.avg(ReviewScore.score), func.count())
        .join(Review, Review.id == ReviewScore.review_id).join(Appraisal, Appraisal.id == Review.appraisal_id)
        .where(Appraisal.period_id == period_id, Review.status == "submitted")
        .group_by(Review.appraisal_id, Review.kind, ReviewScore.indicator_code)
    )  # fmt: skip
    means: dict[int, dict[tuple[str, str], tuple[float, int]]] = defaultdict(dict)
    # One shared (kind, code) key per pair, not two fresh strings and a tuple per row: at
    # 100,000 staff there are ~1.7 million means held at once.
    keys: dict[tuple[str, str], tuple[str, str]] = {}
    for appraisal_id, kind, code, mean, count in session.execute(query):
        key = keys.setdefault((kind, code), (kind, code))
        means[appraisal_id][key] = (float(mean), int(count))
    return means


def score_period(
    session: Session, period: Period, *, now: datetime, stages: tuple[str, ...] = ("calibration", "closed")
) -> list[ScoredAppraisal]:
    """Figures for every appraisal of `period` in `stages`, ordered by unit code and NIP."""
    cycle = cycle_of(period)
    scale_max = session.execute(
        select(IndicatorSet.scale_max).where(IndicatorSet.id == period.indicator_set_id)
    ).scalar_one()
    indicators = _indicators(session, period)
    means = _means(session, period.id)
    public = _public_scores(session, period, now, cycle.public_satisfaction)
    # A unit whose IKM-sourced indicator nobody rated still shows it, with no responses.
    no_responses = PublicScore(None, 0, None)
    supervised = set(session.execute(
        select(Review.appraisal_id).join(Appraisal, Appraisal.id == Review.appraisal_id)
        .where(Appraisal.period_id == period.id, Review.kind == "supervisor", Review.status == "submitted")
    ).scalars())  # fmt: skip
    overrides = {
        row.appraisal_id: row
        for row in session.execute(
            select(CalibrationOverride)
            .join(Appraisal, Appraisal.id == CalibrationOverride.appraisal_id)
            .where(Appraisal.period_id == period.id)
        ).scalars()
    }
    appraisals = session.execute(
        select(Appraisal.id, Employee.nip, Employee.name, Unit.code, Appraisal.stage)
        .join(Employee, Employee.id == Appraisal.employee_id).join(Unit, Unit.id == Appraisal.unit_id)
        .where(Appraisal.period_id == period.id, Appraisal.stage.in_(stages)).order_by(Unit.code, Employee.nip)
    ).all()  # fmt: skip
    scored = []
    for appraisal_id, nip, name, unit_code, stage in appraisals:
        own = indicators.get(None, []) + indicators.get(unit_code, [])
        score = score_appraisal(
            appraisal_id,
            own,
            means.get(appraisal_id, {}),
            appraisal_id in supervised,
            cycle.scoring,
            scale_max,
            public.get(unit_code, no_responses),
        )
        override = overrides.get(appraisal_id)
        scored.append(ScoredAppraisal(appraisal_id, nip, name, unit_code, stage, score,
                                      override.predikat if override else None, override.reason if override else None))  # fmt: skip
    return scored

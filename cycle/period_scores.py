"""Scoring a whole period from stored rows, batch by batch: a few set-based queries per batch of
appraisals, then the pure rules per appraisal.

Used by `calibration show` (provisional figures) and by closing (stored figures), so both show
exactly the same numbers, always reproducible from the review scores and, for IKM-sourced
indicators, the citizens' survey responses in the database (as of `now` while the period is open).
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlmodel import Session

from config.cycles import CycleDefinition
from config.public_satisfaction import PublicSatisfactionRule
from cycle.periods import cycle_of
from cycle.scoring import AppraisalScore, IndicatorInput, KindMeans, PublicScore, score_appraisal
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
from models.batches import batches

# Appraisals scored (and, when closing, stored) at once: bounds memory whatever the period's size
# (closing 100,000 staff peaked at 233 MB in batches of 5,000, 1.8 GB all at once).
BATCH_SIZE = 5000
# A submitted review, written so that no index serves it: SQLite (no statistics) would otherwise
# read every submitted review through ix_review_status_due_at for each batch, not the batch's own
# reviews through their appraisal id (at 100,000 staff: 1.0-1.1 s against 0.7-0.8 s of CPU per
# batch of 5,000, measured, and that scan grows with the database, not the batch).
_SUBMITTED = func.coalesce(Review.status, "") == "submitted"


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


def _kind_mean(kind: str) -> Any:
    return func.avg(case((Review.kind == kind, ReviewScore.score)))


def _means(session: Session, ids: list[int]) -> dict[int, dict[str, KindMeans]]:
    """Each appraisal's submitted scores per indicator code, for the appraisals `ids`.

    One row per (appraisal, indicator) with each kind's mean side by side, not one per (appraisal,
    kind, indicator): at 100,000 staff that is 1.0 million rows instead of 2.6 million for the
    database to group and hand over, and for Python to read (the pivot took 5.1 s of SQLite
    against 6.6 s, measured)."""
    query = (
        select(Review.appraisal_id, ReviewScore.indicator_code, _kind_mean("self"), _kind_mean("supervisor"),
               _kind_mean("peer"), func.count(case((Review.kind == "peer", 1))))
        .join(Review, Review.id == ReviewScore.review_id)
        .where(Review.appraisal_id.in_(ids), _SUBMITTED)
        .group_by(Review.appraisal_id, ReviewScore.indicator_code)
    )  # fmt: skip
    means: dict[int, dict[str, KindMeans]] = defaultdict(dict)
    # Core rows on the session's connection, all fetched at once: the ORM's rows, or fetching
    # one row at a time, cost more than the query.
    for appraisal_id, code, *figures in session.connection().execute(query).all():
        means[appraisal_id][code] = KindMeans(*figures)
    return means


@dataclass(frozen=True)
class _PeriodRules:
    """What scoring any appraisal of the period needs: a handful of rows per unit, loaded once."""

    cycle: CycleDefinition
    scale_max: int
    indicators: dict[str | None, list[IndicatorInput]]
    public: dict[str, PublicScore]


def _rules(session: Session, period: Period, now: datetime) -> _PeriodRules:
    cycle = cycle_of(period)
    scale_max = session.execute(
        select(IndicatorSet.scale_max).where(IndicatorSet.id == period.indicator_set_id)
    ).scalar_one()
    public = _public_scores(session, period, now, cycle.public_satisfaction)
    return _PeriodRules(cycle, scale_max, _indicators(session, period), public)


def _ordered_ids(session: Session, period: Period, stages: tuple[str, ...]) -> list[int]:
    """The ids of the period's appraisals in `stages`, ordered by unit code and NIP."""
    return list(session.execute(
        select(Appraisal.id).join(Employee, Employee.id == Appraisal.employee_id).join(Unit, Unit.id == Appraisal.unit_id)
        .where(Appraisal.period_id == period.id, Appraisal.stage.in_(stages)).order_by(Unit.code, Employee.nip)
    ).scalars())  # fmt: skip


def _score_batch(session: Session, rules: _PeriodRules, ids: list[int]) -> list[ScoredAppraisal]:
    """Figures for the appraisals `ids` (consecutive in the period's order), from their reviews alone."""
    means = _means(session, ids)
    # A unit whose IKM-sourced indicator nobody rated still shows it, with no responses.
    no_responses = PublicScore(None, 0, None)
    supervised = set(session.execute(
        select(Review.appraisal_id).where(Review.appraisal_id.in_(ids), Review.kind == "supervisor", _SUBMITTED)
    ).scalars())  # fmt: skip
    overrides = {
        row.appraisal_id: row
        for row in session.execute(
            select(CalibrationOverride).where(CalibrationOverride.appraisal_id.in_(ids))
        ).scalars()
    }
    appraisals = session.execute(
        select(Appraisal.id, Employee.nip, Employee.name, Unit.code, Appraisal.stage)
        .join(Employee, Employee.id == Appraisal.employee_id).join(Unit, Unit.id == Appraisal.unit_id)
        .where(Appraisal.id.in_(ids)).order_by(Unit.code, Employee.nip)
    ).all()  # fmt: skip
    scored = []
    for appraisal_id, nip, name, unit_code, stage in appraisals:
        own = rules.indicators.get(None, []) + rules.indicators.get(unit_code, [])
        score = score_appraisal(
            appraisal_id,
            own,
            means.get(appraisal_id, {}),
            appraisal_id in supervised,
            rules.cycle.scoring,
            rules.scale_max,
            rules.public.get(unit_code, no_responses),
        )
        override = overrides.get(appraisal_id)
        scored.append(ScoredAppraisal(appraisal_id, nip, name, unit_code, stage, score,
                                      override.predikat if override else None, override.reason if override else None))  # fmt: skip
    return scored


def scored_batches(
    session: Session,
    period: Period,
    *,
    now: datetime,
    stages: tuple[str, ...] = ("calibration", "closed"),
    batch_size: int = BATCH_SIZE,
) -> Iterator[list[ScoredAppraisal]]:
    """Figures for every appraisal of `period` in `stages`, ordered by unit code and NIP, in lists of
    at most `batch_size`. Each batch aggregates only its own reviews, so memory follows the batch
    size, not the period's (closing 100,000 staff at once peaked at 1.8 GB). A unit may span batches."""
    rules = _rules(session, period, now)
    ids = _ordered_ids(session, period, stages)
    for batch in batches(ids, batch_size):
        yield _score_batch(session, rules, batch)


def score_period(
    session: Session, period: Period, *, now: datetime, stages: tuple[str, ...] = ("calibration", "closed")
) -> list[ScoredAppraisal]:
    """Figures for every appraisal of `period` in `stages`, ordered by unit code and NIP, in one list
    (for pages and commands that list every appraisal)."""
    return [item for batch in scored_batches(session, period, now=now, stages=stages) for item in batch]

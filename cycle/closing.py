"""Closing a period: ratings, predikat, calibration check, recommendations, stored in one transaction.

Refused before every appraisal reached calibration (unless forced: the remaining reviews become
missed and the appraisals move on stage by stage), and while a unit is outside the curve unless
HR accepts the distribution explicitly (recorded with who and when). Closing a closed period
changes nothing. A closed period is immutable until HR reopens it, with a reason, audited.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, delete, func, select, update
from sqlmodel import Session

from config.cycle_indicators import TrainingProgramme
from config.errors import AppraisalError
from cycle.calibration import UnitDistribution, check_curve, count_predikat
from cycle.period_scores import BATCH_SIZE, ScoredAppraisal, cycle_of, scored_batches
from cycle.recommendations import Advice, Advisor
from cycle.stages import NEXT_STAGE, REVIEW_STAGES, check_transition
from models import Appraisal, Indicator, IndicatorResult, Period, Recommendation, Review
from models.audit_log import record_events
from models.bulk_writes import BulkStatement
from models.db import serialise_writers
from notifications.close_messages import CloseMessages
from notifications.dispatch import enqueue
from notifications.reminder_policy import LinkSettings


@dataclass
class CloseResult:
    period_key: str
    closed_now: bool  # False: it was already closed, nothing changed
    appraisals: int = 0
    incomplete: int = 0
    forced: int = 0
    predikat: Counter[str] = field(default_factory=Counter)
    recommendations: Counter[str] = field(default_factory=Counter)
    distribution: list[UnitDistribution] = field(default_factory=list)
    accepted_outside: list[str] = field(default_factory=list)


def _force_to_calibration(session: Session, period: Period, now: datetime, actor: str) -> int:
    """Remaining reviews become missed; appraisals move on stage by stage (never skipping one)."""
    moved_total = 0
    for stage in REVIEW_STAGES:
        in_stage = select(Appraisal.id).where(Appraisal.period_id == period.id, Appraisal.stage == stage)
        missed = session.execute(
            update(Review).where(Review.appraisal_id.in_(in_stage), Review.status.in_(("open", "waiting"))).values(status="missed").returning(Review.id)
        ).scalars().all()  # fmt: skip
        record_events(
            session,
            now,
            actor,
            "review.missed.forced",
            "review",
            [(i, None, {"status": "missed"}) for i in missed],
        )
        target = NEXT_STAGE[stage]
        moved = session.execute(
            update(Appraisal).where(Appraisal.period_id == period.id, Appraisal.stage == stage)
            .values(stage=target, stage_started_at=now, updated_at=now).returning(Appraisal.id)
        ).scalars().all()  # fmt: skip
        record_events(
            session,
            now,
            actor,
            "appraisal.stage.forced",
            "appraisal",
            [(i, {"stage": stage}, {"stage": target}) for i in moved],
        )
        moved_total += len(moved)
    return moved_total


def _not_in_calibration(session: Session, period: Period) -> dict[str, int]:
    query = (
        select(Appraisal.stage, func.count())
        .where(Appraisal.period_id == period.id, Appraisal.stage != "calibration")
        .group_by(Appraisal.stage)
    )
    return dict(session.execute(query).all())


# What the close stores per appraisal, per indicator and per recommendation, in parameter order.
# (In the table's order, which is the order of an UPDATE's SET: no reordering per row.)
FIGURES = ("stage", "stage_started_at", "result_rating", "behaviour_rating", "predikat", "final_score",
           "result_score", "behaviour_score", "incomplete_reason", "updated_at")  # fmt: skip
INDICATOR_COLUMNS = ("appraisal_id", "indicator_code", "aspect", "self_score", "supervisor_score", "peer_score",
                     "peer_count", "combined_score", "rating", "source", "public_index", "public_responses")  # fmt: skip
ADVICE_COLUMNS = ("appraisal_id", "kind", "reason_id", "reason_en", "detail", "created_at")


class _Store:
    """Writes each batch's final figures and recommendations: three statements built once per close,
    run with many rows each (see models/bulk_writes.py for why not the ORM or Core per row)."""

    def __init__(self, session: Session, now: datetime) -> None:
        connection, appraisal = session.connection(), Appraisal.__table__
        stored = (
            update(appraisal)
            .where(appraisal.c.id == bindparam("row_id"))
            .values({name: bindparam(name) for name in FIGURES})
        )
        self.appraisals = BulkStatement(connection, stored, (*FIGURES, "row_id"))  # fmt: skip
        self.indicators = BulkStatement.insert(connection, IndicatorResult.__table__, INDICATOR_COLUMNS)
        self.advice = BulkStatement.insert(connection, Recommendation.__table__, ADVICE_COLUMNS)
        self.now = now

    def __call__(self, scored: list[ScoredAppraisal], advice: list[Advice]) -> None:
        now = self.now
        self.appraisals.run(
            ("closed", now, item.score.result_rating, item.score.behaviour_rating, item.predikat, item.score.final_score,
             item.score.result_score, item.score.behaviour_score, None if item.predikat else item.score.incomplete_reason,
             now, item.appraisal_id)
            for item in scored
        )  # fmt: skip
        # Reopened periods keep no stale figures: they were removed on reopen, and nothing else writes them.
        self.indicators.run(
            (item.appraisal_id, f.code, f.aspect, f.self_score, f.supervisor_score, f.peer_score, f.peer_count,
             f.combined_score, f.rating, f.source, f.public_index, f.public_responses)
            for item in scored for f in item.score.indicators
        )  # fmt: skip
        self.advice.run((a.appraisal_id, a.kind, a.reason_id, a.reason_en, a.detail, now) for a in advice)


def _close_batches(
    session: Session,
    period: Period,
    now: datetime,
    advisor: Advisor,
    links: LinkSettings,
    batch_size: int,
    result: CloseResult,
) -> dict[str, UnitDistribution]:
    """Score, store, advise and queue the results of every appraisal in calibration, one batch at a
    time; returns each unit's predikat counts for the curve check.

    The curve is checked after storing, and a refusal then rolls the whole transaction back, rather
    than in a first pass that scores every appraisal only to count predikat: measured at 100,000
    staff, that pass alone took 49 s of CPU against 103 s for the whole close, half as much again
    on every close, while storing first costs only a refused close, which HR then adjusts or
    accepts, the time of its writes (nothing is kept).
    """
    check_transition("calibration", "closed")
    units: dict[str, UnitDistribution] = {}
    messages, store = CloseMessages(session, period, now, links), _Store(session, now)
    for scored in scored_batches(session, period, now=now, stages=("calibration",), batch_size=batch_size):
        count_predikat(units, scored)
        advice = advisor.advise(session, scored)
        store(scored, advice)
        enqueue(session, messages.results(scored, advice))
        result.appraisals += len(scored)
        result.incomplete += sum(1 for item in scored if item.predikat is None)
        result.predikat.update(item.predikat for item in scored if item.predikat)
        result.recommendations.update(a.kind for a in advice)
    for rows in messages.team_summaries(batch_size):
        enqueue(session, rows)
    return units


def close_period(
    session: Session,
    period: Period,
    now: datetime,
    *,
    actor: str,
    training_for: Callable[[str], list[TrainingProgramme]],
    links: LinkSettings,
    force: bool = False,
    accept_distribution: bool = False,
    batch_size: int = BATCH_SIZE,
) -> CloseResult:
    """Close `period` (see the module docstring for what is refused and why), `batch_size`
    appraisals at a time; a refusal raises, and the caller's transaction then keeps nothing."""
    serialise_writers(session, f"period:{period.id}")
    session.refresh(period)
    result = CloseResult(period.key, closed_now=False)
    if period.status == "closed":
        return result
    waiting = _not_in_calibration(session, period)
    if waiting and not force:
        listed = ", ".join(f"{n} in {stage}" for stage, n in sorted(waiting.items()))
        raise AppraisalError(f"{period.key}: {sum(waiting.values())} appraisals have not reached calibration ({listed}); "
                             "run `appraisal period advance`, or close with --force (their open reviews become missed)")  # fmt: skip
    if waiting:
        result.forced = _force_to_calibration(session, period, now, actor)
    names = dict(
        session.execute(
            select(Indicator.code, Indicator.name).where(
                Indicator.indicator_set_id == period.indicator_set_id
            )
        ).all()
    )
    advisor = Advisor(session, period, training_for, names)
    units = _close_batches(session, period, now, advisor, links, batch_size, result)
    result.distribution = check_curve(units.values(), cycle_of(period).calibration)
    outside = [f"{d.unit_code}: {'; '.join(d.outside)}" for d in result.distribution if d.outside]
    if outside and not accept_distribution:
        raise AppraisalError(f"{period.key}: {len(outside)} unit(s) outside the distribution curve:\n  " + "\n  ".join(outside) +
                             "\nAdjust with `appraisal calibration set NIP PREDIKAT --reason …`, or close with --accept-distribution.")  # fmt: skip
    result.accepted_outside = outside
    accepted = {"distribution_accepted_by": actor, "distribution_accepted_at": now} if outside else {}
    session.execute(
        update(Period)
        .where(Period.id == period.id, Period.status == "open")
        .values(status="closed", closed_at=now, closed_by=actor, **accepted)
    )
    record_events(session, now, actor, "period.close", "period", [(period.id, {"status": "open"}, {
        "status": "closed", "predikat": dict(result.predikat), "incomplete": result.incomplete,
        "forced": result.forced, "accepted_outside_curve": outside})])  # fmt: skip
    result.closed_now = True
    return result


def reopen_period(session: Session, period: Period, reason: str, now: datetime, *, actor: str) -> int:
    """HR reopens a closed period: back to calibration, stored results and recommendations removed (audited)."""
    if not reason.strip():
        raise AppraisalError("--reason: say why the period is reopened (it is kept in the audit trail)")
    serialise_writers(session, f"period:{period.id}")
    session.refresh(period)
    if period.status != "closed":
        raise AppraisalError(f"period {period.key} is {period.status}, not closed; nothing to reopen")
    ids = select(Appraisal.id).where(Appraisal.period_id == period.id)
    removed = session.execute(delete(Recommendation).where(Recommendation.appraisal_id.in_(ids))).rowcount
    session.execute(delete(IndicatorResult).where(IndicatorResult.appraisal_id.in_(ids)))
    moved = session.execute(
        update(Appraisal).where(Appraisal.period_id == period.id, Appraisal.stage == "closed")
        .values(stage="calibration", stage_started_at=now, updated_at=now).returning(Appraisal.id)
    ).scalars().all()  # fmt: skip
    session.execute(update(Period).where(Period.id == period.id).values(status="open", closed_at=None, closed_by=None,
                                                                        distribution_accepted_by=None, distribution_accepted_at=None))  # fmt: skip
    record_events(
        session,
        now,
        actor,
        "period.reopen",
        "period",
        [
            (
                period.id,
                {"status": "closed"},
                {"status": "open", "reason": reason, "recommendations_removed": removed},
            )
        ],
    )
    record_events(
        session,
        now,
        actor,
        "appraisal.stage.reopen",
        "appraisal",
        [(i, {"stage": "closed"}, {"stage": "calibration"}) for i in moved],
    )
    return len(moved)

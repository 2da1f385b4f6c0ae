"""Progress of a period, per unit and stage, and the list of open reviews: one query each."""

from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from models.cycle import STAGE_OF_KIND, Appraisal, Period, Review
from models.organisation import Employee, Unit
from models.review_tally import ReviewTally


class StageProgress(NamedTuple):
    """Reviews of one kind in one unit: how many are open (and of those overdue), submitted, missed.

    A named tuple, not a frozen dataclass: status builds one per unit and kind (about 10,000 for
    a national roster), and a frozen dataclass takes three times as long to build."""

    unit_code: str
    stage: str
    open: int
    overdue: int
    submitted: int
    missed: int

    def as_dict(self) -> dict[str, object]:
        return dict(zip(PROGRESS_KEYS, self, strict=True))


PROGRESS_KEYS = ("unit", "stage", "open", "overdue", "submitted", "missed")


def find_period(session: Session, key: str | None) -> Period | None:
    """The period named `key`, or the most recently opened one when no key is given."""
    query = select(Period)
    query = (
        query.where(Period.key == key) if key else query.order_by(Period.opened_at.desc(), Period.id.desc())
    )
    return session.execute(query.limit(1)).scalar()


def stage_counts(session: Session, period_id: int) -> dict[str, int]:
    """Appraisals per stage."""
    query = (
        select(Appraisal.stage, func.count())
        .where(Appraisal.period_id == period_id)
        .group_by(Appraisal.stage)
    )
    return dict(session.execute(query).all())


def stage_progress(session: Session, period_id: int, now: datetime) -> list[StageProgress]:
    """Per unit (of the appraisal) and review kind, ordered by unit code then stage order.

    Sums the period's review tally (kept by the database, see models/review_tally.py), a few rows
    per unit, instead of aggregating every review of the period on every call."""

    def reviews_if(*conditions: object) -> object:
        return func.sum(case((and_(*conditions), ReviewTally.reviews), else_=0))

    open_ = ReviewTally.status == "open"
    stage_rank = case({kind: rank for rank, kind in enumerate(STAGE_OF_KIND)}, value=ReviewTally.kind)
    query = (
        select(
            Unit.code,
            case(STAGE_OF_KIND, value=ReviewTally.kind),
            reviews_if(open_),
            reviews_if(open_, ReviewTally.due_at < now),
            reviews_if(ReviewTally.status == "submitted"),
            reviews_if(ReviewTally.status == "missed"),
        )  # fmt: skip
        .join(Unit, Unit.id == ReviewTally.unit_id)
        .where(ReviewTally.period_id == period_id)
        .group_by(Unit.code, ReviewTally.kind)
        .having(func.sum(ReviewTally.reviews) > 0)  # counts that fell to 0: no reviews of that kind there
        .order_by(stage_rank)
    )
    # Core, not the ORM: plain tuples, where the ORM's result handling doubled the cost. The
    # database orders the stages; the stable sort by unit code keeps that order within a unit and
    # puts units in code-point order on both databases, whatever PostgreSQL's collation.
    lines = map(StageProgress._make, session.connection().execute(query).all())
    return sorted(lines, key=itemgetter(0))


@dataclass(frozen=True)
class PendingReview:
    review_id: int
    period_key: str
    reviewee_nip: str
    reviewee_name: str
    reviewer_nip: str
    reviewer_name: str
    kind: str
    status: str
    due_at: datetime | None


def _review_lines(*conditions: Any, limit: int | None = None) -> Any:
    reviewee, reviewer = aliased(Employee), aliased(Employee)
    query = (
        select(Review.id, Period.key, reviewee.nip, reviewee.name, reviewer.nip, reviewer.name, Review.kind, Review.status, Review.due_at)
        .join(Appraisal, Appraisal.id == Review.appraisal_id)
        .join(Period, Period.id == Appraisal.period_id)
        .join(reviewee, reviewee.id == Appraisal.employee_id)
        .join(reviewer, reviewer.id == Review.reviewer_id)
        .where(*conditions)
        .order_by(Period.key, reviewer.nip, Review.due_at, reviewee.nip)
    )  # fmt: skip
    return query if limit is None else query.limit(limit)


def pending_reviews(session: Session, period_id: int | None = None) -> list[PendingReview]:
    """Open reviews of open periods (or of one period), by period, reviewer and due time."""
    conditions = [Review.status == "open", Period.status == "open"]
    if period_id is not None:
        conditions.append(Period.id == period_id)
    return [PendingReview(*row) for row in session.execute(_review_lines(*conditions))]


def overdue_reviews(session: Session, period_id: int, now: datetime, limit: int) -> list[PendingReview]:
    """Open reviews of one period whose deadline has passed (the next advance marks them missed)."""
    query = _review_lines(Period.id == period_id, Review.status == "open", Review.due_at < now, limit=limit)
    return [PendingReview(*row) for row in session.execute(query)]


def missed_reviews(session: Session, period_id: int, limit: int) -> list[PendingReview]:
    """Reviews of one period that were never given before their stage ended."""
    query = _review_lines(Period.id == period_id, Review.status == "missed", limit=limit)
    return [PendingReview(*row) for row in session.execute(query)]


@dataclass(frozen=True)
class PeriodLine:
    """One period as HR's list shows it, with its appraisals counted per stage."""

    key: str
    cycle_name: str
    status: str
    starts_at: datetime
    ends_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    stages: dict[str, int]

    @property
    def appraisals(self) -> int:
        return sum(self.stages.values())


def period_lines(session: Session) -> list[PeriodLine]:
    """Every period, newest window first (one query for the periods, one for all stage counts)."""
    periods = (
        session.execute(select(Period).order_by(Period.starts_at.desc(), Period.id.desc())).scalars().all()
    )
    counts: dict[int, dict[str, int]] = {}
    grouped = select(Appraisal.period_id, Appraisal.stage, func.count()).group_by(
        Appraisal.period_id, Appraisal.stage
    )
    for period_id, stage, count in session.execute(grouped):
        counts.setdefault(period_id, {})[stage] = count
    return [
        PeriodLine(
            p.key,
            p.cycle_name,
            p.status,
            p.starts_at,
            p.ends_at,
            p.opened_at,
            p.closed_at,
            counts.get(p.id or 0, {}),
        )
        for p in periods
    ]


def unit_stage_counts(session: Session, period_id: int) -> dict[str, dict[str, int]]:
    """Appraisals per unit (at opening) and stage: where each unit stands in the cycle."""
    query = (
        select(Unit.code, Appraisal.stage, func.count())
        .join(Unit, Unit.id == Appraisal.unit_id)
        .where(Appraisal.period_id == period_id)
        .group_by(Unit.code, Appraisal.stage)
    )
    counts: dict[str, dict[str, int]] = {}
    for code, stage, count in session.execute(query):
        counts.setdefault(code, {})[stage] = count
    return dict(sorted(counts.items()))

"""Progress of a period, per unit and stage, and the list of open reviews: one query each."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from models.cycle import REVIEW_KIND, Appraisal, Period, Review
from models.organisation import Employee, Unit

KIND_STAGE = {kind: stage for stage, kind in REVIEW_KIND.items()}


@dataclass(frozen=True)
class StageProgress:
    """Reviews of one kind in one unit: how many are open (and of those overdue), submitted, missed."""

    unit_code: str
    stage: str
    open: int
    overdue: int
    submitted: int
    missed: int

    def as_dict(self) -> dict[str, object]:
        return {"unit": self.unit_code, "stage": self.stage, "open": self.open, "overdue": self.overdue,
                "submitted": self.submitted, "missed": self.missed}  # fmt: skip


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
    """Per unit (of the appraisal) and review kind, ordered by unit code then stage order."""

    def count_if(condition: object) -> object:
        return func.sum(case((condition, 1), else_=0))

    query = (
        select(
            Unit.code,
            Review.kind,
            count_if(Review.status == "open"),
            count_if(and_(Review.status == "open", Review.due_at < now)),
            count_if(Review.status == "submitted"),
            count_if(Review.status == "missed"),
        )  # fmt: skip
        .join(Appraisal, Appraisal.id == Review.appraisal_id)
        .join(Unit, Unit.id == Appraisal.unit_id)
        .where(Appraisal.period_id == period_id)
        .group_by(Unit.code, Review.kind)
    )
    order = list(KIND_STAGE)
    rows = sorted(session.execute(query).all(), key=lambda r: (r[0], order.index(r[1])))
    return [
        StageProgress(code, KIND_STAGE[kind], *(int(n or 0) for n in counts)) for code, kind, *counts in rows
    ]


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


def pending_reviews(session: Session, period_id: int | None = None) -> list[PendingReview]:
    """Open reviews of open periods (or of one period), by period, reviewer and due time."""
    reviewee, reviewer = aliased(Employee), aliased(Employee)
    query = (
        select(Review.id, Period.key, reviewee.nip, reviewee.name, reviewer.nip, reviewer.name, Review.kind, Review.status, Review.due_at)
        .join(Appraisal, Appraisal.id == Review.appraisal_id)
        .join(Period, Period.id == Appraisal.period_id)
        .join(reviewee, reviewee.id == Appraisal.employee_id)
        .join(reviewer, reviewer.id == Review.reviewer_id)
        .where(Review.status == "open", Period.status == "open")
        .order_by(Period.key, reviewer.nip, Review.due_at, reviewee.nip)
    )  # fmt: skip
    if period_id is not None:
        query = query.where(Period.id == period_id)
    return [PendingReview(*row) for row in session.execute(query)]

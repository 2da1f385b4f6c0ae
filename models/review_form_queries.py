"""What a review form shows: who is reviewed, for which period, by when, on which indicators.

Read in one place for the web form, so the page and the rule set of `cycle/submissions.py` see
the same review. A peer's form carries nothing of any other review; the supervisor's form also
carries the reviewee's self-assessment (DESIGN §4: the supervisor reviews with it in view).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from models.cycle import STAGE_OF_KIND, Appraisal, Period, Review, ReviewScore, scored_by
from models.indicators import Indicator, IndicatorSet
from models.organisation import Employee, Unit

# Built once: a fresh alias per call costs about 3 ms of column rebuilding on every submission
# (profiled under bench/web_submit.py), more than every query of the submission together.
REVIEWEE, REVIEWER = aliased(Employee, name="reviewee"), aliased(Employee, name="reviewer")


@dataclass(frozen=True)
class FormIndicator:
    code: str
    name: str
    description: str
    aspect: str


@dataclass(frozen=True)
class SelfAssessment:
    """The reviewee's own scores and comment, shown to the supervisor."""

    scores: dict[str, float]
    comment: str | None
    submitted_at: datetime | None


@dataclass(frozen=True)
class ReviewForm:
    review_id: int
    kind: str
    status: str  # waiting, open, submitted, missed
    due_at: datetime | None
    submitted_at: datetime | None
    appraisal_stage: str
    period_key: str
    period_status: str
    cycle_label: str
    reviewee_nip: str
    reviewee_name: str
    reviewee_position: str
    unit_code: str
    unit_name: str
    reviewer_nip: str
    reviewer_name: str
    reviewer_locale: str
    reviewer_timezone: str
    scale: tuple[int, int]
    scale_labels: dict[int, str]
    indicators: list[FormIndicator]
    scores: dict[str, int]  # the answer given so far (a reopened link shows it)
    comment: str | None
    self_assessment: SelfAssessment | None = None

    def state(self, now: datetime) -> str:
        """ "open" while the answer can be given or changed (its stage is current and the deadline
        has not passed), "not_yet" before its stage opens, else "closed"."""
        if self.status == "waiting":
            return "not_yet"
        if (
            self.period_status == "closed"
            or self.status == "missed"
            or self.appraisal_stage != STAGE_OF_KIND[self.kind]
            or (self.due_at is not None and now > self.due_at)
        ):
            return "closed"
        return "open"


def _indicators(session: Session, period: Period, unit_code: str, kind: str) -> list[FormIndicator]:
    """The period's indicators for the unit that this kind of reviewer scores, the unit's additions
    replacing a default of the same code."""
    rows = session.execute(
        select(Indicator.code, Indicator.name, Indicator.description, Indicator.aspect, Indicator.unit_code)
        .where(Indicator.indicator_set_id == period.indicator_set_id, scored_by(kind),
               or_(Indicator.unit_code.is_(None), Indicator.unit_code == unit_code))
        .order_by(Indicator.id)
    ).all()  # fmt: skip
    chosen: dict[str, FormIndicator] = {}
    for code, name, description, aspect, own_unit in rows:
        if own_unit is not None or code not in chosen:
            chosen[code] = FormIndicator(code, name, description, aspect)
    return list(chosen.values())


def _scores(session: Session, review_id: int) -> dict[str, float]:
    return dict(
        session.execute(
            select(ReviewScore.indicator_code, ReviewScore.score).where(ReviewScore.review_id == review_id)
        ).all()
    )


def _self_assessment(session: Session, appraisal_id: int) -> SelfAssessment | None:
    own = session.execute(
        select(Review.id, Review.comment, Review.submitted_at).where(
            Review.appraisal_id == appraisal_id, Review.kind == "self", Review.status == "submitted"
        )
    ).first()
    if own is None:
        return None
    return SelfAssessment(_scores(session, own.id), own.comment, own.submitted_at)


def review_form(session: Session, review_id: int) -> ReviewForm | None:
    """The form of review `review_id`, or None when there is no such review."""
    reviewee, reviewer = REVIEWEE, REVIEWER
    found = session.execute(
        select(Review, Appraisal, Period, reviewee, reviewer, Unit, IndicatorSet.scale_min, IndicatorSet.scale_max)
        .join(Appraisal, Appraisal.id == Review.appraisal_id)
        .join(Period, Period.id == Appraisal.period_id)
        .join(IndicatorSet, IndicatorSet.id == Period.indicator_set_id)
        .join(reviewee, reviewee.id == Appraisal.employee_id)
        .join(reviewer, reviewer.id == Review.reviewer_id)
        .join(Unit, Unit.id == Appraisal.unit_id)
        .where(Review.id == review_id)
    ).first()  # fmt: skip
    if found is None:
        return None
    review, appraisal, period, person, judge, unit, low, high = found
    labels = period.cycle_snapshot.get("scale", {}).get("labels", {})
    return ReviewForm(
        review_id=review.id,
        kind=review.kind,
        status=review.status,
        due_at=review.due_at,
        submitted_at=review.submitted_at,
        appraisal_stage=appraisal.stage,
        period_key=period.key,
        period_status=period.status,
        cycle_label=period.cycle_snapshot.get("cycle", {}).get("label") or period.cycle_name,
        reviewee_nip=person.nip,
        reviewee_name=person.name,
        reviewee_position=person.position,
        unit_code=unit.code,
        unit_name=unit.name,
        reviewer_nip=judge.nip,
        reviewer_name=judge.name,
        reviewer_locale=judge.locale,
        reviewer_timezone=judge.timezone,
        scale=(low, high),
        scale_labels={int(score): str(label) for score, label in labels.items()},
        indicators=_indicators(session, period, unit.code, review.kind),
        scores={code: int(score) for code, score in _scores(session, review.id).items()},
        comment=review.comment,
        self_assessment=_self_assessment(session, appraisal.id) if review.kind == "supervisor" else None,
    )

"""What a review form shows: who is reviewed, for which period, by when, on which indicators.

Read in one place for the web form, so the page and the rule set of `cycle/submissions.py` see
the same review. A peer's form carries nothing of any other review; the supervisor's form also
carries the reviewee's self-assessment (DESIGN §4: the supervisor reviews with it in view).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Table, bindparam, or_, select

from models.cycle import STAGE_OF_KIND, Appraisal, Period, Review, ReviewScore, reviewer_scores
from models.indicators import Indicator, IndicatorSet
from models.organisation import Employee, Unit

# Core tables and statements, shared with the rule set (cycle/submissions.py). Statements are
# built once with bound parameters, so SQLAlchemy reuses their cache key and compiled form:
# building them (and ORM entities) per request was most of the server CPU of a form under
# bench/web_submit.py.
review_t: Table = Review.__table__  # type: ignore[attr-defined]
appraisal_t: Table = Appraisal.__table__  # type: ignore[attr-defined]
period_t: Table = Period.__table__  # type: ignore[attr-defined]
score_t: Table = ReviewScore.__table__  # type: ignore[attr-defined]
indicator_t: Table = Indicator.__table__  # type: ignore[attr-defined]
indicator_set_t: Table = IndicatorSet.__table__  # type: ignore[attr-defined]
unit_t: Table = Unit.__table__  # type: ignore[attr-defined]
employee_t: Table = Employee.__table__  # type: ignore[attr-defined]
reviewee_t, reviewer_t = employee_t.alias("reviewee"), employee_t.alias("reviewer")

# One row per review: the review, its appraisal, period, scale, both people and the unit.
REVIEW_ROW = (
    select(
        review_t.c.id, review_t.c.kind, review_t.c.status, review_t.c.due_at, review_t.c.submitted_at,
        review_t.c.comment, appraisal_t.c.id.label("appraisal_id"), appraisal_t.c.stage,
        period_t.c.key, period_t.c.status.label("period_status"), period_t.c.cycle_name,
        period_t.c.cycle_snapshot, period_t.c.indicator_set_id, indicator_set_t.c.scale_min,
        indicator_set_t.c.scale_max, reviewee_t.c.nip.label("reviewee_nip"),
        reviewee_t.c.name.label("reviewee_name"), reviewee_t.c.position,
        reviewer_t.c.nip.label("reviewer_nip"), reviewer_t.c.name.label("reviewer_name"),
        reviewer_t.c.locale, reviewer_t.c.timezone, unit_t.c.code.label("unit_code"),
        unit_t.c.name.label("unit_name"),
    )
    .join_from(review_t, appraisal_t, appraisal_t.c.id == review_t.c.appraisal_id)
    .join(period_t, period_t.c.id == appraisal_t.c.period_id)
    .join(indicator_set_t, indicator_set_t.c.id == period_t.c.indicator_set_id)
    .join(reviewee_t, reviewee_t.c.id == appraisal_t.c.employee_id)
    .join(reviewer_t, reviewer_t.c.id == review_t.c.reviewer_id)
    .join(unit_t, unit_t.c.id == appraisal_t.c.unit_id)
    .where(review_t.c.id == bindparam("review_id"))
)  # fmt: skip
INDICATORS_OF_UNIT = (
    select(indicator_t.c.code, indicator_t.c.name, indicator_t.c.description, indicator_t.c.aspect, indicator_t.c.unit_code,
           indicator_t.c.source)
    .where(indicator_t.c.indicator_set_id == bindparam("indicator_set_id"),
           or_(indicator_t.c.unit_code.is_(None), indicator_t.c.unit_code == bindparam("unit_code")))
    .order_by(indicator_t.c.id)
)  # fmt: skip
SCORES_OF_REVIEW = select(score_t.c.indicator_code, score_t.c.score).where(
    score_t.c.review_id == bindparam("review_id")
)
_OWN_REVIEW = select(review_t.c.id, review_t.c.comment, review_t.c.submitted_at).where(
    review_t.c.appraisal_id == bindparam("appraisal_id"),
    review_t.c.kind == "self",
    review_t.c.status == "submitted",
)


def form_state(
    kind: str, status: str, period_status: str, appraisal_stage: str, due_at: datetime | None, now: datetime
) -> str:
    """ "open" while the answer can be given or changed (its stage is current and the deadline
    has not passed), "not_yet" before its stage opens, else "closed". The page and the web form's
    submission both ask this, so a link never shows a form that its submission would call closed."""
    if status == "waiting":
        return "not_yet"
    if (
        period_status == "closed"
        or status == "missed"
        or appraisal_stage != STAGE_OF_KIND[kind]
        or (due_at is not None and now > due_at)
    ):
        return "closed"
    return "open"


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
        """See `form_state`."""
        return form_state(self.kind, self.status, self.period_status, self.appraisal_stage, self.due_at, now)


def _indicators(
    connection: Connection, indicator_set_id: int, unit_code: str, kind: str
) -> list[FormIndicator]:
    """The period's indicators for the unit that this kind of reviewer scores, the unit's additions
    replacing a default of the same code."""
    rows = connection.execute(
        INDICATORS_OF_UNIT, {"indicator_set_id": indicator_set_id, "unit_code": unit_code}
    )
    chosen: dict[str, FormIndicator] = {}
    for code, name, description, aspect, own_unit, source in rows:
        if reviewer_scores(kind, aspect, source) and (own_unit is not None or code not in chosen):
            chosen[code] = FormIndicator(code, name, description, aspect)
    return list(chosen.values())


def _scores(connection: Connection, review_id: int) -> dict[str, float]:
    return dict(connection.execute(SCORES_OF_REVIEW, {"review_id": review_id}).tuples().all())


def _self_assessment(connection: Connection, appraisal_id: int) -> SelfAssessment | None:
    own = connection.execute(_OWN_REVIEW, {"appraisal_id": appraisal_id}).first()
    if own is None:
        return None
    return SelfAssessment(_scores(connection, own.id), own.comment, own.submitted_at)


def review_form(connection: Connection, review_id: int) -> ReviewForm | None:
    """The form of review `review_id`, or None when there is no such review."""
    row = connection.execute(REVIEW_ROW, {"review_id": review_id}).first()
    if row is None:
        return None
    snapshot = row.cycle_snapshot or {}
    labels = snapshot.get("scale", {}).get("labels", {})
    return ReviewForm(
        review_id=row.id,
        kind=row.kind,
        status=row.status,
        due_at=row.due_at,
        submitted_at=row.submitted_at,
        appraisal_stage=row.stage,
        period_key=row.key,
        period_status=row.period_status,
        cycle_label=snapshot.get("cycle", {}).get("label") or row.cycle_name,
        reviewee_nip=row.reviewee_nip,
        reviewee_name=row.reviewee_name,
        reviewee_position=row.position,
        unit_code=row.unit_code,
        unit_name=row.unit_name,
        reviewer_nip=row.reviewer_nip,
        reviewer_name=row.reviewer_name,
        reviewer_locale=row.locale,
        reviewer_timezone=row.timezone,
        scale=(row.scale_min, row.scale_max),
        scale_labels={int(score): str(label) for score, label in labels.items()},
        indicators=_indicators(connection, row.indicator_set_id, row.unit_code, row.kind),
        scores={code: int(score) for code, score in _scores(connection, row.id).items()},
        comment=row.comment,
        self_assessment=_self_assessment(connection, row.appraisal_id) if row.kind == "supervisor" else None,
    )

"""Recording one review submission: the single rule set used by `reviews import` and the web forms.

A submission is refused as a whole, with every problem named, when the reviewer is not the one
assigned, the stage is not open (not yet, or over), the deadline passed, the period is closed,
an indicator is not in the period's snapshot for the reviewee's unit (or not scored by this kind
of reviewer), or a score is missing or off the scale. An accepted submission replaces an earlier
one of the same review while its stage is still open; every change is audited.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.orm import aliased
from sqlmodel import Session

from config.errors import AppraisalError
from cycle.stages import stage_index
from models import Appraisal, Employee, Indicator, IndicatorSet, Period, Review, ReviewScore, Unit
from models.audit_log import record_events
from models.cycle import ASPECTS_BY_KIND, REVIEW_KINDS, STAGE_OF_KIND

# Built once: a fresh alias per call costs about 3 ms of column rebuilding on every submission
# (profiled under bench/web_submit.py), more than every query of the submission together.
REVIEWEE, REVIEWER = aliased(Employee, name="reviewee"), aliased(Employee, name="reviewer")


@dataclass(frozen=True)
class Submission:
    period_key: str
    reviewee_nip: str
    reviewer_nip: str
    kind: str
    scores: Mapping[str, int]  # indicator code → score
    comment: str | None = None


@dataclass(frozen=True)
class Refusal:
    """Why (part of) a submission was refused; `indicator_code` ties it to one score."""

    field: str
    message: str
    indicator_code: str | None = None


class SubmissionRefused(AppraisalError):
    def __init__(self, problems: list[Refusal]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


@dataclass
class _Target:
    """The review a submission is for, with what is needed to judge it."""

    period: Period
    appraisal: Appraisal
    review: Review | None
    unit_code: str
    scale: tuple[int, int]
    problems: list[Refusal] = field(default_factory=list)


def _locate(session: Session, submission: Submission) -> _Target:
    if submission.kind not in REVIEW_KINDS:
        raise SubmissionRefused(
            [Refusal("kind", f"expected one of {', '.join(REVIEW_KINDS)}, got {submission.kind!r}")]
        )
    period = session.execute(select(Period).where(Period.key == submission.period_key)).scalar()
    if period is None:
        raise SubmissionRefused(
            [Refusal("period", f"no period {submission.period_key!r}; `appraisal period list` shows them")]
        )
    if period.status == "closed":
        raise SubmissionRefused(
            [Refusal("period", f"period {period.key} is closed; nothing can change unless HR reopens it")]
        )
    reviewee, reviewer = REVIEWEE, REVIEWER
    found = session.execute(
        select(Appraisal, Unit.code).join(reviewee, reviewee.id == Appraisal.employee_id).join(Unit, Unit.id == Appraisal.unit_id)
        .where(Appraisal.period_id == period.id, reviewee.nip == submission.reviewee_nip)
    ).first()  # fmt: skip
    if found is None:
        raise SubmissionRefused(
            [Refusal("reviewee_nip", f"{submission.reviewee_nip} has no appraisal in {period.key}")]
        )
    appraisal, unit_code = found
    review = session.execute(
        select(Review).join(reviewer, reviewer.id == Review.reviewer_id)
        .where(Review.appraisal_id == appraisal.id, Review.kind == submission.kind, reviewer.nip == submission.reviewer_nip)
    ).scalar()  # fmt: skip
    scale = session.execute(
        select(IndicatorSet.scale_min, IndicatorSet.scale_max).where(
            IndicatorSet.id == period.indicator_set_id
        )
    ).one()
    return _Target(period, appraisal, review, unit_code, (scale[0], scale[1]))


def _check_review(session: Session, target: _Target, submission: Submission, now: datetime) -> None:
    review, stage = target.review, STAGE_OF_KIND[submission.kind]
    current = target.appraisal.stage
    if review is None:
        assigned = session.execute(
            select(Employee.nip).join(Review, Review.reviewer_id == Employee.id)
            .where(Review.appraisal_id == target.appraisal.id, Review.kind == submission.kind)
        ).scalars().all()  # fmt: skip
        if assigned:
            message = f"{submission.reviewer_nip} is not an assigned {submission.kind} reviewer of {submission.reviewee_nip} (assigned: {', '.join(assigned)})"
        elif stage_index(current) <= stage_index(stage):
            message = f"the {stage} stage has not opened for {submission.reviewee_nip} (now in {current})"
        else:
            message = f"{submission.reviewee_nip} has no {submission.kind} review to submit"
        target.problems.append(Refusal("reviewer_nip", message))
    elif review.status == "waiting" or stage_index(current) < stage_index(stage):
        target.problems.append(
            Refusal(
                "kind", f"the {stage} stage has not opened for {submission.reviewee_nip} (now in {current})"
            )
        )
    elif review.status == "missed" or stage_index(current) > stage_index(stage):
        target.problems.append(
            Refusal(
                "kind",
                f"the {stage} stage has closed for {submission.reviewee_nip} (now in {current}, this review is {review.status})",
            )
        )
    elif review.due_at is not None and now > review.due_at:
        target.problems.append(Refusal("kind", f"the deadline {review.due_at.isoformat()} has passed"))


def _check_scores(session: Session, target: _Target, submission: Submission) -> None:
    indicators = session.execute(
        select(Indicator.code, Indicator.aspect, Indicator.source).where(
            Indicator.indicator_set_id == target.period.indicator_set_id,
            or_(Indicator.unit_code.is_(None), Indicator.unit_code == target.unit_code),
        )
    ).all()  # fmt: skip
    aspects = ASPECTS_BY_KIND[submission.kind]
    expected = {code for code, aspect, source in indicators if aspect in aspects and source == "reviews"}
    from_public = {code for code, _, source in indicators if source == "public_satisfaction"}
    known = {code for code, _, _ in indicators}
    low, high = target.scale
    for code, score in submission.scores.items():
        if code not in known:
            target.problems.append(
                Refusal(
                    "indicator_code",
                    f"{code!r} is not an indicator of {target.period.key} for unit {target.unit_code}",
                    code,
                )
            )
        elif code in from_public:
            target.problems.append(
                Refusal("indicator_code", f"{code!r} is scored from the public satisfaction survey (IKM), not by reviewers", code)
            )
        elif code not in expected:
            target.problems.append(
                Refusal("indicator_code", f"{code!r} is not scored in {submission.kind} reviews", code)
            )
        elif isinstance(score, bool) or not isinstance(score, int) or not low <= score <= high:
            target.problems.append(
                Refusal("score", f"expected a whole number from {low} to {high}, got {score!r}", code)
            )
    missing = sorted(expected - set(submission.scores))
    if missing:
        target.problems.append(
            Refusal("score", f"missing scores for {len(missing)} indicator(s): {', '.join(missing)}")
        )


# Control characters other than tab and newline have no place in a comment (PostgreSQL refuses
# NUL outright); they are dropped, whichever way the comment came in (form, API, CSV).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(comment: str | None) -> str | None:
    return (CONTROL_CHARACTERS.sub("", comment).strip() or None) if comment is not None else None


def record_submission(session: Session, submission: Submission, now: datetime, *, actor: str) -> str:
    """Store `submission`; returns "submitted", "replaced" or "unchanged". Raises SubmissionRefused."""
    target = _locate(session, submission)
    _check_review(session, target, submission, now)
    if target.review is not None:
        _check_scores(session, target, submission)
    if target.problems:
        raise SubmissionRefused(target.problems)
    review = target.review
    assert review is not None and review.id is not None
    before_scores = dict(
        session.execute(
            select(ReviewScore.indicator_code, ReviewScore.score).where(ReviewScore.review_id == review.id)
        ).all()
    )
    before: dict[str, Any] = {"status": review.status, "scores": before_scores, "comment": review.comment}
    after: dict[str, Any] = {
        "status": "submitted",
        "scores": dict(submission.scores),
        "comment": _clean(submission.comment),
    }
    if before == after:
        return "unchanged"
    session.execute(delete(ReviewScore).where(ReviewScore.review_id == review.id))
    session.execute(
        insert(ReviewScore),
        [{"review_id": review.id, "indicator_code": c, "score": s} for c, s in submission.scores.items()],
    )
    session.execute(
        update(Review).where(Review.id == review.id, Review.status.in_(("open", "submitted")))
        .values(status="submitted", submitted_at=now, comment=after["comment"])
    )  # fmt: skip
    outcome = "replaced" if before["status"] == "submitted" else "submitted"
    record_events(session, now, actor, f"review.{outcome}", "review", [(review.id, before, after)])
    return outcome

"""Recording one review submission: the single rule set used by `reviews import`, the API and the web forms.

A submission is refused as a whole, with every problem named, when the reviewer is not the one
assigned, the stage is not open (not yet, or over), the deadline passed, the period is closed,
an indicator is not in the period's snapshot for the reviewee's unit (or not scored by this kind
of reviewer), or a score is missing or off the scale. An accepted submission replaces an earlier
one of the same review while its stage is still open; every change is audited.

Two ways in, one set of rules. `record_submission` finds the review by period key and NIPs (CSV
import, API) and judges and writes it in the caller's transaction. The web form already knows the
review id from its signed link, so it reads the review's facts (`review_facts`), judges them with
`refusals` outside any write lock, and only then opens a short write transaction
(`record_checked`), which locks the review row, re-reads the parts that move while a cycle runs
(status, stage, period status, deadline) and judges those again — so a stage that ends between
the check and the write still refuses the answer.

Every statement is built once, at import, from the Core tables with bound parameters: SQLAlchemy
then reuses its cache key and compiled form on every execution. Building them per call (and the
ORM's per-statement work) was most of the server CPU of a web submission under
bench/web_submit.py; the database itself answers in well under a millisecond.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, insert, select, update
from sqlmodel import Session

from config.errors import AppraisalError
from cycle.stages import stage_index
from ingest.free_text import clean_comment
from models import AuditEvent, Review
from models.cycle import REVIEW_KINDS, STAGE_OF_KIND, reviewer_scores
from models.review_form_queries import (
    INDICATORS_OF_UNIT,
    REVIEW_ROW,
    SCORES_OF_REVIEW,
    appraisal_t,
    period_t,
    review_t,
    reviewee_t,
    reviewer_t,
    score_t,
)

_audit: Table = AuditEvent.__table__  # type: ignore[attr-defined]


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


@dataclass(frozen=True)
class ReviewState:
    """The parts of a review that move while its cycle runs: re-read under the write lock."""

    status: str  # waiting, open, submitted, missed
    due_at: datetime | None
    appraisal_stage: str
    period_status: str


@dataclass(frozen=True)
class ReviewFacts:
    """One review and everything the rule set judges a submission to it by."""

    review_id: int
    kind: str
    reviewer_nip: str
    reviewee_nip: str
    period_key: str
    unit_code: str
    scale: tuple[int, int]
    indicators: tuple[
        tuple[str, str, str], ...
    ]  # (code, aspect, source) of the period's indicators for the unit
    state: ReviewState

    @property
    def expected(self) -> frozenset[str]:
        """The indicator codes this kind of reviewer scores."""
        return frozenset(
            code for code, aspect, source in self.indicators if reviewer_scores(self.kind, aspect, source)
        )

    @property
    def from_public(self) -> frozenset[str]:
        """The indicator codes scored from the public satisfaction survey, by no reviewer."""
        return frozenset(code for code, _, source in self.indicators if source == "public_satisfaction")


_STATE_COLUMNS = (
    review_t.c.status,
    review_t.c.due_at,
    appraisal_t.c.stage,
    period_t.c.status.label("period_status"),
)
# FOR UPDATE OF review on PostgreSQL: a second submission of the same review waits for this one.
# SQLite has no row locks and needs none: BEGIN IMMEDIATE already admits one writer at a time.
_LOCKED_STATE = (
    select(*_STATE_COLUMNS, review_t.c.comment)
    .join_from(review_t, appraisal_t, appraisal_t.c.id == review_t.c.appraisal_id)
    .join(period_t, period_t.c.id == appraisal_t.c.period_id)
    .where(review_t.c.id == bindparam("review_id"))
    .with_for_update(of=review_t)
)  # fmt: skip
_PERIOD_BY_KEY = select(period_t.c.id, period_t.c.key, period_t.c.status).where(
    period_t.c.key == bindparam("key")
)
_APPRAISAL_BY_NIP = (
    select(appraisal_t.c.id, appraisal_t.c.stage)
    .join(reviewee_t, reviewee_t.c.id == appraisal_t.c.employee_id)
    .where(appraisal_t.c.period_id == bindparam("period_id"), reviewee_t.c.nip == bindparam("nip"))
)  # fmt: skip
_REVIEW_BY_REVIEWER = (
    select(review_t.c.id)
    .join(reviewer_t, reviewer_t.c.id == review_t.c.reviewer_id)
    .where(review_t.c.appraisal_id == bindparam("appraisal_id"), review_t.c.kind == bindparam("kind"),
           reviewer_t.c.nip == bindparam("nip"))
)  # fmt: skip
_ASSIGNED = (
    select(reviewer_t.c.nip)
    .join(review_t, review_t.c.reviewer_id == reviewer_t.c.id)
    .where(review_t.c.appraisal_id == bindparam("appraisal_id"), review_t.c.kind == bindparam("kind"))
)  # fmt: skip
_DELETE_SCORES = delete(score_t).where(score_t.c.review_id == bindparam("review_id"))
_INSERT_SCORES = insert(score_t)
_MARK_SUBMITTED = (
    update(review_t)
    .where(review_t.c.id == bindparam("review_id"), review_t.c.status.in_(("open", "submitted")))
    .values(status="submitted", submitted_at=bindparam("at"), comment=bindparam("new_comment"))
)  # fmt: skip
_AUDIT = insert(_audit)


def review_facts(connection: Connection, review_id: int) -> ReviewFacts | None:
    """The facts of review `review_id`, None when there is no such review."""
    row = connection.execute(REVIEW_ROW, {"review_id": review_id}).first()
    if row is None:
        return None
    indicators = connection.execute(
        INDICATORS_OF_UNIT, {"indicator_set_id": row.indicator_set_id, "unit_code": row.unit_code}
    )
    return ReviewFacts(
        review_id=row.id,
        kind=row.kind,
        reviewer_nip=row.reviewer_nip,
        reviewee_nip=row.reviewee_nip,
        period_key=row.key,
        unit_code=row.unit_code,
        scale=(row.scale_min, row.scale_max),
        indicators=tuple((indicator.code, indicator.aspect, indicator.source) for indicator in indicators),
        state=ReviewState(row.status, row.due_at, row.stage, row.period_status),
    )


def _locate(connection: Connection, submission: Submission) -> ReviewFacts:
    """The review a submission names by period key and NIPs; refused when there is none to submit."""
    if submission.kind not in REVIEW_KINDS:
        raise SubmissionRefused(
            [Refusal("kind", f"expected one of {', '.join(REVIEW_KINDS)}, got {submission.kind!r}")]
        )
    period = connection.execute(_PERIOD_BY_KEY, {"key": submission.period_key}).first()
    if period is None:
        raise SubmissionRefused(
            [Refusal("period", f"no period {submission.period_key!r}; `appraisal period list` shows them")]
        )
    if period.status == "closed":
        raise SubmissionRefused([_closed(period.key)])
    appraisal = connection.execute(
        _APPRAISAL_BY_NIP, {"period_id": period.id, "nip": submission.reviewee_nip}
    ).first()
    if appraisal is None:
        raise SubmissionRefused(
            [Refusal("reviewee_nip", f"{submission.reviewee_nip} has no appraisal in {period.key}")]
        )
    review_id = connection.execute(
        _REVIEW_BY_REVIEWER, {"appraisal_id": appraisal.id, "kind": submission.kind, "nip": submission.reviewer_nip}
    ).scalar()  # fmt: skip
    facts = review_facts(connection, review_id) if review_id is not None else None
    if facts is None:
        raise SubmissionRefused([_unassigned(connection, appraisal.id, appraisal.stage, submission)])
    return facts


def _closed(period_key: str) -> Refusal:
    return Refusal("period", f"period {period_key} is closed; nothing can change unless HR reopens it")


def _unassigned(connection: Connection, appraisal_id: int, current: str, submission: Submission) -> Refusal:
    """Why a reviewer who has no review of this kind of this appraisal cannot submit one."""
    assigned = (
        connection.execute(_ASSIGNED, {"appraisal_id": appraisal_id, "kind": submission.kind}).scalars().all()
    )
    stage = STAGE_OF_KIND[submission.kind]
    if assigned:
        message = f"{submission.reviewer_nip} is not an assigned {submission.kind} reviewer of {submission.reviewee_nip} (assigned: {', '.join(assigned)})"
    elif stage_index(current) <= stage_index(stage):
        message = f"the {stage} stage has not opened for {submission.reviewee_nip} (now in {current})"
    else:
        message = f"{submission.reviewee_nip} has no {submission.kind} review to submit"
    return Refusal("reviewer_nip", message)


def _state_problems(facts: ReviewFacts, state: ReviewState, now: datetime) -> list[Refusal]:
    """Whether the review can be answered now: period open, its stage current, deadline not passed."""
    if state.period_status == "closed":
        return [_closed(facts.period_key)]
    stage, current = STAGE_OF_KIND[facts.kind], state.appraisal_stage
    if state.status == "waiting" or stage_index(current) < stage_index(stage):
        message = f"the {stage} stage has not opened for {facts.reviewee_nip} (now in {current})"
    elif state.status == "missed" or stage_index(current) > stage_index(stage):
        message = f"the {stage} stage has closed for {facts.reviewee_nip} (now in {current}, this review is {state.status})"
    elif state.due_at is not None and now > state.due_at:
        message = f"the deadline {state.due_at.isoformat()} has passed"
    else:
        return []
    return [Refusal("kind", message)]


def _score_problems(facts: ReviewFacts, submission: Submission) -> list[Refusal]:
    expected, known = facts.expected, {code for code, _, _ in facts.indicators}
    low, high = facts.scale
    problems = []
    for code, score in submission.scores.items():
        if code not in known:
            message = f"{code!r} is not an indicator of {facts.period_key} for unit {facts.unit_code}"
            problems.append(Refusal("indicator_code", message, code))
        elif code in facts.from_public:
            message = f"{code!r} is scored from the public satisfaction survey (IKM), not by reviewers"
            problems.append(Refusal("indicator_code", message, code))
        elif code not in expected:
            problems.append(
                Refusal("indicator_code", f"{code!r} is not scored in {facts.kind} reviews", code)
            )
        elif isinstance(score, bool) or not isinstance(score, int) or not low <= score <= high:
            problems.append(
                Refusal("score", f"expected a whole number from {low} to {high}, got {score!r}", code)
            )
    if missing := sorted(expected - set(submission.scores)):
        problems.append(
            Refusal("score", f"missing scores for {len(missing)} indicator(s): {', '.join(missing)}")
        )
    return problems


def refusals(facts: ReviewFacts, submission: Submission, now: datetime) -> list[Refusal]:
    """Every reason to refuse `submission` to the review of `facts` at `now` (empty: acceptable).

    Read-only: the web form calls it before taking any write lock."""
    state = _state_problems(facts, facts.state, now)
    if state and state[0].field == "period":
        return state  # a closed period refuses everything; the scores do not matter
    return state + _score_problems(facts, submission)


def record_checked(
    connection: Connection, facts: ReviewFacts, submission: Submission, now: datetime, *, actor: str
) -> str:
    """Write a submission that `refusals` accepted, inside the caller's write transaction.

    Locks the review row and judges its current state again (the stage may have ended since the
    facts were read), so this refuses exactly what `refusals` would refuse now. Returns
    "submitted", "replaced" or "unchanged"; raises SubmissionRefused and writes nothing otherwise."""
    locked = connection.execute(_LOCKED_STATE, {"review_id": facts.review_id}).one()
    problems = _state_problems(facts, ReviewState(locked.status, locked.due_at, locked.stage, locked.period_status), now)  # fmt: skip
    if problems:
        raise SubmissionRefused(problems)
    before_scores = dict(connection.execute(SCORES_OF_REVIEW, {"review_id": facts.review_id}).tuples().all())
    before: dict[str, Any] = {"status": locked.status, "scores": before_scores, "comment": locked.comment}
    after: dict[str, Any] = {"status": "submitted", "scores": dict(submission.scores), "comment": clean_comment(submission.comment)}  # fmt: skip
    if before == after:
        return "unchanged"
    connection.execute(_DELETE_SCORES, {"review_id": facts.review_id})
    connection.execute(
        _INSERT_SCORES,
        [
            {"review_id": facts.review_id, "indicator_code": c, "score": s}
            for c, s in submission.scores.items()
        ],
    )
    connection.execute(
        _MARK_SUBMITTED, {"review_id": facts.review_id, "at": now, "new_comment": after["comment"]}
    )
    outcome = "replaced" if before["status"] == "submitted" else "submitted"
    connection.execute(
        _AUDIT,
        {"at": now, "actor": actor, "action": f"review.{outcome}", "entity": "review",
         "entity_id": str(facts.review_id), "before": before, "after": after},
    )  # fmt: skip
    return outcome


def record_submission(session: Session, submission: Submission, now: datetime, *, actor: str) -> str:
    """Store `submission`, found by period key and NIPs, in `session`'s write transaction.

    Returns "submitted", "replaced" or "unchanged". Raises SubmissionRefused."""
    connection = session.connection()
    facts = _locate(connection, submission)
    problems = refusals(facts, submission, now)
    if problems:
        raise SubmissionRefused(problems)
    outcome = record_checked(connection, facts, submission, now, actor=actor)
    if outcome != "unchanged":  # the session may hold the review: let it read the new state
        held = session.identity_map.get(session.identity_key(Review, facts.review_id))  # type: ignore[attr-defined]
        if held is not None:
            session.expire(held)
    return outcome

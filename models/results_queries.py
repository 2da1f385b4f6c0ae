"""What a closed period produced, read back for export and for one employee's own view.

Everything here reads the figures stored at closing (Appraisal, IndicatorResult, Recommendation),
never recomputes them, so an export or `results show` always says exactly what the period closed
with. Results exist only once a period is closed: earlier figures are provisional (`calibration
show`) and must not leak out as if final. Peer reviewers are never identified (DESIGN: reviewer
identities of peers are never shown); they are numbered in review-id order instead.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from config.errors import AppraisalError
from models.cycle import (
    RECOMMENDATION_KINDS,
    REVIEW_KINDS,
    Appraisal,
    CalibrationOverride,
    IndicatorResult,
    Period,
    Recommendation,
    Review,
)
from models.indicators import Indicator
from models.organisation import Employee, Unit

PEER_LABEL = "Rekan kerja"  # "colleague": how an anonymous peer reviewer is named


class ResultsUnavailable(AppraisalError):
    """The period, employee or closed appraisal asked for does not exist."""


RESULT_COLUMNS: tuple[str, ...] = (
    "nip",
    "name",
    "unit_code",
    "result_rating",
    "behaviour_rating",
    "predikat",
    "final_score",
    "recommendations",
    # Appended after DESIGN §9's columns: the unit's public satisfaction index (IKM) behind an
    # IKM-sourced indicator, its response count and the score it gave (blank where none applies).
    "ikm_index",
    "ikm_responses",
    "ikm_score",
)  # fmt: skip


@dataclass(frozen=True)
class ResultRow:
    """One employee's closed appraisal, as a line of the results export (DESIGN §9)."""

    nip: str
    name: str
    unit_code: str
    result_rating: str | None
    behaviour_rating: str | None
    predikat: str | None
    final_score: float | None
    recommendations: list[str]  # kinds, in RECOMMENDATION_KINDS order
    incomplete_reason: str | None
    ikm_index: float | None = None
    ikm_responses: int | None = None
    ikm_score: float | None = None

    def export_fields(self) -> dict[str, str]:
        """The row as the results CSV and artifacts show it (RESULT_COLUMNS, all text)."""
        return {"nip": self.nip, "name": self.name, "unit_code": self.unit_code, "result_rating": self.result_rating or "",
                "behaviour_rating": self.behaviour_rating or "", "predikat": self.predikat or "",
                "final_score": _text(self.final_score), "recommendations": ";".join(self.recommendations),
                "ikm_index": _text(self.ikm_index), "ikm_responses": "" if self.ikm_responses is None else str(self.ikm_responses),
                "ikm_score": _text(self.ikm_score)}  # fmt: skip


def _text(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


@dataclass(frozen=True)
class IndicatorLine:
    """One indicator's stored figures, with its readable name from the period's indicator set."""

    code: str
    name: str
    aspect: str
    self_score: float | None
    supervisor_score: float | None
    peer_score: float | None
    peer_count: int
    combined_score: float | None
    rating: str | None
    source: str = "reviews"
    public_index: float | None = None
    public_responses: int | None = None


@dataclass(frozen=True)
class RecommendationLine:
    kind: str
    reason_id: str
    reason_en: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class ReviewLine:
    """One step of the review trail; a peer's `reviewer_nip` is None and the name is a label."""

    kind: str
    status: str
    opened_at: datetime | None
    due_at: datetime | None
    submitted_at: datetime | None
    reviewer_name: str
    reviewer_nip: str | None


@dataclass(frozen=True)
class EmployeeResult:
    """Everything an employee (or HR) may see of one closed appraisal."""

    nip: str
    name: str
    unit_code: str
    unit_name: str
    period_key: str
    cycle_name: str
    period_starts_at: datetime
    period_ends_at: datetime
    period_closed_at: datetime | None
    timezone: str  # the cycle's zone, in which the window is read
    result_rating: str | None
    behaviour_rating: str | None
    result_score: float | None
    behaviour_score: float | None
    predikat: str | None
    final_score: float | None
    incomplete_reason: str | None
    override_reason: str | None = None  # HR set the predikat by hand in calibration
    computed_predikat: str | None = None  # what the rules gave before HR's override
    indicators: list[IndicatorLine] = field(default_factory=list)
    recommendations: list[RecommendationLine] = field(default_factory=list)
    reviews: list[ReviewLine] = field(default_factory=list)


def _kind_order(kind: str, order: tuple[str, ...]) -> int:
    return order.index(kind) if kind in order else len(order)


def closed_period(session: Session, key: str) -> Period:
    """The period `key`, refused when unknown or not closed yet (results exist once it closes)."""
    period = session.execute(select(Period).where(Period.key == key)).scalar()
    if period is None:
        raise ResultsUnavailable(f"--period: no period {key!r}; `appraisal period list` shows them")
    if period.status != "closed":
        raise ResultsUnavailable(
            f"period {key} is {period.status}; results exist once the period is closed: "
            f"appraisal period close --period {key}"
        )
    return period


def period_results(session: Session, period_id: int) -> list[ResultRow]:
    """Every appraisal of the period, ordered by unit code then NIP (two set-based queries)."""
    appraisals = session.execute(
        select(Appraisal.id, Employee.nip, Employee.name, Unit.code, Appraisal.result_rating,
               Appraisal.behaviour_rating, Appraisal.predikat, Appraisal.final_score, Appraisal.incomplete_reason)
        .join(Employee, Employee.id == Appraisal.employee_id)
        .join(Unit, Unit.id == Appraisal.unit_id)  # the unit at opening: results stay where they were earned
        .where(Appraisal.period_id == period_id)
        .order_by(Unit.code, Employee.nip)
    ).all()  # fmt: skip
    kinds: dict[int, list[str]] = defaultdict(list)
    for appraisal_id, kind in session.execute(
        select(Recommendation.appraisal_id, Recommendation.kind)
        .join(Appraisal, Appraisal.id == Recommendation.appraisal_id)
        .where(Appraisal.period_id == period_id)
    ):
        kinds[appraisal_id].append(kind)
    public = _public_satisfaction(session, period_id)
    return [
        ResultRow(nip, name, unit_code, result_rating, behaviour_rating, predikat, final_score,
                  sorted(kinds[appraisal_id], key=lambda k: _kind_order(k, RECOMMENDATION_KINDS)), reason,
                  *public.get(appraisal_id, (None, None, None)))
        for appraisal_id, nip, name, unit_code, result_rating, behaviour_rating, predikat, final_score, reason
        in appraisals
    ]  # fmt: skip


def _public_satisfaction(
    session: Session, period_id: int
) -> dict[int, tuple[float | None, int | None, float | None]]:
    """Per appraisal with an IKM-sourced indicator: (index, responses, score given)."""
    rows = session.execute(
        select(IndicatorResult.appraisal_id, IndicatorResult.public_index, IndicatorResult.public_responses,
               IndicatorResult.combined_score)
        .join(Appraisal, Appraisal.id == IndicatorResult.appraisal_id)
        .where(Appraisal.period_id == period_id, IndicatorResult.source == "public_satisfaction")
    ).all()  # fmt: skip
    return {appraisal_id: (index, responses, score) for appraisal_id, index, responses, score in rows}


def _employee(session: Session, nip: str) -> Employee:
    employee = session.execute(select(Employee).where(Employee.nip == nip)).scalar()
    if employee is None:
        raise ResultsUnavailable(f"NIP {nip}: no such employee; `appraisal roster show` lists the staff")
    return employee


def _closed_appraisal(
    session: Session, employee: Employee, period_key: str | None
) -> tuple[Period, Appraisal]:
    """The appraisal of `period_key`, or of the latest closed period the employee was appraised in."""
    query = (
        select(Period, Appraisal)
        .join(Appraisal, Appraisal.period_id == Period.id)
        .where(Appraisal.employee_id == employee.id)
    )
    if period_key is not None:
        period = closed_period(session, period_key)
        found = session.execute(query.where(Period.id == period.id)).first()
        if found is None:
            raise ResultsUnavailable(f"NIP {employee.nip} ({employee.name}) has no appraisal in {period_key}")
        return found[0], found[1]
    # Latest by window end; among periods ending together, the most recently closed.
    found = session.execute(
        query.where(Period.status == "closed")
        .order_by(Period.ends_at.desc(), Period.closed_at.desc(), Period.id.desc())
        .limit(1)
    ).first()
    if found is None:
        raise ResultsUnavailable(
            f"NIP {employee.nip} ({employee.name}) has no appraisal in a closed period yet; "
            "results exist once a period is closed (`appraisal period list` shows them)"
        )
    return found[0], found[1]


def _indicators(session: Session, period: Period, appraisal_id: int, unit_code: str) -> list[IndicatorLine]:
    names: dict[str, str] = {}
    for code, name, own_unit in session.execute(
        select(Indicator.code, Indicator.name, Indicator.unit_code).where(
            Indicator.indicator_set_id == period.indicator_set_id,
            or_(Indicator.unit_code.is_(None), Indicator.unit_code == unit_code),
        )
    ):
        if own_unit is not None or code not in names:  # the unit's addition wins over a default
            names[code] = name
    rows = session.execute(
        select(IndicatorResult)
        .where(IndicatorResult.appraisal_id == appraisal_id)
        .order_by(IndicatorResult.id)  # stored in the set's order: defaults, then the unit's additions
    ).scalars()
    return [
        IndicatorLine(r.indicator_code, names.get(r.indicator_code, r.indicator_code), r.aspect, r.self_score,
                      r.supervisor_score, r.peer_score, r.peer_count, r.combined_score, r.rating,
                      r.source, r.public_index, r.public_responses)
        for r in rows
    ]  # fmt: skip


def _recommendations(session: Session, appraisal_id: int) -> list[RecommendationLine]:
    rows = session.execute(
        select(Recommendation).where(Recommendation.appraisal_id == appraisal_id)
    ).scalars()
    lines = [RecommendationLine(r.kind, r.reason_id, r.reason_en, dict(r.detail or {})) for r in rows]
    return sorted(lines, key=lambda line: _kind_order(line.kind, RECOMMENDATION_KINDS))


def _review_trail(session: Session, appraisal_id: int) -> list[ReviewLine]:
    """Reviews in stage order; peers become "Rekan kerja 1", "Rekan kerja 2", … by review id."""
    reviewer = aliased(Employee)
    rows = session.execute(
        select(Review.kind, Review.status, Review.opened_at, Review.due_at, Review.submitted_at,
               reviewer.name, reviewer.nip)
        .join(reviewer, reviewer.id == Review.reviewer_id)
        .where(Review.appraisal_id == appraisal_id)
        .order_by(Review.id)
    ).all()  # fmt: skip
    lines: list[ReviewLine] = []
    peers = 0
    for kind, status, opened_at, due_at, submitted_at, name, nip in rows:
        if kind == "peer":
            peers += 1
            name, nip = f"{PEER_LABEL} {peers}", None
        lines.append(ReviewLine(kind, status, opened_at, due_at, submitted_at, name, nip))
    return sorted(lines, key=lambda line: _kind_order(line.kind, REVIEW_KINDS))  # stable: ids kept


def employee_result(session: Session, nip: str, period_key: str | None) -> EmployeeResult:
    """One employee's closed appraisal with its figures, recommendations and anonymised review trail."""
    employee = _employee(session, nip)
    period, appraisal = _closed_appraisal(session, employee, period_key)
    assert appraisal.id is not None
    unit_code, unit_name = session.execute(
        select(Unit.code, Unit.name).where(Unit.id == appraisal.unit_id)
    ).one()
    override = session.execute(
        select(CalibrationOverride.computed_predikat, CalibrationOverride.reason).where(
            CalibrationOverride.appraisal_id == appraisal.id
        )
    ).first()
    timezone = period.cycle_snapshot.get("cycle", {}).get("timezone") or "Asia/Jakarta"
    return EmployeeResult(
        nip=employee.nip,
        name=employee.name,
        unit_code=unit_code,
        unit_name=unit_name,
        period_key=period.key,
        cycle_name=period.cycle_name,
        period_starts_at=period.starts_at,
        period_ends_at=period.ends_at,
        period_closed_at=period.closed_at,
        timezone=timezone,
        result_rating=appraisal.result_rating,
        behaviour_rating=appraisal.behaviour_rating,
        result_score=appraisal.result_score,
        behaviour_score=appraisal.behaviour_score,
        predikat=appraisal.predikat,
        final_score=appraisal.final_score,
        incomplete_reason=appraisal.incomplete_reason,
        override_reason=override.reason if override else None,
        computed_predikat=override.computed_predikat if override else None,
        indicators=_indicators(session, period, appraisal.id, unit_code),
        recommendations=_recommendations(session, appraisal.id),
        reviews=_review_trail(session, appraisal.id),
    )


# Peer feedback is shown to the employee only aggregated, and only when at least this many peers
# answered: with fewer, an average or a comment could point at the colleague who gave it.
PEER_FEEDBACK_MINIMUM = 3


@dataclass(frozen=True)
class AppraisalOwner:
    """Whose appraisal a results link names, and whether its period is closed."""

    nip: str
    locale: str
    period_key: str
    period_closed: bool


def appraisal_owner(session: Session, appraisal_id: int) -> AppraisalOwner | None:
    found = session.execute(
        select(Employee.nip, Employee.locale, Period.key, Period.status)
        .join(Appraisal, Appraisal.employee_id == Employee.id)
        .join(Period, Period.id == Appraisal.period_id)
        .where(Appraisal.id == appraisal_id)
    ).first()
    if found is None:
        return None
    nip, locale, key, status = found
    return AppraisalOwner(nip, locale, key, status == "closed")


def peer_comments(session: Session, appraisal_id: int) -> list[str]:
    """The submitted peers' comments in alphabetical order, so their order reveals no one."""
    comments = session.execute(
        select(Review.comment).where(
            Review.appraisal_id == appraisal_id,
            Review.kind == "peer",
            Review.status == "submitted",
            Review.comment.is_not(None),
        )
    ).scalars()
    return sorted(comment for comment in comments if comment and comment.strip())

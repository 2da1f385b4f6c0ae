"""Periods, appraisals, reviews and their scores, recommendations: the cycle's state machine.

The stage and status vocabularies live here once; CHECK constraints make the database refuse
anything else, and the unique constraints of DESIGN §3 make duplicates impossible.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from models.base import UTCDateTime, check_in, utc_now
from models.indicators import INDICATOR_SOURCES

PERIOD_STATUSES: tuple[str, ...] = ("scheduled", "open", "closed")
STAGES: tuple[str, ...] = ("self_assessment", "supervisor_review", "peer_review", "calibration", "closed")
REVIEW_KINDS: tuple[str, ...] = ("self", "supervisor", "peer")
REVIEW_STATUSES: tuple[str, ...] = ("waiting", "open", "submitted", "missed")
RATINGS: tuple[str, ...] = ("above", "meets", "below")
# The review kind each review stage collects (calibration and closed collect none).
REVIEW_KIND: dict[str, str] = {
    "self_assessment": "self",
    "supervisor_review": "supervisor",
    "peer_review": "peer",
}
STAGE_OF_KIND: dict[str, str] = {kind: stage for stage, kind in REVIEW_KIND.items()}
# Peers give feedback on behaviour only (DESIGN §1); self and supervisor score every indicator.
ASPECTS_BY_KIND: dict[str, tuple[str, ...]] = {
    "self": ("result", "behaviour"),
    "supervisor": ("result", "behaviour"),
    "peer": ("behaviour",),
}
RECOMMENDATION_KINDS: tuple[str, ...] = ("promotion", "training", "improvement_plan", "reward")


def reviewer_scores(kind: str, aspect: str, source: str) -> bool:
    """Whether a reviewer of `kind` scores an indicator of `aspect` from `source`: the kind's aspects,
    and only indicators scored by reviews (an IKM-sourced one is scored at close from the survey)."""
    return aspect in ASPECTS_BY_KIND[kind] and source == "reviews"


class Period(SQLModel, table=True):
    """One run of a cycle over a window; `key` is the readable name (`annual-2027`)."""

    __table_args__ = (
        UniqueConstraint("cycle_name", "starts_at", "ends_at"),
        CheckConstraint(check_in("status", PERIOD_STATUSES), name="status"),
        CheckConstraint("starts_at < ends_at", name="window"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    cycle_name: str = Field(sa_column=Column(String(64), nullable=False))
    starts_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    ends_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    status: str = Field(default="scheduled", sa_column=Column(String(16), nullable=False, index=True))
    indicator_set_id: int = Field(sa_column=Column(Integer, ForeignKey("indicator_set.id"), nullable=False))
    # The cycle definition as it was at opening (stages, scoring, weights), so later YAML edits
    # never change how an open or closed period is run or scored.
    cycle_snapshot: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    opened_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    closed_by: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    # HR's explicit acceptance of a distribution outside the curve (close --accept-distribution).
    distribution_accepted_by: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    distribution_accepted_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    created_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))


class Appraisal(SQLModel, table=True):
    """One employee's appraisal in one period; moves through STAGES in order."""

    __table_args__ = (
        UniqueConstraint("period_id", "employee_id"),
        Index("ix_appraisal_period_id_stage", "period_id", "stage"),
        CheckConstraint(check_in("stage", STAGES), name="stage"),
        CheckConstraint(
            f"result_rating IS NULL OR {check_in('result_rating', RATINGS)}", name="result_rating"
        ),
        CheckConstraint(
            f"behaviour_rating IS NULL OR {check_in('behaviour_rating', RATINGS)}", name="behaviour_rating"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(sa_column=Column(Integer, ForeignKey("period.id"), nullable=False))
    employee_id: int = Field(sa_column=Column(Integer, ForeignKey("employee.id"), nullable=False, index=True))
    # Unit at opening time: progress per unit stays right when staff move later.
    unit_id: int = Field(sa_column=Column(Integer, ForeignKey("unit.id"), nullable=False, index=True))
    stage: str = Field(default="self_assessment", sa_column=Column(String(32), nullable=False))
    stage_started_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    result_rating: str | None = Field(default=None, sa_column=Column(String(8), nullable=True))
    behaviour_rating: str | None = Field(default=None, sa_column=Column(String(8), nullable=True))
    predikat: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    final_score: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    # Weighted means of the two aspects on the indicator scale, as the ratings were derived.
    result_score: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    behaviour_score: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    # Why no predikat could be computed (e.g. the supervisor review was missed): HR decides.
    incomplete_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    updated_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))


class Review(SQLModel, table=True):
    """One reviewer's review of one appraisal, of one kind (self, supervisor, peer)."""

    __table_args__ = (
        UniqueConstraint("appraisal_id", "reviewer_id", "kind"),
        Index("ix_review_reviewer_id_status", "reviewer_id", "status"),
        Index("ix_review_status_due_at", "status", "due_at"),
        CheckConstraint(check_in("kind", REVIEW_KINDS), name="kind"),
        CheckConstraint(check_in("status", REVIEW_STATUSES), name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    appraisal_id: int = Field(sa_column=Column(Integer, ForeignKey("appraisal.id"), nullable=False))
    reviewer_id: int = Field(sa_column=Column(Integer, ForeignKey("employee.id"), nullable=False))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    status: str = Field(default="waiting", sa_column=Column(String(16), nullable=False))
    opened_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    due_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    submitted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    comment: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class ReviewScore(SQLModel, table=True):
    """One indicator's score in one review; one row per (review, indicator)."""

    __tablename__ = "review_score"
    __table_args__ = (UniqueConstraint("review_id", "indicator_code"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(
        sa_column=Column(Integer, ForeignKey("review.id", ondelete="CASCADE"), nullable=False)
    )
    indicator_code: str = Field(sa_column=Column(String(64), nullable=False))
    score: float = Field(nullable=False)


class Recommendation(SQLModel, table=True):
    """A follow-up for a closed appraisal, with a reason readable by the employee and HR."""

    __table_args__ = (
        UniqueConstraint("appraisal_id", "kind"),
        CheckConstraint(check_in("kind", RECOMMENDATION_KINDS), name="kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    appraisal_id: int = Field(sa_column=Column(Integer, ForeignKey("appraisal.id"), nullable=False))
    kind: str = Field(sa_column=Column(String(32), nullable=False))
    reason_id: str = Field(sa_column=Column(Text, nullable=False))
    reason_en: str = Field(sa_column=Column(Text, nullable=False))
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))


class IndicatorResult(SQLModel, table=True):
    """One indicator's figures for one closed appraisal: means per reviewer kind, the combined
    score and its rating — everything the ratings and training recommendations came from."""

    __tablename__ = "indicator_result"
    __table_args__ = (
        UniqueConstraint("appraisal_id", "indicator_code"),
        CheckConstraint(f"rating IS NULL OR {check_in('rating', RATINGS)}", name="rating"),
        CheckConstraint(check_in("source", INDICATOR_SOURCES), name="source"),
    )

    id: int | None = Field(default=None, primary_key=True)
    appraisal_id: int = Field(sa_column=Column(Integer, ForeignKey("appraisal.id"), nullable=False))
    indicator_code: str = Field(sa_column=Column(String(64), nullable=False))
    aspect: str = Field(sa_column=Column(String(16), nullable=False))
    self_score: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    supervisor_score: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    peer_score: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    peer_count: int = Field(default=0, nullable=False)
    combined_score: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    rating: str | None = Field(default=None, sa_column=Column(String(8), nullable=True))
    # Where the combined score came from: the reviews, or the unit's public satisfaction index
    # (IKM) with its value and response count, so an employee sees what the figure rests on.
    source: str = Field(
        default="reviews", sa_column=Column(String(32), nullable=False, server_default="reviews")
    )
    public_index: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    public_responses: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))


class CalibrationOverride(SQLModel, table=True):
    """HR's decision to set an appraisal's predikat by hand during calibration, with its reason."""

    __tablename__ = "calibration_override"

    id: int | None = Field(default=None, primary_key=True)
    appraisal_id: int = Field(
        sa_column=Column(Integer, ForeignKey("appraisal.id"), nullable=False, unique=True)
    )
    computed_predikat: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    predikat: str = Field(sa_column=Column(String(32), nullable=False))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    actor: str = Field(sa_column=Column(String(200), nullable=False))
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))

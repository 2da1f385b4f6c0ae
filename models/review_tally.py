"""Reviews counted per period, unit, kind, status and deadline, kept by the database itself.

`appraisal status` used to aggregate every review of the period on every call (1.3 s at 10,000
staff). Triggers on `review` (migration 0005) add each write's change to this table in the same
transaction as the write, so the counts can never go stale, and status sums a few thousand rows.

The unit is the appraisal's `unit_id` (fixed at opening, like `period_id`; nothing updates either
once reviews exist), so a review's key only changes when its status or deadline does.
"""

from datetime import UTC, datetime

from sqlalchemy import Column, ForeignKey, Integer, PrimaryKeyConstraint, String
from sqlmodel import Field, SQLModel

from models.base import UTCDateTime

# Key columns cannot hold NULL (PostgreSQL primary keys refuse it, and NULLs never conflict in an
# upsert), so reviews whose deadline does not matter share this far-future instant: a submitted,
# missed or waiting review, and an open one without a deadline yet. It is never "overdue".
NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)


class ReviewTally(SQLModel, table=True):
    """How many reviews of one period, unit and kind are in one status (open ones: due at one
    instant, so "overdue" is a sum over the rows due before now). Rows that drop to 0 are kept."""

    __tablename__ = "review_tally"
    __table_args__ = (PrimaryKeyConstraint("period_id", "unit_id", "kind", "status", "due_at"),)

    period_id: int = Field(sa_column=Column(Integer, ForeignKey("period.id"), nullable=False))
    unit_id: int = Field(sa_column=Column(Integer, ForeignKey("unit.id"), nullable=False))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    status: str = Field(sa_column=Column(String(16), nullable=False))
    due_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    reviews: int = Field(sa_column=Column(Integer, nullable=False))

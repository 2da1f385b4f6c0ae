"""Read queries over citizen feedback: per-service answer sums in a time window, recent comments.

One GROUP BY gives every service's response count and the nine integer sums; the IKM of a
service or of a unit (its services pooled) follows from those sums exactly (`feedback/ikm.py`).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlmodel import Session

from models import FeedbackResponse, Service, Unit
from models.feedback import ELEMENTS


@dataclass(frozen=True)
class ServiceTotals:
    """A service's responses in a window: how many, and the sum of each element's answers."""

    unit_code: str
    unit_name: str
    service_id: int
    service_code: str
    service_name: str
    responses: int
    sums: tuple[int, ...]


@dataclass(frozen=True)
class RecentComment:
    unit_code: str
    service_name: str
    submitted_at: datetime
    comment: str


def service_totals(session: Session, starts_at: datetime, ends_at: datetime) -> list[ServiceTotals]:
    """Every registered service (also those nobody rated yet) with its totals in [starts_at, ends_at)."""
    in_window = and_(
        FeedbackResponse.service_id == Service.id,
        FeedbackResponse.submitted_at >= starts_at,
        FeedbackResponse.submitted_at < ends_at,
    )
    element_sums = [func.coalesce(func.sum(getattr(FeedbackResponse, key)), 0) for key in ELEMENTS]
    rows = session.execute(
        select(Unit.code, Unit.name, Service.id, Service.code, Service.name, func.count(FeedbackResponse.id), *element_sums)
        .join(Unit, Unit.id == Service.unit_id).outerjoin(FeedbackResponse, in_window)
        .group_by(Unit.code, Unit.name, Service.id, Service.code, Service.name).order_by(Unit.code, Service.code)
    ).all()  # fmt: skip
    return [
        ServiceTotals(unit_code, unit_name, service_id, code, name, int(count), tuple(int(s) for s in sums))
        for unit_code, unit_name, service_id, code, name, count, *sums in rows
    ]


def recent_comments(
    session: Session, starts_at: datetime, ends_at: datetime, limit: int
) -> list[RecentComment]:
    """The newest `limit` comments in the window, newest first."""
    rows = session.execute(
        select(Unit.code, Service.name, FeedbackResponse.submitted_at, FeedbackResponse.comment)
        .join(Service, Service.id == FeedbackResponse.service_id).join(Unit, Unit.id == Service.unit_id)
        .where(FeedbackResponse.comment.is_not(None), FeedbackResponse.submitted_at >= starts_at,
               FeedbackResponse.submitted_at < ends_at)
        .order_by(FeedbackResponse.submitted_at.desc(), FeedbackResponse.id.desc()).limit(limit)
    ).all()  # fmt: skip
    return [RecentComment(*row) for row in rows]

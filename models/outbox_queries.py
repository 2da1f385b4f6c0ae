"""Reading and re-queuing outbox rows for HR (`appraisal notifications list|retry`)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import Session

from models.audit_log import record_events
from models.organisation import Employee
from models.outbox import Notification


@dataclass(frozen=True)
class OutboxLine:
    id: int
    created_at: datetime
    recipient: str
    channel: str
    template: str
    status: str
    attempts: int
    last_error: str | None
    sent_at: datetime | None


def outbox_lines(session: Session, status: str | None, limit: int) -> list[OutboxLine]:
    """The newest `limit` notifications (of one status), with the recipient's name or HR."""
    query = (
        select(Notification.id, Notification.created_at, Employee.name, Notification.channel, Notification.template,
               Notification.status, Notification.attempts, Notification.last_error, Notification.sent_at)
        .outerjoin(Employee, Employee.id == Notification.recipient_id)
        .order_by(Notification.id.desc()).limit(limit)
    )  # fmt: skip
    if status:
        query = query.where(Notification.status == status)
    return [OutboxLine(i, created, name or "HR", *rest) for i, created, name, *rest in session.execute(query)]


def retry_failed(session: Session, now: datetime, actor: str) -> int:
    """Every failed notification back to pending with a fresh attempt count (audited)."""
    ids = session.execute(
        update(Notification).where(Notification.status == "failed")
        .values(status="pending", attempts=0, next_attempt_at=None).returning(Notification.id)
    ).scalars().all()  # fmt: skip
    record_events(
        session,
        now,
        actor,
        "notification.retry",
        "notification",
        [(i, {"status": "failed"}, {"status": "pending"}) for i in ids],
    )
    return len(ids)

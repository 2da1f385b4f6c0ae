"""Notification outbox and audit trail: the two append-mostly tables every flow writes to."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Index, Integer, String, Text
from sqlmodel import Field, SQLModel

from models.base import UTCDateTime, check_in, utc_now

NOTIFICATION_CHANNELS: tuple[str, ...] = ("email", "chat", "hr")
NOTIFICATION_STATUSES: tuple[str, ...] = ("pending", "sent", "failed")


class Notification(SQLModel, table=True):
    """A message to deliver; written in the same transaction as the change that causes it.

    `dedupe_key` is unique in the database, so enqueuing the same message twice is a no-op.
    """

    __table_args__ = (
        Index("ix_notification_status_next_attempt_at", "status", "next_attempt_at"),
        CheckConstraint(check_in("channel", NOTIFICATION_CHANNELS), name="channel"),
        CheckConstraint(check_in("status", NOTIFICATION_STATUSES), name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(sa_column=Column(String(255), nullable=False, unique=True))
    recipient_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("employee.id"), nullable=True, index=True)
    )
    channel: str = Field(sa_column=Column(String(16), nullable=False))
    template: str = Field(sa_column=Column(String(64), nullable=False))
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", sa_column=Column(String(16), nullable=False))
    attempts: int = Field(default=0, nullable=False)
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    next_attempt_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    created_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))


class AuditEvent(SQLModel, table=True):
    """Who did what to which row, when, with the row before and after."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity_entity_id", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    actor: str = Field(sa_column=Column(String(200), nullable=False))
    action: str = Field(sa_column=Column(String(64), nullable=False))
    entity: str = Field(sa_column=Column(String(64), nullable=False))
    entity_id: str = Field(sa_column=Column(String(64), nullable=False))
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))

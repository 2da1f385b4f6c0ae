"""Citizen feedback (IKM survey, PermenPANRB 14/2017): public services and their responses.

A response holds the nine survey elements (u1…u9, each 1–4), an optional comment and ticket
number, the channel it came through and when. Nothing identifies the citizen: no name, no
address, no contact. Uniqueness is the database's: one service code per unit, one response per
ticket number of a service (NULL tickets never collide), one import per file content.
"""

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from models.base import UTCDateTime, check_in, utc_now

ELEMENTS: tuple[str, ...] = ("u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9")
RESPONSE_CHANNELS: tuple[str, ...] = ("web", "kiosk", "import")
ELEMENT_MIN, ELEMENT_MAX = 1, 4


class Service(SQLModel, table=True):
    """A public service a unit delivers (e.g. KTP-el at Disdukcapil); citizens rate it."""

    __table_args__ = (UniqueConstraint("unit_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(sa_column=Column(Integer, ForeignKey("unit.id"), nullable=False, index=True))
    code: str = Field(sa_column=Column(String(32), nullable=False))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))


class FeedbackImport(SQLModel, table=True):
    """One imported feedback file, keyed by the SHA-256 of its bytes: importing it again is a no-op."""

    __tablename__ = "feedback_import"

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    filename: str = Field(sa_column=Column(String(500), nullable=False))
    responses: int = Field(nullable=False)
    actor: str = Field(sa_column=Column(String(200), nullable=False))
    imported_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class FeedbackResponse(SQLModel, table=True):
    """One citizen's answers about one service; `import_id` is set for rows from a file."""

    __tablename__ = "feedback_response"
    __table_args__ = (
        UniqueConstraint("service_id", "ticket"),
        Index("ix_feedback_response_service_id_submitted_at", "service_id", "submitted_at"),
        CheckConstraint(check_in("channel", RESPONSE_CHANNELS), name="channel"),
        *(
            CheckConstraint(f"{element} BETWEEN {ELEMENT_MIN} AND {ELEMENT_MAX}", name=element)
            for element in ELEMENTS
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(sa_column=Column(Integer, ForeignKey("service.id"), nullable=False))
    submitted_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    u1: int = Field(sa_column=Column(SmallInteger, nullable=False))
    u2: int = Field(sa_column=Column(SmallInteger, nullable=False))
    u3: int = Field(sa_column=Column(SmallInteger, nullable=False))
    u4: int = Field(sa_column=Column(SmallInteger, nullable=False))
    u5: int = Field(sa_column=Column(SmallInteger, nullable=False))
    u6: int = Field(sa_column=Column(SmallInteger, nullable=False))
    u7: int = Field(sa_column=Column(SmallInteger, nullable=False))
    u8: int = Field(sa_column=Column(SmallInteger, nullable=False))
    u9: int = Field(sa_column=Column(SmallInteger, nullable=False))
    comment: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    ticket: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    channel: str = Field(sa_column=Column(String(16), nullable=False))
    import_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("feedback_import.id"), nullable=True)
    )


class RateLimitHit(SQLModel, table=True):
    """Accepted public submissions per client and time window, so a limit holds across processes.

    `client_key` is a keyed hash (HMAC with the app secret) of the client's address, never the
    address itself; rows older than a day are deleted as new ones arrive.
    """

    __tablename__ = "rate_limit_hit"
    __table_args__ = (UniqueConstraint("scope", "client_key", "window_start"),)

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(sa_column=Column(String(32), nullable=False))
    client_key: str = Field(sa_column=Column(String(64), nullable=False))
    window_start: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    hits: int = Field(nullable=False)

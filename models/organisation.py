"""Units (OPD, dinas, bagian) and employees (ASN), the roster's two tables."""

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Integer, String, true
from sqlmodel import Field, SQLModel

from models.base import UTCDateTime, check_in, utc_now

LOCALES: tuple[str, ...] = ("id", "en")


class Unit(SQLModel, table=True):
    """An organisational unit; `parent_id` builds the tree, `head_id` is its head employee."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_column=Column(String(32), nullable=False, unique=True))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    parent_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("unit.id"), nullable=True, index=True)
    )
    # The head's FK is added after the employee table exists (unit and employee refer to each
    # other); use_alter lets both databases create the pair.
    head_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey("employee.id", use_alter=True, name="fk_unit_head_id_employee"),
            nullable=True,
        ),
    )
    created_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))


class Employee(SQLModel, table=True):
    """A civil servant, keyed by NIP; inactive staff are kept so history stays readable."""

    __table_args__ = (CheckConstraint(check_in("locale", LOCALES), name="locale"),)

    id: int | None = Field(default=None, primary_key=True)
    nip: str = Field(sa_column=Column(String(18), nullable=False, unique=True))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    email: str = Field(sa_column=Column(String(254), nullable=False))
    chat_url: str | None = Field(default=None, sa_column=Column(String(1000), nullable=True))
    unit_id: int = Field(sa_column=Column(Integer, ForeignKey("unit.id"), nullable=False, index=True))
    position: str = Field(sa_column=Column(String(200), nullable=False))
    grade: str = Field(sa_column=Column(String(16), nullable=False))
    supervisor_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("employee.id"), nullable=True, index=True)
    )
    timezone: str = Field(default="Asia/Jakarta", sa_column=Column(String(64), nullable=False))
    locale: str = Field(default="id", sa_column=Column(String(8), nullable=False, server_default="id"))
    active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=true()))
    created_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))

"""Versioned indicator sets: what a period's reviews score, frozen when the period opens."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import UTCDateTime, check_in, utc_now

ASPECTS: tuple[str, ...] = ("result", "behaviour")
# Where an indicator's score comes from: reviewers, or the unit's public satisfaction index (IKM).
INDICATOR_SOURCES: tuple[str, ...] = ("reviews", "public_satisfaction")


class IndicatorSet(SQLModel, table=True):
    """One version of a named set from the cycle YAML; a changed YAML gives a new version."""

    __tablename__ = "indicator_set"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(64), nullable=False))
    version: int = Field(nullable=False)
    # Hash of the definition, so opening a period reuses an identical version instead of copying.
    fingerprint: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    scale_min: int = Field(nullable=False)
    scale_max: int = Field(nullable=False)
    created_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))


class Indicator(SQLModel, table=True):
    """One indicator of a set; `unit_code` is set for per-unit additions (e.g. kepuasan_masyarakat)."""

    __table_args__ = (
        UniqueConstraint("indicator_set_id", "unit_code", "code"),
        CheckConstraint(check_in("aspect", ASPECTS), name="aspect"),
        CheckConstraint("weight > 0", name="weight_positive"),
        CheckConstraint(check_in("source", INDICATOR_SOURCES), name="source"),
    )

    id: int | None = Field(default=None, primary_key=True)
    indicator_set_id: int = Field(
        sa_column=Column(Integer, ForeignKey("indicator_set.id"), nullable=False, index=True)
    )
    unit_code: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    code: str = Field(sa_column=Column(String(64), nullable=False))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    aspect: str = Field(sa_column=Column(String(16), nullable=False))
    weight: float = Field(nullable=False)
    source: str = Field(
        default="reviews", sa_column=Column(String(32), nullable=False, server_default="reviews")
    )

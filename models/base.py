"""Shared column types and the metadata naming convention.

The naming convention must exist before the first table is declared so that Alembic
migrations get stable constraint names on both SQLite (batch mode) and PostgreSQL
(STYLE.md pitfall 6).
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores instants in UTC and always returns aware datetimes.

    SQLite has no time-zone type and hands back naive values; normalising here means no
    caller ever compares a naive and an aware datetime (a deadline bug waiting to happen).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given; every instant must carry its time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utc_now() -> datetime:
    """Wall-clock instant for bookkeeping columns (created/updated); deadlines use the injected clock."""
    return datetime.now(UTC)


def check_in(column: str, values: tuple[str, ...]) -> str:
    """SQL text of a CHECK that `column` holds one of `values` (enforced by the database)."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"

"""Bulk writes through the driver store exactly what Core's executemany stores, on both databases.

models/bulk_writes.py hands SQLite the rows as tuples, converted by each column's own type, to
skip SQLAlchemy's per-row parameter handling (closing 100,000 staff writes a million indicator
figures; on PostgreSQL new rows go in by COPY). Here the same rows go in once through it and
once through Core, and the stored values must match as the database holds them (SQLite's own
types included), whatever the order of the caller's columns, and an ignored conflict must not be
counted.
"""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import sqlite

from models.base import UTCDateTime
from models.bulk_writes import BulkStatement
from models.db import create_db_engine

WIB = timezone(timedelta(hours=7))
METADATA = MetaData()
SAMPLE = Table(
    "bulk_sample",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("key", String(16), nullable=False, unique=True),
    Column("writer", String(8), nullable=False),
    Column("at", UTCDateTime, nullable=True),
    Column("score", Float, nullable=True),
    Column("detail", JSON, nullable=True),
)
COLUMNS = ("key", "writer", "at", "score", "detail")
# Times in two zones, an integer in a FLOAT column, nested JSON, NULLs everywhere they may be.
VALUES = [
    (datetime(2027, 1, 4, 9, 0, tzinfo=WIB), 3, {"stage": "closed", "predikat": "Baik", "n": [1, 2]}),
    (datetime(2027, 1, 4, 2, 0, 0, 123456, tzinfo=UTC), 2.75, {}),
    (None, None, None),
    (datetime(2027, 12, 31, 23, 59, tzinfo=WIB), 0, {"teks": "Sangat Kurang — perlu rencana"}),
]


@pytest.fixture
def engine(empty_database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(empty_database_url)
    METADATA.create_all(engine)
    yield engine
    METADATA.drop_all(engine)
    engine.dispose()


def rows(writer: str) -> list[tuple[Any, ...]]:
    return [(f"{writer}-{index}", writer, *values) for index, values in enumerate(VALUES)]


def stored(engine: Engine, writer: str) -> list[tuple[Any, ...]]:
    """The stored values as the database holds them (on SQLite with each value's storage class),
    keyed by the row's position, not its writer."""
    sql = (
        "SELECT key, at, typeof(at), score, typeof(score), detail, typeof(detail) FROM bulk_sample"
        if engine.dialect.name == "sqlite"
        else "SELECT key, at, score, detail::text FROM bulk_sample"
    )
    with engine.connect() as connection:
        found = connection.exec_driver_sql(f"{sql} WHERE writer = '{writer}' ORDER BY id").all()
    return [(key.split("-")[1], *rest) for key, *rest in found]


def test_inserted_rows_are_stored_as_core_stores_them(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(insert(SAMPLE), [dict(zip(COLUMNS, row, strict=True)) for row in rows("core")])
        assert BulkStatement.insert(connection, SAMPLE, COLUMNS).run(rows("bulk")) == len(VALUES)
    assert stored(engine, "bulk") == stored(engine, "core")
    assert len(stored(engine, "bulk")) == len(VALUES)
    with engine.connect() as connection:
        read = connection.execute(select(SAMPLE.c.at, SAMPLE.c.score).where(SAMPLE.c.key == "bulk-0")).one()
    assert read == (datetime(2027, 1, 4, 2, 0, tzinfo=UTC), 3.0)


def test_an_update_takes_each_value_by_name_whatever_the_callers_order(engine: Engine) -> None:
    """An UPDATE's SET follows the table's column order; the caller's tuples need not."""
    with engine.begin() as connection:
        connection.execute(insert(SAMPLE), [dict(zip(COLUMNS, row, strict=True)) for row in rows("core")])
        connection.execute(insert(SAMPLE), [dict(zip(COLUMNS, row, strict=True)) for row in rows("bulk")])
        changed = {"detail": bindparam("detail"), "score": bindparam("score"), "at": bindparam("at")}
        statement = update(SAMPLE).where(SAMPLE.c.key == bindparam("row_key")).values(changed)
        caller_order = ("detail", "score", "at", "row_key")
        new = [
            ({"moved": index}, index + 0.5, datetime(2028, 1, 1, index, tzinfo=WIB))
            for index in range(len(VALUES))
        ]
        connection.execute(statement, [
            {"detail": detail, "score": score, "at": at, "row_key": f"core-{index}"}
            for index, (detail, score, at) in enumerate(new)
        ])  # fmt: skip
        BulkStatement(connection, statement, caller_order).run(
            (*values, f"bulk-{index}") for index, values in enumerate(new)
        )
    assert stored(engine, "bulk") == stored(engine, "core")
    assert stored(engine, "bulk")[1][1:] != stored(engine, "bulk")[2][1:]


def test_ignored_conflicts_are_not_counted_on_sqlite(engine: Engine) -> None:
    """`enqueue` counts the outbox rows a batch added from this count (SQLite)."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's executemany reports no count; enqueue uses RETURNING there")
    statement = sqlite.insert(SAMPLE).on_conflict_do_nothing(index_elements=["key"])
    with engine.begin() as connection:
        writer = BulkStatement(connection, statement, COLUMNS)
        assert writer.run(rows("bulk")[:2]) == 2
        assert writer.run(rows("bulk")) == len(VALUES) - 2
        assert writer.run(rows("bulk")) == 0
        assert writer.run([]) == 0
    assert len(stored(engine, "bulk")) == len(VALUES)

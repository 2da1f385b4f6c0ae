"""Inserting new outbox rows in bulk, counting the ones the database took (a row whose dedupe key
exists already is ignored: the database decides, so racing flows still queue one row).

- SQLite: the driver's executemany of `INSERT … ON CONFLICT DO NOTHING`, whose count leaves out
  the ignored rows (queueing a 100,000-staff close's results took a third of the time of Core's
  RETURNING path, profiled).
- PostgreSQL, small batches: one multi-row INSERT … RETURNING the new ids (its executemany
  reports no count).
- PostgreSQL, large batches: COPY into a temporary table dropped at commit, then one
  `INSERT … SELECT … ON CONFLICT DO NOTHING` in the rows' order, whose count is exact. RETURNING
  every id had cost 22 s of a 100,000-staff close's 82 s. Small batches (a web submission's
  message) keep RETURNING: a temporary table per transaction would churn the catalog.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import BigInteger, Column, Connection, MetaData, Table
from sqlalchemy.dialects import postgresql, sqlite

from models import Notification
from models.bulk_writes import BulkStatement

# An outbox row's columns, in the order of the tuples the writers take.
COLUMNS = ("dedupe_key", "recipient_id", "channel", "template", "payload", "status", "attempts",
           "last_error", "next_attempt_at", "sent_at", "created_at")  # fmt: skip
COPY_FROM = 1_000  # rows from which a PostgreSQL batch goes through COPY
Writer = Callable[[list[tuple[Any, ...]]], int]

_OUTBOX: Table = Notification.__table__  # type: ignore[attr-defined]
_STAGED = Table(
    "outbox_staged",
    MetaData(),
    Column("ordinal", BigInteger),
    *(Column(name, _OUTBOX.c[name].type) for name in COLUMNS),
)
_LISTED = ", ".join(COLUMNS)
_CREATE_STAGED = (
    f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGED.name} ON COMMIT DROP AS "  # noqa: S608
    f"SELECT 0::bigint AS ordinal, {_LISTED} FROM {_OUTBOX.name} WITH NO DATA"
)
_INSERT_STAGED = (
    f"INSERT INTO {_OUTBOX.name} ({_LISTED}) SELECT {_LISTED} FROM {_STAGED.name} ORDER BY ordinal "  # noqa: S608
    "ON CONFLICT (dedupe_key) DO NOTHING"
)


def new_rows_writer(connection: Connection) -> Writer:
    """A function that inserts a batch of outbox rows (tuples in COLUMNS order) on `connection`'s
    transaction and returns how many the database took."""
    if connection.dialect.name == "sqlite":
        statement = sqlite.insert(_OUTBOX).on_conflict_do_nothing(index_elements=["dedupe_key"])
        return BulkStatement(connection, statement, COLUMNS).run
    returning = (
        postgresql.insert(_OUTBOX)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(_OUTBOX.c.id)
    )
    staged = _StagedInsert(connection)

    def insert_new(rows: list[tuple[Any, ...]]) -> int:
        if len(rows) >= COPY_FROM:
            return staged(rows)
        keyed = [dict(zip(COLUMNS, row, strict=True)) for row in rows]
        return len(connection.execute(returning, keyed).all()) if keyed else 0

    return insert_new


class _StagedInsert:
    """Large PostgreSQL batches: COPY into the temporary table (created by the first batch of the
    transaction, dropped at its commit), one INSERT … SELECT from it, then emptied for the next."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.copy: BulkStatement | None = None  # made by the first large batch: most calls have none

    def __call__(self, rows: list[tuple[Any, ...]]) -> int:
        if self.copy is None:
            self.connection.exec_driver_sql(_CREATE_STAGED)
            self.copy = BulkStatement.insert(self.connection, _STAGED, ("ordinal", *COLUMNS))
        self.copy.run((ordinal, *row) for ordinal, row in enumerate(rows))
        inserted = self.connection.exec_driver_sql(_INSERT_STAGED).rowcount
        self.connection.exec_driver_sql(f"TRUNCATE {_STAGED.name}")
        return inserted

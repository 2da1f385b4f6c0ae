"""The outbox dispatcher: claim due rows, send each outside any transaction, record each outcome.

Flows write `Notification` rows with `enqueue` in the same transaction as the change that causes
them (DESIGN §2); the database's unique `dedupe_key` makes enqueuing twice a no-op.
`dispatch_pending` then delivers them:

1. **Claim** a small batch in one short write transaction: a single UPDATE of the first `n`
   due rows (`SELECT … LIMIT n`) … RETURNING …, that bumps `attempts` and pushes
   `next_attempt_at` a lease ahead, so no other dispatcher sees the rows as due. Rows never
   tried go first, in id order, then the ones due longest. On PostgreSQL the SELECT is a
   materialised CTE `FOR UPDATE SKIP LOCKED` (two dispatchers take different rows instead of
   waiting) and the UPDATE re-checks that each row is still due; on SQLite `BEGIN IMMEDIATE`
   serialises the claims. Either way two dispatchers never send the same row, and a claim never
   takes more than `n` rows (more than it could send before its lease runs out).
2. **Send** the batch's messages one at a time, in id order, with no transaction open (a
   hanging SMTP server holds no lock).
3. **Record** each outcome in its own short transaction, committed right after its send and
   before the next send begins: sent → `sent` with `sent_at` (one UPDATE handed straight to the
   driver, the hot path); failure → `last_error` and `next_attempt_at = now + base × 2^(attempts−1)`;
   at `max_attempts` (or a failure that can never succeed, such as a payload the template cannot
   render) → `failed`, plus ONE `delivery_failed` message to HR (dedupe key
   `delivery-failed:<id>`) in the same transaction.

Crash safety: a crash between a send and its record loses only that record; the row is still
`pending` and becomes due again when its lease ends, so that one message may be sent twice at
worst — never a batch, because every other claimed row was either recorded already or not sent
yet. A claim whose dispatcher died is retried after `CLAIM_LEASE` (measured on the injected clock).

`attempts` counts claims, i.e. delivery attempts begun, so a crashed attempt also counts towards
`max_attempts`. A `delivery_failed` message that itself fails does not create another one (no
chain of notices to an HR channel that is down); it stays visible as a failed row.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Connection, Engine, Table, bindparam, or_, select, update
from sqlmodel import Session

from config.settings import Settings
from models import Employee, Notification
from models.audit_log import record_events
from models.base import utc_now
from models.batches import batches
from models.db import write_connection, write_session
from models.outbox import NOTIFICATION_CHANNELS
from notifications.apprise_channel import DEFAULT_TIMEOUT_SECONDS, sending
from notifications.delivery import ClaimedMessage, Outcome, Recipient, deliver
from notifications.outbox_inserts import new_rows_writer
from notifications.rendering import TEMPLATES

CLAIM_BATCH = 25
# Outbox rows per INSERT in `enqueue`: bounds its memory (a 100,000-staff period queues 200,000 rows).
ENQUEUE_BATCH = 5_000
CLAIM_LEASE = timedelta(minutes=15)
ACTOR = "notification-dispatcher"
_OUTBOX: Table = Notification.__table__  # type: ignore[attr-defined]
# Only over our own claim: if the lease ran out and another dispatcher took the row, its claim
# bumped `attempts` and its outcome is the one that counts.
_MINE = (
    (_OUTBOX.c.id == bindparam("row_id"))
    & (_OUTBOX.c.status == "pending")
    & (_OUTBOX.c.attempts == bindparam("claimed_attempts"))
)
# The hot path, one statement straight to the driver (see `_mark_sent`): `?` becomes the
# driver's placeholder. Its WHERE is `_MINE`'s.
_MARK_SENT_SQL = (
    f"UPDATE {_OUTBOX.name} SET status = 'sent', sent_at = ?, last_error = NULL, next_attempt_at = NULL"
    " WHERE id = ? AND status = 'pending' AND attempts = ?"
)


@dataclass
class DispatchReport:
    """What one run did: `retried` rows stay pending for later; `skipped` were never attempted."""

    sent: int = 0
    failed: int = 0
    retried: int = 0
    skipped: int = 0


def _new_row(row: dict[str, Any], created_at: datetime) -> tuple[Any, ...]:
    """`row` checked, as a tuple in the order of notifications.outbox_inserts.COLUMNS."""
    for name in ("dedupe_key", "channel", "template"):
        if not row.get(name):
            raise ValueError(f"notification row without {name}: {row!r}")
    if row["channel"] not in NOTIFICATION_CHANNELS:
        raise ValueError(f"unknown channel {row['channel']!r}; known: {', '.join(NOTIFICATION_CHANNELS)}")
    if row["template"] not in TEMPLATES:
        raise ValueError(f"unknown notification template {row['template']!r}; known: {', '.join(TEMPLATES)}")
    return (row["dedupe_key"], row.get("recipient_id"), row["channel"], row["template"], row.get("payload") or {},
            "pending", 0, None, row.get("next_attempt_at"), None, row.get("created_at") or created_at)  # fmt: skip


def enqueue(session: Session, rows: Iterable[dict[str, Any]]) -> int:
    """Insert outbox rows in bulk; rows whose dedupe_key exists already are ignored. Returns new rows.

    The database decides (`INSERT … ON CONFLICT (dedupe_key) DO NOTHING`), so two flows racing
    to enqueue the same reminder still produce one row. Each row needs `dedupe_key`, `channel`,
    `template`; optional `recipient_id`, `payload`, `next_attempt_at` (to hold a message until
    office hours), `created_at`. `rows` may be a generator: they are inserted `ENQUEUE_BATCH` at a
    time, so a period's invitations never sit in memory all at once. A bad row raises; the
    caller's transaction then writes none of them.
    """
    now = utc_now()
    insert_new = new_rows_writer(session.connection())
    return sum(insert_new([_new_row(row, now) for row in batch]) for batch in batches(rows, ENQUEUE_BATCH))


def _due(now: Any) -> Any:
    return (_OUTBOX.c.status == "pending") & or_(
        _OUTBOX.c.next_attempt_at.is_(None), _OUTBOX.c.next_attempt_at <= now
    )


_RECIPIENTS = select(
    Employee.id, Employee.name, Employee.nip, Employee.email, Employee.chat_url,  # type: ignore[arg-type]
    Employee.locale, Employee.timezone, Employee.active,  # type: ignore[arg-type]
).where(Employee.id.in_(bindparam("ids", expanding=True)))  # type: ignore[union-attr]  # fmt: skip


def _recipients(connection: Connection, ids: set[int]) -> dict[int, Recipient]:
    if not ids:
        return {}
    rows = connection.execute(_RECIPIENTS, {"ids": sorted(ids)})
    return {row.id: Recipient(row.name, row.nip, row.email, row.chat_url, row.locale, row.timezone, row.active) for row in rows}  # fmt: skip


@cache
def _claim_statement(dialect: str) -> Any:
    """The claim UPDATE for `dialect`, built once (building it cost more than running it)."""
    # Never-tried rows first (in id order), then the longest due: the order the index on
    # (status, next_attempt_at) already has, so SQLite walks it and stops after `size` rows
    # instead of sorting every pending row (measured: ~5 ms per claim with 2,000 pending).
    due = (
        select(_OUTBOX.c.id)
        .where(_due(bindparam("now")))
        .order_by(_OUTBOX.c.next_attempt_at.nulls_first(), _OUTBOX.c.id)
        .limit(bindparam("size"))
    )
    if dialect == "postgresql":
        # A materialised CTE, not `id IN (subquery)`: PostgreSQL may plan the IN as a semi-join
        # that rescans the locking subquery for every row, and each rescan skips the rows this
        # UPDATE has just changed and returns the next ones, so the claim took EVERY due row
        # instead of `size` (found by bench/dispatch.py on PostgreSQL). Re-checking "still due"
        # guards against a row changed since the subquery's snapshot. On SQLite, BEGIN IMMEDIATE
        # already excludes other writers, and the re-check would make it scan the status index
        # instead of fetching the ids.
        locked = due.with_for_update(skip_locked=True).cte("due").prefix_with("MATERIALIZED")
        chosen = (_OUTBOX.c.id == locked.c.id) & _due(bindparam("now"))
    else:
        chosen = _OUTBOX.c.id.in_(due.scalar_subquery())
    returned = ("id", "dedupe_key", "recipient_id", "channel", "template", "payload", "attempts")
    return (
        update(_OUTBOX)
        .where(chosen)
        .values(attempts=_OUTBOX.c.attempts + 1, next_attempt_at=bindparam("lease_until"))
        .returning(*(_OUTBOX.c[name] for name in returned))
    )


def _claim(connection: Connection, now: datetime, size: int) -> list[ClaimedMessage]:
    """Take up to `size` due rows for this dispatcher (see the module docstring)."""
    with connection.begin():
        claimed = connection.execute(
            _claim_statement(connection.dialect.name),
            {"now": now, "size": size, "lease_until": now + CLAIM_LEASE},
        )
        rows = sorted(claimed.all(), key=lambda row: row.id)
        people = _recipients(connection, {row.recipient_id for row in rows if row.recipient_id is not None})
    return [
        ClaimedMessage(
            row.id,
            row.dedupe_key,
            row.channel,
            row.template,
            dict(row.payload or {}),
            row.attempts,
            people.get(row.recipient_id),
        )  # fmt: skip
        for row in rows
    ]


def _who(message: ClaimedMessage) -> str:
    recipient = message.recipient
    return f"{recipient.name} ({recipient.nip})" if recipient is not None else "HR"


def _give_up(session: Session, message: ClaimedMessage, error: str, now: datetime) -> None:
    """Mark failed for good, tell HR once, and leave an audit trail of the decision."""
    record_events(session, now, ACTOR, "notification.failed", "notification", [
        (message.id, {"status": "pending"}, {"status": "failed", "attempts": message.attempts, "last_error": error}),
    ])  # fmt: skip
    if message.template == "delivery_failed":
        return
    enqueue(session, [{
        "dedupe_key": f"delivery-failed:{message.id}",
        "recipient_id": None,
        "channel": "hr",
        "template": "delivery_failed",
        "payload": {
            "recipient": _who(message), "channel": message.channel, "template": message.template,
            "attempts": message.attempts, "last_error": error,
        },
    }])  # fmt: skip


def _mark_sent(connection: Connection, message: ClaimedMessage, now: datetime) -> None:
    """Commit "sent" for one message before the next is sent, as cheaply as the database allows.

    This runs once per message, so it skips SQLAlchemy's statement execution (measured: about a
    quarter of a bare Apprise send's CPU time) and hands one UPDATE to the driver, in its own
    transaction: on SQLite the driver is in autocommit mode (models/db.py), so the statement is a
    transaction of its own, taking the write lock (and waiting `busy_timeout` for it) as BEGIN
    IMMEDIATE would; on PostgreSQL the driver begins implicitly and we commit. `connection` has
    no SQLAlchemy transaction open here. `sent_at` goes through the column type's own bind
    processing, so the row reads back exactly as one written through SQLAlchemy.
    """
    dialect = connection.dialect
    process = _OUTBOX.c.sent_at.type.bind_processor(dialect)
    sent_at = process(now) if process is not None else now
    driver = connection.connection.driver_connection
    parameters = (sent_at, message.id, message.attempts)
    if dialect.name == "sqlite":
        driver.execute(_MARK_SENT_SQL, parameters)  # type: ignore[union-attr]
        if driver.in_transaction:  # type: ignore[union-attr]  # only if models/db.py stopped autocommit
            driver.commit()  # type: ignore[union-attr]
        return
    with driver.cursor() as cursor:  # type: ignore[union-attr]
        cursor.execute(_MARK_SENT_SQL.replace("?", "%s"), parameters)
    driver.commit()  # type: ignore[union-attr]


def _record(
    connection: Connection,
    message: ClaimedMessage,
    outcome: Outcome,
    now: datetime,
    max_attempts: int,
    base_delay: int,
) -> str:
    """Store one outcome in its own transaction; returns which report counter it belongs to.

    A sent message, the common case, is `_mark_sent` on the dispatcher's connection. The rare
    outcomes take an ORM session on another connection (no lock is held in between: `connection`
    has no transaction open here), since giving up also writes an audit event and HR's notice.
    """
    if outcome.ok:
        _mark_sent(connection, message, now)
        return "sent"
    mine = {"row_id": message.id, "claimed_attempts": message.attempts}
    if outcome.skipped or outcome.permanent or message.attempts >= max_attempts:
        values: dict[str, Any] = {"status": "failed", "last_error": outcome.error, "next_attempt_at": None}
        kind = "skipped" if outcome.skipped else "failed"
    else:
        delay = timedelta(seconds=base_delay * 2 ** (message.attempts - 1))
        values = {"last_error": outcome.error, "next_attempt_at": now + delay}
        kind = "retried"
    with write_session(connection.engine) as session:
        changed = session.execute(update(_OUTBOX).where(_MINE).values(**values), mine).rowcount
        if changed and kind == "failed":
            _give_up(session, message, outcome.error or "unknown error", now)
    return kind


def dispatch_pending(
    engine: Engine,
    settings: Settings,
    now: datetime,
    *,
    limit: int = 500,
    max_attempts: int = 5,
    base_delay_seconds: int = 60,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    batch_size: int = CLAIM_BATCH,
) -> DispatchReport:
    """Deliver up to `limit` due messages as of `now` (the injected clock); see the module docstring.

    Small claim batches keep each claim transaction short and let a second dispatcher share
    the work; `timeout_seconds` bounds each send, so one run takes at most about
    `limit × timeout_seconds` even when every server hangs.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime (the one clock is always zoned)")
    if max_attempts < 1:
        raise ValueError(f"max_attempts must be at least 1 (got {max_attempts})")
    report = DispatchReport()
    remaining = limit
    with sending():
        while remaining > 0:
            # One connection per batch: its claim and each outcome are separate transactions on
            # it, without a pool checkout per message; a broken connection is replaced next batch.
            with write_connection(engine) as connection:
                batch = _claim(connection, now, min(batch_size, remaining))
                if not batch:
                    break
                remaining -= len(batch)
                for message in batch:
                    outcome = deliver(message, settings, timeout=timeout_seconds)
                    kind = _record(connection, message, outcome, now, max_attempts, base_delay_seconds)
                    setattr(report, kind, getattr(report, kind) + 1)
    return report

"""Queueing outbox rows in bulk: every path stores the same rows, ids in the caller's order, and
counts only the rows the database took, on both databases.

On PostgreSQL a batch of COPY_FROM rows or more goes through COPY into a temporary table and one
INSERT … SELECT (notifications/outbox_inserts.py); smaller ones through INSERT … RETURNING. Here
the same batches are queued once with COPY taking every batch and once with RETURNING taking
every batch, each in a fresh database, including keys queued before and keys repeated within
a batch, in two transactions (the temporary table is dropped at the first commit).
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select

import notifications.outbox_inserts
from models import Notification
from models.db import create_db_engine, read_session, write_session
from notifications.dispatch import enqueue

HELD = datetime(2027, 1, 4, 1, 0, tzinfo=UTC)


def message(key: str, index: int) -> dict[str, Any]:
    return {
        "dedupe_key": key,
        "channel": "email" if index % 2 else "chat",
        "template": "invitation",
        "payload": {"name": f"Pegawai {index}", "links": [index, None], "teks": "Penilaian — mohon diisi"},
        "next_attempt_at": HELD + timedelta(minutes=index) if index % 3 else None,
        "created_at": HELD,
    }


# (transaction, batch): the second batch of the first transaction repeats two keys of the first
# and one of its own; the second transaction repeats one key of the first transaction.
BATCHES = [
    [[message(f"k{i}", i) for i in (5, 3, 8, 1)], [message(f"k{i}", i) for i in (3, 9, 9, 2, 5, 7)]],
    [[message(f"k{i}", i) for i in (4, 8, 6)]],
]
TAKEN = [[4, 3], [2]]


def queue_all(engine: Engine, prefix: str) -> tuple[list[list[int]], list[tuple[Any, ...]]]:
    """Queue BATCHES with keys under `prefix`; the counts, and the stored rows with ids counted
    from the first and keys without the prefix."""
    counts = []
    for transaction in BATCHES:
        with write_session(engine) as session:
            counts.append([enqueue(session, [{**row, "dedupe_key": prefix + row["dedupe_key"]} for row in batch])
                           for batch in transaction])  # fmt: skip
    columns = (Notification.id, Notification.dedupe_key, Notification.channel, Notification.template,
               Notification.payload, Notification.status, Notification.attempts, Notification.next_attempt_at,
               Notification.created_at)  # fmt: skip
    with read_session(engine) as session:
        found = session.execute(
            select(*columns).where(Notification.dedupe_key.startswith(prefix)).order_by(Notification.id)
        ).all()
    first = found[0][0]
    return counts, [(row[0] - first, row[1].removeprefix(prefix), *row[2:]) for row in found]


def test_copy_and_returning_queue_the_same_rows(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = create_db_engine(database_url)
    monkeypatch.setattr(notifications.outbox_inserts, "COPY_FROM", 1)
    copied = queue_all(engine, "copy-")
    monkeypatch.setattr(notifications.outbox_inserts, "COPY_FROM", 10**9)
    returned = queue_all(engine, "returning-")
    engine.dispose()
    assert copied[0] == returned[0] == TAKEN
    assert copied[1] == returned[1]
    assert [row[1] for row in copied[1]] == ["k5", "k3", "k8", "k1", "k9", "k2", "k7", "k4", "k6"]
    assert [row[0] for row in copied[1]] == sorted(row[0] for row in copied[1])

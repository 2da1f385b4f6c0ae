"""Writing audit events in bulk: who did what to which rows, when, with before and after."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session

from models import AuditEvent
from models.batches import batches
from models.bulk_writes import BulkStatement

Change = tuple[int | str, dict[str, Any] | None, dict[str, Any] | None]
BATCH_ROWS = 10_000  # rows per executemany: big enough to amortise the call, small enough to stream
_COLUMNS = ("at", "actor", "action", "entity", "entity_id", "before", "after")


def record_events(
    session: Session, at: datetime, actor: str, action: str, entity: str, changes: Iterable[Change]
) -> int:
    """One audit row per (entity id, before, after), by executemany in batches of BATCH_ROWS;
    `changes` may be a generator, so 100,000 events need not be built before the first is written."""
    statement = BulkStatement.insert(session.connection(), AuditEvent.__table__, _COLUMNS)
    count = 0
    for batch in batches(changes, BATCH_ROWS):
        count += len(batch)
        statement.run(
            (at, actor, action, entity, str(entity_id), before, after) for entity_id, before, after in batch
        )
    return count

"""Writing audit events in bulk: who did what to which rows, when, with before and after."""

from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import insert
from sqlmodel import Session

from models import AuditEvent

Change = tuple[int | str, dict[str, Any] | None, dict[str, Any] | None]
T = TypeVar("T")
BATCH_ROWS = 10_000  # rows per executemany: big enough to amortise the call, small enough to stream


def batches(items: Iterable[T], size: int = BATCH_ROWS) -> Iterator[list[T]]:
    """`items` in lists of at most `size`, so a bulk write never holds all its rows at once."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def record_events(
    session: Session, at: datetime, actor: str, action: str, entity: str, changes: Iterable[Change]
) -> int:
    """One audit row per (entity id, before, after), by executemany in batches of BATCH_ROWS;
    `changes` may be a generator, so 100,000 events need not be built before the first is written."""
    count = 0
    for batch in batches(changes):
        rows = [
            {"at": at, "actor": actor, "action": action, "entity": entity, "entity_id": str(entity_id), "before": before, "after": after}
            for entity_id, before, after in batch
        ]  # fmt: skip
        # Core executemany: the ORM bulk path cost ~25 % more per row (100,000-row advances)
        session.connection().execute(insert(AuditEvent.__table__), rows)
        count += len(rows)
    return count

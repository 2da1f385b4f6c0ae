"""Writing audit events in bulk: who did what to which rows, when, with before and after."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from models import AuditEvent

Change = tuple[int | str, dict[str, Any] | None, dict[str, Any] | None]


def record_events(
    session: Session, at: datetime, actor: str, action: str, entity: str, changes: Iterable[Change]
) -> int:
    """One audit row per (entity id, before, after); one executemany for all of them."""
    rows = [
        {"at": at, "actor": actor, "action": action, "entity": entity, "entity_id": str(entity_id), "before": before, "after": after}
        for entity_id, before, after in changes
    ]  # fmt: skip
    if rows:  # Core executemany: the ORM bulk path cost ~25 % more per row (100,000-row advances)
        session.connection().execute(insert(AuditEvent.__table__), rows)
    return len(rows)

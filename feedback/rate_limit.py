"""A per-client limit on public submissions that holds across web workers: counted in the database.

Fixed windows: each accepted submission increments its client's row for the current window in
the same transaction as the response, with one upsert whose RETURNING gives the new count. Over
the limit, the caller raises and the whole transaction — response and count — rolls back, so a
refused submission stores nothing. Concurrent submissions of one client serialise on that row.

The client is a keyed hash of its address (HMAC with the app secret), never the address, and
rows older than a day are deleted as new ones arrive.
"""

import hashlib
import hmac
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from models import RateLimitHit

KEEP = timedelta(days=1)


def client_key(secret: str, address: str) -> str:
    """The stored stand-in for a client address: not reversible without the secret."""
    return hmac.new(secret.encode(), f"client:{address}".encode(), hashlib.sha256).hexdigest()[:32]


def window_start(now: datetime, window: timedelta) -> datetime:
    """The start of the fixed window containing `now`."""
    seconds = int(window.total_seconds())
    return datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, tz=now.tzinfo)


def count_hit(session: Session, scope: str, key: str, now: datetime, window: timedelta) -> int:
    """Count one accepted submission of `key` in the current window; the window's count including it."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = RateLimitHit.__table__  # type: ignore[attr-defined]
    statement = dialect.insert(table).values(
        scope=scope, client_key=key, window_start=window_start(now, window), hits=1
    )
    statement = statement.on_conflict_do_update(
        index_elements=["scope", "client_key", "window_start"], set_={"hits": table.c.hits + 1}
    ).returning(table.c.hits)
    hits = session.execute(statement).scalar_one()
    session.execute(delete(RateLimitHit).where(RateLimitHit.window_start < now - KEEP))
    return int(hits)

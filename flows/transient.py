"""Which failures are worth retrying: a locked SQLite file, a dropped PostgreSQL connection.

Anything else (bad data, a bug) fails at once: retrying it would only repeat the error.
"""

from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError

TRANSIENT_MESSAGES = ("database is locked", "could not connect", "connection refused", "server closed the connection",
                      "terminating connection", "deadlock detected", "could not serialize access")  # fmt: skip


def is_transient(error: BaseException | None) -> bool:
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, OperationalError | DBAPIError):
        text = str(error).lower()
        return any(message in text for message in TRANSIENT_MESSAGES)
    return False


def retry_if_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect `retry_condition_fn`: retry only when the task failed on a transient database error."""
    try:
        error = state.result(raise_on_failure=False)
    except Exception as exc:  # some states re-raise instead of returning the exception
        error = exc
    return is_transient(error if isinstance(error, BaseException) else None)

"""Telling HR when an engine flow fails: a Prefect state hook that writes one outbox row.

The alert goes through the same outbox as every other message (DESIGN §2), so it is delivered,
retried and recorded like them; its dedupe key is the flow run, so a hook firing twice for one
run still alerts once. If the database itself is what failed, the hook cannot write either: it
logs that, and the failed run stays visible in Prefect's history.
"""

import logging
from typing import Any

from config.settings import load_settings
from models.base import utc_now
from models.db import create_db_engine, write_session
from notifications.dispatch import enqueue

logger = logging.getLogger(__name__)


def _error_text(state: Any) -> str:
    try:
        error = state.result(raise_on_failure=False)
    except Exception as exc:  # a crashed state may re-raise instead of returning the exception
        error = exc
    if isinstance(error, BaseException):
        return f"{type(error).__name__}: {error}"
    return state.message or "no error message"


def alert_hr(flow: Any, flow_run: Any, state: Any) -> None:
    """Prefect `on_failure` / `on_crashed` hook (signature: flow, flow_run, state)."""
    payload = {"flow_name": flow.name, "flow_run_name": flow_run.name, "flow_run_id": str(flow_run.id),
               "error": _error_text(state), "at": utc_now().isoformat()}  # fmt: skip
    try:
        engine = create_db_engine(load_settings().database_url)
        with write_session(engine) as session:
            enqueue(
                session,
                [
                    {
                        "dedupe_key": f"flow-failed:{flow_run.id}",
                        "channel": "hr",
                        "template": "flow_failed",
                        "payload": payload,
                    }
                ],
            )
        engine.dispose()
    except Exception:  # the hook must never hide the original failure
        logger.exception("could not record the HR alert for failed flow run %s", flow_run.id)

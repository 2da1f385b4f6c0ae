"""Opening and advancing in bounded batches writes exactly what one batch would, on both databases.

A 100,000-staff period is opened and advanced in batches (audit events and peer reviews per
insert, open reviews per fetch, outbox rows per insert) so that its memory stays flat. Here a
city larger than every batch runs a whole review cycle with invitations twice, once with the
batch sizes lowered to a few rows and once as shipped, each in its own fresh database: every
appraisal, review, queued message and audit event must come out the same, ids included.
"""

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import cycle.advancing
import notifications.dispatch
import notifications.reminder_policy
from cycle.advancing import advance_period
from cycle.opening import open_period
from models import Appraisal, AuditEvent, Notification, Period, Review
from models.db import create_db_engine, read_session, write_session
from tests.builders import PKM, SITI
from tests.cycle_builders import (
    LINKS,
    extra_staff,
    roster_with_hr,
    seeded_engine,
    shipped_cycles,
    submit,
    wib,
)
from tests.test_crash_safety import second_database

OPENED = wib(2027, 1, 4, 9)  # Monday, in office hours: invitations are due at once
SMALL = {"advancing": 4, "enqueue": 3, "page": 2}
# Everything a step writes, in id order; `created_at` of outbox rows is the wall clock, left out.
DUMPS = {
    "appraisal": select(Appraisal.id, Appraisal.employee_id, Appraisal.stage, Appraisal.stage_started_at),
    "review": select(
        Review.id,
        Review.appraisal_id,
        Review.reviewer_id,
        Review.kind,
        Review.status,
        Review.opened_at,
        Review.due_at,
    ),
    "notification": select(
        Notification.id,
        Notification.dedupe_key,
        Notification.recipient_id,
        Notification.channel,
        Notification.template,
        Notification.payload,
        Notification.status,
        Notification.next_attempt_at,
    ),  # fmt: skip
    "audit": select(
        AuditEvent.id,
        AuditEvent.at,
        AuditEvent.actor,
        AuditEvent.action,
        AuditEvent.entity,
        AuditEvent.entity_id,
        AuditEvent.before,
        AuditEvent.after,
    ),  # fmt: skip
}


def last_due(url: str, kind: str) -> datetime:
    """A minute after the last deadline of the `kind` reviews: the advance moves everyone."""
    engine = create_db_engine(url)
    with read_session(engine) as session:
        last = session.execute(select(func.max(Review.due_at)).where(Review.kind == kind)).scalar_one()
    engine.dispose()
    return last + timedelta(minutes=1)


def whole_cycle(url: str, directory: Path) -> dict[str, list[Any]]:
    """Open with invitations, then each review stage: most submit, the rest are missed, advance.
    Returns every row written, per table, in id order."""
    rows = roster_with_hr() + extra_staff(9, PKM, SITI)
    with seeded_engine(url, directory, rows) as engine:
        with write_session(engine) as session:
            open_period(session, shipped_cycles(), "annual", OPENED, invite=LINKS)
        for kind in ("self", "supervisor", "peer"):
            submit(engine, kind)
            submit_all_but_two(engine, kind)
            with write_session(engine) as session:
                period = session.execute(select(Period)).scalar_one()
                advance_period(session, period, last_due(url, kind), invite=LINKS)
        with read_session(engine) as session:
            return {
                name: [tuple(row) for row in session.execute(query.order_by(query.selected_columns[0]))]
                for name, query in DUMPS.items()
            }


def submit_all_but_two(engine: Any, kind: str) -> None:
    """Re-open two submitted `kind` reviews, so that the advance marks some missed as well."""
    with write_session(engine) as session:
        ids = session.execute(
            select(Review.id).where(Review.kind == kind).order_by(Review.id.desc()).limit(2)
        ).scalars()
        session.execute(Review.__table__.update().where(Review.id.in_(list(ids))).values(status="open"))


def test_small_batches_write_the_same_rows_as_one_batch(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with second_database(database_url, tmp_path) as reference_url:
        (tmp_path / "reference").mkdir()
        reference = whole_cycle(reference_url, tmp_path / "reference")
    monkeypatch.setattr(cycle.advancing, "BATCH", SMALL["advancing"])
    monkeypatch.setattr(notifications.dispatch, "ENQUEUE_BATCH", SMALL["enqueue"])
    monkeypatch.setattr(notifications.reminder_policy, "REVIEW_PAGE", SMALL["page"])
    batched = whole_cycle(database_url, tmp_path)
    # Every batch size is exceeded many times over, so the batched run really ran in batches.
    peers = [row for row in reference["review"] if row[3] == "peer"]
    invitations = [row for row in reference["notification"] if row[4] == "invitation"]
    assert len(reference["appraisal"]) > 3 * SMALL["advancing"]
    assert len(peers) > 3 * SMALL["advancing"]
    assert len(invitations) > 3 * SMALL["enqueue"]
    assert {row[4] for row in reference["review"]} >= {"submitted", "missed"}
    assert {row[2] for row in reference["appraisal"]} == {"calibration"}
    assert batched == reference

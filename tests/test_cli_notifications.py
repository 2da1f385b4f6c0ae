"""`appraisal notifications list|retry|dispatch` on a real outbox."""

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cli.main import app
from models import Notification
from models.db import create_db_engine, read_session, write_session
from notifications.dispatch import enqueue
from tests.builders import small_roster, write_roster

runner = CliRunner()


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def outbox(database_url: str, tmp_path: Path) -> str:
    """One HR alert that has failed for good, with its error."""
    invoke("roster", "import", str(write_roster(tmp_path / "roster.csv", small_roster())))
    engine = create_db_engine(database_url)
    payload = {
        "flow_name": "advance-stages",
        "flow_run_name": "brave-otter",
        "flow_run_id": "1",
        "error": "boom",
        "at": "2027-01-04T01:00:00+00:00",
    }
    with write_session(engine) as session:
        enqueue(
            session,
            [{"dedupe_key": "flow-failed:1", "channel": "hr", "template": "flow_failed", "payload": payload}],
        )
        session.execute(
            Notification.__table__.update().values(status="failed", attempts=5, last_error="SMTP refused")
        )  # type: ignore[attr-defined]
    engine.dispose()
    return database_url


def status_of(url: str) -> tuple[str, int, str | None]:
    engine = create_db_engine(url)
    with read_session(engine) as session:
        row = session.execute(
            select(Notification.status, Notification.attempts, Notification.last_error)
        ).one()
    engine.dispose()
    return row.status, row.attempts, row.last_error


def test_list_shows_failed_deliveries_with_their_error(outbox: str) -> None:
    output = invoke("notifications", "list", "--status", "failed")
    assert "flow_failed" in output and "HR" in output and "SMTP refused" in output
    assert "flow_failed" not in invoke("notifications", "list", "--status", "sent")


def test_retry_requeues_and_dispatch_records_the_missing_channel(outbox: str) -> None:
    assert "1 failed notification(s) queued again" in invoke(
        "notifications", "retry", "--now", "2027-01-04T09:00+07:00"
    )
    assert status_of(outbox)[:2] == ("pending", 0)
    output = invoke("notifications", "dispatch", "--now", "2027-01-04T09:00+07:00")
    assert "will retry 1" in output  # no HR channel configured: a recorded failure, retried later
    status, attempts, error = status_of(outbox)
    assert (status, attempts) == ("pending", 1) and error

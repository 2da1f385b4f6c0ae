"""The dispatcher takes no more than it is asked to: `limit` per run, `batch_size` per claim.

A claim that takes more rows than its batch leases them all while it works through them one by
one; if that outlasts the lease, the next run takes the same rows again and sends them twice.
On PostgreSQL an `id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)` claim once took every due
row, so these run on SQLite and PostgreSQL alike.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, func, select

from config.settings import Settings
from demo.local_sinks import WebhookSink
from models import Notification
from models.db import create_db_engine, read_session, write_session
from notifications.dispatch import DispatchReport, dispatch_pending, enqueue
from roster.load import import_roster
from tests.builders import JOKO, RINA, small_roster, write_roster
from tests.test_notification_delivery import employee, invitation

NOW = datetime(2027, 1, 11, 2, 0, tzinfo=UTC)  # Monday 09.00 WIB


@pytest.fixture
def engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    import_roster(
        engine, write_roster(tmp_path / "roster.csv", small_roster()), default_timezone="Asia/Jakarta"
    )
    yield engine
    engine.dispose()


@pytest.fixture
def webhooks() -> Iterator[WebhookSink]:
    sink = WebhookSink().start()
    yield sink
    sink.stop()


def pending(engine: Engine) -> int:
    with read_session(engine) as session:
        count = select(func.count()).select_from(Notification).where(Notification.status == "pending")  # type: ignore[arg-type]
        return int(session.execute(count).scalar_one())


def test_a_run_sends_its_limit_in_claims_of_the_batch_size(engine: Engine, webhooks: WebhookSink) -> None:
    rina = employee(engine, RINA, chat_url=webhooks.url("json", "/hooks/rina"))
    with write_session(engine) as session:
        enqueue(session, [invitation(rina, f"inv:{n}", "chat") for n in range(20)])
    config = Settings(secret_key=SecretStr("test-secret-key-0123456789abcdef"))

    assert dispatch_pending(engine, config, NOW, limit=7, batch_size=3) == DispatchReport(sent=7)
    assert pending(engine) == 13
    # Claims never reach past their batch: the rows not sent yet are still due, not leased.
    assert dispatch_pending(engine, config, NOW, limit=3, batch_size=5) == DispatchReport(sent=3)
    assert dispatch_pending(engine, config, NOW) == DispatchReport(sent=10)
    links = [call.body["message"].rsplit(" ", 1)[-1] for call in webhooks.calls]
    assert len(links) == len(set(links)) == 20


def test_claims_take_never_tried_messages_before_retries(engine: Engine, webhooks: WebhookSink) -> None:
    """Claims of one row each, so the order of the claims is the order of the sends."""
    rina = employee(engine, RINA, chat_url=webhooks.url("json", "/hooks/rina"))
    joko = employee(engine, JOKO, chat_url=webhooks.url("json", "/hooks/joko"))
    webhooks.status["/hooks/joko"] = 500
    config = Settings(secret_key=SecretStr("test-secret-key-0123456789abcdef"))
    with write_session(engine) as session:
        enqueue(session, [invitation(joko, "inv:joko", "chat")])
    assert dispatch_pending(engine, config, NOW, base_delay_seconds=60) == DispatchReport(retried=1)
    del webhooks.status["/hooks/joko"]
    with write_session(engine) as session:
        enqueue(session, [invitation(rina, f"inv:rina:{n}", "chat") for n in range(3)])

    later = NOW.replace(hour=3)  # Joko's retry is due again by now
    assert dispatch_pending(engine, config, later, batch_size=1) == DispatchReport(sent=4)
    assert webhooks.paths() == ["/hooks/joko"] + ["/hooks/rina"] * 3 + ["/hooks/joko"]

"""Channel faults over a simulated day: an SMTP server that refuses (5xx or 4xx), stalls past the
client's timeout, or is down; a chat webhook that answers 500 or hangs. In every case the
dispatcher, run every few minutes on the injected clock, retries each message with exponential
backoff, gives up at the attempt limit and tells HR once per message, and once the channel is back
and HR retries, each message arrives exactly once.

`tests/test_notification_delivery.py` already covers the single pieces: SMTP down for three
attempts then back (connection refused), a webhook answering 500 to the limit (HR told once), a
hanging webhook timing out once, two dispatchers sharing the outbox. This file runs each fault
through the whole day and the recovery, for the faults those tests do not (refusal replies,
stalled SMTP, a hanging webhook to the limit), and the HR retry afterwards. SQLite and PostgreSQL.
"""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, select, update

from config.settings import Settings
from demo.local_sinks import WebhookSink
from models import Employee, Notification
from models.db import create_db_engine, read_session, write_session
from models.outbox_queries import retry_failed
from notifications.apprise_channel import DEFAULT_TIMEOUT_SECONDS
from notifications.dispatch import DispatchReport, dispatch_pending, enqueue
from roster.load import import_roster
from tests.builders import JOKO, RINA, small_roster, write_roster
from tests.fault_sinks import ACCEPTED, FaultySmtpSink, skip_ca_store

START = datetime(2027, 1, 11, 1, 0, tzinfo=UTC)  # Monday 08.00 WIB
BASE_DELAY = timedelta(minutes=5)
MAX_ATTEMPTS = 5
STALL_TIMEOUT = 0.5  # seconds per send against a stalling server: it costs this, not its stall
STALL = 2.0
# Exponential backoff on the clock: attempt n+1 comes BASE_DELAY × 2^(n-1) after attempt n.
ATTEMPTS_AT = [timedelta(0), BASE_DELAY, 3 * BASE_DELAY, 7 * BASE_DELAY, 15 * BASE_DELAY]


@dataclass
class Channels:
    """The loopback SMTP server and the webhook server (chat and HR's channel)."""

    smtp: FaultySmtpSink
    webhooks: WebhookSink

    def settings(self) -> Settings:
        return Settings(
            smtp_url=SecretStr(self.smtp.url),
            hr_notify_url=SecretStr(self.webhooks.url("json", "/hooks/hr")),
            base_url="https://kinerja.kota.go.id",
        )

    def chats(self, since: int = 0) -> list[str]:
        """Paths of the chat posts the webhook server got (HR's left out), from call `since` on."""
        return [path for path in self.webhooks.paths()[since:] if path != "/hooks/hr"]

    def attempts_arrived(self, count: int) -> int:
        """Wait (at most 10 s) until `count` chat posts arrived — a hung post is recorded when its
        stall ends, after the client gave up — and return how many calls there are in all."""
        deadline = time.monotonic() + 10
        while len(self.chats()) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.chats()) == count
        return len(self.webhooks.paths())


@dataclass(frozen=True)
class Fault:
    """How a channel breaks (`start`) and comes back (`end`), which channel the messages use, and
    what the recorded error must say."""

    channel: str
    start: Callable[[Channels], None]
    end: Callable[[Channels], None]
    error: str
    # Short only where the server stalls: elsewhere a loaded machine must not turn a reply into a timeout.
    timeout: float = DEFAULT_TIMEOUT_SECONDS


def _reply(text: str) -> Callable[[Channels], None]:
    def apply(channels: Channels) -> None:
        channels.smtp.reply = text

    return apply


def _stall(seconds: float) -> Callable[[Channels], None]:
    def apply(channels: Channels) -> None:
        channels.smtp.stall_seconds = seconds

    return apply


def _chat(status: int | None = None, delay: float | None = None) -> Callable[[Channels], None]:
    def apply(channels: Channels) -> None:
        for path in ("/hooks/rina", "/hooks/joko"):
            channels.webhooks.status.pop(path, None)
            channels.webhooks.delay.pop(path, None)
            if status is not None:
                channels.webhooks.status[path] = status
            if delay is not None:
                channels.webhooks.delay[path] = delay

    return apply


FAULTS = {
    "smtp-refuses-5xx": Fault(
        "email", _reply("550 5.7.1 Relaying denied"), _reply(ACCEPTED), "(550, b'5.7.1"
    ),
    "smtp-refuses-4xx": Fault(
        "email", _reply("451 4.3.2 System not accepting messages"), _reply(ACCEPTED), "(451,"
    ),
    "smtp-times-out": Fault("email", _stall(STALL), _stall(0.0), "timed out", STALL_TIMEOUT),
    "smtp-down-all-day": Fault(
        "email", lambda c: c.smtp.stop(), lambda c: c.smtp.start(), "Connection refused"
    ),
    "chat-answers-500": Fault("chat", _chat(status=500), _chat(), "error=500"),
    "chat-hangs": Fault(
        "chat", _chat(delay=STALL), _chat(), "Read timed out. (read timeout=0.5)", STALL_TIMEOUT
    ),
}


@pytest.fixture
def channels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Channels]:
    skip_ca_store(monkeypatch, tmp_path)
    smtp, webhooks = FaultySmtpSink().start(), WebhookSink().start()
    yield Channels(smtp, webhooks)
    smtp.stop()
    webhooks.stop()


@pytest.fixture
def engine(database_url: str, tmp_path: Path, channels: Channels) -> Iterator[Engine]:
    """The small roster; Rina and Joko chat through the webhook server."""
    engine = create_db_engine(database_url)
    import_roster(
        engine, write_roster(tmp_path / "roster.csv", small_roster()), default_timezone="Asia/Jakarta"
    )
    with write_session(engine) as session:
        for nip, path in ((RINA, "/hooks/rina"), (JOKO, "/hooks/joko")):
            chat = channels.webhooks.url("json", path)
            session.execute(update(Employee).where(Employee.nip == nip).values(chat_url=chat))  # type: ignore[arg-type]
    yield engine
    engine.dispose()


def queue_invitations(engine: Engine, channel: str) -> None:
    """One invitation each to Rina and Joko by `channel`."""
    with write_session(engine) as session:
        people = dict(
            session.execute(select(Employee.nip, Employee.id).where(Employee.nip.in_((RINA, JOKO)))).all()
        )  # type: ignore[attr-defined]
        enqueue(session, [
            {"dedupe_key": f"inv:{nip}", "recipient_id": person, "channel": channel, "template": "invitation",
             "payload": {"reviewer_name": nip, "reviewee_name": "Siti Aminah", "reviewee_nip": "198002022005012001",
                         "kind": "supervisor", "period_key": "annual-2027", "due_at": "2027-01-18T16:59:00+00:00",
                         "timezone": "Asia/Jakarta", "link": f"https://kinerja.kota.go.id/review/{nip}"}}
            for nip, person in people.items()
        ])  # fmt: skip


def simulated_day(engine: Engine, settings: Settings, timeout: float) -> dict[timedelta, DispatchReport]:
    """The dispatcher every 5 minutes for two hours, then hourly to the end of the day: the
    reports of the runs that did something, by their offset from START."""
    offsets = [BASE_DELAY * n for n in range(24)] + [timedelta(hours=h) for h in range(2, 25)]
    busy = {}
    for offset in offsets:
        report = dispatch_pending(
            engine, settings, START + offset, max_attempts=MAX_ATTEMPTS,
            base_delay_seconds=int(BASE_DELAY.total_seconds()), timeout_seconds=timeout,
        )  # fmt: skip
        if report != DispatchReport():
            busy[offset] = report
    return busy


def outbox(engine: Engine) -> dict[str, tuple[str, int, Any, str | None]]:
    """dedupe key → (status, attempts, payload, last error) of every row."""
    with read_session(engine) as session:
        rows = session.execute(
            select(Notification.dedupe_key, Notification.status, Notification.attempts, Notification.payload,
                   Notification.last_error)
        )  # fmt: skip
        return {key: tuple(rest) for key, *rest in rows}  # type: ignore[misc]


@pytest.mark.parametrize("fault_name", list(FAULTS))
def test_a_channel_fault_is_retried_with_backoff_hr_is_told_once_and_nothing_is_lost(
    engine: Engine, channels: Channels, fault_name: str
) -> None:
    fault = FAULTS[fault_name]
    settings = channels.settings()
    queue_invitations(engine, fault.channel)
    fault.start(channels)

    busy = simulated_day(engine, settings, fault.timeout)

    # Both messages tried at 0, 5, 15, 35 and 75 minutes, then given up; HR told in the same run.
    assert busy == {
        **{offset: DispatchReport(retried=2) for offset in ATTEMPTS_AT[:-1]},
        ATTEMPTS_AT[-1]: DispatchReport(failed=2, sent=2),
    }, fault_name
    rows = outbox(engine)
    failed = {key: row for key, row in rows.items() if key.startswith("inv:")}
    assert {(status, attempts) for status, attempts, *_ in failed.values()} == {("failed", MAX_ATTEMPTS)}
    assert all(fault.error in (row[3] or "") for row in failed.values()), failed
    alerts = [row for key, row in rows.items() if key.startswith("delivery-failed:")]
    assert [(status, payload["attempts"]) for status, _, payload, _ in alerts] == [("sent", MAX_ATTEMPTS)] * 2
    assert channels.webhooks.paths().count("/hooks/hr") == 2
    assert channels.smtp.inbox == []
    # Every attempt reached the server (except, of course, those to a server that is down).
    chat_posts = channels.attempts_arrived(2 * MAX_ATTEMPTS if fault.channel == "chat" else 0)
    if fault_name.startswith("smtp-refuses"):
        assert channels.smtp.attempts == 2 * MAX_ATTEMPTS

    fault.end(channels)
    recovered = START + timedelta(days=1, hours=1)
    with write_session(engine) as session:
        assert retry_failed(session, recovered, "hr:sri") == 2
    assert dispatch_pending(engine, settings, recovered) == DispatchReport(sent=2)
    assert dispatch_pending(engine, settings, recovered + timedelta(days=1)) == DispatchReport()

    mails = sorted(mail.rcpt_tos[0] for mail in channels.smtp.inbox)
    chats = sorted(channels.chats(since=chat_posts))
    if fault.channel == "email":
        assert (mails, chats) == (["joko.susilo@kota.go.id", "rina.marlina@kota.go.id"], [])
    else:
        assert (mails, chats) == ([], ["/hooks/joko", "/hooks/rina"])
    assert channels.webhooks.paths().count("/hooks/hr") == 2  # no second alert
    assert {rows[0] for key, rows in outbox(engine).items()} == {"sent"}

"""Reminders end to end with a real SMTP server on loopback: the policy, office hours, escalation."""

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select

from config.cycles import load_cycles
from config.settings import DEFAULT_CYCLES_PATH, load_settings
from cycle.opening import open_period
from demo.local_sinks import SmtpSink
from flows.steps import reminders_step
from models import Appraisal, Notification
from models.db import create_db_engine, read_session, write_session
from roster.load import import_roster
from tests.builders import small_roster, write_roster
from tests.cycle_builders import LINKS
from web.links import appraisal_id_from_token

JAKARTA = ZoneInfo("Asia/Jakarta")
OPENED = datetime(
    2027, 1, 4, 7, 0, tzinfo=JAKARTA
)  # Monday, before office hours; self reviews close 2027-01-19
# overdue_daily_limit 3 → the target day is 3 working days before the 19th: Thursday 14 January.


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def engine(
    database_url: str, tmp_path: Path, smtp: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    monkeypatch.setenv("APPRAISAL_SMTP_URL", smtp.url)
    monkeypatch.setenv("APPRAISAL_HR_EMAIL", "bkpsdm@kota.go.id")
    db_engine = create_db_engine(database_url)
    import_roster(
        db_engine, write_roster(tmp_path / "roster.csv", small_roster()), default_timezone="Asia/Jakarta"
    )
    with write_session(db_engine) as session:
        open_period(session, load_cycles(DEFAULT_CYCLES_PATH), "annual", OPENED)
    yield db_engine
    db_engine.dispose()


def send(at: str) -> dict[str, object]:
    return reminders_step(load_settings(now=at))


def templates_sent(engine: Engine) -> dict[str, int]:
    with read_session(engine) as session:
        rows = session.execute(
            select(Notification.template, func.count())
            .where(Notification.status == "sent")
            .group_by(Notification.template)
        )
        return dict(rows.all())


def mails_to(smtp: SmtpSink, address: str) -> list[str]:
    return [str(mail.message["Subject"]) for mail in smtp.inbox if address in mail.rcpt_tos]


def test_nothing_before_office_hours_then_invitations_and_digest(engine: Engine, smtp: SmtpSink) -> None:
    assert send("2027-01-04T06:30:00+07:00")["queued"] == 0  # 07:30 in Makassar too
    result = send("2027-01-04T09:00:00+07:00")
    assert (
        result["queued"] == 8 + 1 + 1
    )  # 8 invitations by email, Putri's by chat too (no chat server: retried), HR digest
    assert templates_sent(engine) == {"invitation": 8, "hr_digest": 1}
    siti = smtp.inbox[[m.rcpt_tos for m in smtp.inbox].index(["siti.aminah@kota.go.id"])]
    assert "/review/" in siti.part("text/html") and "Siti Aminah" in siti.part("text/html")
    assert send("2027-01-04T10:00:00+07:00")["queued"] == 0  # the same day again: nothing new


def test_makassar_staff_are_reminded_in_their_own_office_hours(engine: Engine) -> None:
    """08:30 WIB is 09:30 WITA: everyone in office; 15:30 WIB is 16:30 WITA: only Jakarta staff."""
    assert send("2027-01-04T15:30:00+07:00")["queued"] == 5 + 1  # 5 WIB invitations + the HR digest
    assert send("2027-01-05T10:00:00+07:00")["queued"] == 0  # 5 January 2027 is a national holiday
    assert (
        send("2027-01-06T08:30:00+07:00")["queued"] == 3 + 1 + 1
    )  # the 3 WITA staff (Putri also by chat), digest


def test_before_due_overdue_and_escalation_to_the_supervisor(engine: Engine, smtp: SmtpSink) -> None:
    send("2027-01-04T09:00:00+07:00")
    assert send("2027-01-09T10:00:00+07:00")["queued"] == 0  # a Saturday
    send("2027-01-11T09:00:00+07:00")  # 3 working days before the 14th
    assert templates_sent(engine)["reminder_before"] == 8
    send("2027-01-14T09:00:00+07:00")  # the target day
    assert templates_sent(engine)["reminder_due"] == 8
    for day in ("15", "18", "19"):  # 1, 2 and 3 working days late; the 19th is the stage's last day
        send(f"2027-01-{day}T09:00:00+07:00")
    sent = templates_sent(engine)
    assert sent["overdue"] == 8 * 3
    assert sent["escalation"] == 7  # Budi has no supervisor to escalate to
    assert any("Agus Salim" in subject for subject in mails_to(smtp, "dewi.lestari@kota.go.id"))


def test_dry_run_lists_and_writes_nothing(engine: Engine, smtp: SmtpSink) -> None:
    result = reminders_step(load_settings(now="2027-01-04T09:00:00+07:00"), dry_run=True)
    assert len(result["would_send"]) == 10 and {"invitation", "hr_digest"} == {
        r["template"] for r in result["would_send"]
    }
    with read_session(engine) as session:
        assert session.execute(select(func.count(Notification.id))).scalar_one() == 0
    assert smtp.inbox == []


def test_opening_queues_invitations_in_its_transaction_held_until_office_hours(
    database_url: str, tmp_path: Path
) -> None:
    from flows.steps import open_period_step

    db_engine = create_db_engine(database_url)
    import_roster(
        db_engine, write_roster(tmp_path / "roster.csv", small_roster()), default_timezone="Asia/Jakarta"
    )
    open_period_step(load_settings(now="2027-01-04T07:00:00+07:00"), "annual")
    with read_session(db_engine) as session:
        rows = session.execute(
            select(Notification.dedupe_key, Notification.next_attempt_at, Notification.payload)
        ).all()
    db_engine.dispose()
    invitations = {key: (at, payload) for key, at, payload in rows if key.startswith("invitation:")}
    assert len(invitations) == 9  # 8 by email, Putri also by chat
    held = {at.astimezone(JAKARTA).isoformat() for at, _ in invitations.values()}
    assert held == {
        "2027-01-04T08:00:00+07:00",
        "2027-01-04T07:00:00+07:00",
    }  # WIB 08:00; WITA 08:00 is 07:00 WIB
    assert all("/review/" in payload["link"] for _, payload in invitations.values())


def test_close_tells_each_employee_and_supervisor_once(database_url: str, tmp_path: Path) -> None:
    from cycle.closing import close_period
    from models import Period

    db_engine = create_db_engine(database_url)
    import_roster(
        db_engine, write_roster(tmp_path / "roster.csv", small_roster()), default_timezone="Asia/Jakarta"
    )
    config = load_cycles(DEFAULT_CYCLES_PATH)
    with write_session(db_engine) as session:
        open_period(session, config, "annual", OPENED)
    closing_time = datetime(
        2027, 3, 1, 18, 0, tzinfo=JAKARTA
    )  # after office hours: held until the next morning
    for _ in range(2):  # the second close changes nothing and queues nothing
        with write_session(db_engine) as session:
            period = session.execute(select(Period)).scalar_one()
            close_period(
                session,
                period,
                closing_time,
                actor="test",
                training_for=config.training_for,
                links=LINKS,
                force=True,
                accept_distribution=True,
            )
    with read_session(db_engine) as session:
        rows = session.execute(
            select(
                Notification.template,
                Notification.recipient_id,
                Notification.next_attempt_at,
                Notification.payload,
            )
        ).all()
    db_engine.dispose()
    results = [r for r in rows if r.template == "result"]
    teams = [r for r in rows if r.template == "team_summary"]
    assert len(results) == 8 + 1  # everyone by email, Putri also by chat
    assert {r.payload["predikat"] for r in results} == {
        None
    }  # forced close: no supervisor review, all incomplete
    assert all(r.payload["incomplete_reason"] for r in results)
    # Each result links to that employee's own results page (a signed appraisal id, not a review's).
    reader = create_db_engine(database_url)
    with read_session(reader) as session:
        owners = dict(session.execute(select(Appraisal.id, Appraisal.employee_id)).all())
    reader.dispose()
    for row in results:
        token = row.payload["link"].removeprefix(f"{LINKS.base_url}/results/")
        assert owners[appraisal_id_from_token(LINKS.secret, token)] == row.recipient_id
    assert len(teams) == 3 + 0  # Budi, Andi and Dewi supervise someone; none has a chat URL
    assert {r.next_attempt_at.astimezone(JAKARTA).date().isoformat() for r in results + teams} == {
        "2027-03-02"
    }
    members = sorted(sorted(m["name"] for m in r.payload["members"]) for r in teams)
    assert members == [
        ["Agus Salim", "Putri Maharani"],
        ["Dewi Lestari", "Joko Susilo", "Rina Marlina, S.Kep."],
        ["Siti Aminah", "dr. Andi Wijaya"],
    ]

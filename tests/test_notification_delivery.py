"""Delivering the outbox over real transports on loopback: SMTP (aiosmtpd) and HTTP webhooks.

Every test injects `now`; the clock never comes from the wall. Database tests run on SQLite and
PostgreSQL (`database_url`).
"""

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, func, select, update

from config.settings import Settings
from demo.local_sinks import SmtpSink, WebhookSink
from models import Employee, Notification
from models.db import create_db_engine, read_session, write_session
from notifications.apprise_channel import email_url, send
from notifications.dispatch import DispatchReport, dispatch_pending, enqueue
from notifications.rendering import RenderError, render
from roster.load import import_roster
from tests.builders import JOKO, PUTRI, RINA, small_roster, write_roster

NOW = datetime(2027, 1, 11, 2, 0, tzinfo=UTC)  # Monday 09.00 WIB
DUE = "2027-01-18T16:59:00+00:00"  # Monday 18 January 2027 23.59 WIB


@pytest.fixture
def engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """The small roster, imported."""
    engine = create_db_engine(database_url)
    import_roster(
        engine, write_roster(tmp_path / "roster.csv", small_roster()), default_timezone="Asia/Jakarta"
    )
    yield engine
    engine.dispose()


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def webhooks() -> Iterator[WebhookSink]:
    sink = WebhookSink().start()
    yield sink
    sink.stop()


def settings(**values: Any) -> Settings:
    secrets = {k: SecretStr(v) for k, v in values.items() if k in ("smtp_url", "hr_notify_url")}
    return Settings(**{**values, **secrets, "base_url": "https://kinerja.kota.go.id"})


def employee(engine: Engine, nip: str, **changes: Any) -> int:
    """The employee's id, after applying `changes` (locale, chat_url, …) with an UPDATE."""
    with write_session(engine) as session:
        if changes:
            session.execute(update(Employee).where(Employee.nip == nip).values(**changes))  # type: ignore[arg-type]
        return int(session.execute(select(Employee.id).where(Employee.nip == nip)).scalar_one())


def invitation(recipient_id: int | None, key: str, channel: str = "email", **extra: Any) -> dict[str, Any]:
    payload = {
        "reviewer_name": "Rina Marlina, S.Kep.", "reviewee_name": "Joko Susilo", "reviewee_nip": JOKO,
        "kind": "supervisor", "period_key": "annual-2027", "due_at": DUE, "timezone": "Asia/Jakarta",
        "link": f"https://kinerja.kota.go.id/review/{key}",
    }  # fmt: skip
    return {"dedupe_key": key, "recipient_id": recipient_id, "channel": channel, "template": "invitation", "payload": {**payload, **extra}}  # fmt: skip


def put(engine: Engine, rows: list[dict[str, Any]]) -> int:
    with write_session(engine) as session:
        return enqueue(session, rows)


def outbox(engine: Engine) -> dict[str, Notification]:
    with read_session(engine) as session:
        return {row.dedupe_key: row for row in session.exec(select(Notification)).scalars()}  # type: ignore[call-overload]


# --- enqueue -------------------------------------------------------------------------------------


def test_enqueue_twice_inserts_once(engine: Engine) -> None:
    rina = employee(engine, RINA)
    rows = [invitation(rina, "inv:1"), invitation(rina, "inv:2"), invitation(rina, "inv:1")]
    assert put(engine, rows) == 2
    assert put(engine, rows) == 0
    with read_session(engine) as session:
        assert session.execute(select(func.count()).select_from(Notification)).scalar_one() == 2


def test_enqueue_refuses_unknown_template(engine: Engine) -> None:
    with pytest.raises(ValueError, match="unknown notification template 'invite'"):
        put(engine, [{**invitation(None, "x"), "template": "invite"}])


# --- email over SMTP -----------------------------------------------------------------------------


def test_email_arrives_in_each_recipients_language(engine: Engine, smtp: SmtpSink) -> None:
    rina, joko = employee(engine, RINA), employee(engine, JOKO, locale="en")
    put(engine, [invitation(rina, "inv:rina"), invitation(joko, "inv:joko")])

    report = dispatch_pending(engine, settings(smtp_url=smtp.url), NOW)

    assert report == DispatchReport(sent=2)
    mails = {mail.rcpt_tos[0]: mail for mail in smtp.inbox}
    assert sorted(mails) == ["joko.susilo@kota.go.id", "rina.marlina@kota.go.id"]
    indonesian, english = mails["rina.marlina@kota.go.id"], mails["joko.susilo@kota.go.id"]
    assert indonesian.message["To"] == "rina.marlina@kota.go.id"
    assert indonesian.message["Subject"] == "Undangan penilaian atasan: Joko Susilo (annual-2027)"
    assert english.message["Subject"] == "Invitation: supervisor review for Joko Susilo (annual-2027)"
    assert "kepegawaian@kota.go.id" in indonesian.message["From"]
    for mail, deadline in (
        (indonesian, "Senin, 18 Januari 2027 23.59 WIB"),
        (english, "Monday 18 January 2027 23:59 WIB"),
    ):
        html, text = mail.part("text/html"), mail.part("text/plain")
        assert deadline in html and deadline in text
        assert "https://kinerja.kota.go.id/review/inv:" in text
        assert 'href="https://kinerja.kota.go.id/review/inv:' in html
    assert "Batas waktu" in indonesian.part("text/plain")
    assert "Due:" in english.part("text/plain")
    rows = outbox(engine)
    assert {row.status for row in rows.values()} == {"sent"}
    assert {row.sent_at for row in rows.values()} == {NOW}


def test_email_to_hr_through_smtp_when_no_hr_channel(engine: Engine, smtp: SmtpSink) -> None:
    put(engine, [{"dedupe_key": "flow:1", "channel": "hr", "template": "flow_failed", "payload": {
        "flow_name": "advance-periods", "flow_run_name": "calm-otter", "flow_run_id": "6f1c",
        "error": "database is locked", "at": "2027-01-11T01:00:00Z"}}])  # fmt: skip

    assert dispatch_pending(engine, settings(smtp_url=smtp.url, hr_email="hr@kota.go.id"), NOW).sent == 1
    (mail,) = smtp.inbox
    assert mail.rcpt_tos == ["hr@kota.go.id"]
    assert "Senin, 11 Januari 2027 08.00 WIB" in mail.part("text/plain")


def test_smtp_down_backs_off_then_each_message_arrives_once(engine: Engine, smtp: SmtpSink) -> None:
    config = settings(smtp_url=smtp.url)
    smtp.stop()
    people = [employee(engine, nip) for nip in (RINA, JOKO, PUTRI)]
    put(engine, [invitation(person, f"inv:{person}") for person in people])

    first = dispatch_pending(engine, config, NOW, base_delay_seconds=60)
    assert first == DispatchReport(retried=3)
    rows = outbox(engine).values()
    assert {(row.status, row.attempts, row.next_attempt_at) for row in rows} == {
        ("pending", 1, NOW + timedelta(seconds=60))
    }
    assert all("Connection refused" in (row.last_error or "") for row in rows)
    assert all(
        "127.0.0.1:" not in (row.last_error or "") or "mailto://" not in (row.last_error or "")
        for row in rows
    )

    assert dispatch_pending(engine, config, NOW + timedelta(seconds=59)) == DispatchReport()  # not due yet
    second = NOW + timedelta(seconds=60)
    assert dispatch_pending(engine, config, second, base_delay_seconds=60) == DispatchReport(retried=3)
    third = second + timedelta(seconds=120)  # 60 × 2^(2-1)
    assert {row.next_attempt_at for row in outbox(engine).values()} == {third}

    smtp.start()  # same port
    assert dispatch_pending(engine, config, third) == DispatchReport(sent=3)
    assert dispatch_pending(engine, config, third + timedelta(days=1)) == DispatchReport()
    assert sorted(mail.rcpt_tos[0] for mail in smtp.inbox) == [
        "joko.susilo@kota.go.id", "putri.maharani@kota.go.id", "rina.marlina@kota.go.id",
    ]  # fmt: skip
    assert {(row.status, row.attempts) for row in outbox(engine).values()} == {("sent", 3)}


def test_missing_smtp_account_is_a_recorded_failure(engine: Engine) -> None:
    put(engine, [invitation(employee(engine, RINA), "inv:1")])

    assert dispatch_pending(engine, settings(), NOW) == DispatchReport(retried=1)
    assert "APPRAISAL_SMTP_URL" in (outbox(engine)["inv:1"].last_error or "")


# --- chat webhooks -------------------------------------------------------------------------------


def test_chat_reaches_json_webhook_and_mattermost(engine: Engine, webhooks: WebhookSink) -> None:
    rina = employee(engine, RINA, chat_url=webhooks.url("json", "/hooks/rina"))
    putri = employee(engine, PUTRI, chat_url=webhooks.url("mmost", "/mmtoken123"), locale="en")
    put(
        engine,
        [
            invitation(rina, "inv:rina", "chat"),
            invitation(putri, "inv:putri", "chat", timezone="Asia/Makassar"),
        ],
    )

    assert dispatch_pending(engine, settings(), NOW) == DispatchReport(sent=2)
    calls = {call.path: call for call in webhooks.calls}
    assert sorted(calls) == ["/hooks/mmtoken123", "/hooks/rina"]
    json_message = calls["/hooks/rina"].body["message"]
    assert "Penilaian atasan untuk Joko Susilo" in json_message
    assert "https://kinerja.kota.go.id/review/inv:rina" in json_message
    mattermost_text = calls["/hooks/mmtoken123"].body["text"]
    assert "Tuesday 19 January 2027 00:59 WITA" in mattermost_text
    assert "https://kinerja.kota.go.id/review/inv:putri" in mattermost_text


def test_failing_webhook_retries_then_fails_and_tells_hr_exactly_once(
    engine: Engine, webhooks: WebhookSink
) -> None:
    webhooks.status["/hooks/rina"] = 500
    rina = employee(engine, RINA, chat_url=webhooks.url("json", "/hooks/rina"))
    config = settings(hr_notify_url=webhooks.url("json", "/hooks/hr"))
    put(engine, [invitation(rina, "inv:1", "chat")])

    reports = []
    at = NOW
    for _ in range(5):
        reports.append(dispatch_pending(engine, config, at, max_attempts=3, base_delay_seconds=10))
        at += timedelta(hours=1)

    # The third failure gives up and enqueues the HR notice, which the same run then delivers.
    assert reports[:3] == [
        DispatchReport(retried=1),
        DispatchReport(retried=1),
        DispatchReport(sent=1, failed=1),
    ]
    assert reports[3:] == [DispatchReport(), DispatchReport()]
    assert webhooks.paths().count("/hooks/rina") == 3
    assert webhooks.paths().count("/hooks/hr") == 1
    rows = outbox(engine)
    failed = rows["inv:1"]
    assert (failed.status, failed.attempts) == ("failed", 3)
    assert "500" in (failed.last_error or "")
    notice = rows[f"delivery-failed:{failed.id}"]
    assert (notice.channel, notice.template, notice.status, notice.recipient_id) == (
        "hr",
        "delivery_failed",
        "sent",
        None,
    )
    assert notice.payload["recipient"] == f"Rina Marlina, S.Kep. ({RINA})"
    hr_text = webhooks.calls[-1].body["message"]
    assert "setelah 3 percobaan" in hr_text


def test_hanging_webhook_times_out(engine: Engine, webhooks: WebhookSink) -> None:
    webhooks.delay["/hooks/slow"] = 5.0
    put(
        engine,
        [invitation(employee(engine, RINA, chat_url=webhooks.url("json", "/hooks/slow")), "inv:1", "chat")],
    )

    started = time.perf_counter()
    report = dispatch_pending(engine, settings(), NOW, timeout_seconds=0.5)

    assert time.perf_counter() - started < 3.0
    assert report == DispatchReport(retried=1)
    assert "timed out" in (outbox(engine)["inv:1"].last_error or "").lower()


def test_inactive_recipient_is_skipped(engine: Engine, webhooks: WebhookSink) -> None:
    rina = employee(engine, RINA, chat_url=webhooks.url("json", "/hooks/rina"), active=False)
    put(engine, [invitation(rina, "inv:1", "chat")])

    assert dispatch_pending(engine, settings(), NOW) == DispatchReport(skipped=1)
    assert webhooks.calls == []
    assert outbox(engine)["inv:1"].status == "failed"


def test_two_dispatchers_never_send_the_same_row(engine: Engine, webhooks: WebhookSink) -> None:
    rina = employee(engine, RINA, chat_url=webhooks.url("json", "/hooks/rina"))
    put(engine, [invitation(rina, f"inv:{n}", "chat") for n in range(60)])
    reports: list[DispatchReport] = []

    def run() -> None:
        reports.append(dispatch_pending(engine, settings(), NOW, batch_size=5))

    workers = [threading.Thread(target=run) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert sum(report.sent for report in reports) == 60
    links = [call.body["message"].rsplit(" ", 1)[-1] for call in webhooks.calls]
    assert len(links) == len(set(links)) == 60


# --- the adapter and the templates, without a database ---------------------------------------------


def test_adapter_reports_refused_connection_without_leaking_the_url() -> None:
    result = send("json://user:s3cret@127.0.0.1:1/hook", "t", "b", "text", timeout=1)
    assert not result.ok
    assert "Connection refused" in (result.error or "") and "s3cret" not in (result.error or "")


def test_email_url_addresses_exactly_the_recipient() -> None:
    url = email_url(
        "mailtos://user:p%40ss@smtp.kota.go.id:587/admin@kota.go.id?to=x@y.id&from=hr@kota.go.id",
        "a+b@kota.go.id",
    )
    assert url == "mailtos://user:p%40ss@smtp.kota.go.id:587?from=hr%40kota.go.id&to=a%2Bb%40kota.go.id"


def test_rendering_escapes_html_but_not_text() -> None:
    payload = invitation(1, "k")["payload"] | {"reviewee_name": "Tom & <Jerry>"}
    rendered = render("invitation", None, payload, "email")
    assert "Tom & <Jerry>" in rendered.text and "Tom &amp; &lt;Jerry&gt;" in rendered.html
    assert rendered.title.startswith("Undangan")  # no locale: Indonesian


@pytest.mark.parametrize(
    ("template", "locale", "expected"),
    [
        ("result", "id", "Predikat: Baik\nHasil kerja: sesuai ekspektasi"),
        ("result", "en", "- Training: Weak on timeliness"),
        ("team_summary", "id", "- Joko Susilo (NIP 199005052015031003): belum ditetapkan"),
        ("hr_digest", "en", "- DINKES: 3 open, 1 overdue, 0 missed"),
        (
            "escalation",
            "id",
            "Batas waktunya Senin, 18 Januari 2027 23.59 WIB; kini sudah terlambat 4 hari kerja.",
        ),
        (
            "delivery_failed",
            "en",
            'The "invitation" message for Rina by chat could not be delivered after 5 attempts.',
        ),
    ],
)
def test_templates_render_their_payloads(template: str, locale: str, expected: str) -> None:
    payloads: dict[str, dict[str, Any]] = {
        "result": {"name": "Joko", "period_key": "annual-2027", "predikat": "Baik", "incomplete_reason": None,
                   "result_rating": "meets", "behaviour_rating": "above", "final_score": 3.4,
                   "recommendations": [{"kind": "training", "reason_id": "Lemah pada waktu", "reason_en": "Weak on timeliness"}]},
        "team_summary": {"supervisor_name": "Andi", "period_key": "annual-2027",
                         "members": [{"name": "Joko Susilo", "nip": JOKO, "predikat": None}]},
        "hr_digest": {"date": "2027-01-18", "period_key": "annual-2027", "failed_deliveries": 0,
                      "units": [{"unit": "DINKES", "open": 3, "overdue": 1, "missed": 0}]},
        "escalation": {"supervisor_name": "Andi", "reviewer_name": "Rina", "reviewer_nip": RINA, "reviewee_name": "Joko",
                       "kind": "peer", "period_key": "annual-2027", "due_at": DUE, "timezone": "Asia/Jakarta", "overdue_days": 4},
        "delivery_failed": {"recipient": "Rina", "channel": "chat", "template": "invitation", "attempts": 5, "last_error": "HTTP 500"},
    }  # fmt: skip
    rendered = render(template, locale, payloads[template], "email")
    assert expected in rendered.text
    assert rendered.html.startswith("<!DOCTYPE html>") and rendered.chat


@pytest.mark.parametrize("locale", ["id", "en"])
def test_the_result_message_links_to_the_results_page(locale: str) -> None:
    """Rows queued by a close carry the signed results link; rows queued before links existed still render."""
    payload = {"name": "Joko", "period_key": "annual-2027", "predikat": "Baik", "incomplete_reason": None,
               "result_rating": "meets", "behaviour_rating": "meets", "final_score": 3.2, "recommendations": []}  # fmt: skip
    link = "https://kinerja.kota.go.id/results/MQ.signed"
    rendered = render("result", locale, {**payload, "link": link}, "email")
    assert link in rendered.text and f'href="{link}"' in rendered.html
    assert link in render("result", locale, {**payload, "link": link}, "chat").chat
    assert "/results/" not in render("result", locale, payload, "email").text


def test_rendering_errors_are_clear() -> None:
    with pytest.raises(RenderError, match="unknown notification template 'invite'"):
        render("invite", "id", {}, "email")
    with pytest.raises(RenderError, match="unsupported locale 'fr'"):
        render("invitation", "fr", {}, "email")
    with pytest.raises(RenderError, match="'kind' is undefined"):
        render("invitation", "en-GB", {"reviewer_name": "x"}, "chat")

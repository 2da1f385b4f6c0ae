"""The distributed deployment, end to end: a Prefect server backed by PostgreSQL, a process work
pool, two workers, our flows deployed from prefect.yaml — then a whole annual cycle driven by
deployment runs (every step started twice at once), and the proof that each step's work happened
exactly once, in the engine's own database.

Staff submit their reviews in this process (as the web forms do, through `record_submission`).
Open, reminders, the advance to calibration, close and dispatch run as deployments on the
workers; the two intermediate advances (self → supervisor → peer) run here, through the same
step function, because each round of runs costs about a minute of process start-up on 2 busy
cores. Mail and chat go to loopback sinks, so "delivered once" is counted where messages arrive.
Measured on 2 shared cores: 3.8 min at a load average of 2-4 (server, pool, deploy and workers
54 s, five rounds 25-32 s each), 9 min at 10-14; phase times go to
test-artifacts/distributed-deployment.txt.
Needs PostgreSQL (skipped without it, an error when CI=true: tests/conftest.py's rule).
"""

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, inspect, select

from config.settings import load_settings
from cycle.calendar import add_working_days
from cycle.calibration import calibration_time_over, period_by_key
from demo.local_sinks import SmtpSink, WebhookSink
from flows.steps import advance_step
from models import Appraisal, AuditEvent, Notification, Period, Review
from models.db import create_db_engine, read_session
from models.schema import upgrade_schema
from roster.load import import_roster
from tests.builders import write_roster
from tests.closing_builders import city_roster, submit_open
from tests.conftest import TEST_SECRET
from tests.cycle_builders import WIB, wib
from tests.flows.prefect_cluster import ROOT, PrefectCluster, fresh_database, prefect_cluster

pytestmark = pytest.mark.postgres

KEY = "annual-2027"
OPENED = wib(2027, 1, 4, 7)  # Monday 4 January 2027 at the open-annual schedule's hour
ROUND_SECONDS = 240  # bound on one round of runs (each run starts a Python process that imports Prefect)
ARTIFACT = ROOT / "test-artifacts" / "distributed-deployment.txt"


@dataclass
class Rounds:
    """Each round starts one deployment twice at once and waits for both runs to finish."""

    cluster: PrefectCluster
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    rounds: list[list[str]] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)  # wall time of each round

    def twice(self, deployment: str, now: datetime, **parameters: Any) -> None:
        started = time.monotonic()
        ids = [
            self.cluster.run_deployment(deployment, {"now": now.isoformat(), **parameters}) for _ in range(2)
        ]
        finished = self.cluster.wait_final(ids, ROUND_SECONDS)
        states = {run["name"]: (run["state_type"], run["state"]["message"]) for run in finished.values()}
        assert all(state == "COMPLETED" for state, _ in states.values()), (
            f"{deployment} at {now}: {states}; logs in {self.cluster.logs}"
        )
        self.runs.update(finished)
        self.rounds.append(ids)
        self.seconds.append(round(time.monotonic() - started))

    def overlapping(self) -> int:
        """How many rounds had their two runs executing at the same time."""

        def span(run_id: str) -> tuple[datetime, datetime]:
            run = self.runs[run_id]
            return datetime.fromisoformat(run["start_time"]), datetime.fromisoformat(run["end_time"])

        return sum(1 for a, b in self.rounds if span(a)[0] < span(b)[1] and span(b)[0] < span(a)[1])


def _seed(url: str, directory: Path, chat: WebhookSink) -> list[dict[str, str]]:
    """Migrate the engine's database and import the closing tests' 13-person city; chat URLs
    (one employee has one) point at the loopback webhook."""
    rows = [
        {**row, "chat_url": chat.url("json", f"/chat/{row['nip']}")} if row["chat_url"] else row
        for row in city_roster()
    ]
    engine = create_db_engine(url)
    upgrade_schema(engine)
    import_roster(
        engine,
        write_roster(directory / "roster.csv", rows),
        default_timezone="Asia/Jakarta",
        now=wib(2026, 12, 1),
    )
    engine.dispose()
    return rows


def _table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _step(url: str, now: datetime) -> dict[str, Any]:
    """An advance in this process: the step function the advance deployment runs."""
    return advance_step(load_settings(now=now.isoformat(), database_url=url), actor="test")


def _self_stage_last_day(engine: Engine) -> datetime:
    """09:00 WIB on the self-assessment stage's last day: three working days past the target day
    (DESIGN §7), so every open self-assessment is due an overdue notice and an escalation."""
    with read_session(engine) as session:
        due = session.execute(select(func.min(Review.due_at)).where(Review.kind == "self")).scalar_one()
    return datetime.combine(due.astimezone(WIB).date(), clock(9), tzinfo=WIB)


def test_two_workers_run_a_whole_cycle_from_prefect_yaml_and_each_step_happens_once(
    postgres_server: str, tmp_path: Path
) -> None:
    smtp, chat = SmtpSink().start(), WebhookSink().start()
    try:
        with (
            fresh_database(postgres_server, "appraisal") as engine_url,
            fresh_database(postgres_server, "prefect") as prefect_url,
        ):
            staff = _seed(engine_url, tmp_path, chat)
            engine_env = {"APPRAISAL_DATABASE_URL": engine_url, "APPRAISAL_SECRET_KEY": TEST_SECRET,
                          "APPRAISAL_PROJECT_DIR": str(ROOT), "APPRAISAL_BASE_URL": "http://appraisal.test",
                          "APPRAISAL_SMTP_URL": smtp.url, "APPRAISAL_HR_NOTIFY_URL": chat.url("json", "/hr")}  # fmt: skip
            engine = create_db_engine(engine_url)
            setup = time.monotonic()
            with prefect_cluster(tmp_path / "prefect", prefect_url, engine_env) as cluster:
                setup = round(time.monotonic() - setup)
                deployments = {d["name"]: d for d in cluster.api("POST", "/deployments/filter", {})}
                rounds = Rounds(cluster)
                rounds.twice("open-period/open-annual", OPENED)
                remind_at = _self_stage_last_day(engine)
                rounds.twice("send-reminders/reminders-daily", remind_at, dispatch=True)
                submitted_at = remind_at + timedelta(hours=1)
                for kind in ("self", "supervisor"):
                    submit_open(engine, KEY, kind, submitted_at, {})
                    _step(engine_url, submitted_at)
                submit_open(engine, KEY, "peer", submitted_at, {})
                rounds.twice("advance-stages/advance-hourly", remind_at + timedelta(hours=2))
                close_at = datetime.combine(add_working_days(remind_at.date(), 6), clock(6, 30), tzinfo=WIB)
                with read_session(engine) as session:
                    assert calibration_time_over(session, period_by_key(session, KEY), close_at)
                rounds.twice("close-due-periods/close-due-daily", close_at)
                # Messages wait for office hours (08:00-16:00 in the recipient's zone).
                office = datetime.combine(close_at.date(), clock(10), tzinfo=WIB)
                rounds.twice("dispatch-notifications/dispatch-every-5-minutes", office)
                workers = cluster.executing_workers(list(rounds.runs))
            engine.dispose()
            per_worker = Counter(workers.values())
            summary = (f"{len(rounds.runs)} flow runs in {len(rounds.rounds)} rounds of 2, all COMPLETED; "
                       f"runs per worker {dict(sorted(per_worker.items()))}; rounds whose two runs overlapped: "
                       f"{rounds.overlapping()}; seconds: server, pool, deploy and workers {setup}, rounds {rounds.seconds}")  # fmt: skip
            ARTIFACT.parent.mkdir(exist_ok=True)
            ARTIFACT.write_text(summary + "\n", encoding="utf-8")
            _check_each_step_once(engine_url, len(staff), smtp, chat)
            ours, prefects = _table_names(engine_url), _table_names(prefect_url)
    finally:
        smtp.stop()
        chat.stop()

    assert {"open-annual", "open-quarterly", "open-monthly", "advance-hourly", "close-due-daily",
            "dispatch-every-5-minutes", "reminders-daily"} == set(deployments)  # fmt: skip
    assert all(
        d["work_pool_name"] == "appraisal" and d["schedules"][0]["active"] for d in deployments.values()
    )
    assert {"appraisal", "review", "notification", "audit_event", "period"} <= ours and not ours & {
        "flow_run",
        "deployment",
    }
    assert {"flow_run", "deployment", "work_pool"} <= prefects and not prefects & {
        "appraisal",
        "notification",
    }
    assert set(workers) == set(rounds.runs), f"no worker event for some runs: {summary}"
    assert set(per_worker) == {"worker-1", "worker-2"}, summary
    assert rounds.overlapping() >= 1, summary


def _check_each_step_once(url: str, staff: int, smtp: SmtpSink, chat: WebhookSink) -> None:
    """One period, one appraisal per employee, each review once, each stage move and the close
    audited once, every message sent on its first attempt and received once."""
    engine = create_db_engine(url)
    with read_session(engine) as session:
        periods = session.execute(select(Period.key, Period.status)).all()
        employees = session.execute(select(Appraisal.employee_id, Appraisal.stage)).all()
        reviews = session.execute(
            select(Review.appraisal_id, Review.reviewer_id, Review.kind, Review.status)
        ).all()
        events = session.execute(
            select(AuditEvent.action, AuditEvent.entity_id, AuditEvent.before, AuditEvent.after)
        ).all()
        messages = session.execute(
            select(Notification.channel, Notification.template, Notification.status, Notification.attempts)
        ).all()
    engine.dispose()
    assert periods == [(KEY, "closed")]
    assert len(employees) == staff and len({e for e, _ in employees}) == staff
    assert {stage for _, stage in employees} == {"closed"}
    assert len({r[:3] for r in reviews}) == len(reviews) and {r[3] for r in reviews} == {"submitted"}
    assert Counter(r[2] for r in reviews)["self"] == staff
    actions = Counter(action for action, *_ in events)
    assert (actions["period.open"], actions["period.close"]) == (1, 1), actions
    moves = [
        (entity, repr(before), repr(after))
        for action, entity, before, after in events
        if action == "appraisal.stage"
    ]
    assert len(moves) == len(set(moves)), "a stage move was recorded twice"
    templates = Counter(template for _, template, _, _ in messages)
    assert {"invitation", "overdue", "escalation", "result"} <= set(templates), (
        templates
    )  # open, reminders, close
    unsent = Counter(
        (template, status, attempts)
        for _, template, status, attempts in messages
        if (status, attempts) != ("sent", 1)
    )
    assert not unsent, f"messages not sent on exactly one claim: {unsent}"
    by_channel = Counter(channel for channel, *_ in messages)
    assert len(smtp.inbox) == by_channel["email"], "emails received ≠ email rows sent"
    assert len(chat.calls) == by_channel["chat"] + by_channel["hr"], "webhook calls ≠ chat and HR rows sent"

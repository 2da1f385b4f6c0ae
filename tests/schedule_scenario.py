"""One annual cycle of a small city (nine staff) as a schedule of engine steps, and the invariants any run of it
must keep, however it was interrupted or doubled.

The crash-safety and concurrent-scheduler tests both replay this schedule: the steps are the
functions the Prefect flows and the CLI run (`flows/steps.py`), each at a fixed instant of the
injected clock, with simulated staff submitting their reviews between steps. Everyone receives
email through one loopback SMTP server; nobody has a chat URL (no message leaves the machine).

`kill_at_point(k)`, called in a child process before it runs a step, makes it SIGKILL itself at
the k-th database point of the step (a statement executed or a transaction committed), so a test
can crash it mid-transaction or right after a commit.
"""

import os
import signal
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, event, func, select
from sqlalchemy.engine import Engine as EngineClass

from config.settings import DEFAULT_CYCLES_PATH, Settings, load_settings
from flows.steps import advance_step, close_due_step, open_period_step, reminders_step
from models import Appraisal, AuditEvent, Employee, Notification, Period, Review
from models.cycle import STAGES
from models.db import create_db_engine, read_session
from roster.load import import_roster
from tests.builders import JOKO, SITI, write_roster
from tests.closing_builders import submit_open
from tests.cycle_builders import roster_with_hr

JAKARTA = ZoneInfo("Asia/Jakarta")
KEY = "annual-2027"
HR_EMAIL = "bkpsdm@kota.go.id"
BASE_URL = "http://appraisal.test"
STAGES_AFTER_CLOSE = frozenset({"closed"})  # where every appraisal ends
LATE = frozenset({SITI, JOKO})  # never self-assess: their reviews are missed at the deadline


def jakarta(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=JAKARTA)


@dataclass(frozen=True)
class Step:
    """One scheduled run: which engine step, at which instant; `before` lists the review kinds
    staff submit (every open one, except the late pair's self-assessment) just before it."""

    name: str
    action: str
    now: datetime
    before: tuple[str, ...] = ()


SCHEDULE: tuple[Step, ...] = (
    Step("open", "open", jakarta(1, 4, 7)),
    Step("invite", "dispatch", jakarta(1, 4, 9)),
    Step("advance-self", "advance", jakarta(1, 5, 9), before=("self",)),
    Step("remind-supervisors", "dispatch", jakarta(1, 5, 10)),
    Step("advance-supervisors", "advance", jakarta(1, 18, 9), before=("supervisor",)),
    Step("advance-deadline", "advance", jakarta(1, 20, 9)),
    Step("remind-late", "dispatch", jakarta(1, 20, 10)),
    Step("advance-peers", "advance", jakarta(1, 21, 9), before=("supervisor", "peer")),
    Step("advance-last", "advance", jakarta(1, 22, 9), before=("peer",)),
    Step("close", "close", jakarta(2, 3, 9)),
    Step("send-results", "dispatch", jakarta(2, 3, 10)),
)
STEP_BY_NAME = {step.name: step for step in SCHEDULE}
_ACTIONS: dict[str, Callable[[Settings], dict[str, Any]]] = {
    "open": lambda settings: open_period_step(settings, "annual"),
    "advance": advance_step,
    "close": close_due_step,
    "dispatch": reminders_step,
}


@dataclass(frozen=True)
class Scenario:
    """Where one replay of the schedule runs: its database, SMTP server and cycle file."""

    url: str
    smtp_url: str
    config: Path

    def run(self, step: Step) -> dict[str, Any]:
        """Run `step` in this process."""
        settings = load_settings(
            database_url=self.url, smtp_url=self.smtp_url, hr_email=HR_EMAIL, now=step.now.isoformat(),
            base_url=BASE_URL, config=self.config,
        )  # fmt: skip
        return _ACTIONS[step.action](settings)

    def submit_before(self, step: Step) -> int:
        """Staff submit what `step.before` says, at the step's instant (one transaction per kind)."""
        engine = create_db_engine(self.url)
        try:
            skip = LATE if step.before == ("self",) else frozenset()
            return sum(submit_open(engine, KEY, kind, step.now, {}, skip) for kind in step.before)
        finally:
            engine.dispose()


def seed(url: str, smtp_url: str, directory: Path) -> Scenario:
    """The small roster with HR (9 staff, email only) imported into the migrated database at
    `url`, and the shipped cycles with one peer per appraisal (fewer messages, same stages)."""
    rows = [{**row, "chat_url": ""} for row in roster_with_hr()]
    engine = create_db_engine(url)
    try:
        import_roster(engine, write_roster(directory / "roster.csv", rows), default_timezone="Asia/Jakarta")
    finally:
        engine.dispose()
    config = directory / "cycles-one-peer.yaml"
    text = DEFAULT_CYCLES_PATH.read_text(encoding="utf-8")
    assert "peers: {count: 3}" in text
    config.write_text(text.replace("peers: {count: 3}", "peers: {count: 1}", 1), encoding="utf-8")
    return Scenario(url, smtp_url, config)


@dataclass
class Facts:
    """What a finished schedule left in the database, in a form two runs can be compared by."""

    stages: dict[str, str]
    reviews: Counter[tuple[str, str, str, str]]
    notifications: dict[str, str]
    closes: int
    sent: int


def _duplicates(engine: Engine, *columns: Any) -> list[Any]:
    query = select(*columns, func.count()).group_by(*columns).having(func.count() > 1)
    with read_session(engine) as session:
        return list(session.execute(query).all())


def check_invariants(url: str) -> Facts:
    """Assert the invariants every run keeps, and return the facts to compare with a reference run.

    No duplicate appraisal, review or notification row (checked by query, not trusted to the
    constraints); every appraisal's stage history is the cycle's order without a repeat or a gap,
    ending at its current stage; the period closed once.
    """
    engine = create_db_engine(url)
    try:
        assert _duplicates(engine, Appraisal.period_id, Appraisal.employee_id) == []
        assert _duplicates(engine, Review.appraisal_id, Review.reviewer_id, Review.kind) == []
        assert _duplicates(engine, Notification.dedupe_key) == []
        with read_session(engine) as session:
            history: dict[str, list[tuple[str, str]]] = {}
            moves = select(AuditEvent.entity_id, AuditEvent.before, AuditEvent.after).where(
                AuditEvent.action.in_(("appraisal.stage", "appraisal.stage.forced"))
            )
            for entity, before, after in session.execute(moves.order_by(AuditEvent.id)):
                history.setdefault(str(entity), []).append((before["stage"], after["stage"]))
            closes = session.execute(
                select(func.count()).where(AuditEvent.action == "period.close")
            ).scalar_one()
            current = dict(session.execute(select(Appraisal.id, Appraisal.stage)).all())
            names = dict(
                session.execute(
                    select(Appraisal.id, Employee.nip).join(Employee, Employee.id == Appraisal.employee_id)
                ).all()
            )
            review_rows = session.execute(
                select(Employee.nip, Review.kind, Review.status, Review.reviewer_id)
                .join(Appraisal, Appraisal.id == Review.appraisal_id)
                .join(Employee, Employee.id == Appraisal.employee_id)
            ).all()
            outbox = dict(session.execute(select(Notification.dedupe_key, Notification.status)).all())
            period_status = session.execute(select(Period.status)).scalars().all()
        for appraisal_id, stage in current.items():
            chain = history.get(str(appraisal_id), [])
            expected = list(zip(STAGES, STAGES[1:], strict=False))[: len(chain)]
            assert chain == expected, f"appraisal {appraisal_id}: stage history {chain}"
            reached = chain[-1][1] if chain else STAGES[0]
            closed = stage == "closed" and reached == "calibration" and closes == 1
            assert stage == reached or closed, f"appraisal {appraisal_id} is {stage}, history ends {reached}"
        assert closes <= 1 and closes == period_status.count("closed"), (closes, period_status)
        stages = {names[i]: stage for i, stage in current.items()}
        reviews = Counter((nip, kind, status, str(reviewer)) for nip, kind, status, reviewer in review_rows)
        sent = sum(1 for status in outbox.values() if status == "sent")
        return Facts(stages, reviews, outbox, closes, sent)
    finally:
        engine.dispose()


def kill_at_point(point: int) -> None:
    """SIGKILL this process at its `point`-th statement or commit, on every engine it creates."""
    seen = 0

    def tick(*_args: Any) -> None:
        nonlocal seen
        seen += 1
        if seen >= point:
            os.kill(os.getpid(), signal.SIGKILL)

    event.listen(EngineClass, "after_cursor_execute", tick)
    event.listen(EngineClass, "commit", tick)


def count_points(scenario: Scenario, step: Step) -> tuple[int, dict[str, Any]]:
    """Run `step` in this process, counting its database points (what `kill_at_point` counts)."""
    seen = 0

    def tick(*_args: Any) -> None:
        nonlocal seen
        seen += 1

    event.listen(EngineClass, "after_cursor_execute", tick)
    event.listen(EngineClass, "commit", tick)
    try:
        summary = scenario.run(step)
    finally:
        event.remove(EngineClass, "after_cursor_execute", tick)
        event.remove(EngineClass, "commit", tick)
    return seen, summary


def record_artifact(name: str, line: str) -> None:
    """Keep `line` in test-artifacts/NAME.txt, replacing the previous line of the same test and
    engine (its text up to the first colon), so the file shows the latest counts of each."""
    path = Path(__file__).resolve().parent.parent / "test-artifacts" / f"{name}.txt"
    path.parent.mkdir(exist_ok=True)
    key = line.split(":", 1)[0] + ":"
    kept = (
        [old for old in path.read_text(encoding="utf-8").splitlines() if not old.startswith(key)]
        if path.exists()
        else []
    )
    path.write_text("\n".join([*kept, line]) + "\n", encoding="utf-8")

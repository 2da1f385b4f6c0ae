"""Builders for cycle tests: a seeded database, fixed instants, and short ways to act and look.

Every instant is written out explicitly (the wall clock is never read), so a test names the
exact moment it simulates, e.g. `wib(2027, 1, 4, 8)` for Monday 4 January 2027, 08:00 in Jakarta.
"""

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, event, select, update
from sqlalchemy.orm import aliased

from config.cycles import CyclesConfig, load_cycles
from config.settings import DEFAULT_CYCLES_PATH
from cycle.advancing import AdvanceReport, advance_period
from cycle.opening import OpenResult, open_period
from models import Appraisal, AuditEvent, Employee, Period, Review
from models.db import create_db_engine, read_session, write_session
from notifications.reminder_policy import LinkSettings
from roster.load import import_roster
from tests.builders import BUDI, _row, small_roster, write_roster
from tests.conftest import TEST_SECRET

WIB, WITA, WIT = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jayapura")
DEFAULT_CODES = frozenset(
    {"kuantitas", "kualitas", "waktu", "berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis",
     "loyal", "adaptif", "kolaboratif"}
)  # fmt: skip
T = TypeVar("T")
HENDRA = "197809092003121006"  # head of BKPSDM (HR) in `roster_with_hr`
BKPSDM = ("BKPSDM", "Badan Kepegawaian dan Pengembangan SDM", "SETDA")
# Where signed links in queued messages point, in every test that opens or closes periods.
LINKS = LinkSettings("http://appraisal.test", TEST_SECRET)


def wib(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """An instant given as Jakarta (WIB) wall-clock time."""
    return datetime(year, month, day, hour, minute, second, tzinfo=WIB)


def shipped_cycles() -> CyclesConfig:
    """The shipped `config/cycles.yaml`."""
    return load_cycles(DEFAULT_CYCLES_PATH)


def edited_cycles(directory: Path, *edits: tuple[str, str]) -> CyclesConfig:
    """The shipped YAML with each (old, new) text replaced once (the first cycle, `annual`)."""
    text = DEFAULT_CYCLES_PATH.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, f"{old!r} not in the shipped cycles.yaml"
        text = text.replace(old, new, 1)
    path = directory / "cycles-edited.yaml"
    path.write_text(text, encoding="utf-8")
    return load_cycles(path)


def roster_with_hr() -> list[dict[str, str]]:
    """The small roster plus an HR unit (BKPSDM, under SETDA) headed by Hendra."""
    return [*small_roster(), _row(HENDRA, "Hendra Gunawan", BKPSDM, "Kepala BKPSDM", "IV/b", BUDI)]


def without_supervisor(rows: list[dict[str, str]], nip: str) -> list[dict[str, str]]:
    """`rows` with `nip`'s supervisor removed (a second person at the top of a tree)."""
    return [{**row, "supervisor_nip": ""} if row["nip"] == nip else row for row in rows]


def extra_staff(
    count: int, unit: tuple[str, str, str], supervisor: str, first: int = 1
) -> list[dict[str, str]]:
    """`count` more valid staff rows in `unit`, NIPs 1985…-sequence `first`, `first`+1, …"""
    return [
        _row(f"19850101201001{1 + n % 2}{first + n:03d}", f"Pegawai {first + n}", unit, "Pengadministrasi", "II/c", supervisor)
        for n in range(count)
    ]  # fmt: skip


@contextmanager
def seeded_engine(url: str, directory: Path, rows: list[dict[str, str]] | None = None) -> Iterator[Engine]:
    """An engine on `url` with `rows` (default: the small roster) imported; disposed afterwards."""
    engine = create_db_engine(url)
    roster = write_roster(directory / "roster.csv", small_roster() if rows is None else rows)
    import_roster(engine, roster, default_timezone="Asia/Jakarta", now=wib(2026, 12, 1))
    try:
        yield engine
    finally:
        engine.dispose()


def open_cycle(
    engine: Engine, now: datetime, cycle: str = "annual", config: CyclesConfig | None = None
) -> OpenResult:
    """Open `cycle` for the window containing `now`, in one transaction."""
    with write_session(engine) as session:
        return open_period(session, config or shipped_cycles(), cycle, now)


def advance(engine: Engine, now: datetime, key: str = "annual-2027") -> AdvanceReport:
    """Advance the period `key` at `now`, in one transaction."""
    with write_session(engine) as session:
        period = session.execute(select(Period).where(Period.key == key)).scalar_one()
        return advance_period(session, period, now)


def submit(engine: Engine, kind: str, reviewees: list[str] | None = None) -> int:
    """Mark open `kind` reviews of `reviewees` (NIPs; None: everyone) submitted, as a form would."""
    appraisals = select(Appraisal.id).join(Employee, Employee.id == Appraisal.employee_id)
    if reviewees is not None:
        appraisals = appraisals.where(Employee.nip.in_(reviewees))
    with write_session(engine) as session:
        result = session.execute(
            update(Review)
            .where(Review.kind == kind, Review.status == "open", Review.appraisal_id.in_(appraisals))
            .values(status="submitted")
        )
        return result.rowcount


class ReviewRow(NamedTuple):
    reviewee: str
    reviewer: str
    kind: str
    status: str
    opened_at: datetime | None
    due_at: datetime | None


def reviews(engine: Engine, kind: str | None = None) -> list[ReviewRow]:
    """Every review (of `kind`), with reviewee and reviewer as NIPs, sorted."""
    reviewee, reviewer = aliased(Employee), aliased(Employee)
    query = (
        select(reviewee.nip, reviewer.nip, Review.kind, Review.status, Review.opened_at, Review.due_at)
        .join(Appraisal, Appraisal.id == Review.appraisal_id)
        .join(reviewee, reviewee.id == Appraisal.employee_id)
        .join(reviewer, reviewer.id == Review.reviewer_id)
    )
    if kind is not None:
        query = query.where(Review.kind == kind)
    with read_session(engine) as session:
        return sorted(ReviewRow(*row) for row in session.execute(query))


def stages(engine: Engine) -> dict[str, str]:
    """NIP → current stage of each appraisal."""
    query = select(Employee.nip, Appraisal.stage).join(Employee, Employee.id == Appraisal.employee_id)
    with read_session(engine) as session:
        return dict(session.execute(query).all())


def audit(engine: Engine, action: str) -> list[tuple[str, Any, Any]]:
    """(entity id, before, after) of every audit event with `action`, in insertion order."""
    query = select(AuditEvent.entity_id, AuditEvent.before, AuditEvent.after).where(
        AuditEvent.action == action
    )
    with read_session(engine) as session:
        return [tuple(row) for row in session.execute(query.order_by(AuditEvent.id))]


def row_counts(engine: Engine) -> Counter[str]:
    """Rows per cycle table (and per review status), to show that nothing was written."""
    counts: Counter[str] = Counter()
    with read_session(engine) as session:
        for name, model in (("period", Period), ("appraisal", Appraisal), ("audit", AuditEvent)):
            counts[name] = len(session.execute(select(model.id)).all())
        for (stage,) in session.execute(select(Appraisal.stage)):
            counts[f"stage:{stage}"] += 1
        for kind, status in session.execute(select(Review.kind, Review.status)):
            counts[f"{kind}:{status}"] += 1
    return counts


@contextmanager
def counted_statements(engine: Engine) -> Iterator[list[str]]:
    """Collect the SQL text of every statement `engine` sends while the block runs."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def run_together(url: str, *actions: Callable[[Engine], T]) -> list[T]:
    """Run each action in its own thread with its own engine, all released at once; results in order."""
    barrier = threading.Barrier(len(actions))
    results: dict[int, T] = {}
    errors: list[BaseException] = []

    def run(index: int, action: Callable[[Engine], T]) -> None:
        engine = create_db_engine(url)
        try:
            barrier.wait(timeout=30)
            results[index] = action(engine)
        except Exception as exc:  # re-raised in the test's thread below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]
    assert len(results) == len(actions), "a run did not finish in time"
    return [results[index] for index in range(len(actions))]

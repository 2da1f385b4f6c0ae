"""The review tally behind `appraisal status`, on both databases: after every kind of review
change (opening, submissions, advancing with missed reviews, peers, forced close, reopen, deletes)
it equals a fresh count of the reviews, the migration fills it for reviews already there, and
concurrent submissions on PostgreSQL leave it exact. Status shows what counting reviews shows."""

from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, case, delete, select, update
from typer.testing import CliRunner

from cli.main import app
from cycle.submissions import Submission, record_submission
from models import Appraisal, Period, Review, ReviewTally, Unit
from models.cycle import STAGE_OF_KIND
from models.db import create_db_engine, read_session, write_session
from models.progress_queries import StageProgress, stage_progress
from models.review_tally import NO_DEADLINE
from models.schema import _alembic_config, upgrade_schema
from tests.builders import DEWI, JOKO, PKM, RINA, SITI
from tests.closing_builders import (
    ALL_CODES,
    city_roster,
    close,
    open_reviews,
    reopen,
    submit_open,
)
from tests.cycle_builders import (
    advance,
    extra_staff,
    open_cycle,
    run_together,
    seeded_engine,
    submit,
    wib,
)

KEY = "annual-2027"
OPENED = wib(2027, 1, 4, 8)  # Monday; self reviews are due Tuesday 19 January
BEFORE_DUE = wib(2027, 1, 5, 9)
AFTER_SELF_DUE = wib(2027, 1, 20, 9)
LATE = wib(2027, 12, 31, 9)  # after every deadline
INSTANTS = (OPENED, BEFORE_DUE, AFTER_SELF_DUE, LATE)
Key = tuple[int, int, str, str, datetime | None]


def tallied(engine: Engine) -> Counter[Key]:
    """The tally's non-zero counts, the deadline shown as None where the tally has none."""
    deadline = case((ReviewTally.due_at == NO_DEADLINE, None), else_=ReviewTally.due_at)
    query = select(
        ReviewTally.period_id, ReviewTally.unit_id, ReviewTally.kind, ReviewTally.status, deadline, ReviewTally.reviews
    ).where(ReviewTally.reviews != 0)  # fmt: skip
    with read_session(engine) as session:
        return Counter({tuple(key): reviews for *key, reviews in session.execute(query)})


def counted(engine: Engine) -> Counter[Key]:
    """The same counts made afresh from every review (only an open review's deadline matters)."""
    query = select(
        Appraisal.period_id, Appraisal.unit_id, Review.kind, Review.status, Review.due_at
    ).join(Appraisal, Appraisal.id == Review.appraisal_id)  # fmt: skip
    with read_session(engine) as session:
        return Counter(
            (period, unit, kind, status, due if status == "open" else None)
            for period, unit, kind, status, due in session.execute(query)
        )


def progress_from_reviews(engine: Engine, now: datetime) -> list[StageProgress]:
    """What status showed before the tally: every review of the period counted per unit and kind."""
    query = (
        select(Unit.code, Review.kind, Review.status, Review.due_at)
        .join(Appraisal, Appraisal.id == Review.appraisal_id)
        .join(Unit, Unit.id == Appraisal.unit_id)
        .join(Period, Period.id == Appraisal.period_id)
        .where(Period.key == KEY)
    )
    counts: dict[tuple[str, str], list[int]] = {}
    with read_session(engine) as session:
        for code, kind, status, due in session.execute(query):
            line = counts.setdefault((code, kind), [0, 0, 0, 0])
            line[0] += status == "open"
            line[1] += status == "open" and due is not None and due < now
            line[2] += status == "submitted"
            line[3] += status == "missed"
    order = list(STAGE_OF_KIND)
    ordered = sorted(counts.items(), key=lambda item: (item[0][0], order.index(item[0][1])))
    return [StageProgress(code, STAGE_OF_KIND[kind], *line) for (code, kind), line in ordered]


def assert_exact(engine: Engine) -> None:
    """The tally equals a fresh count, and status per unit and stage equals counting the reviews."""
    assert tallied(engine) == counted(engine)
    with read_session(engine) as session:
        period_id = session.execute(select(Period.id).where(Period.key == KEY)).scalar_one()
        for now in INSTANTS:
            assert stage_progress(session, period_id, now) == progress_from_reviews(engine, now)


@pytest.fixture
def engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """The city roster (three units, thirteen staff) with annual-2027 opened on OPENED."""
    with seeded_engine(database_url, tmp_path, city_roster()) as seeded:
        open_cycle(seeded, OPENED)
        yield seeded


def test_tally_follows_every_kind_of_review_change(engine: Engine) -> None:
    assert_exact(engine)  # opening: self reviews inserted undated, then dated per time zone
    assert sum(line.overdue for line in progress_from_reviews(engine, AFTER_SELF_DUE)) > 0

    assert submit_open(engine, KEY, "self", BEFORE_DUE, {}, skip={SITI}) > 0  # one review at a time
    assert_exact(engine)

    report = advance(engine, AFTER_SELF_DUE, KEY)  # Siti's self review missed; supervisor reviews open
    assert report.missed["self"] == 1
    assert_exact(engine)

    submit_open(engine, KEY, "supervisor", AFTER_SELF_DUE, {}, skip={JOKO})
    advance(engine, AFTER_SELF_DUE, KEY)  # peers opened (a Core executemany), Joko still waiting
    assert open_reviews(engine, KEY, "peer")
    assert_exact(engine)

    assert submit(engine, "peer", [RINA]) > 0  # one bulk UPDATE
    with write_session(engine) as session:  # a deadline removed, and a change that moves no count
        session.execute(
            update(Review).where(Review.kind == "peer", Review.status == "open").values(due_at=None)
        )
        session.execute(update(Review).values(comment="dibaca ulang"))
    assert_exact(engine)

    assert close(engine, KEY, LATE, force=True, accept_distribution=True).forced > 0  # the rest missed
    assert_exact(engine)
    assert reopen(engine, KEY, "koreksi", LATE) > 0
    assert_exact(engine)

    with write_session(engine) as session:  # their scores go by cascade
        session.execute(delete(Review).where(Review.kind == "peer"))
    assert_exact(engine)


def test_a_rolled_back_write_leaves_the_tally_as_it_was(engine: Engine) -> None:
    before = tallied(engine)
    with pytest.raises(RuntimeError), write_session(engine) as session:
        session.execute(update(Review).values(status="submitted"))
        raise RuntimeError("bad input")
    assert tallied(engine) == before
    assert_exact(engine)


def test_the_migration_counts_the_reviews_already_there(empty_database_url: str, tmp_path: Path) -> None:
    """A database with a cycle under way at 0004 gets the tally filled, then kept, by 0005."""
    config = _alembic_config()
    migrated = create_db_engine(empty_database_url)
    with migrated.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
    migrated.dispose()
    with seeded_engine(empty_database_url, tmp_path, city_roster()) as engine:
        open_cycle(engine, OPENED)
        submit_open(engine, KEY, "self", BEFORE_DUE, {}, skip={SITI})
        advance(engine, AFTER_SELF_DUE, KEY)
        assert upgrade_schema(engine) == ("0004", "0005")
        assert tallied(engine) == counted(engine) != Counter()
        assert_exact(engine)
        submit_open(engine, KEY, "supervisor", AFTER_SELF_DUE, {})
        advance(engine, AFTER_SELF_DUE, KEY)
        assert_exact(engine)


# The lines per unit and stage as `appraisal status` printed them before the tally (the same
# scenario run on that code), now under the totals per stage: a city of four units shows every unit.
STATUS = """\
annual-2027 (open) at 2027-12-31T09:00:00+07:00
Appraisals per stage — self_assessment: 0  supervisor_review: 13  peer_review: 0  calibration: 0  closed: 0
Reviews per stage
unit         stage              open  overdue  submitted  missed
-----------  -----------------  ----  -------  ---------  ------
(all units)  self_assessment       0        0         11       2
(all units)  supervisor_review     1        1         12       0

Reviews per unit and stage
unit         stage              open  overdue  submitted  missed
-----------  -----------------  ----  -------  ---------  ------
BKPSDM       self_assessment       0        0          1       0
BKPSDM       supervisor_review     0        0          1       0
DINKES       self_assessment       0        0          2       1
DINKES       supervisor_review     1        1          2       0
PKM-01       self_assessment       0        0          7       0
PKM-01       supervisor_review     0        0          7       0
SETDA        self_assessment       0        0          1       1
SETDA        supervisor_review     0        0          2       0
"""


def test_status_prints_the_same_table_as_before(engine: Engine) -> None:
    submit_open(engine, KEY, "self", BEFORE_DUE, {}, skip={SITI, JOKO})
    advance(engine, AFTER_SELF_DUE, KEY)
    submit_open(engine, KEY, "supervisor", AFTER_SELF_DUE, {}, skip={RINA})
    result = CliRunner().invoke(app, ["status", "--now", LATE.isoformat()])
    assert result.exit_code == 0, result.output
    assert result.output == STATUS


@pytest.mark.postgres
def test_concurrent_submissions_leave_the_tally_exact(database_url: str, tmp_path: Path) -> None:
    """Four writers submit forty self reviews of one unit, one transaction each, while an advance
    opens supervisor reviews for those already submitted: all at once."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite admits one writer at a time")
    staff = extra_staff(40, PKM, DEWI, first=5)  # city_roster has 1-4
    with seeded_engine(database_url, tmp_path, [*city_roster(), *staff]) as engine:
        open_cycle(engine, OPENED)
        nips = [row["nip"] for row in staff]

        def submit_each(share: list[str]) -> list[str]:
            def run(writer: Engine) -> list[str]:
                outcomes = []
                for nip in share:
                    with write_session(writer) as session:
                        scores = dict.fromkeys(ALL_CODES, 3)
                        submission = Submission(KEY, nip, nip, "self", scores)
                        outcomes.append(record_submission(session, submission, BEFORE_DUE, actor="test"))
                return outcomes

            return run

        def advance_meanwhile(writer: Engine) -> list[str]:
            return list(advance(writer, BEFORE_DUE, KEY).moved)

        *submitted, _ = run_together(
            database_url, *(submit_each(nips[i::4]) for i in range(4)), advance_meanwhile
        )
        assert [outcome for outcomes in submitted for outcome in outcomes] == ["submitted"] * 40
        assert_exact(engine)

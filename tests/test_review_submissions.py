"""Collecting reviews: one submission function, every refusal named, nothing written on refusal."""

import csv
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import aliased

from config.cycles import load_cycles
from config.settings import DEFAULT_CYCLES_PATH
from cycle.advancing import advance_period
from cycle.opening import open_period
from cycle.review_import import REVIEW_COLUMNS, import_reviews
from cycle.submissions import (
    ReviewFacts,
    Submission,
    SubmissionRefused,
    record_checked,
    record_submission,
    refusals,
    review_facts,
)
from ingest.csv_file import CsvRejected
from models import Appraisal, AuditEvent, Employee, Period, Review, ReviewScore
from models.db import create_db_engine, read_session, write_session
from roster.load import import_roster
from tests.builders import (
    AGUS,
    ANDI,
    BUDI,
    DEWI,
    JOKO,
    RINA,
    SITI,
    database_snapshot,
    small_roster,
    write_roster,
)

JAKARTA = ZoneInfo("Asia/Jakarta")
OPENED = datetime(2027, 1, 4, 9, 0, tzinfo=JAKARTA)  # Monday; self-assessments due 2027-01-19
SOON = OPENED + timedelta(days=2)
RESULT = ("kuantitas", "kualitas", "waktu")
BEHAVIOUR = ("berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif")
ALL_CODES = RESULT + BEHAVIOUR


@pytest.fixture
def engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """The small roster with the annual period opened on OPENED."""
    db_engine = create_db_engine(database_url)
    import_roster(
        db_engine, write_roster(tmp_path / "roster.csv", small_roster()), default_timezone="Asia/Jakarta"
    )
    with write_session(db_engine) as session:
        open_period(session, load_cycles(DEFAULT_CYCLES_PATH), "annual", OPENED)
    yield db_engine
    db_engine.dispose()


def submit(engine: Engine, submission: Submission, now: datetime = SOON) -> str:
    with write_session(engine) as session:
        return record_submission(session, submission, now, actor="test")


def self_review(nip: str, score: int = 4, **changes: object) -> Submission:
    fields: dict[str, object] = {"period_key": "annual-2027", "reviewee_nip": nip, "reviewer_nip": nip, "kind": "self",
                                 "scores": dict.fromkeys(ALL_CODES, score), "comment": "Target tercapai"}  # fmt: skip
    fields.update(changes)
    return Submission(**fields)  # type: ignore[arg-type]


def refusal_of(engine: Engine, submission: Submission, now: datetime = SOON) -> str:
    with pytest.raises(SubmissionRefused) as raised:
        submit(engine, submission, now)
    return str(raised.value)


def test_submission_is_stored_replaced_and_audited(engine: Engine) -> None:
    assert submit(engine, self_review(SITI)) == "submitted"
    assert submit(engine, self_review(SITI)) == "unchanged"
    assert submit(engine, self_review(SITI, score=5)) == "replaced"
    with read_session(engine) as session:
        review = session.execute(
            select(Review).where(Review.kind == "self", Review.status == "submitted")
        ).scalar_one()
        scores = dict(
            session.execute(
                select(ReviewScore.indicator_code, ReviewScore.score).where(
                    ReviewScore.review_id == review.id
                )
            ).all()
        )
        events = session.execute(
            select(AuditEvent.action, AuditEvent.before, AuditEvent.after)
            .where(AuditEvent.entity == "review")
            .order_by(AuditEvent.id)
        ).all()
    assert scores == dict.fromkeys(ALL_CODES, 5)
    assert [e.action for e in events] == ["review.submitted", "review.replaced"]
    assert events[1].before["scores"]["kuantitas"] == 4 and events[1].after["scores"]["kuantitas"] == 5


REFUSALS = [
    ("unknown-period", self_review(SITI, period_key="annual-2031"), "no period 'annual-2031'"),
    ("not-the-assigned-reviewer", self_review(SITI, reviewer_nip=BUDI), f"{BUDI} is not an assigned self reviewer"),
    ("stage-not-opened", self_review(SITI, reviewer_nip=BUDI, kind="supervisor"), "supervisor_review stage has not opened"),
    ("unknown-kind", self_review(SITI, kind="boss"), "expected one of self, supervisor, peer"),
    ("indicator-not-in-snapshot", self_review(SITI, scores={**dict.fromkeys(ALL_CODES, 3), "inovasi": 4}), "'inovasi' is not an indicator"),
    ("score-above-scale", self_review(SITI, scores={**dict.fromkeys(ALL_CODES, 3), "waktu": 6}), "whole number from 1 to 5, got 6"),
    ("score-below-scale", self_review(SITI, scores={**dict.fromkeys(ALL_CODES, 3), "waktu": 0}), "got 0"),
    ("missing-score", self_review(SITI, scores=dict.fromkeys(ALL_CODES[:-1], 3)), "missing scores for 1 indicator(s): kolaboratif"),
    ("reviewee-without-appraisal", self_review("199901012022031007"), "has no appraisal"),
]  # fmt: skip


@pytest.mark.parametrize(("submission", "words"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_refusals_name_the_problem_and_write_nothing(
    engine: Engine, database_url: str, submission: Submission, words: str
) -> None:
    before = database_snapshot(database_url)
    assert words in refusal_of(engine, submission)
    assert database_snapshot(database_url) == before


def test_deadline_passed_and_stage_closed_are_refused(engine: Engine) -> None:
    after_deadline = datetime(2027, 1, 20, 9, 0, tzinfo=JAKARTA)
    assert "deadline" in refusal_of(engine, self_review(SITI), after_deadline)
    with write_session(engine) as session:
        advance_period(session, session.execute(select(Period)).scalar_one(), after_deadline)
    assert "self_assessment stage has closed" in refusal_of(engine, self_review(SITI), after_deadline)


def test_closed_period_refuses_everything(engine: Engine) -> None:
    with write_session(engine) as session:
        session.execute(update(Period).values(status="closed"))
    assert "is closed" in refusal_of(engine, self_review(SITI))


def test_supervisor_sees_peers_score_behaviour_only(engine: Engine) -> None:
    for nip in (SITI, ANDI, RINA, JOKO, DEWI, AGUS, BUDI):
        submit(engine, self_review(nip))
    with write_session(engine) as session:
        advance_period(session, session.execute(select(Period)).scalar_one(), SOON)
    supervisor = Submission("annual-2027", RINA, ANDI, "supervisor", dict.fromkeys(ALL_CODES, 3), None)
    assert submit(engine, supervisor) == "submitted"
    assert "not an assigned supervisor reviewer" in refusal_of(
        engine, Submission("annual-2027", JOKO, BUDI, "supervisor", dict.fromkeys(ALL_CODES, 3))
    )
    with write_session(engine) as session:
        advance_period(session, session.execute(select(Period)).scalar_one(), SOON)
    reviewee, reviewer = aliased(Employee), aliased(Employee)
    with read_session(engine) as session:
        reviewee_nip, peer_nip = session.execute(
            select(reviewee.nip, reviewer.nip).join(Appraisal, Appraisal.employee_id == reviewee.id)
            .join(Review, Review.appraisal_id == Appraisal.id).join(reviewer, reviewer.id == Review.reviewer_id)
            .where(Review.kind == "peer").order_by(Review.id).limit(1)
        ).one()  # fmt: skip
    with_results = Submission("annual-2027", reviewee_nip, peer_nip, "peer", dict.fromkeys(ALL_CODES, 3))
    assert "'kuantitas' is not scored in peer reviews" in refusal_of(engine, with_results)
    assert (
        submit(engine, Submission("annual-2027", reviewee_nip, peer_nip, "peer", dict.fromkeys(BEHAVIOUR, 4)))
        == "submitted"
    )


def write_reviews(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(REVIEW_COLUMNS)
        writer.writerows(rows)
    return path


def self_rows(nip: str, score: int = 4) -> list[list[object]]:
    return [["annual-2027", nip, nip, "self", code, score, "Sudah sesuai target"] for code in ALL_CODES]


def test_reviews_import_is_all_or_nothing_with_line_numbers(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    good = self_rows(SITI) + self_rows(JOKO)
    bad = good + [
        ["annual-2027", RINA, BUDI, "self", "kuantitas", 4, ""],
        ["annual-2027", AGUS, AGUS, "self", "waktu", "lima", ""],
    ]
    before = database_snapshot(database_url)
    with pytest.raises(CsvRejected) as raised:
        import_reviews(engine, write_reviews(tmp_path / "bad.csv", bad), SOON, actor="test")
    text = str(raised.value)
    assert f"line 22, column reviewer_nip: {BUDI} is not an assigned self reviewer" in text
    assert "line 23, column score: expected a whole number, got 'lima'" in text
    assert database_snapshot(database_url) == before
    summary = import_reviews(engine, write_reviews(tmp_path / "good.csv", good), SOON, actor="test")
    assert (summary.submitted, summary.scores) == (2, 20)
    again = import_reviews(engine, write_reviews(tmp_path / "good.csv", good), SOON, actor="test")
    assert (again.submitted, again.unchanged) == (0, 2)


def test_duplicate_indicator_rows_are_refused(engine: Engine, tmp_path: Path) -> None:
    rows = self_rows(SITI) + [self_rows(SITI)[0]]
    with pytest.raises(CsvRejected, match="kuantitas is scored twice for this review \\(first on line 2\\)"):
        import_reviews(engine, write_reviews(tmp_path / "dup.csv", rows), SOON, actor="test")


# --- the web form's way in: by review id, judged before the write lock, re-judged under it -------


def self_review_id(engine: Engine, nip: str) -> int:
    reviewer = aliased(Employee)
    with read_session(engine) as session:
        return session.execute(
            select(Review.id).join(reviewer, reviewer.id == Review.reviewer_id)
            .where(reviewer.nip == nip, Review.kind == "self")
        ).scalar_one()  # fmt: skip


def facts_of(engine: Engine, nip: str) -> ReviewFacts:
    with engine.connect() as connection:
        facts = review_facts(connection, self_review_id(engine, nip))
    assert facts is not None
    return facts


def record_by_id(engine: Engine, facts: ReviewFacts, submission: Submission, now: datetime = SOON) -> str:
    with write_session(engine) as session:
        return record_checked(session.connection(), facts, submission, now, actor="test")


BY_ID_REFUSALS = [r for r in REFUSALS if r[0] in ("indicator-not-in-snapshot", "score-above-scale", "score-below-scale", "missing-score")]  # fmt: skip


@pytest.mark.parametrize(
    ("submission", "words"), [r[1:] for r in BY_ID_REFUSALS], ids=[r[0] for r in BY_ID_REFUSALS]
)
def test_by_id_and_by_key_refuse_with_the_same_words(
    engine: Engine, submission: Submission, words: str
) -> None:
    """One rule set: the form's read-only check names exactly what `reviews import` would refuse."""
    by_id = refusals(facts_of(engine, SITI), submission, SOON)
    assert words in str(SubmissionRefused(by_id)) and str(SubmissionRefused(by_id)) == refusal_of(
        engine, submission
    )


def test_by_id_refuses_a_passed_deadline_and_a_closed_period_like_by_key(engine: Engine) -> None:
    facts, late = facts_of(engine, SITI), datetime(2027, 1, 20, 9, 0, tzinfo=JAKARTA)
    assert str(SubmissionRefused(refusals(facts, self_review(SITI), late))) == refusal_of(engine, self_review(SITI), late)  # fmt: skip
    with write_session(engine) as session:
        session.execute(update(Period).values(status="closed"))
    closed = facts_of(engine, SITI)
    assert str(SubmissionRefused(refusals(closed, self_review(SITI), SOON))) == refusal_of(
        engine, self_review(SITI)
    )


def test_a_stage_that_ends_after_the_check_is_refused_at_the_write(engine: Engine, database_url: str) -> None:
    """The facts say open; the stage closes before the write: the write re-judges and stores nothing."""
    facts = facts_of(engine, SITI)
    assert refusals(facts, self_review(SITI), SOON) == []
    after_deadline = datetime(2027, 1, 20, 9, 0, tzinfo=JAKARTA)
    with write_session(engine) as session:
        advance_period(session, session.execute(select(Period)).scalar_one(), after_deadline)
    before = database_snapshot(database_url)
    with pytest.raises(SubmissionRefused, match="self_assessment stage has closed"):
        record_by_id(engine, facts, self_review(SITI), SOON)
    assert database_snapshot(database_url) == before


def test_two_sends_of_one_review_at_once_are_both_recorded_and_audited_in_turn(engine: Engine) -> None:
    """Two browsers send the same review at the same moment: one submits, the other replaces it.

    The write locks the review row (FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite), so the
    second sees the first's scores as its "before" and neither fails on the scores' unique key."""
    facts, start = facts_of(engine, SITI), threading.Barrier(2)
    answers = {"low": self_review(SITI, score=2), "high": self_review(SITI, score=5)}
    outcomes: dict[str, str] = {}

    def send(name: str) -> None:
        start.wait()
        outcomes[name] = record_by_id(engine, facts, answers[name])

    threads = [threading.Thread(target=send, args=(name,)) for name in answers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["replaced", "submitted"]
    with read_session(engine) as session:
        events = session.execute(
            select(AuditEvent.action, AuditEvent.before, AuditEvent.after).where(AuditEvent.entity == "review").order_by(AuditEvent.id)
        ).all()  # fmt: skip
        stored = set(session.execute(select(ReviewScore.score).where(ReviewScore.review_id == facts.review_id)).scalars())  # fmt: skip
    assert [e.action for e in events] == ["review.submitted", "review.replaced"]
    assert events[1].before["scores"] == events[0].after["scores"] and events[0].before["scores"] == {}
    assert stored == set(events[1].after["scores"].values()) and len(stored) == 1

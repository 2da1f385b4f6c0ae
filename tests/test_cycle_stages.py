"""The stage table, and advancing appraisals through it on both databases: one step at a time,
each appraisal on its own, deadlines turning open reviews into `missed`, supervisor reviews
to the supervisor or the fallback, idempotent, and exactly once when two runs race."""

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import product
from pathlib import Path

import pytest
from sqlalchemy import Engine

from config.errors import AppraisalError
from cycle.advancing import AdvanceReport
from cycle.stages import NEXT_STAGE, REVIEW_KIND, TransitionNotAllowed, check_transition, stage_index
from models.cycle import STAGES
from tests.builders import AGUS, ANDI, BUDI, DEWI, JOKO, PUTRI, RINA, SITI
from tests.cycle_builders import (
    HENDRA,
    WITA,
    advance,
    audit,
    edited_cycles,
    open_cycle,
    reviews,
    roster_with_hr,
    row_counts,
    run_together,
    seeded_engine,
    stages,
    submit,
    wib,
    without_supervisor,
)

SELF_TO_SUPERVISOR = "self_assessment→supervisor_review"
SUPERVISOR_TO_PEER = "supervisor_review→peer_review"
PEER_TO_CALIBRATION = "peer_review→calibration"
OPENED = datetime(2027, 1, 4, 1, 0, tzinfo=UTC)  # Mon 4 Jan 08:00 WIB; self reviews due Tue 19 Jan
AFTER_SELF_DUE = wib(2027, 1, 20, 9)  # Wed 20 Jan, every self review overdue
SUPERVISORS = {SITI: BUDI, ANDI: BUDI, RINA: ANDI, JOKO: ANDI, DEWI: ANDI, AGUS: DEWI, PUTRI: DEWI}

# --- the stage table ----------------------------------------------------------------------------


def test_stage_order_is_the_designed_one() -> None:
    """self_assessment → supervisor_review → peer_review → calibration → closed."""
    assert NEXT_STAGE == {
        "self_assessment": "supervisor_review",
        "supervisor_review": "peer_review",
        "peer_review": "calibration",
        "calibration": "closed",
    }
    assert REVIEW_KIND == {
        "self_assessment": "self",
        "supervisor_review": "supervisor",
        "peer_review": "peer",
    }
    assert [stage_index(s) for s in STAGES] == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(("current", "target"), list(product(STAGES, STAGES)))
def test_only_the_next_stage_is_allowed(current: str, target: str) -> None:
    """Every (from, to) pair: the next stage passes; staying, skipping or reversing raises."""
    if STAGES.index(target) == STAGES.index(current) + 1:
        check_transition(current, target)
        return
    with pytest.raises(TransitionNotAllowed, match=f"in stage {current} can only move to") as raised:
        check_transition(current, target)
    assert isinstance(raised.value, AppraisalError)
    assert f"not {target}" in str(raised.value)


def test_closed_is_final_and_unknown_stages_are_refused() -> None:
    """Nothing follows closed; a stage name that does not exist never passes."""
    with pytest.raises(TransitionNotAllowed, match="nothing \\(final stage\\)"):
        check_transition("closed", "self_assessment")
    with pytest.raises(TransitionNotAllowed):
        check_transition("draft", "self_assessment")


# --- advancing in the database ------------------------------------------------------------------


@pytest.fixture
def engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """The small roster with annual-2027 opened on Monday 4 January 2027."""
    with seeded_engine(database_url, tmp_path) as db:
        open_cycle(db, OPENED)
        yield db


def test_submitted_self_review_moves_that_appraisal_alone(engine: Engine) -> None:
    """Siti submits early: her supervisor review opens on the next advance, the others wait."""
    assert submit(engine, "self", [SITI]) == 1
    report = advance(engine, wib(2027, 1, 6, 9))
    assert (report.moved, report.missed) == (Counter({SELF_TO_SUPERVISOR: 1}), Counter())
    waiting = dict.fromkeys([BUDI, *SUPERVISORS], "self_assessment")
    assert stages(engine) == {**waiting, SITI: "supervisor_review"}
    due = wib(2027, 1, 20, 23, 59, 59)  # ten working days after Wed 6 Jan, in Budi's zone (WIB)
    assert reviews(engine, "supervisor") == [(SITI, BUDI, "supervisor", "open", wib(2027, 1, 6, 9), due)]
    assert [(before, after) for _, before, after in audit(engine, "appraisal.stage")] == [
        ({"stage": "self_assessment"}, {"stage": "supervisor_review"})
    ]


def test_deadline_passes_in_each_reviewers_own_zone(engine: Engine) -> None:
    """At 19 Jan 16:00 UTC the WITA self reviews are overdue (15:59:59), the WIB ones not yet."""
    at_the_deadline = advance(engine, datetime(2027, 1, 19, 15, 59, 59, tzinfo=UTC))
    assert not at_the_deadline.changed  # due *at* 23:59:59 WITA: not yet missed
    report = advance(engine, datetime(2027, 1, 19, 16, 0, tzinfo=UTC))
    assert (report.missed, report.moved) == (Counter({"self": 3}), Counter({SELF_TO_SUPERVISOR: 3}))
    assert {nip for nip, stage in stages(engine).items() if stage == "supervisor_review"} == {
        DEWI,
        AGUS,
        PUTRI,
    }
    missed = audit(engine, "review.missed")
    assert [(before, after) for _, before, after in missed] == [
        ({"status": "open"}, {"status": "missed"})
    ] * 3
    assert {r.reviewee for r in reviews(engine, "self") if r.status == "missed"} == {DEWI, AGUS, PUTRI}
    # Opened at 23:00 WIB (Tue) = 00:00 WITA (Wed): each reviewer counts from their own date.
    assert {r.reviewee: r.due_at for r in reviews(engine, "supervisor")} == {
        DEWI: wib(2027, 2, 2, 23, 59, 59),  # Andi, WIB
        AGUS: datetime(2027, 2, 3, 23, 59, 59, tzinfo=WITA),  # Dewi, WITA
        PUTRI: datetime(2027, 2, 3, 23, 59, 59, tzinfo=WITA),
    }
    later = advance(engine, datetime(2027, 1, 19, 17, 0, tzinfo=UTC))
    assert (later.missed, later.moved) == (
        Counter({"self": 5}),
        Counter({SELF_TO_SUPERVISOR: 5, SUPERVISOR_TO_PEER: 1}),
    )
    assert len(audit(engine, "review.missed")) == 8


def test_peer_reviews_are_due_in_each_peers_own_zone(engine: Engine) -> None:
    """Peers invited at 23:00 WIB on Tuesday 19 Jan (00:00 WITA on Wednesday) count their ten
    working days from their own date, as supervisor reviews do: they are inserted with it."""
    submit(engine, "self")
    advance(engine, wib(2027, 1, 6, 9))
    submit(engine, "supervisor")
    opened = datetime(2027, 1, 19, 16, 0, tzinfo=UTC)
    assert advance(engine, opened).moved[SUPERVISOR_TO_PEER] > 0
    # (Staff nobody reviews as supervisor moved on at the first advance: their peers came then.)
    peers = [r for r in reviews(engine, "peer") if r.opened_at == opened]
    assert peers and {r.status for r in peers} == {"open"}
    in_wita = {DEWI, AGUS, PUTRI}
    assert {r.reviewer: r.due_at for r in peers} == {
        r.reviewer: datetime(2027, 2, 3, 23, 59, 59, tzinfo=WITA)
        if r.reviewer in in_wita
        else wib(2027, 2, 2, 23, 59, 59)
        for r in peers
    }
    assert {r.reviewer for r in peers} & in_wita and {r.reviewer for r in peers} - in_wita


def test_supervisor_review_goes_to_the_supervisor(engine: Engine) -> None:
    """Everyone's supervisor reviews them; Budi (top, no parent unit, no BKPSDM) has nobody."""
    submit(engine, "self", [SITI, ANDI, RINA])
    report = advance(engine, AFTER_SELF_DUE)
    assert report.missed == Counter({"self": 5})
    assert report.moved == Counter({SELF_TO_SUPERVISOR: 8, SUPERVISOR_TO_PEER: 1})
    assert report.without_reviewer == 1
    assert {r.reviewee: r.reviewer for r in reviews(engine, "supervisor")} == SUPERVISORS
    assert {r.status for r in reviews(engine, "supervisor")} == {"open"}
    assert stages(engine) == {**dict.fromkeys(SUPERVISORS, "supervisor_review"), BUDI: "peer_review"}
    assert [(r.reviewee, r.reviewer) for r in reviews(engine, "peer")] == [(BUDI, SITI)]


@pytest.mark.parametrize(
    ("rows", "fallback", "expected", "without"),
    [
        (without_supervisor(roster_with_hr(), ANDI), "parent_head", {ANDI: BUDI, BUDI: HENDRA}, 0),
        (without_supervisor(roster_with_hr(), ANDI), "hr", {ANDI: HENDRA, BUDI: HENDRA}, 0),
        (roster_with_hr(), "parent_head", {BUDI: HENDRA, HENDRA: BUDI}, 0),
        (without_supervisor(roster_with_hr(), HENDRA), "parent_head", {BUDI: HENDRA, HENDRA: BUDI}, 0),
        (without_supervisor(roster_with_hr(), HENDRA), "hr", {BUDI: HENDRA, HENDRA: None}, 1),
    ],
    ids=["parent-head", "hr-first", "top-to-hr", "hr-head-to-parent", "hr-head-alone"],
)
def test_staff_without_supervisor_go_to_the_fallback(
    database_url: str, tmp_path: Path, rows: list[dict[str, str]], fallback: str,
    expected: dict[str, str | None], without: int,
) -> None:  # fmt: skip
    """Parent unit's head, else the head of BKPSDM (HR); never the employee themself."""
    config = edited_cycles(tmp_path, ("fallback_reviewer: parent_head", f"fallback_reviewer: {fallback}"))
    with seeded_engine(database_url, tmp_path, rows) as engine:
        open_cycle(engine, OPENED, config=config)
        report = advance(engine, AFTER_SELF_DUE)
        reviewer_of = {r.reviewee: r.reviewer for r in reviews(engine, "supervisor")}
    assert {nip: reviewer_of.get(nip) for nip in expected} == expected
    assert report.without_reviewer == without
    assert all(reviewee != reviewer for reviewee, reviewer in reviewer_of.items())


def test_every_appraisal_walks_the_stages_in_order(engine: Engine) -> None:
    """From opening to calibration each appraisal passes every stage once, forwards only."""
    advance(engine, AFTER_SELF_DUE)
    submit(engine, "supervisor", [SITI, ANDI, RINA])
    step = advance(engine, wib(2027, 1, 21, 9))  # Siti has no peer to wait for: on to calibration
    assert (step.moved, step.missed) == (Counter({SUPERVISOR_TO_PEER: 3, PEER_TO_CALIBRATION: 1}), Counter())
    advance(engine, wib(2027, 3, 1, 9))  # supervisor deadlines past: peer reviews open
    advance(engine, wib(2027, 4, 1, 9))  # peer deadlines past
    assert set(stages(engine).values()) == {"calibration"}
    paths: dict[str, list[tuple[str, str]]] = {}
    for appraisal, before, after in audit(engine, "appraisal.stage"):
        paths.setdefault(appraisal, []).append((before["stage"], after["stage"]))
    walk = [(s, NEXT_STAGE[s]) for s in ("self_assessment", "supervisor_review", "peer_review")]
    assert len(paths) == 8 and all(path == walk for path in paths.values())
    before = row_counts(engine)
    assert not advance(engine, OPENED).changed  # an earlier clock moves nothing back
    assert not advance(engine, wib(2028, 6, 1)).changed  # calibration is closed by HR, not by deadlines
    assert row_counts(engine) == before


def test_a_cycle_without_peers_goes_from_supervisor_review_to_calibration(
    database_url: str, tmp_path: Path
) -> None:
    """Monthly has no peer stage: once the supervisor has reviewed, calibration follows at once."""
    with seeded_engine(database_url, tmp_path) as engine:
        open_cycle(engine, OPENED, "monthly")
        submit(engine, "self")
        advance(engine, wib(2027, 1, 5, 9), "monthly-2027-01")
        submit(engine, "supervisor", [RINA])
        report = advance(engine, wib(2027, 1, 6, 9), "monthly-2027-01")
        assert report.moved == Counter({SUPERVISOR_TO_PEER: 1, PEER_TO_CALIBRATION: 1})
        assert {nip for nip, stage in stages(engine).items() if stage == "calibration"} == {BUDI, RINA}
        assert reviews(engine, "peer") == []
        # Three working days after Tue 5 Jan (a holiday: the opening date still counts as day 0).
        assert {r.due_at for r in reviews(engine, "supervisor") if r.reviewer == BUDI} == {
            wib(2027, 1, 8, 23, 59, 59)
        }


def test_missed_reviews_are_counted_per_kind_and_audited(engine: Engine) -> None:
    """Self, supervisor and peer reviews left open past their deadlines are all reported."""
    assert advance(engine, AFTER_SELF_DUE).missed == Counter({"self": 8})
    # 1 Mar: the seven supervisor reviews and Budi's peer review (due 3 Feb) are overdue.
    assert advance(engine, wib(2027, 3, 1, 9)).missed == Counter({"supervisor": 7, "peer": 1})
    # 1 Apr: the peer reviews opened on 1 Mar (Andi 2, Dewi 2, Rina, Joko, Agus, Putri 1 each).
    assert advance(engine, wib(2027, 4, 1, 9)).missed == Counter({"peer": 8})
    assert Counter(r.status for r in reviews(engine)) == Counter({"missed": 24})
    assert len(audit(engine, "review.missed")) == 24


def test_advancing_twice_with_the_same_now_changes_nothing(engine: Engine) -> None:
    """The second run finds nothing to do and writes nothing."""
    submit(engine, "self", [SITI])
    first = advance(engine, AFTER_SELF_DUE)
    before, reviews_before = row_counts(engine), reviews(engine)
    second = advance(engine, AFTER_SELF_DUE)
    assert first.changed and not second.changed
    assert (second.moved, second.missed, second.without_reviewer) == (Counter(), Counter(), 1)
    assert row_counts(engine) == before and reviews(engine) == reviews_before


# --- two runs at once ---------------------------------------------------------------------------


def _race(url: str, now: datetime) -> list[AdvanceReport]:
    """Two advances of annual-2027 at `now`, started together from two threads."""
    return run_together(url, lambda db: advance(db, now), lambda db: advance(db, now))


def test_concurrent_advances_move_each_appraisal_exactly_once(database_url: str, engine: Engine) -> None:
    """Two advances racing: one does the work, the other finds it done; no duplicate reviews."""
    submit(engine, "self", [SITI, ANDI, RINA])
    reports = _race(database_url, AFTER_SELF_DUE)
    assert sorted(r.changed for r in reports) == [False, True]
    assert sum((r.moved for r in reports), Counter()) == Counter(
        {SELF_TO_SUPERVISOR: 8, SUPERVISOR_TO_PEER: 1}
    )
    assert sum((r.missed for r in reports), Counter()) == Counter({"self": 5})
    assert len(audit(engine, "appraisal.stage")) == 9
    assert len(audit(engine, "review.missed")) == 5
    supervisor = reviews(engine, "supervisor")
    assert len(supervisor) == 7 and {r.reviewee: r.reviewer for r in supervisor} == SUPERVISORS
    assert [(r.reviewee, r.reviewer) for r in reviews(engine, "peer")] == [(BUDI, SITI)]
    submit(engine, "supervisor")
    second = _race(database_url, wib(2027, 1, 21, 9))
    assert sum((r.moved for r in second), Counter()) == Counter(
        {SUPERVISOR_TO_PEER: 7, PEER_TO_CALIBRATION: 1}
    )
    assert len(audit(engine, "appraisal.stage")) == 17
    peer_pairs = [(r.reviewee, r.reviewer) for r in reviews(engine, "peer")]
    assert len(peer_pairs) == len(set(peer_pairs)) == 9

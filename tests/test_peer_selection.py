"""Choosing peer reviewers: never the employee nor their supervisor, deterministic, balanced,
same unit first then sibling units, and the configured count stored when a peer stage opens."""

import random
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from cycle.peers import Person, choose_peers
from tests.builders import AGUS, ANDI, BUDI, DINKES, JOKO, RINA, SITI, small_roster
from tests.cycle_builders import (
    HENDRA,
    WIB,
    WITA,
    advance,
    edited_cycles,
    extra_staff,
    open_cycle,
    reviews,
    roster_with_hr,
    seeded_engine,
    stages,
    submit,
    wib,
    without_supervisor,
)

SALT = "annual-2027"


def person(id_: int, unit: int, supervisor: int | None) -> Person:
    """A person whose NIP sorts like their id."""
    return Person(id_, f"{id_:018d}", unit, supervisor)


# A dinas (unit 1) with three bidang under it: a big one (2), a tiny one (3) and a small one (4).
UNIT_PARENT: dict[int, int | None] = {1: None, 2: 1, 3: 1, 4: 1}
STAFF: list[Person] = [
    person(100, 1, None), person(101, 1, 100), person(102, 1, 101),
    person(200, 2, 100), *(person(i, 2, 200) for i in range(201, 207)),
    person(300, 3, 100), person(301, 3, 300),
    person(400, 4, 100), person(401, 4, 400), person(402, 4, 400),
]  # fmt: skip
BY_ID = {p.id: p for p in STAFF}


def choose(count: int = 3, salt: str = SALT, load: Counter[int] | None = None) -> dict[int, list[int]]:
    """Peers for everyone in STAFF."""
    return choose_peers(STAFF, STAFF, UNIT_PARENT, count=count, salt=salt, load=load)


def pool(
    reviewee: Person, staff: list[Person] = STAFF, parents: dict[int, int | None] = UNIT_PARENT
) -> set[int]:
    """Everyone who may review `reviewee`: same unit or a sibling unit, not them, not their boss."""
    parent = parents[reviewee.unit_id]
    units = {u for u, p in parents.items() if p == parent}
    return {p.id for p in staff if p.unit_id in units} - {reviewee.id, reviewee.supervisor_id}


# --- who may be chosen --------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3, 5, 10])
def test_never_the_employee_nor_their_supervisor(count: int) -> None:
    """No one reviews themself, no supervisor is a peer, and nobody is chosen twice."""
    for reviewee, peers in choose(count).items():
        assert reviewee not in peers
        assert BY_ID[reviewee].supervisor_id not in peers
        assert len(peers) == len(set(peers))


def test_only_the_given_staff_are_chosen() -> None:
    """Someone left out of `staff` (inactive) is never picked, even where they would fit."""
    active = [p for p in STAFF if p.id != 402]
    chosen = choose_peers([BY_ID[401]], active, UNIT_PARENT, count=3, salt=SALT)
    assert 402 not in chosen[401] and len(chosen[401]) == 3


# --- deterministic ------------------------------------------------------------------------------


def test_same_inputs_give_the_same_choice() -> None:
    """Twice, or with staff and reviewees listed in another order: the same peers in the same order."""
    shuffled = STAFF[:]
    random.Random(7).shuffle(shuffled)
    again = choose_peers(shuffled, list(reversed(shuffled)), UNIT_PARENT, count=3, salt=SALT)
    assert choose() == choose() == again


def test_another_salt_may_choose_differently() -> None:
    """The period key salts the tie-break: next year's peers are not a copy of this year's."""
    this_year, next_year = choose(salt="annual-2027"), choose(salt="annual-2028")
    assert this_year != next_year
    assert this_year[201] == [206, 204, 205] and next_year[201] == [203, 206, 205]


# --- balanced -----------------------------------------------------------------------------------


def test_load_is_spread_evenly_in_a_unit() -> None:
    """A head and nine staff, three peers each: every staff member reviews three or four."""
    unit = [person(1, 1, None), *(person(i, 1, 1) for i in range(2, 11))]
    load: Counter[int] = Counter()
    chosen = choose_peers(unit, unit, {1: None}, count=3, salt=SALT, load=load)
    assert all(len(peers) == 3 for peers in chosen.values())
    assert sum(load.values()) == 30 and load[1] == 0  # the head supervises everyone
    assert set(load) == set(range(2, 11)) and max(load.values()) - min(load.values()) <= 1


def test_existing_load_is_respected_and_updated() -> None:
    """Someone who already has many peer reviews this period is picked last; picks are counted."""
    load = Counter({201: 9})
    chosen = choose_peers([BY_ID[202]], STAFF, UNIT_PARENT, count=3, salt=SALT, load=load)
    assert 201 not in chosen[202] and len(chosen[202]) == 3
    assert load == Counter({201: 9, **dict.fromkeys(chosen[202], 1)})


# --- same unit first, then siblings -------------------------------------------------------------


def test_colleagues_of_the_same_unit_come_first() -> None:
    """A big unit supplies all its own peers, even when its members are busier than others."""
    load = Counter(dict.fromkeys(range(202, 207), 5))
    chosen = choose_peers([BY_ID[201]], STAFF, UNIT_PARENT, count=3, salt=SALT, load=load)
    assert {BY_ID[p].unit_id for p in chosen[201]} == {2}


def test_a_small_unit_borrows_from_sibling_units() -> None:
    """Unit 3 has only the reviewee and his head: all three peers come from sibling units 2 and 4."""
    chosen = choose(3)[301]
    assert len(chosen) == 3
    assert {BY_ID[p].unit_id for p in chosen} <= {2, 4}
    head_of_3 = choose(3)[300]  # the head first takes his own staff member, then siblings
    assert head_of_3[0] == 301 and {BY_ID[p].unit_id for p in head_of_3[1:]} <= {2, 4}


def test_parent_unit_is_not_a_sibling() -> None:
    """Unit 2's people never borrow the dinas leadership (unit 1), and vice versa."""
    for reviewee, peers in choose(10).items():
        units = {BY_ID[p].unit_id for p in peers}
        assert (1 in units) == (BY_ID[reviewee].unit_id == 1)


# --- count --------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", range(0, 11))
def test_count_is_honoured_unless_everyone_is_exhausted(count: int) -> None:
    """Exactly `count` peers, or everyone eligible when fewer are eligible."""
    for reviewee, peers in choose(count).items():
        eligible = pool(BY_ID[reviewee])
        assert set(peers) <= eligible
        assert len(peers) == min(count, len(eligible)), reviewee


def test_exhausted_examples() -> None:
    """At the top of the dinas only three people exist: 102 can be reviewed by 100 alone."""
    chosen = choose(3)
    assert (chosen[100], chosen[101], chosen[102]) == ([102, 101], [102], [100])
    assert choose(0) == dict.fromkeys(BY_ID, [])


# --- stored when the peer stage opens -----------------------------------------------------------


@pytest.mark.parametrize("count", [2, 3])
def test_peer_reviews_are_created_with_the_configured_count(
    database_url: str, tmp_path: Path, count: int
) -> None:
    """Dinkes grows to seven: each of its staff gets `count` peers; tiny units get all they can."""
    rows = small_roster() + extra_staff(4, DINKES, ANDI)
    config = edited_cycles(tmp_path, ("peers: {count: 3}", f"peers: {{count: {count}}}"))
    people = {r["nip"]: r for r in rows}
    with seeded_engine(database_url, tmp_path, rows) as engine:
        open_cycle(engine, wib(2027, 1, 4, 8), config=config)
        submit(engine, "self")
        advance(engine, wib(2027, 1, 6, 9))  # Budi has no reviewer: his peers open now
        submit(engine, "supervisor")
        report = advance(engine, wib(2027, 1, 7, 9))
        peer_reviews = reviews(engine, "peer")
        in_stage = Counter(stages(engine).values())
    assert in_stage == Counter({"peer_review": 11, "calibration": 1})  # Siti has no eligible peer
    assert report.moved == Counter({"supervisor_review→peer_review": 11, "peer_review→calibration": 1})
    given = Counter(r.reviewee for r in peer_reviews)
    dinkes_staff = [nip for nip, row in people.items() if row["unit_code"] == "DINKES"]
    assert len(dinkes_staff) == 7 and all(given[nip] == count for nip in dinkes_staff)
    assert (given[BUDI], given[SITI], given[AGUS]) == (1, 0, 1)  # Siti; nobody; Putri
    for review in peer_reviews:
        assert review.reviewer not in (review.reviewee, people[review.reviewee]["supervisor_nip"])
        assert people[review.reviewer]["unit_code"] == people[review.reviewee]["unit_code"]
        assert review.status == "open"
        opened = wib(2027, 1, 6, 9) if review.reviewee == BUDI else wib(2027, 1, 7, 9)
        assert review.opened_at == opened
        last_day = 20 if review.reviewee == BUDI else 21  # ten working days later, in January
        zone = WITA if people[review.reviewer]["timezone"] else WIB  # PKM-01 staff are in WITA
        assert review.due_at == datetime(2027, 1, last_day, 23, 59, 59, tzinfo=zone)


def test_the_fallback_reviewer_is_not_also_a_peer(database_url: str, tmp_path: Path) -> None:
    """Andi has no supervisor; with fallback `hr` the BKPSDM head (in a sibling unit) reviews him
    as supervisor, so he must not be chosen as one of Andi's peers as well."""
    config = edited_cycles(tmp_path, ("fallback_reviewer: parent_head", "fallback_reviewer: hr"))
    with seeded_engine(database_url, tmp_path, without_supervisor(roster_with_hr(), ANDI)) as engine:
        open_cycle(engine, wib(2027, 1, 4, 8), config=config)
        submit(engine, "self")
        advance(engine, wib(2027, 1, 6, 9))
        submit(engine, "supervisor")
        advance(engine, wib(2027, 1, 7, 9))
        of_andi = [(r.kind, r.reviewer) for r in reviews(engine) if r.reviewee == ANDI and r.kind != "self"]
    assert sorted(of_andi) == sorted([("supervisor", HENDRA), ("peer", RINA), ("peer", JOKO)])

"""Builders for closing tests: a roster with one unit big enough for the curve, reviews submitted
through `record_submission` with chosen scores, and short ways to close, override and look.

Scores are chosen per reviewee: the supervisor scores every indicator, the peers score the
behaviour indicators the same way, the self-assessment is a flat 3 (self weight 0 by default).
"""

from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import Any, NamedTuple

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import aliased

from config.cycles import CyclesConfig
from config.errors import AppraisalError
from cycle.calibration import period_by_key, set_override
from cycle.closing import CloseResult, close_period, reopen_period
from cycle.submissions import Submission, record_submission
from models import Appraisal, Employee, IndicatorResult, Period, Recommendation, Review
from models.db import read_session, write_session
from tests.builders import DEWI, PKM, database_snapshot
from tests.cycle_builders import LINKS, advance, extra_staff, roster_with_hr, shipped_cycles

RESULT = ("kuantitas", "kualitas", "waktu")
BEHAVIOUR = ("berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif")
ALL_CODES = RESULT + BEHAVIOUR
# (result score, behaviour score) the supervisor (and, for behaviour, the peers) give for each predikat.
GRADE = {
    "Sangat Baik": (4, 4),
    "Baik": (3, 3),
    "Butuh Perbaikan": (2, 3),
    "Kurang/Misconduct": (3, 2),
    "Sangat Kurang": (2, 2),
}
PKM_EXTRA = extra_staff(4, PKM, DEWI)
P1, P2, P3, P4 = (row["nip"] for row in PKM_EXTRA)
ACTOR = "hr:sri"


def city_roster() -> list[dict[str, str]]:
    """The small roster with HR (Hendra reviews Budi) and four more staff in PKM-01 (seven there)."""
    return [*roster_with_hr(), *PKM_EXTRA]


def flat(result: int, behaviour: int, **indicator: int) -> dict[str, int]:
    """`result` on every result indicator, `behaviour` on every behaviour one, single ones changed."""
    return {code: result for code in RESULT} | {code: behaviour for code in BEHAVIOUR} | indicator


def marks(predikat: str = "Baik", **indicator: int) -> dict[str, int]:
    """The supervisor's scores giving `predikat`, with single indicators changed (kuantitas=1)."""
    return flat(*GRADE[predikat], **indicator)


def appraisal_ids(engine: Engine, key: str) -> dict[str, str]:
    """NIP → appraisal id (as audit events spell it) in period `key`."""
    query = (
        select(Employee.nip, Appraisal.id)
        .join(Employee, Employee.id == Appraisal.employee_id)
        .join(Period, Period.id == Appraisal.period_id)
        .where(Period.key == key)
    )
    with read_session(engine) as session:
        return {nip: str(appraisal_id) for nip, appraisal_id in session.execute(query)}


def open_reviews(engine: Engine, key: str, kind: str) -> list[tuple[str, str]]:
    """(reviewee NIP, reviewer NIP) of every open `kind` review of period `key`."""
    reviewee, reviewer = aliased(Employee), aliased(Employee)
    query = (
        select(reviewee.nip, reviewer.nip)
        .select_from(Review)
        .join(Appraisal, Appraisal.id == Review.appraisal_id)
        .join(Period, Period.id == Appraisal.period_id)
        .join(reviewee, reviewee.id == Appraisal.employee_id)
        .join(reviewer, reviewer.id == Review.reviewer_id)
        .where(Period.key == key, Review.kind == kind, Review.status == "open")
        .order_by(Review.id)
    )
    with read_session(engine) as session:
        return [(a, b) for a, b in session.execute(query)]


def submit_open(
    engine: Engine,
    key: str,
    kind: str,
    now: datetime,
    scores: Mapping[str, Mapping[str, int]],
    skip: Collection[str] = (),
) -> int:
    """Submit every open `kind` review of `key` (reviewees in `skip` left open), in one transaction."""
    codes = BEHAVIOUR if kind == "peer" else ALL_CODES
    count = 0
    pending = open_reviews(engine, key, kind)
    with write_session(engine) as session:
        for reviewee, reviewer in pending:
            if reviewee in skip:
                continue
            given = scores.get(reviewee, marks()) if kind != "self" else dict.fromkeys(ALL_CODES, 3)
            chosen = {code: given[code] for code in codes}
            record_submission(session, Submission(key, reviewee, reviewer, kind, chosen), now, actor="test")
            count += 1
    return count


def run_to_calibration(
    engine: Engine,
    key: str,
    now: datetime,
    scores: Mapping[str, Mapping[str, int]] | None = None,
    *,
    skip_self: Collection[str] = (),
    skip_supervisor: Collection[str] = (),
    skip_peers: Collection[str] = (),
) -> None:
    """Submit self, supervisor and peer reviews at `now`, advancing after each; skipped ones stay behind."""
    scores = scores or {}
    submit_open(engine, key, "self", now, scores, skip_self)
    advance(engine, now, key)
    submit_open(engine, key, "supervisor", now, scores, skip_supervisor)
    advance(engine, now, key)
    submit_open(engine, key, "peer", now, scores, skip_peers)
    advance(engine, now, key)


def close(
    engine: Engine, key: str, now: datetime, config: CyclesConfig | None = None, **options: bool
) -> CloseResult:
    """close_period on `key` in one transaction, with the catalog of `config` (default: shipped)."""
    lookup = (config or shipped_cycles()).training_for
    with write_session(engine) as session:
        period = period_by_key(session, key)
        return close_period(session, period, now, actor=ACTOR, training_for=lookup, links=LINKS, **options)


def override(engine: Engine, key: str, nip: str, predikat: str, reason: str, now: datetime) -> None:
    """set_override in one transaction."""
    with write_session(engine) as session:
        set_override(session, period_by_key(session, key), nip, predikat, reason, now, ACTOR)


class Stored(NamedTuple):
    """An appraisal's stage and the figures closing stored on it."""

    stage: str
    predikat: str | None
    result_rating: str | None
    behaviour_rating: str | None
    result_score: float | None
    behaviour_score: float | None
    final_score: float | None
    incomplete_reason: str | None


def stored(engine: Engine, key: str) -> dict[str, Stored]:
    """NIP → the appraisal's stored stage and figures in period `key`."""
    query = (
        select(Employee.nip, Appraisal.stage, Appraisal.predikat, Appraisal.result_rating,
               Appraisal.behaviour_rating, Appraisal.result_score, Appraisal.behaviour_score,
               Appraisal.final_score, Appraisal.incomplete_reason)
        .join(Employee, Employee.id == Appraisal.employee_id)
        .join(Period, Period.id == Appraisal.period_id)
        .where(Period.key == key)
    )  # fmt: skip
    with read_session(engine) as session:
        return {nip: Stored(*rest) for nip, *rest in session.execute(query)}


class Advice(NamedTuple):
    """One stored recommendation: its reasons in Indonesian and English, and its detail."""

    reason_id: str
    reason_en: str
    detail: dict[str, Any]


def recommendations(engine: Engine, key: str) -> dict[str, dict[str, Advice]]:
    """NIP → recommendation kind → its reasons and detail, in period `key` (NIPs without any left out)."""
    query = (
        select(Employee.nip, Recommendation.kind, Recommendation.reason_id, Recommendation.reason_en, Recommendation.detail)
        .join(Appraisal, Appraisal.id == Recommendation.appraisal_id)
        .join(Employee, Employee.id == Appraisal.employee_id)
        .join(Period, Period.id == Appraisal.period_id)
        .where(Period.key == key)
    )  # fmt: skip
    found: dict[str, dict[str, Advice]] = {}
    with read_session(engine) as session:
        for nip, kind, reason_id, reason_en, detail in session.execute(query):
            assert kind not in found.get(nip, {}), f"two {kind} recommendations for {nip}"
            found.setdefault(nip, {})[kind] = Advice(reason_id, reason_en, dict(detail))
    return found


def period_row(engine: Engine, key: str) -> Period:
    """The period `key`, detached."""
    with read_session(engine) as session:
        return period_by_key(session, key)


def indicator_results(engine: Engine, key: str) -> int:
    """How many stored indicator figures period `key` has."""
    query = (
        select(func.count(IndicatorResult.id))
        .join(Appraisal, Appraisal.id == IndicatorResult.appraisal_id)
        .join(Period, Period.id == Appraisal.period_id)
        .where(Period.key == key)
    )
    with read_session(engine) as session:
        return session.execute(query).scalar_one()


def review_statuses(engine: Engine, key: str, nip: str) -> dict[str, set[str]]:
    """Review kind → the statuses of `nip`'s reviews in period `key`."""
    query = (
        select(Review.kind, Review.status)
        .join(Appraisal, Appraisal.id == Review.appraisal_id)
        .join(Employee, Employee.id == Appraisal.employee_id)
        .join(Period, Period.id == Appraisal.period_id)
        .where(Period.key == key, Employee.nip == nip)
    )
    statuses: dict[str, set[str]] = {}
    with read_session(engine) as session:
        for kind, status in session.execute(query):
            statuses.setdefault(kind, set()).add(status)
    return statuses


def reopen(engine: Engine, key: str, reason: str, now: datetime) -> int:
    """reopen_period on `key` in one transaction."""
    with write_session(engine) as session:
        return reopen_period(session, period_by_key(session, key), reason, now, actor=ACTOR)


def kinds(engine: Engine, key: str) -> dict[str, set[str]]:
    """NIP → the kinds of recommendation it got in period `key`."""
    return {nip: set(advice) for nip, advice in recommendations(engine, key).items()}


def programmes(code: str) -> list[dict[str, Any]]:
    """The shipped catalog's programmes for `code`, as a recommendation's detail stores them."""
    return [p.model_dump(mode="json") for p in shipped_cycles().training_for(code)]


def snapshot(engine: Engine, url: str) -> str:
    """The database fingerprint, once the test's own connections are closed (SQLite's WAL checkpointed)."""
    engine.dispose()
    return database_snapshot(url)


def refusal(action: Callable[..., object], *args: object, **kwargs: object) -> str:
    """The message of the AppraisalError that `action(*args, **kwargs)` raises."""
    with pytest.raises(AppraisalError) as raised:
        action(*args, **kwargs)
    return str(raised.value)

"""Closing in batches, on both databases: a period larger than one batch, whose units span batch
boundaries, closes exactly as in one batch (figures, indicator results, recommendations read from
an earlier period, messages, curve), and a close refused after its batches were stored keeps nothing.

Each close under comparison runs in its own transaction, reads back what it wrote, then rolls back,
so every batch size closes the very same period at the very same time."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from cycle.calibration import period_by_key
from cycle.closing import CloseResult, close_period
from models import Appraisal, AuditEvent, Employee, IndicatorResult, Notification, Recommendation
from models.db import write_session
from tests.builders import AGUS, ANDI, DEWI, JOKO, PUTRI, RINA, SITI
from tests.closing_builders import (
    ACTOR,
    P1,
    city_roster,
    close,
    marks,
    override,
    refusal,
    run_to_calibration,
    snapshot,
    stored,
)
from tests.cycle_builders import LINKS, open_cycle, seeded_engine, shipped_cycles, wib

KEY = "annual-2027"
CLOSE = wib(2027, 1, 6, 10)
SIZES = (1, 3, 1000)  # one appraisal, three (PKM-01's seven span three batches), all at once


class Outcome(NamedTuple):
    """What a close returned and wrote, without generated ids (a rolled-back PostgreSQL sequence moves on)."""

    result: dict[str, Any]
    appraisals: list[dict[str, Any]]
    indicator_results: list[dict[str, Any]]
    recommendations: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    audit: list[dict[str, Any]]


class _RolledBack(Exception):
    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome


@pytest.fixture
def engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """annual-2026 closed (promotion and escalation read it), annual-2027 in calibration but for
    Siti (her supervisor never reviewed: forced, incomplete), Agus overridden to Baik."""
    with seeded_engine(database_url, tmp_path, city_roster()) as seeded:
        open_cycle(seeded, wib(2026, 1, 5, 8))
        year_2026 = {RINA: marks("Sangat Baik"), PUTRI: marks("Butuh Perbaikan"), P1: marks("Sangat Kurang")}
        run_to_calibration(seeded, "annual-2026", wib(2026, 1, 6, 9), year_2026)
        close(seeded, "annual-2026", wib(2026, 1, 7, 9), accept_distribution=True)
        open_cycle(seeded, wib(2027, 1, 4, 8))
        year_2027 = {DEWI: marks("Sangat Baik"), AGUS: marks("Sangat Baik"), PUTRI: marks("Kurang/Misconduct"),
                     P1: marks("Sangat Kurang"), ANDI: marks("Sangat Baik", kuantitas=1), JOKO: marks("Butuh Perbaikan")}  # fmt: skip
        run_to_calibration(seeded, KEY, wib(2027, 1, 5, 9), year_2027, skip_supervisor={SITI})
        override(seeded, KEY, AGUS, "Baik", "Kalibrasi", wib(2027, 1, 5, 9))
        yield seeded


def _written(session: Session, result: CloseResult) -> Outcome:
    """Everything the close wrote in period `KEY`, in the order it was written."""
    period_id = period_by_key(session, KEY).id

    def by_nip(table: Any, order: Any) -> list[dict[str, Any]]:
        kept = [c for c in table.c if c.name not in ("id", "created_at", "appraisal_id")]
        query = select(Employee.nip, *kept).select_from(table)
        if table is not Appraisal.__table__:
            query = query.join(Appraisal, Appraisal.id == table.c.appraisal_id)
        query = query.join(Employee, Employee.id == Appraisal.employee_id).where(
            Appraisal.period_id == period_id
        )
        return [dict(row._mapping) for row in session.execute(query.order_by(order))]

    outbox = [c for c in Notification.__table__.c if c.name not in ("id", "created_at")]
    messages = select(*outbox).where(Notification.dedupe_key.like(f"%:{CLOSE:%Y%m%dT%H%M%S}:%"))
    events = select(AuditEvent.action, AuditEvent.entity_id, AuditEvent.before, AuditEvent.after)
    return Outcome(
        {**vars(result), "distribution": [vars(d) for d in result.distribution]},
        by_nip(Appraisal.__table__, Employee.nip),
        by_nip(IndicatorResult.__table__, IndicatorResult.id),
        by_nip(Recommendation.__table__, Recommendation.id),
        [dict(row._mapping) for row in session.execute(messages.order_by(Notification.id))],
        [
            dict(row._mapping)
            for row in session.execute(events.where(AuditEvent.at == CLOSE).order_by(AuditEvent.id))
        ],
    )


def observed(engine: Engine, batch_size: int, **options: bool) -> Outcome:
    """Close `KEY` at CLOSE `batch_size` appraisals at a time, read back what it wrote, roll back."""
    with pytest.raises(_RolledBack) as rolled_back:
        with write_session(engine) as session:
            period = period_by_key(session, KEY)
            result = close_period(session, period, CLOSE, actor=ACTOR, training_for=shipped_cycles().training_for,
                                  links=LINKS, batch_size=batch_size, **options)  # fmt: skip
            raise _RolledBack(_written(session, result))
    return rolled_back.value.outcome


def test_every_batch_size_closes_alike(engine: Engine) -> None:
    """One, three or every appraisal per batch: the same figures, results, messages and curve."""
    one, three, whole = (observed(engine, size, force=True, accept_distribution=True) for size in SIZES)
    assert one == three == whole
    # What the comparison covers: PKM-01 (seven) spans batches of three; history, overrides, incomplete.
    units = {d["unit_code"]: d for d in whole.result["distribution"]}
    assert units["PKM-01"]["counts"] == {
        "Sangat Baik": 1,
        "Baik": 4,
        "Sangat Kurang": 1,
        "Kurang/Misconduct": 1,
    }
    assert whole.result["incomplete"] == 1 and whole.result["forced"] == 2  # Siti: two stages on
    assert len(whole.appraisals) == 13 and {row["stage"] for row in whole.appraisals} == {"closed"}
    kinds = {(row["nip"], row["kind"]) for row in whole.recommendations}
    assert {(RINA, "promotion"), (DEWI, "promotion"), (DEWI, "reward"), (ANDI, "training")} <= kinds
    assert (AGUS, "reward") not in kinds and (SITI, "promotion") not in kinds
    escalated = [
        row["detail"]
        for row in whole.recommendations
        if (row["nip"], row["kind"]) == (PUTRI, "improvement_plan")
    ]
    assert escalated == [
        {"escalated": True, "previous": {"period": "annual-2026", "predikat": "Butuh Perbaikan"}}
    ]
    templates = [row["template"] for row in whole.messages]
    assert templates.count("team_summary") >= 3 and "result" in templates
    assert whole.audit[-1]["action"] == "period.close"
    assert len(whole.indicator_results) == 13 * 10


def test_a_close_refused_after_its_batches_were_stored_keeps_nothing(
    engine: Engine, database_url: str
) -> None:
    """PKM-01 outside the curve: every batch is stored before the curve is known, then all rolled back."""
    override(engine, KEY, AGUS, "Sangat Baik", "Kalibrasi ulang", wib(2027, 1, 5, 10))
    before = snapshot(engine, database_url)
    messages = {size: refusal(close_period_in_batches, engine, size) for size in SIZES}
    assert messages[1] == messages[3] == messages[1000]
    assert "1 unit(s) outside the distribution curve:\n  PKM-01: Sangat Baik 29% (curve ≤ 20%)" in messages[1]
    assert snapshot(engine, database_url) == before
    assert {row.stage for row in stored(engine, KEY).values()} == {"calibration", "supervisor_review"}


def close_period_in_batches(engine: Engine, batch_size: int) -> CloseResult:
    """close_period on `KEY` (forced, curve not accepted), `batch_size` appraisals at a time."""
    with write_session(engine) as session:
        period = period_by_key(session, KEY)
        return close_period(session, period, CLOSE, actor=ACTOR, training_for=shipped_cycles().training_for,
                            links=LINKS, force=True, batch_size=batch_size)  # fmt: skip

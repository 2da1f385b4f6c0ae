"""Simulated submissions for the whole-cycle benchmark, written in bulk (setup, never timed).

The demo submits one review at a time through `record_submission`, as the web forms do; at
100,000 staff that is half a million form posts, which bench/web_submit.py measures on its own.
Here the same outcome — most reviews submitted with plausible scores, about 6 % never — is
written directly, in keyset-paged chunks so memory stays flat. Deterministic for a seed.
"""

import random
from datetime import datetime

from sqlalchemy import Engine, bindparam, insert, select, update

from models import Appraisal, Employee, Indicator, Period, Review, ReviewScore, Unit
from models.cycle import ASPECTS_BY_KIND
from models.db import write_session

CHUNK = 20_000
NEVER_SHARE = 0.06


def _codes(engine: Engine, period_id: int, kind: str) -> dict[str, list[str]]:
    """Unit code → the indicator codes a `kind` review scores there."""
    with write_session(engine) as session:
        set_id = session.execute(select(Period.indicator_set_id).where(Period.id == period_id)).scalar_one()
        rows = session.execute(
            select(Indicator.code, Indicator.unit_code).where(
                Indicator.indicator_set_id == set_id, Indicator.aspect.in_(ASPECTS_BY_KIND[kind])
            )
        ).all()
        units = session.execute(select(Unit.code)).scalars().all()
    return {unit: [c for c, only in rows if only is None or only == unit] for unit in units}


def submit_reviews(engine: Engine, period_id: int, kind: str, at: datetime, *, seed: int = 7) -> int:
    """Submit ~94 % of the period's open `kind` reviews at `at`; returns how many were submitted."""
    codes = _codes(engine, period_id, kind)
    rng = random.Random(f"{seed}:{kind}")
    mark = (
        update(Review)
        .where(Review.id == bindparam("rid"), Review.status == "open")
        .values(status="submitted", submitted_at=at)
    )
    submitted, last = 0, 0
    while True:
        with write_session(engine) as session:
            chunk = session.execute(
                select(Review.id, Unit.code, Employee.nip)
                .join(Appraisal, Appraisal.id == Review.appraisal_id)
                .join(Unit, Unit.id == Appraisal.unit_id)
                .join(Employee, Employee.id == Appraisal.employee_id)
                .where(Appraisal.period_id == period_id, Review.kind == kind, Review.status == "open", Review.id > last)
                .order_by(Review.id)
                .limit(CHUNK)
            ).all()  # fmt: skip
            if not chunk:
                return submitted
            last = chunk[-1][0]
            chosen = [(rid, unit, nip) for rid, unit, nip in chunk if rng.random() >= NEVER_SHARE]
            scores = []
            for rid, unit, nip in chosen:
                level = random.Random(f"{seed}:level:{nip}").gauss(3.1, 0.45) + (0.4 if kind == "self" else 0)
                scores += [
                    {"review_id": rid, "indicator_code": code, "score": max(1, min(5, round(rng.gauss(level, 0.6))))}
                    for code in codes[unit]
                ]  # fmt: skip
            if chosen:
                session.connection().execute(insert(ReviewScore.__table__), scores)
                session.connection().execute(mark, [{"rid": rid} for rid, _, _ in chosen])
            submitted += len(chosen)

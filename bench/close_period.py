# ruff: noqa: E402  (the imports follow the sys.path line below)
"""Benchmark: closing a 10,000-staff period, against a raw SQL aggregate over the same scores.

Run: `python bench/close_period.py [--employees N]`. Setup writes submitted self, supervisor and
two peer reviews per appraisal with scores straight into the tables (setup is not measured);
the floor is one `sqlite3` GROUP BY computing the mean score per appraisal, kind and indicator —
the aggregate every close needs — measured in the same run on the same file. The close also
rates, applies the matrix, checks the curve, writes results and recommendations, and audits.
"""

import sys
from pathlib import Path

# The project root before bench/, where bench/cycle.py would shadow the engine's `cycle` package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import random
import tempfile
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from floors import CLOSE_AGGREGATE_SQL, raw_sqlite
from sqlalchemy import insert, select, update

from config.cycles import load_cycles
from config.settings import DEFAULT_CYCLES_PATH
from cycle.closing import close_period
from cycle.opening import open_period
from demo.city import generate_city, write_roster_csv
from models import Appraisal, Period, Review, ReviewScore
from models.db import create_db_engine, write_session
from models.schema import upgrade_schema
from notifications.reminder_policy import LinkSettings
from roster.load import import_roster

OPENED = datetime(2027, 1, 4, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
CLOSING = datetime(2027, 3, 1, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
LINKS = LinkSettings(
    "http://127.0.0.1:8000", "bench-secret-0123456789abcdefghij"
)  # results links in close messages
RESULT = ("kuantitas", "kualitas", "waktu")
BEHAVIOUR = ("berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif")


def build(folder: Path, employees: int) -> str:
    """A period with every appraisal in calibration and all its reviews submitted."""
    url = f"sqlite:///{folder / 'bench.db'}"
    engine = create_db_engine(url)
    upgrade_schema(engine)
    write_roster_csv(generate_city(employees=employees, seed=1), folder / "roster.csv")
    import_roster(engine, folder / "roster.csv", default_timezone="Asia/Jakarta")
    rng = random.Random(7)
    with write_session(engine) as session:
        open_period(session, load_cycles(DEFAULT_CYCLES_PATH), "annual", OPENED)
        appraisals = session.execute(select(Appraisal.id, Appraisal.employee_id)).all()
        staff = [employee for _, employee in appraisals]
        session.execute(update(Review).values(status="submitted", submitted_at=OPENED))
        # Reviewers spread deterministically over the staff (distinct per appraisal, never checked here).
        reviews = [
            {"appraisal_id": a, "reviewer_id": staff[(3 * index + offset) * 7919 % len(staff)], "kind": kind, "status": "submitted", "opened_at": OPENED}
            for index, (a, _) in enumerate(appraisals) for offset, kind in enumerate(("supervisor", "peer", "peer"))
        ]  # fmt: skip
        session.execute(insert(Review), reviews)
        ids = session.execute(select(Review.id, Review.kind)).all()
        scores = [{"review_id": rid, "indicator_code": code, "score": rng.choice((2, 3, 3, 4, 4, 5))}
                  for rid, kind in ids for code in (BEHAVIOUR if kind == "peer" else RESULT + BEHAVIOUR)]  # fmt: skip
        session.execute(insert(ReviewScore), scores)
        session.execute(update(Appraisal).values(stage="calibration"))
    engine.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--employees", type=int, default=10_000)
    args = parser.parse_args()
    config = load_cycles(DEFAULT_CYCLES_PATH)
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        url = build(folder, args.employees)
        connection = raw_sqlite(folder / "bench.db")
        started = time.perf_counter()
        groups = len(connection.execute(CLOSE_AGGREGATE_SQL).fetchall())
        floor = time.perf_counter() - started
        scores = connection.execute("SELECT COUNT(*) FROM review_score").fetchone()[0]
        connection.close()
        engine = create_db_engine(url)
        started = time.perf_counter()
        with write_session(engine) as session:
            period = session.execute(select(Period)).scalar_one()
            result = close_period(
                session,
                period,
                CLOSING,
                actor="bench",
                training_for=config.training_for,
                links=LINKS,
                accept_distribution=True,
            )
        elapsed = time.perf_counter() - started
        started = time.perf_counter()
        with write_session(engine) as session:
            close_period(
                session,
                session.execute(select(Period)).scalar_one(),
                CLOSING,
                actor="bench",
                training_for=config.training_for,
                links=LINKS,
            )
        again = time.perf_counter() - started
        engine.dispose()
    print(
        f"close period, {args.employees} staff, {scores} scores in {groups} (appraisal, kind, indicator) groups, SQLite (WAL)"
    )
    print(f"  floor: raw SQL aggregate of the same scores      {floor:8.3f} s")
    print(
        f"  close_period (score + curve + store + advise)    {elapsed:8.3f} s   ratio {elapsed / floor:6.1f}x"
    )
    print(f"  close again (already closed, nothing written)    {again:8.3f} s")
    print(
        f"  predikat: {dict(result.predikat)}; incomplete {result.incomplete}; recommendations {dict(result.recommendations)}"
    )


if __name__ == "__main__":
    main()

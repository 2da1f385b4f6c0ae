# ruff: noqa: E402  (the imports follow the sys.path line below)
"""Benchmark: opening a period for a 10,000-person city, against raw sqlite3 inserts of the same rows.

Run: `python bench/open_period.py [--employees N]`. The floor inserts the same appraisal and
self-review rows with `sqlite3.executemany` into tables of the same shape, in one transaction;
the engine also snapshots indicators, computes deadlines per time zone and audits.
"""

import sys
from pathlib import Path

# The project root before bench/, where bench/cycle.py would shadow the engine's `cycle` package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import tempfile
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from floors import raw_sqlite, timed_transaction
from sqlalchemy import event, func, select

from config.cycles import load_cycles
from config.settings import DEFAULT_CYCLES_PATH
from cycle.opening import open_period
from demo.city import generate_city, write_roster_csv
from models import Review
from models.db import create_db_engine, read_session, write_session
from models.schema import upgrade_schema
from roster.load import import_roster

NOW = datetime(2027, 1, 4, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


def raw_floor(employees: int, path: Path) -> float:
    """Seconds for sqlite3 to insert one appraisal and one review per employee."""
    connection = raw_sqlite(path)
    connection.execute(
        "CREATE TABLE appraisal (id INTEGER PRIMARY KEY, period_id INT, employee_id INT, unit_id INT, stage TEXT, stage_started_at TEXT, updated_at TEXT, UNIQUE (period_id, employee_id))"
    )
    connection.execute(
        "CREATE TABLE review (id INTEGER PRIMARY KEY, appraisal_id INT, reviewer_id INT, kind TEXT, status TEXT, opened_at TEXT, due_at TEXT, UNIQUE (appraisal_id, reviewer_id, kind))"
    )
    stamp = NOW.isoformat()
    elapsed = timed_transaction(connection, [
        ("INSERT INTO appraisal (id, period_id, employee_id, unit_id, stage, stage_started_at, updated_at) VALUES (?, 1, ?, ?, 'self_assessment', ?, ?)",
         [(i, i, i % 300, stamp, stamp) for i in range(1, employees + 1)]),
        ("INSERT INTO review (appraisal_id, reviewer_id, kind, status, opened_at, due_at) VALUES (?, ?, 'self', 'open', ?, ?)",
         [(i, i, stamp, stamp) for i in range(1, employees + 1)]),
    ])  # fmt: skip
    connection.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--employees", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        floor = raw_floor(args.employees, folder / "floor.db")
        engine = create_db_engine(f"sqlite:///{folder / 'bench.db'}")
        upgrade_schema(engine)
        write_roster_csv(generate_city(employees=args.employees, seed=1), folder / "roster.csv")
        import_roster(engine, folder / "roster.csv", default_timezone="Asia/Jakarta")
        config = load_cycles(DEFAULT_CYCLES_PATH)
        statements = []
        event.listen(engine, "before_cursor_execute", lambda *a, **k: statements.append(1))
        started = time.perf_counter()
        with write_session(engine) as session:
            result = open_period(session, config, "annual", NOW)
        elapsed = time.perf_counter() - started
        with read_session(engine) as session:
            reviews = session.execute(select(func.count(Review.id))).scalar_one()
        again_started = time.perf_counter()
        with write_session(engine) as session:
            open_period(session, config, "annual", NOW)
        again = time.perf_counter() - again_started
        engine.dispose()
    print(
        f"open period, {args.employees} staff, SQLite file (WAL): {result.appraisals} appraisals, {reviews} self reviews"
    )
    print(f"  floor: raw sqlite3.executemany of the same rows   {floor:8.3f} s")
    print(
        f"  open_period (snapshot + INSERT…SELECT + due dates) {elapsed:8.3f} s   ratio {elapsed / floor:6.2f}x   ({len(statements)} SQL statements)"
    )
    print(f"  open again (already open, nothing written)         {again:8.3f} s")


if __name__ == "__main__":
    main()

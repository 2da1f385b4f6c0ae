"""Benchmark: the public satisfaction index (IKM) of a period over N citizen responses.

Run: `python bench/feedback_ikm.py [--responses 10000] [--services 40]`. A synthetic city is
loaded into a temporary SQLite file, the annual period opened, and N responses spread over the
services of ten units inside the period. Then, each the best of five runs:
- `period_ikm` (what the report, the HR page and the close use: every unit's and service's
  index, category and element means, plus recent comments), against the floor of one bare
  `sqlite3` GROUP BY over the same rows returning the same counts and sums;
- `appraisal feedback import` of the same N responses as one CSV (validation of every row,
  services registered, one transaction), against bare `executemany` of the same rows.
The goal of the issue: 10,000 responses computed in well under a second.
"""

import argparse
import csv
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from floors import raw_sqlite  # noqa: E402

from config.cycles import load_cycles  # noqa: E402
from config.settings import DEFAULT_CYCLES_PATH  # noqa: E402
from cycle.calibration import period_by_key  # noqa: E402
from cycle.opening import open_period  # noqa: E402
from demo.city import generate_city, write_roster_csv  # noqa: E402
from feedback.importing import FEEDBACK_COLUMNS, import_feedback  # noqa: E402
from feedback.period_ikm import period_ikm  # noqa: E402
from models.db import create_db_engine, read_session, write_session  # noqa: E402
from models.schema import upgrade_schema  # noqa: E402
from roster.load import import_roster  # noqa: E402

OPENED = datetime(2027, 1, 4, 1, 0, tzinfo=UTC)
NOW = datetime(2027, 6, 30, 5, 0, tzinfo=UTC)
RAW_SQL = """SELECT service_id, COUNT(*), SUM(u1), SUM(u2), SUM(u3), SUM(u4), SUM(u5), SUM(u6), SUM(u7), SUM(u8), SUM(u9)
FROM feedback_response WHERE submitted_at >= ? AND submitted_at < ? GROUP BY service_id"""
INSERT_SQL = f"INSERT INTO feedback_response (service_id, submitted_at, {', '.join(f'u{n}' for n in range(1, 10))}, ticket, comment, channel) VALUES ({', '.join('?' * 14)})"  # noqa: E501


def best(runs: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def write_responses(path: Path, units: list[str], responses: int, services: int) -> None:
    """`responses` rows over `services` services of `units`, between 4 January and 30 June 2027."""
    rng = random.Random(2027)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(FEEDBACK_COLUMNS)
        for number in range(responses):
            service = number % services
            unit = units[service % len(units)]
            at = OPENED + timedelta(minutes=rng.randrange(60 * 24 * 170))
            answers = [str(rng.choice((2, 3, 3, 3, 4, 4))) for _ in range(9)]
            ticket = f"T{number:06d}" if number % 2 else ""
            comment = "Antrean panjang" if number % 17 == 0 else ""
            writer.writerow(
                [unit, f"LAY-{service:03d}", f"Layanan {service}", at.isoformat(), *answers, ticket, comment]
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--services", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        base = Path(directory)
        db, roster, feedback = base / "bench.db", base / "roster.csv", base / "feedback.csv"
        engine = create_db_engine(f"sqlite:///{db}")
        upgrade_schema(engine)
        city = generate_city(employees=2000, seed=2027, timezone="Asia/Jakarta")
        write_roster_csv(city, roster)
        import_roster(engine, roster, default_timezone="Asia/Jakarta", actor="bench")
        with write_session(engine) as session:
            open_period(session, load_cycles(DEFAULT_CYCLES_PATH), "annual", OPENED)
        units = sorted({row["unit_code"] for row in city})[:10]
        write_responses(feedback, units, args.responses, args.services)
        pristine = base / "pristine.db"
        engine.dispose()
        shutil.copy(db, pristine)

        def ours_import() -> None:
            shutil.copy(pristine, db)
            fresh = create_db_engine(f"sqlite:///{db}")
            with write_session(fresh) as session:
                import_feedback(session, feedback, NOW, actor="bench")
            fresh.dispose()

        rows = [(n % args.services + 1, datetime.fromisoformat(r["submitted_at"]).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
                 *(int(r[f"u{k}"]) for k in range(1, 10)), r["ticket"] or None, r["comment"] or None, "import")
                for n, r in enumerate(csv.DictReader(feedback.open(encoding="utf-8")))]  # fmt: skip

        def floor_import() -> None:
            shutil.copy(db_with_services, db)
            connection = raw_sqlite(db)
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany(INSERT_SQL, rows)
            connection.execute("COMMIT")
            connection.close()

        import_time = best(args.runs, ours_import)  # leaves the imported database in place
        db_with_services = base / "services.db"
        shutil.copy(db, db_with_services)
        connection = raw_sqlite(db_with_services)
        connection.execute("DELETE FROM feedback_response")
        connection.close()
        floor_import_time = best(args.runs, floor_import)
        ours_import()  # the imported data again, for the computation

        engine = create_db_engine(f"sqlite:///{db}")
        with read_session(engine) as session:
            period = period_by_key(session, "annual-2027")
        window = (period.starts_at.strftime("%Y-%m-%d %H:%M:%S.%f"), NOW.strftime("%Y-%m-%d %H:%M:%S.%f"))

        def ours_compute() -> None:
            with read_session(engine) as session:
                period_ikm(session, period, NOW)

        raw = raw_sqlite(db)
        counted = sum(row[1] for row in raw.execute(RAW_SQL, window))
        with read_session(engine) as session:
            report = period_ikm(session, period, NOW)
        ours_counted = sum(unit.figures.responses for unit in report.units if unit.figures)
        compute_time = best(args.runs, ours_compute)
        floor_compute_time = best(args.runs, lambda: raw.execute(RAW_SQL, window).fetchall())
        engine.dispose()
    print(
        f"responses:            {args.responses} over {args.services} services in {len(units)} units (counted: {ours_counted}, raw SQL {counted})"
    )
    print(
        f"IKM of the period:    {compute_time * 1000:7.1f} ms   floor (bare GROUP BY) {floor_compute_time * 1000:6.1f} ms   ratio {compute_time / floor_compute_time:5.2f}x   goal: well under 1 s"
    )
    print(
        f"feedback import:      {import_time * 1000:7.1f} ms   floor (bare executemany) {floor_import_time * 1000:6.1f} ms   ratio {import_time / floor_import_time:5.2f}x"
    )
    if ours_counted != counted or ours_counted != args.responses:
        raise SystemExit("FAIL: the IKM counted other responses than the raw aggregate")
    if compute_time >= 1.0:
        raise SystemExit("FAIL: computing the IKM took a second or more")


if __name__ == "__main__":
    main()

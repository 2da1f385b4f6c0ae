# ruff: noqa: E402  (the imports follow the sys.path line below)
"""Benchmark: importing a city's roster (default 10,000 staff) into SQLite, three ways: a first
import into an empty database, a re-import of the same file (nothing to write), and a re-import
with 1 % of the rows changed (HR's usual monthly file).

Run: `python bench/roster_import.py [--employees N]`. Each import is compared with its floor
measured in the same run on the same machine: the rows it wrote, replayed with raw sqlite3
executemany in one transaction (bench/floors.py SQLiteFloor; the import also parses, validates
every field and relation, resolves supervisors and heads, and audits). CPU seconds count this
process and the chat-URL worker process separately; peak RSS is this process's.
"""

import sys
from pathlib import Path

# The project root before bench/, where bench/cycle.py would shadow the engine's `cycle` package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import os
import tempfile
import time
from dataclasses import dataclass

from floors import SQLiteFloor, peak_rss, reset_peak_rss

from demo.city import generate_city, write_roster_csv
from models.db import create_db_engine
from models.schema import upgrade_schema
from roster.load import RosterSummary, import_roster

CHANGED_EVERY = 100  # one row in a hundred changes in the "monthly" file


@dataclass(frozen=True)
class Measured:
    seconds: float
    cpu: float
    worker_cpu: float
    rss_mb: float
    floor: float
    summary: RosterSummary


def measured_import(database: Path, csv_path: Path) -> Measured:
    floor = SQLiteFloor(database)
    floor.before()
    engine = create_db_engine(f"sqlite:///{database}")
    reset_peak_rss()
    started, cpu, children = time.perf_counter(), time.process_time(), os.times().children_user
    summary = import_roster(engine, csv_path, default_timezone="Asia/Jakarta", actor="bench")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    worker, rss = os.times().children_user - children, peak_rss()
    engine.dispose()
    return Measured(elapsed, cpu, worker, rss, floor.after().seconds, summary)


def monthly_changes(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """A copy with every CHANGED_EVERY-th row's position changed, and every other such row with a
    chat URL given a new one (so the re-import judges a few URLs again)."""
    changed = [dict(row) for row in rows]
    for index in range(0, len(changed), CHANGED_EVERY):
        row = changed[index]
        row["position"] += " (Plt.)"
        if row["chat_url"] and index % (2 * CHANGED_EVERY) == 0:
            row["chat_url"] += "x"
    return changed


def report(label: str, m: Measured) -> None:
    s = m.summary
    print(
        f"  {label:<34} {m.seconds:7.2f} s  ratio {m.seconds / m.floor:5.1f}x  cpu {m.cpu:6.2f} s"
        f" (+worker {m.worker_cpu:5.2f} s)  peak RSS {m.rss_mb:5.0f} MB  floor {m.floor:6.3f} s"
        f"  created {s.staff_created} updated {s.staff_updated} unchanged {s.staff_unchanged}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--employees", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        rows = generate_city(employees=args.employees, seed=1)
        first_csv, monthly_csv = folder / "roster.csv", folder / "monthly.csv"
        write_roster_csv(rows, first_csv)
        write_roster_csv(monthly_changes(rows), monthly_csv)
        database = folder / "bench.db"
        engine = create_db_engine(f"sqlite:///{database}")
        upgrade_schema(engine)
        engine.dispose()
        print(f"roster import, {args.employees} staff, SQLite file (WAL)")
        report("first import (empty database)", measured_import(database, first_csv))
        report("re-import, same file (no change)", measured_import(database, first_csv))
        report(f"re-import, 1 row in {CHANGED_EVERY} changed", measured_import(database, monthly_csv))
    print(f"  load average at the end (1/5/15 min): {' '.join(f'{n:.1f}' for n in os.getloadavg())}")


if __name__ == "__main__":
    main()

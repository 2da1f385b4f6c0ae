# ruff: noqa: E402  (the imports follow the sys.path line below)
"""Benchmark: importing a 10,000-person roster, against raw sqlite3.executemany of the same rows.

Run: `python bench/roster_import.py [--employees N]`. Prints seconds and the ratio to the floor
measured in the same run on the same machine (the floor only inserts; the import also parses,
validates every field and relation, resolves supervisors and heads, and audits).
"""

import sys
from pathlib import Path

# The project root before bench/, where bench/cycle.py would shadow the engine's `cycle` package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import tempfile
import time

from floors import raw_sqlite, timed_transaction

from demo.city import generate_city, write_roster_csv
from models.db import create_db_engine
from models.schema import upgrade_schema
from roster.columns import ROSTER_COLUMNS
from roster.load import import_roster


def raw_floor(rows: list[dict[str, str]], path: Path) -> float:
    """Seconds for sqlite3 to insert the same rows (WAL, one transaction, unique NIP)."""
    connection = raw_sqlite(path)
    columns = ", ".join(f"{c} TEXT" for c in ROSTER_COLUMNS)
    connection.execute(f"CREATE TABLE roster (id INTEGER PRIMARY KEY, {columns}, UNIQUE (nip))")
    placeholders = ", ".join("?" for _ in ROSTER_COLUMNS)
    insert = f"INSERT INTO roster ({', '.join(ROSTER_COLUMNS)}) VALUES ({placeholders})"
    elapsed = timed_transaction(
        connection, [(insert, [tuple(row[c] for c in ROSTER_COLUMNS) for row in rows])]
    )
    connection.close()
    return elapsed


def timed_import(url: str, csv_path: Path) -> float:
    engine = create_db_engine(url)
    started = time.perf_counter()
    import_roster(engine, csv_path, default_timezone="Asia/Jakarta", actor="bench")
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--employees", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        rows = generate_city(employees=args.employees, seed=1)
        csv_path = folder / "roster.csv"
        write_roster_csv(rows, csv_path)
        floor = raw_floor(rows, folder / "floor.db")
        url = f"sqlite:///{folder / 'bench.db'}"
        engine = create_db_engine(url)
        upgrade_schema(engine)
        engine.dispose()
        first = timed_import(url, csv_path)
        again = timed_import(url, csv_path)
    print(f"roster import, {args.employees} staff, SQLite file (WAL)")
    print(f"  floor: raw sqlite3.executemany of the same rows   {floor:8.3f} s")
    print(f"  first import (validate + insert + heads + audit)  {first:8.3f} s   ratio {first / floor:7.1f}x")
    print(f"  re-import of the same file (no change written)    {again:8.3f} s   ratio {again / floor:7.1f}x")


if __name__ == "__main__":
    main()

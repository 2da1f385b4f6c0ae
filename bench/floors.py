"""Floors for the benchmarks: what the bare database does with the same rows, measured in the same run.

Shared by every bench script here (`bench/` is not a package: the scripts run as
`python bench/NAME.py`, so they import this module by its plain name).

- `raw_sqlite` opens a bare `sqlite3` connection with WAL and NORMAL sync, as the engine does.
- `WriteFloor` measures the floor of *any* step: before the step it copies the database (the
  floor runs on that copy, so tables, indexes and sizes match); after it, it reads the rows the
  step inserted (ids above the old maximum) and the rows it changed (columns that differ from
  the copy), and times one transaction of raw `executemany` INSERTs and UPDATEs of exactly those
  rows. The capture runs in a forked child, so its row lists never count in the bench's memory.
- `peak_rss` / `reset_peak_rss` give the peak resident memory of one step (Linux VmHWM).
"""

import contextlib
import multiprocessing
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table on SQLModel.metadata)

# The aggregate every close needs, as bare SQL: mean score per appraisal, reviewer kind and indicator.
CLOSE_AGGREGATE_SQL = """SELECT r.appraisal_id, r.kind, s.indicator_code, AVG(s.score), COUNT(*)
FROM review_score s JOIN review r ON r.id = s.review_id WHERE r.status = 'submitted'
GROUP BY r.appraisal_id, r.kind, s.indicator_code"""
# Tables whose existing rows a step may change; every table may gain rows.
UPDATED_TABLES = ("unit", "employee", "period", "appraisal", "review", "notification")


def raw_sqlite(path: Path) -> sqlite3.Connection:
    """A bare sqlite3 connection in autocommit mode with WAL and NORMAL sync, as the engine's."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


def timed_transaction(connection: sqlite3.Connection, statements: Sequence[tuple[str, list[Any]]]) -> float:
    """Seconds for one transaction running each (SQL, rows) pair through `executemany`."""
    started = time.perf_counter()
    connection.execute("BEGIN IMMEDIATE")
    for sql, rows in statements:
        if rows:
            connection.executemany(sql, rows)
    connection.execute("COMMIT")
    return time.perf_counter() - started


def reset_peak_rss() -> None:
    """Start a new peak: writing 5 to clear_refs resets VmHWM to the current RSS (Linux)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_rss() -> float:
    """Peak resident memory since the last reset, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass(frozen=True)
class FloorResult:
    seconds: float
    inserted: int
    updated: int


def _tables() -> list[str]:
    """Tables in foreign-key order (parents first), as the floor must insert them."""
    return [table.name for table in SQLModel.metadata.sorted_tables]


class WriteFloor:
    """The raw-executemany floor of one step on a SQLite file (see the module docstring)."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.copy = database.with_name(database.stem + "-floor.db")
        self.max_ids: dict[str, int] = {}

    def before(self) -> None:
        """Copy the database as it is now, and remember each table's highest id."""
        self.copy.unlink(missing_ok=True)
        source = sqlite3.connect(self.database)
        target = sqlite3.connect(self.copy)
        source.backup(target)
        target.close()
        self.max_ids = {
            name: source.execute(f"SELECT COALESCE(MAX(id), 0) FROM {name}").fetchone()[0]  # noqa: S608
            for name in _tables()
        }
        source.close()

    def after(self, keep_as: Path | None = None) -> FloorResult:
        """Replay what the step wrote with raw executemany on the copy; the copy is removed after,
        unless `keep_as` names where to keep the database as it was before the step (for profiling)."""
        if keep_as is not None:
            keep_as.unlink(missing_ok=True)
            target = sqlite3.connect(keep_as)
            sqlite3.connect(self.copy).backup(target)
            target.close()
        with multiprocessing.get_context("fork").Pool(1) as pool:
            result = pool.apply(_replay, (self.database, self.copy, self.max_ids))
        self.copy.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(str(self.copy) + suffix).unlink(missing_ok=True)
        return result


def _replay(database: Path, copy: Path, max_ids: dict[str, int]) -> FloorResult:
    """In a child process: capture the written rows, then time their raw replay on the copy."""
    reader = sqlite3.connect(database)
    reader.execute("ATTACH DATABASE ? AS pre", (str(copy),))
    statements: list[tuple[str, list[Any]]] = []
    inserted = updated = 0
    for name in _tables():
        columns = [row[1] for row in reader.execute(f"PRAGMA main.table_info({name})")]
        listed = ", ".join(columns)
        new = reader.execute(f"SELECT {listed} FROM main.{name} WHERE id > ?", (max_ids[name],)).fetchall()  # noqa: S608
        statements.append((f"INSERT INTO {name} ({listed}) VALUES ({', '.join('?' for _ in columns)})", new))  # noqa: S608
        inserted += len(new)
        if name in UPDATED_TABLES:
            differs = " OR ".join(f"t.{c} IS NOT p.{c}" for c in columns if c != "id")
            others = [c for c in columns if c != "id"]
            changed = reader.execute(
                f"SELECT {', '.join('t.' + c for c in others)}, t.id FROM main.{name} t "  # noqa: S608
                f"JOIN pre.{name} p ON p.id = t.id WHERE {differs}"
            ).fetchall()
            setters = ", ".join(f"{c} = ?" for c in others)
            statements.append((f"UPDATE {name} SET {setters} WHERE id = ?", changed))  # noqa: S608
            updated += len(changed)
    reader.close()
    # Foreign keys off, as in a bare bulk load: replaying final rows, a supervisor may come after
    # their staff, and a deferred check would scan the unindexed supervisor_id for each parent.
    writer = raw_sqlite(copy)
    seconds = timed_transaction(writer, statements)
    writer.close()
    return FloorResult(seconds, inserted, updated)

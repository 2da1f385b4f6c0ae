"""Floors for the benchmarks: what the bare database does with the same rows, measured in the same run.

Shared by every bench script here (`bench/` is not a package: the scripts run as
`python bench/NAME.py`, so they import this module by its plain name).

- `raw_sqlite` opens a bare `sqlite3` connection with WAL and NORMAL sync, as the engine does.
- `SQLiteFloor` and `PostgresFloor` (the `Floor` interface; `bench_database` picks one) measure
  the floor of *any* step: before the step they copy the database (the floor runs on that copy,
  so tables, indexes and sizes match); after it, they read the rows the step inserted (ids above
  the old maximum) and the rows it changed (that differ from the copy), and time one transaction
  of raw `executemany` INSERTs and UPDATEs of exactly those rows — `sqlite3`, or plain psycopg 3.
  The capture runs in a forked child, so its row lists never count in the bench's memory.
  `aggregate_seconds` is the close floor: `CLOSE_AGGREGATE_SQL` through the bare driver.
- `peak_rss` / `reset_peak_rss` give the peak resident memory of one step (Linux VmHWM).
"""

import contextlib
import multiprocessing
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import psycopg
from sqlalchemy.engine import URL, make_url
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table on SQLModel.metadata)
from models.db import normalise_database_url

# The aggregate every close needs, as bare SQL: mean score per appraisal, reviewer kind and indicator.
CLOSE_AGGREGATE_SQL = """SELECT r.appraisal_id, r.kind, s.indicator_code, AVG(s.score), COUNT(*)
FROM review_score s JOIN review r ON r.id = s.review_id WHERE r.status = 'submitted'
GROUP BY r.appraisal_id, r.kind, s.indicator_code"""
# Tables whose existing rows a step may change; every table may gain rows.
UPDATED_TABLES = ("unit", "employee", "period", "appraisal", "review", "notification")
Statements = list[tuple[str, list[Any]]]
T = TypeVar("T")


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


class Floor(Protocol):
    """One bench database and the floors measured on it, whatever the engine."""

    url: str  # what the engine connects to
    label: str  # which database, for the printed table

    def before(self) -> None:
        """Copy the database as it is now, just before a step."""

    def after(self, keep_as: str | None = None) -> FloorResult:
        """Time the raw replay of what the step wrote; with `keep_as`, keep the copy under that name."""

    def aggregate_seconds(self) -> float:
        """Seconds for the bare close aggregate over the review scores as they are now."""


def _tables() -> list[str]:
    """Tables with row ids in foreign-key order (parents first), as the floor must insert them.

    `review_tally` has no id and is left out: its rows are kept by triggers on `review`, which
    fire on the copy too when the floor replays the review rows, so the floor pays for them."""
    return [table.name for table in SQLModel.metadata.sorted_tables if "id" in table.c]


def _insert(name: str, columns: list[str], mark: str) -> str:
    return f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join(mark for _ in columns)})"  # noqa: S608


def _update(name: str, others: list[str], mark: str) -> str:
    """UPDATE of every column but id; its rows hold those columns, then the id."""
    return f"UPDATE {name} SET {', '.join(f'{c} = {mark}' for c in others)} WHERE id = {mark}"  # noqa: S608


def _counted(statements: Statements) -> tuple[int, int]:
    """(rows inserted, rows updated) in a replay."""
    inserted = sum(len(rows) for sql, rows in statements if sql.startswith("INSERT"))
    return inserted, sum(len(rows) for _, rows in statements) - inserted


def _in_child(measure: Callable[..., T], *args: Any) -> T:
    """Run `measure` in a forked child: the rows it reads never grow the bench's own memory (the
    close aggregate's 2.6 million rows, fetched in the bench process, had left its resident size
    at ~480 MB on PostgreSQL, which the close's peak then reported as its own)."""
    with multiprocessing.get_context("fork").Pool(1) as pool:
        return pool.apply(measure, args)


class SQLiteFloor:
    """The floors of a bench working in a SQLite file (see the module docstring)."""

    label = "SQLite file (WAL)"

    def __init__(self, database: Path) -> None:
        self.database = database
        self.url = f"sqlite:///{database}"
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

    def after(self, keep_as: str | None = None) -> FloorResult:
        """Replay what the step wrote with raw executemany on the copy; the copy is removed after,
        unless `keep_as` names the file (`<keep_as>.db` beside the database) to keep the database
        as it was before the step in, for profiling."""
        if keep_as is not None:
            kept = self.database.with_name(f"{keep_as}.db")
            kept.unlink(missing_ok=True)
            target = sqlite3.connect(kept)
            sqlite3.connect(self.copy).backup(target)
            target.close()
        result = _in_child(_replay_sqlite, self.database, self.copy, self.max_ids)
        self.copy.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(str(self.copy) + suffix).unlink(missing_ok=True)
        return result

    def aggregate_seconds(self) -> float:
        return _in_child(_aggregate_sqlite, self.database)


def _aggregate_sqlite(database: Path) -> float:
    connection = raw_sqlite(database)
    started = time.perf_counter()
    connection.execute(CLOSE_AGGREGATE_SQL).fetchall()
    seconds = time.perf_counter() - started
    connection.close()
    return seconds


def _replay_sqlite(database: Path, copy: Path, max_ids: dict[str, int]) -> FloorResult:
    """In a child process: capture the written rows, then time their raw replay on the copy."""
    reader = sqlite3.connect(database)
    reader.execute("ATTACH DATABASE ? AS pre", (str(copy),))
    statements: Statements = []
    for name in _tables():
        columns = [row[1] for row in reader.execute(f"PRAGMA main.table_info({name})")]
        listed = ", ".join(columns)
        new = reader.execute(f"SELECT {listed} FROM main.{name} WHERE id > ?", (max_ids[name],)).fetchall()  # noqa: S608
        statements.append((_insert(name, columns, "?"), new))
        if name in UPDATED_TABLES:
            others = [c for c in columns if c != "id"]
            differs = " OR ".join(f"t.{c} IS NOT p.{c}" for c in others)
            changed = reader.execute(
                f"SELECT {', '.join('t.' + c for c in others)}, t.id FROM main.{name} t "  # noqa: S608
                f"JOIN pre.{name} p ON p.id = t.id WHERE {differs}"
            ).fetchall()
            statements.append((_update(name, others, "?"), changed))
    reader.close()
    # Foreign keys off, as in a bare bulk load: replaying final rows, a supervisor may come after
    # their staff, and a deferred check would scan the unindexed supervisor_id for each parent.
    writer = raw_sqlite(copy)
    seconds = timed_transaction(writer, statements)
    writer.close()
    return FloorResult(seconds, *_counted(statements))


class PostgresFloor:
    """The floors of a bench working in a database of its own on a PostgreSQL server.

    The copy before a step is `CREATE DATABASE … TEMPLATE` (a file copy, exact, and fast): it
    needs no connection open to the bench database, which holds between steps since each step
    disposes of its engine. The server URL's own database only serves to create and drop ours.
    """

    def __init__(self, server_url: str, name: str) -> None:
        self.server = make_url(normalise_database_url(server_url))
        self.name = name
        self.copy = f"{name}_floor"
        self.url = self.server.set(database=name).render_as_string(hide_password=False)
        self.label = f"PostgreSQL (database {name})"
        self.max_ids: dict[str, int] = {}

    def _conninfo(self, database: str) -> str:
        """A plain psycopg connection string for `database` on the server."""
        return _conninfo(self.server.set(database=database))

    def _admin(self, *statements: str) -> None:
        """Run CREATE/DROP DATABASE statements, which need autocommit, from the server URL's database."""
        with psycopg.connect(_conninfo(self.server), autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)

    def create(self) -> None:
        self._admin(f"CREATE DATABASE {self.name}")
        with psycopg.connect(self._conninfo(self.name)) as connection:
            version = connection.execute("SHOW server_version").fetchone()
        self.label = f"PostgreSQL {version[0].split()[0] if version else '?'} (database {self.name})"

    def drop(self, *, keep: bool) -> None:
        """Drop the floor's copy, and unless `keep` the bench database (closing any connection left)."""
        self._admin(f"DROP DATABASE IF EXISTS {self.copy}")
        if not keep:
            self._admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")

    def before(self) -> None:
        """Refresh the planner's statistics, copy the database as it is now, and read each table's
        highest id off the copy.

        ANALYZE stands in for autovacuum, which in a real cycle has weeks between two steps to
        catch up with bulk writes; here they follow at once (and a server may run with autovacuum
        off), and without statistics the planner takes nested loops that grow with N squared.
        """
        with psycopg.connect(self._conninfo(self.name), autocommit=True) as connection:
            connection.execute("ANALYZE")
        self._admin(
            f"DROP DATABASE IF EXISTS {self.copy}",
            f"CREATE DATABASE {self.copy} TEMPLATE {self.name} STRATEGY FILE_COPY",
        )
        with psycopg.connect(self._conninfo(self.copy)) as connection:
            self.max_ids = {name: _max_id(connection, name) for name in _tables()}

    def after(self, keep_as: str | None = None) -> FloorResult:
        """Replay what the step wrote with psycopg executemany on the copy, then drop the copy;
        `keep_as` keeps the database as it was before the step as `<name>_<keep_as>`."""
        if keep_as is not None:
            kept = f"{self.name}_{keep_as.replace('-', '_')}"
            self._admin(
                f"DROP DATABASE IF EXISTS {kept}",
                f"CREATE DATABASE {kept} TEMPLATE {self.copy} STRATEGY FILE_COPY",
            )
        result = _in_child(
            _replay_postgres, self._conninfo(self.name), self._conninfo(self.copy), self.max_ids
        )
        self._admin(f"DROP DATABASE {self.copy}")
        return result

    def aggregate_seconds(self) -> float:
        return _in_child(_aggregate_postgres, self._conninfo(self.name))


def _aggregate_postgres(conninfo: str) -> float:
    with psycopg.connect(conninfo) as connection:
        started = time.perf_counter()
        connection.execute(CLOSE_AGGREGATE_SQL).fetchall()
        return time.perf_counter() - started


def _conninfo(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _max_id(connection: psycopg.Connection, name: str) -> int:
    row = connection.execute(f"SELECT COALESCE(MAX(id), 0) FROM {name}").fetchone()  # noqa: S608
    assert row is not None
    return row[0]


def _changed_ids(after: psycopg.Connection, before: psycopg.Connection, name: str, max_id: int) -> list[int]:
    """Ids of the rows up to `max_id` whose text differs between the two databases: a digest of
    each whole row, compared here since PostgreSQL cannot join across databases."""
    digests = f"SELECT id, md5({name}::text) FROM {name} WHERE id <= %s"  # noqa: S608
    old = dict(before.execute(digests, (max_id,)).fetchall())
    return [row_id for row_id, digest in after.execute(digests, (max_id,)) if old.get(row_id) != digest]


def _replay_postgres(database: str, copy: str, max_ids: dict[str, int]) -> FloorResult:
    """In a child process: capture the written rows, then time their raw replay on the copy.

    Values travel as their text (`::text`, sent back untyped): exact for every column type,
    JSON included, and parsed by the server as the column's type.
    """
    statements: Statements = []
    with psycopg.connect(database) as after, psycopg.connect(copy) as before:
        for name in _tables():
            description = after.execute(f"SELECT * FROM {name} LIMIT 0").description  # noqa: S608
            columns = [column.name for column in description or []]
            texts = ", ".join(f"{c}::text" for c in columns)
            new = after.execute(f"SELECT {texts} FROM {name} WHERE id > %s", (max_ids[name],)).fetchall()  # noqa: S608
            statements.append((_insert(name, columns, "%s"), new))
            if name in UPDATED_TABLES:
                others = [c for c in columns if c != "id"]
                changed = after.execute(
                    f"SELECT {', '.join(f'{c}::text' for c in others)}, id::text FROM {name} WHERE id = ANY(%s)",  # noqa: S608
                    (_changed_ids(after, before, name, max_ids[name]),),
                ).fetchall()
                statements.append((_update(name, others, "%s"), changed))
    # Foreign-key triggers off (session_replication_role, as pg_restore does), as on SQLite:
    # replaying final rows, a supervisor may come after their staff.
    with psycopg.connect(copy, options="-c session_replication_role=replica") as writer:
        started = time.perf_counter()
        with writer.cursor() as cursor:
            for sql, rows in statements:
                if rows:
                    cursor.executemany(sql, rows)
        writer.commit()
        seconds = time.perf_counter() - started
    return FloorResult(seconds, *_counted(statements))


@contextlib.contextmanager
def bench_database(url: str | None, folder: Path, name: str, *, keep: bool) -> Iterator[Floor]:
    """Where a bench works: a database of its own, `bench_<name>_<random>`, on the PostgreSQL
    server `url` points to (created empty, dropped afterwards unless `keep`: others' data on that
    server is never touched), else a fresh SQLite file `<name>.db` in `folder`."""
    if url is None or make_url(normalise_database_url(url)).get_backend_name() != "postgresql":
        database = folder / f"{name}.db"
        database.unlink(missing_ok=True)
        yield SQLiteFloor(database)
        return
    floor = PostgresFloor(url, f"bench_{name}_{uuid.uuid4().hex[:8]}")
    floor.create()
    try:
        yield floor
    finally:
        floor.drop(keep=keep)

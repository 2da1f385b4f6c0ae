"""One engine and session factory for SQLite (embedded default) and PostgreSQL (at scale).

Only the URL changes between the two. On SQLite every connection gets WAL, foreign keys, a busy
timeout and NORMAL sync (STYLE.md pitfall 4), and write transactions start with
`BEGIN IMMEDIATE` so two writers queue at the start instead of one failing at commit.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from config.errors import ConfigError

SQLITE_BUSY_TIMEOUT_MS = 30_000
_WRITE_OPTION = "appraisal_write"


def normalise_database_url(url: str) -> str:
    """Accept `postgresql://` (as most tools print it) and use the psycopg 3 driver we ship."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # SQLAlchemy raises ArgumentError with a terse message
        raise ConfigError(f"APPRAISAL_DATABASE_URL: not a database URL ({url!r}): {exc}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"APPRAISAL_DATABASE_URL: unsupported database {parsed.get_backend_name()!r}; "
            "use sqlite:///FILE.db or postgresql+psycopg://USER@HOST/DB"
        )
    return parsed.render_as_string(hide_password=False)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Driver-level autocommit: SQLAlchemy's "begin" event below issues BEGIN itself, so the
    # pysqlite driver's own implicit transactions never interfere.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(_WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_db_engine(url: str) -> Engine:
    """Engine for `url` with the per-dialect settings above."""
    url = normalise_database_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session whose single transaction commits on success and rolls back on any error.

    Nothing is partially written: callers do all their work inside one `with` block.
    """
    with Session(engine.execution_options(**{_WRITE_OPTION: True}), expire_on_commit=False) as session:
        with session.begin():
            yield session


@contextmanager
def write_connection(engine: Engine) -> Iterator[Connection]:
    """A Core connection whose transactions are write transactions (BEGIN IMMEDIATE on SQLite).

    For hot loops of small writes, where an ORM session (or even a pool checkout) per write
    would cost more than the statement: the caller opens one `with connection.begin():` per
    unit of work, so each still commits on its own.
    """
    with engine.execution_options(**{_WRITE_OPTION: True}).connect() as connection:
        yield connection


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for queries only; on SQLite it never blocks writers (WAL readers)."""
    with Session(engine) as session:
        yield session


def serialise_writers(session: Session, name: str) -> None:
    """Make concurrent writers of the same kind (two roster imports, two advances) take turns.

    SQLite already queues writers through BEGIN IMMEDIATE; PostgreSQL gets a transaction-scoped
    advisory lock keyed by `name`, released at commit or rollback.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name})


def plan_streams_for_the_whole_result(session: Session) -> None:
    """For the rest of the transaction, let PostgreSQL plan streamed queries (server-side cursors,
    `yield_per`) for their total time: the engine reads such a cursor to its end, but PostgreSQL
    plans cursors for their first rows (`cursor_tuple_fraction` 0.1). Streaming the 300,000
    reviews a peer stage opens then walked every review in id order through nested index lookups
    (24 s of a 100,000-staff advance, profiled) instead of joining by hash. SQLite: nothing."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL cursor_tuple_fraction = 1.0"))

"""Shared fixtures: a clean environment, and a fresh migrated database on SQLite or PostgreSQL.

`database_url` is parametrised over both engines. PostgreSQL tests run in a schema of their own
inside the local server's `test` database; when CI=true a missing server is an error, not a
skip, so CI can never pass without having exercised PostgreSQL.
"""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from models.db import create_db_engine
from models.schema import upgrade_schema

POSTGRES_SERVER_URL = os.environ.get(
    "APPRAISAL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TEST_SECRET = "test-secret-key-0123456789abcdef"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No APPRAISAL_* setting leaks in from the developer's shell; each test runs in its own directory."""
    for name in list(os.environ):
        if name.startswith("APPRAISAL_") and name != "APPRAISAL_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("APPRAISAL_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)


def _postgres_available() -> str | None:
    try:
        with create_engine(POSTGRES_SERVER_URL).connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any connection failure means "not available"
        return str(exc).splitlines()[0]
    return None


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The server URL, or a skip (an error under CI) when no server answers."""
    problem = _postgres_available()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but PostgreSQL at {POSTGRES_SERVER_URL} is not reachable: {problem}")
        pytest.skip(f"PostgreSQL not reachable ({problem})")
    return POSTGRES_SERVER_URL


def _postgres_schema_url(server_url: str) -> Iterator[str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{server_url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables, on each engine."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'appraisal.db'}"
    else:
        yield from _postgres_schema_url(request.getfixturevalue("postgres_server"))


@pytest.fixture
def database_url(empty_database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated database, also set as APPRAISAL_DATABASE_URL for CLI tests."""
    engine = create_db_engine(empty_database_url)
    upgrade_schema(engine)
    engine.dispose()
    monkeypatch.setenv("APPRAISAL_DATABASE_URL", empty_database_url)
    return empty_database_url

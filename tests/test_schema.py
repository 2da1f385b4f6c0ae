"""The schema: created only by migrations, equal to the models, and enforcing DESIGN §3's rules."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, insert, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from models import Appraisal, Employee, IndicatorSet, Notification, Period, Review, Unit
from models.db import create_db_engine, normalise_database_url, write_session
from models.schema import (
    SchemaError,
    _alembic_config,
    current_revision,
    head_revision,
    require_current_schema,
    upgrade_schema,
)

NOW = datetime(2027, 1, 4, 1, 0, tzinfo=UTC)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    db_engine = create_db_engine(database_url)
    yield db_engine
    db_engine.dispose()


def test_migrations_produce_exactly_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_upgrade_is_idempotent_and_downgrade_round_trips(empty_database_url: str) -> None:
    engine = create_db_engine(empty_database_url)
    with pytest.raises(SchemaError, match="appraisal db upgrade"):
        require_current_schema(engine)
    assert upgrade_schema(engine) == (None, head_revision())
    assert upgrade_schema(engine) == (head_revision(), head_revision())
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert current_revision(engine) is None
    upgrade_schema(engine)
    require_current_schema(engine)
    engine.dispose()


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(tmp_path: object) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path}/x.db")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    engine.dispose()


def test_postgres_urls_get_the_psycopg_driver_and_others_are_refused() -> None:
    assert normalise_database_url("postgresql://u@h/db").startswith("postgresql+psycopg://")
    with pytest.raises(Exception, match="unsupported database"):
        normalise_database_url("mysql://u@h/db")


def _seed(engine: Engine) -> dict[str, int]:
    """One unit, two employees, a period, an appraisal and a review: the minimum to collide with."""
    with write_session(engine) as session:
        unit = session.execute(
            insert(Unit).returning(Unit.id),
            [{"code": "U", "name": "Unit", "created_at": NOW, "updated_at": NOW}],
        ).scalar_one()
        people = [
            {
                "nip": nip,
                "name": nip,
                "email": f"{nip}@x.id",
                "unit_id": unit,
                "position": "p",
                "grade": "III/a",
                "timezone": "Asia/Jakarta",
                "created_at": NOW,
                "updated_at": NOW,
            }
            for nip in ("197001011995031001", "198002022005012001")
        ]
        ids = session.execute(insert(Employee).returning(Employee.id), people).scalars().all()
        iset = session.execute(
            insert(IndicatorSet).returning(IndicatorSet.id),
            [
                {
                    "name": "default",
                    "version": 1,
                    "fingerprint": "f",
                    "scale_min": 1,
                    "scale_max": 5,
                    "created_at": NOW,
                }
            ],
        ).scalar_one()
        period = session.execute(
            insert(Period).returning(Period.id),
            [
                {
                    "key": "annual-2027",
                    "cycle_name": "annual",
                    "starts_at": NOW,
                    "ends_at": NOW.replace(year=2028),
                    "status": "open",
                    "indicator_set_id": iset,
                    "cycle_snapshot": {},
                    "created_at": NOW,
                }
            ],
        ).scalar_one()
        appraisal = session.execute(
            insert(Appraisal).returning(Appraisal.id),
            [
                {
                    "period_id": period,
                    "employee_id": ids[0],
                    "unit_id": unit,
                    "stage": "self_assessment",
                    "stage_started_at": NOW,
                    "updated_at": NOW,
                }
            ],
        ).scalar_one()
        session.execute(
            insert(Review),
            [{"appraisal_id": appraisal, "reviewer_id": ids[0], "kind": "self", "status": "open"}],
        )
        session.execute(
            insert(Notification),
            [
                {
                    "dedupe_key": "k1",
                    "channel": "email",
                    "template": "t",
                    "payload": {},
                    "status": "pending",
                    "attempts": 0,
                    "created_at": NOW,
                }
            ],
        )
    return {"unit": unit, "employee": ids[0], "other": ids[1], "period": period, "appraisal": appraisal}  # fmt: skip


REJECTED = [
    ("duplicate-nip", "INSERT INTO employee (nip, name, email, unit_id, position, grade, timezone, locale, active, created_at, updated_at) VALUES ('197001011995031001', 'x', 'x@x.id', :unit, 'p', 'g', 'Asia/Jakarta', 'id', true, :now, :now)"),
    ("duplicate-unit-code", "INSERT INTO unit (code, name, created_at, updated_at) VALUES ('U', 'again', :now, :now)"),
    ("duplicate-appraisal", "INSERT INTO appraisal (period_id, employee_id, unit_id, stage, stage_started_at, updated_at) VALUES (:period, :employee, :unit, 'self_assessment', :now, :now)"),
    ("duplicate-review", "INSERT INTO review (appraisal_id, reviewer_id, kind, status) VALUES (:appraisal, :employee, 'self', 'open')"),
    ("duplicate-dedupe-key", "INSERT INTO notification (dedupe_key, channel, template, payload, status, attempts, created_at) VALUES ('k1', 'chat', 't', '{}', 'pending', 0, :now)"),
    ("unknown-stage", "UPDATE appraisal SET stage = 'finished' WHERE id = :appraisal"),
    ("unknown-review-status", "UPDATE review SET status = 'done' WHERE appraisal_id = :appraisal"),
    ("unknown-review-kind", "INSERT INTO review (appraisal_id, reviewer_id, kind, status) VALUES (:appraisal, :other, 'boss', 'open')"),
    ("unknown-period-status", "UPDATE period SET status = 'archived' WHERE id = :period"),
    ("dangling-foreign-key", "INSERT INTO review (appraisal_id, reviewer_id, kind, status) VALUES (:appraisal, 999999, 'peer', 'open')"),
]  # fmt: skip


@pytest.mark.parametrize("statement", [r[1] for r in REJECTED], ids=[r[0] for r in REJECTED])
def test_database_rejects_what_the_rules_forbid(engine: Engine, statement: str) -> None:
    ids = _seed(engine)
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text(statement), {**ids, "now": NOW.isoformat()})

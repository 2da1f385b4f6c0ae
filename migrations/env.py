"""Alembic environment: runs on the connection `appraisal db upgrade` hands in, or on the
engine built from APPRAISAL_DATABASE_URL when a developer runs `alembic` directly."""

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table on SQLModel.metadata)
from models.db import create_db_engine

config = context.config
target_metadata = SQLModel.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode rebuilds the table
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from config.settings import load_settings

    engine = create_db_engine(load_settings().database_url)
    with engine.connect() as new_connection:
        _run(new_connection)


run_migrations()

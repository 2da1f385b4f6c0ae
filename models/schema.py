"""Schema management through Alembic only (no `create_all` anywhere in production paths)."""

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

import migrations
from config.errors import AppraisalError

MIGRATIONS_DIR = Path(migrations.__file__).parent


class SchemaError(AppraisalError):
    """The database schema is missing or older than this version of the engine."""


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@cache
def head_revision() -> str:
    """The newest migration this code ships (read once: loading the migration scripts took 20 ms,
    a fifth of `appraisal status`, and the scripts shipped with the code cannot change under it)."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None, "migrations/versions holds no migration"
    return head


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_schema(engine: Engine) -> tuple[str | None, str]:
    """Create or upgrade the schema to the newest migration; returns (before, after)."""
    before = current_revision(engine)
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return before, head_revision()


def require_current_schema(engine: Engine) -> None:
    """Refuse to work on a database that `appraisal db upgrade` has not brought up to date."""
    current = current_revision(engine)
    if current != head_revision():
        state = "has no tables yet" if current is None else f"is at migration {current}"
        raise SchemaError(
            f"The database {engine.url.render_as_string(hide_password=True)} {state}; "
            "run `appraisal db upgrade` first."
        )

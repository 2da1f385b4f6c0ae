"""What every command needs: settings, the engine, a console, each built on demand.

Nothing here imports Prefect: read-only commands must answer in well under a second.
"""

import getpass
from typing import Any

from rich.console import Console
from sqlalchemy import Engine

from config.settings import Settings, load_settings
from models.db import create_db_engine
from models.schema import require_current_schema

console = Console(highlight=False)
error_console = Console(stderr=True, highlight=False)


def settings(**overrides: Any) -> Settings:
    """Settings from the environment and `.env`, with a command's overrides."""
    return load_settings(**overrides)


def engine(current: Settings, *, check_schema: bool = True) -> Engine:
    """The database engine; refuses a database `appraisal db upgrade` has not prepared."""
    db_engine = create_db_engine(current.database_url)
    if check_schema:
        require_current_schema(db_engine)
    return db_engine


def actor() -> str:
    """Who is running the command, for the audit trail."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"

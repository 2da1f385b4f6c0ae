"""What every command needs: settings, the engine, a console, each built on demand.

Nothing here imports Prefect: read-only commands must answer in well under a second.
"""

import getpass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from sqlalchemy import Engine

from config.errors import AppraisalError
from config.settings import Settings, load_settings
from config.zones import ZONE_ABBREVIATIONS
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


def parse_date(option: str, value: str | None) -> date | None:
    """A YYYY-MM-DD option value, or a clear error naming the option."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise AppraisalError(f"{option}: expected a date YYYY-MM-DD, got {value!r}") from None


def local_date(moment: datetime, zone: str, *, inclusive_end: bool = False) -> date:
    """The calendar date of `moment` in `zone` (the day before, for an exclusive window end)."""
    local = moment.astimezone(ZoneInfo(zone)).date()
    return local - timedelta(days=1) if inclusive_end else local


def local_time(moment: datetime | None, zone: str) -> str:
    """`moment` as HR reads it: local date and time with the zone's abbreviation."""
    if moment is None:
        return "-"
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%Y-%m-%d %H:%M} {ZONE_ABBREVIATIONS.get(zone, local.tzname())}"


def parse_now(text: str) -> datetime:
    """An aware instant from ISO-8601 text (the demo's fixed start)."""
    return datetime.fromisoformat(text)

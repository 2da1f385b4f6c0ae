"""The engine's steps as plain functions: what a Prefect flow runs, and what the CLI runs directly
when no Prefect server is up. Each step is one transaction and returns a JSON-able summary.

No Prefect import here: the CLI uses these without paying Prefect's start-up cost.
"""

from datetime import date
from typing import Any

from sqlalchemy import Engine

from config.errors import AppraisalError
from config.settings import Settings
from cycle.advancing import advance_period, open_periods
from cycle.opening import open_period
from cycle.periods import explicit_window
from models.db import create_db_engine, read_session, write_session
from models.progress_queries import find_period, stage_counts, stage_progress
from models.schema import require_current_schema


def _engine(settings: Settings) -> Engine:
    engine = create_db_engine(settings.database_url)
    require_current_schema(engine)
    return engine


def open_period_step(
    settings: Settings,
    cycle_name: str,
    *,
    start: date | None = None,
    end: date | None = None,
    actor: str = "system",
) -> dict[str, Any]:
    """Open the cycle's period for the window containing now (or start..end); idempotent."""
    config = settings.load_cycles()
    cycle = config.cycle(cycle_name)
    window = None
    if start is not None or end is not None:
        if start is None or end is None:
            raise AppraisalError("give both --start and --end, or neither")
        window = explicit_window(cycle_name, cycle.cadence, start, end, cycle.timezone or settings.timezone)
    engine = _engine(settings)
    with write_session(engine) as session:
        result = open_period(session, config, cycle_name, settings.current_time(), window=window, actor=actor)
    engine.dispose()
    return {
        "period": result.key,
        "created": result.created,
        "status": result.status,
        "appraisals": result.appraisals,
    }


def advance_step(settings: Settings, *, actor: str = "system") -> dict[str, Any]:
    """Advance every open period as far as submissions and deadlines allow."""
    engine = _engine(settings)
    now = settings.current_time()
    reports = []
    with write_session(engine) as session:
        for period in open_periods(session):
            report = advance_period(session, period, now, actor=actor)
            reports.append({"period": report.period_key, "missed": dict(report.missed), "moved": dict(report.moved),
                            "without_reviewer": report.without_reviewer})  # fmt: skip
    engine.dispose()
    return {"now": now.isoformat(), "periods": reports}


def progress_step(settings: Settings, period_key: str | None) -> dict[str, Any]:
    """Progress per unit and stage of one period (default: the latest), for status and artifacts."""
    engine = _engine(settings)
    now = settings.current_time()
    with read_session(engine) as session:
        period = find_period(session, period_key)
        if period is None:
            raise AppraisalError(
                f"no period {period_key!r}" if period_key else "no period yet: run `appraisal period open`"
            )
        stages = stage_counts(session, period.id)
        rows = [row.as_dict() for row in stage_progress(session, period.id, now)]
    engine.dispose()
    return {
        "period": period.key,
        "status": period.status,
        "now": now.isoformat(),
        "stages": stages,
        "rows": rows,
    }

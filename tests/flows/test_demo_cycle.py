"""The demo's whole cycle — open, simulated reviews, advance day by day, close — as real Prefect flows."""

import asyncio
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from config.cycles import load_cycles
from config.settings import DEFAULT_CYCLES_PATH
from demo.city import generate_city, write_roster_csv
from demo.simulation import DayReport, EngineCalls, simulate
from models import Appraisal, Period, Recommendation
from models.db import create_db_engine, read_session
from roster.load import import_roster

START = datetime(2027, 1, 4, 8, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


@pytest.mark.usefixtures("prefect_harness")
def test_full_demo_cycle_runs_through_prefect_flows(database_url: str, tmp_path: Path) -> None:
    engine = create_db_engine(database_url)
    write_roster_csv(generate_city(employees=40, seed=3), tmp_path / "city.csv")
    import_roster(engine, tmp_path / "city.csv", default_timezone="Asia/Jakarta")
    steps = list(simulate(engine, EngineCalls(database_url, mode="prefect"), load_cycles(DEFAULT_CYCLES_PATH),
                          cycle_name="annual", start=START, seed=3))  # fmt: skip
    assert steps[0] == 40
    days = [s for s in steps if isinstance(s, DayReport)]
    assert days[-1].stages == {"calibration": 40}
    assert any(d.missed for d in days), "a few simulated reviewers never submit"
    summary = steps[-1]
    assert isinstance(summary, dict) and summary["closed_now"] and summary["appraisals"] == 40
    with read_session(engine) as session:
        assert session.execute(select(Period.status)).scalar_one() == "closed"
        stages = dict(session.execute(select(Appraisal.stage, func.count()).group_by(Appraisal.stage)).all())
        recommendations = session.execute(select(func.count(Recommendation.id))).scalar_one()
    engine.dispose()
    assert stages == {"closed": 40}
    assert sum(summary["predikat"].values()) + summary["incomplete"] == 40
    assert recommendations == sum(summary["recommendations"].values()) > 0
    assert {"distribution-annual-2027", "results-annual-2027", "progress-annual-2027"} <= artifact_keys()


def artifact_keys() -> set[str]:
    """Keys of the latest artifacts on the harness's server."""
    from prefect.client.orchestration import get_client

    async def read() -> set[str]:
        async with get_client() as client:
            return {artifact.key for artifact in await client.read_latest_artifacts(limit=50)}

    return asyncio.run(read())

"""The real Prefect flows, end to end under Prefect's test harness; their helpers without it."""

import asyncio
from pathlib import Path

import pytest
import yaml
from sqlalchemy.exc import OperationalError

from config.cycles import load_cycles
from config.settings import DEFAULT_CYCLES_PATH
from flows.runner import run_engine_step
from flows.transient import is_transient
from tests.builders import small_roster, write_roster

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def roster_loaded(database_url: str, tmp_path: Path) -> str:
    from models.db import create_db_engine
    from roster.load import import_roster

    engine = create_db_engine(database_url)
    import_roster(
        engine, write_roster(tmp_path / "roster.csv", small_roster()), default_timezone="Asia/Jakarta"
    )
    engine.dispose()
    return database_url


@pytest.mark.usefixtures("prefect_harness")
def test_open_then_advance_through_prefect_and_publish_progress(roster_loaded: str) -> None:
    from prefect.client.orchestration import get_client

    from flows.engine_flows import advance_stages_flow, artifact_key, open_period_flow

    opened = open_period_flow(cycle="annual", now="2027-01-04T09:00:00+07:00")
    assert opened == {"period": "annual-2027", "created": True, "status": "open", "appraisals": 8}
    again = open_period_flow(cycle="annual", now="2027-01-04T10:00:00+07:00")
    assert again["created"] is False
    advanced = advance_stages_flow(now="2027-01-20T09:00:00+07:00")  # self-assessments due 2027-01-19
    report = advanced["periods"][0]
    assert report["missed"] == {"self": 8}
    # Budi (no supervisor, no parent unit, no HR unit in this roster) has nobody to review him:
    # his supervisor stage passes at once, the others wait for their supervisors.
    assert report["moved"] == {"self_assessment→supervisor_review": 8, "supervisor_review→peer_review": 1}
    assert report["without_reviewer"] == 1

    async def latest_artifact() -> object:
        async with get_client() as client:
            return await client.read_latest_artifacts()

    keys = {artifact.key for artifact in asyncio.run(latest_artifact())}  # type: ignore[attr-defined]
    assert artifact_key("annual-2027") in keys


def test_without_a_server_the_cli_runs_the_step_directly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")  # nothing listens on the discard port
    outcome = run_engine_step("advance_stages_flow", lambda: {"periods": []})
    assert outcome.via_prefect is False and "No Prefect server" in outcome.note


def test_only_transient_database_errors_are_retried() -> None:
    locked = OperationalError("UPDATE review …", {}, Exception("database is locked"))
    broken = OperationalError("SELECT …", {}, Exception("no such table: review"))
    assert is_transient(locked)
    assert not is_transient(broken)
    assert not is_transient(ValueError("bad data"))


def test_prefect_yaml_schedules_match_the_cycle_configuration() -> None:
    deployments = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]
    opens = {
        d["parameters"]["cycle"]: d["schedules"][0] for d in deployments if d["name"].startswith("open-")
    }
    config = load_cycles(DEFAULT_CYCLES_PATH)
    assert set(opens) == set(config.cycles)
    for name, cycle in config.cycles.items():
        assert (opens[name]["cron"], opens[name]["timezone"]) == (cycle.open_cron, cycle.timezone)


@pytest.mark.usefixtures("prefect_harness")
def test_a_failed_flow_run_alerts_hr_through_the_outbox(database_url: str) -> None:
    from sqlalchemy import select

    from flows.engine_flows import close_period_flow
    from models import Notification
    from models.db import create_db_engine, read_session

    with pytest.raises(Exception, match="no period 'annual-2031'"):
        close_period_flow(period="annual-2031", now="2031-03-01T09:00:00+07:00")
    engine = create_db_engine(database_url)
    with read_session(engine) as session:
        alerts = (
            session.execute(select(Notification).where(Notification.template == "flow_failed"))
            .scalars()
            .all()
        )
    engine.dispose()
    assert len(alerts) == 1
    alert = alerts[0]
    assert (alert.channel, alert.recipient_id, alert.status) == ("hr", None, "pending")
    assert alert.payload["flow_name"] == "close-period" and "annual-2031" in alert.payload["error"]
    assert alert.dedupe_key == f"flow-failed:{alert.payload['flow_run_id']}"


def test_serve_and_prefect_yaml_declare_the_same_deployments() -> None:
    from flows.deployments import engine_deployments

    served = {d.name: d for d in engine_deployments(load_cycles(DEFAULT_CYCLES_PATH), "Asia/Jakarta")}
    declared = {
        d["name"]: d
        for d in yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]
    }
    assert set(served) == set(declared) == {
        "open-annual", "open-quarterly", "open-monthly", "advance-hourly", "close-due-daily", "dispatch-every-5-minutes",
        "reminders-daily",
    }  # fmt: skip
    for name, deployment in served.items():
        schedule = deployment.schedules[0].schedule
        assert (schedule.cron, schedule.timezone) == (
            declared[name]["schedules"][0]["cron"],
            declared[name]["schedules"][0]["timezone"],
        )

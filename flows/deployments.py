"""The engine's schedules as Prefect deployments: the same set for `appraisal serve` (one process,
embedded default) and, through prefect.yaml, for a work pool at scale."""

from typing import Any

from prefect.schedules import Cron

from config.cycles import CyclesConfig
from flows.engine_flows import (
    advance_stages_flow,
    close_due_periods_flow,
    dispatch_notifications_flow,
    open_period_flow,
    send_reminders_flow,
)

ADVANCE_CRON = "5 * * * *"  # hourly, a few minutes past the hour
CLOSE_CRON = "30 6 * * 1-5"  # working-day mornings, before office hours
DISPATCH_CRON = "*/5 * * * *"  # every five minutes
REMINDERS_CRON = "0 8 * * 1-5"  # office-hours start on working days (holidays are skipped by the planner)


def engine_deployments(config: CyclesConfig, timezone: str) -> list[Any]:
    """Open per cycle on its cron (in its time zone); advance hourly; close due periods each working
    morning; deliver notifications every five minutes."""
    deployments = [
        open_period_flow.to_deployment(
            name=f"open-{name}",
            schedules=[Cron(cycle.open_cron, timezone=cycle.timezone or timezone)],
            parameters={"cycle": name},
            description=f"Open the {cycle.label} period",
        )
        for name, cycle in config.cycles.items()
    ]
    deployments.append(
        advance_stages_flow.to_deployment(
            name="advance-hourly",
            schedules=[Cron(ADVANCE_CRON, timezone=timezone)],
            description="Advance every open period",
        )
    )
    deployments.append(
        close_due_periods_flow.to_deployment(
            name="close-due-daily",
            schedules=[Cron(CLOSE_CRON, timezone=timezone)],
            description="Close periods whose calibration time is over",
        )
    )
    deployments.append(
        dispatch_notifications_flow.to_deployment(
            name="dispatch-every-5-minutes",
            schedules=[Cron(DISPATCH_CRON, timezone=timezone)],
            description="Deliver pending notifications",
        )
    )
    deployments.append(
        send_reminders_flow.to_deployment(
            name="reminders-daily",
            schedules=[Cron(REMINDERS_CRON, timezone=timezone)],
            description="Send the reminders due today",
        )
    )
    return deployments

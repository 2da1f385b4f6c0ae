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

# The engine-wide schedules, in the organisation's time zone: (flow, deployment name, cron, what it does).
ROUTINE: tuple[tuple[Any, str, str, str], ...] = (
    (advance_stages_flow, "advance-hourly", "5 * * * *", "Advance every open period"),
    (
        close_due_periods_flow,
        "close-due-daily",
        "30 6 * * 1-5",
        "Close periods whose calibration time is over",
    ),
    (
        send_reminders_flow,
        "reminders-daily",
        "0 8 * * 1-5",
        "Send the reminders due today (office-hours start)",
    ),
    (dispatch_notifications_flow, "dispatch-every-5-minutes", "*/5 * * * *", "Deliver pending notifications"),
)


def engine_deployments(config: CyclesConfig, timezone: str) -> list[Any]:
    """Open per cycle on its cron (in its time zone), then the routine schedules above."""
    opening = [
        open_period_flow.to_deployment(
            name=f"open-{name}",
            schedules=[Cron(cycle.open_cron, timezone=cycle.timezone or timezone)],
            parameters={"cycle": name},
            description=f"Open the {cycle.label} period",
        )
        for name, cycle in config.cycles.items()
    ]
    routine = [
        flow.to_deployment(name=name, schedules=[Cron(cron, timezone=timezone)], description=description)
        for flow, name, cron, description in ROUTINE
    ]
    return opening + routine

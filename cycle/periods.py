"""Period windows and their readable keys (`annual-2027`, `quarterly-2027-Q1`, `monthly-2027-01`).

A cadence's window is the calendar year, quarter or month containing "now" in the cycle's time
zone; a custom cadence (or an explicit --start/--end) is keyed by its first day.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from config.cycles import CycleDefinition
from config.errors import AppraisalError
from models import Period


@dataclass(frozen=True)
class PeriodWindow:
    key: str
    starts_at: datetime  # inclusive, aware
    ends_at: datetime  # exclusive, aware


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def window_containing(
    cycle_name: str, cadence: str, moment: datetime, timezone: str, custom_days: int | None = None
) -> PeriodWindow:
    """The window of `cadence` that contains `moment`."""
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone).date()
    if cadence == "annual":
        start, end, key = date(local.year, 1, 1), date(local.year + 1, 1, 1), f"{cycle_name}-{local.year}"
    elif cadence == "quarterly":
        quarter = (local.month - 1) // 3
        start = date(local.year, quarter * 3 + 1, 1)
        end = date(local.year + (quarter == 3), (quarter * 3 + 3) % 12 + 1, 1)
        key = f"{cycle_name}-{local.year}-Q{quarter + 1}"
    elif cadence == "monthly":
        start = date(local.year, local.month, 1)
        end = date(local.year + (local.month == 12), local.month % 12 + 1, 1)
        key = f"{cycle_name}-{local.year}-{local.month:02d}"
    elif cadence == "custom" and custom_days:
        start, end, key = local, local + timedelta(days=custom_days), f"{cycle_name}-{local.isoformat()}"
    else:
        raise AppraisalError(f"cycle {cycle_name}: cannot work out a window for cadence {cadence!r}")
    return PeriodWindow(key, _midnight(start, zone), _midnight(end, zone))


def explicit_window(cycle_name: str, cadence: str, start: date, end: date, timezone: str) -> PeriodWindow:
    """A window given by --start/--end (end inclusive); keyed like its cadence when it matches one."""
    if end < start:
        raise AppraisalError(f"--end {end} is before --start {start}")
    zone = ZoneInfo(timezone)
    window = PeriodWindow(
        f"{cycle_name}-{start.isoformat()}", _midnight(start, zone), _midnight(end + timedelta(days=1), zone)
    )
    if cadence != "custom":
        standard = window_containing(cycle_name, cadence, window.starts_at, timezone)
        if (standard.starts_at, standard.ends_at) == (window.starts_at, window.ends_at):
            return standard
    return window


def cycle_of(period: Period) -> CycleDefinition:
    """The cycle definition frozen into the period when it opened."""
    return CycleDefinition.model_validate(period.cycle_snapshot["cycle"])

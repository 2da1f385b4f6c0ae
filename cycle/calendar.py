"""Working days: weekends and Indonesian national holidays excluded, in a given time zone.

Deadlines are counted in the time zone of the person who must act, so a reviewer in Makassar
(WITA) is due at the end of *their* working day, an hour before a colleague in Jakarta (WIB).
"""

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

END_OF_DAY = time(23, 59, 59)


@lru_cache(maxsize=64)
def _holidays(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=year))


def is_working_day(day: date, country: str = "ID") -> bool:
    """Monday–Friday and not a national holiday of `country`."""
    return day.weekday() < 5 and day not in _holidays(country, day.year)


def add_working_days(start: date, days: int, country: str = "ID") -> date:
    """The `days`-th working day after `start` (`start` itself never counts)."""
    if days < 1:
        raise ValueError(f"a stage lasts at least one working day, got {days}")
    current, counted = start, 0
    while counted < days:
        current += timedelta(days=1)
        counted += is_working_day(current, country)
    return current


def due_at(opened: datetime, working_days: int, timezone: str, country: str = "ID") -> datetime:
    """End (23:59:59 local) of the `working_days`-th working day after the local opening date."""
    zone = ZoneInfo(timezone)
    last_day = add_working_days(opened.astimezone(zone).date(), working_days, country)
    return datetime.combine(last_day, END_OF_DAY, tzinfo=zone)


def working_days_before(day: date, days: int, country: str = "ID") -> date:
    """The working day `days` working days before `day` (`day` itself for 0)."""
    current, counted = day, 0
    while counted < days:
        current -= timedelta(days=1)
        counted += is_working_day(current, country)
    return current


def working_days_between(start: date, end: date, country: str = "ID") -> int:
    """Working days after `start` up to and including `end` (0 when `end` is not after `start`)."""
    return sum(is_working_day(start + timedelta(days=n), country) for n in range(1, (end - start).days + 1))

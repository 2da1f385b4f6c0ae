"""The one clock: every decision about time reads "now" from here.

`--now` on the CLI beats `APPRAISAL_NOW` in the environment, which beats the real time, so a
whole year can be simulated (and tested) in seconds.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from config.errors import AppraisalError

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The real time, aware, in UTC."""
    return datetime.now(UTC)


def fixed_clock(moment: datetime) -> Clock:
    """A clock that always answers `moment` (which must carry its time zone)."""
    if moment.tzinfo is None:
        raise AppraisalError(f"the time {moment.isoformat()} has no time zone")
    return lambda: moment


def parse_now(text: str, default_timezone: str) -> datetime:
    """An ISO-8601 instant; a value without offset is read in `default_timezone`."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise AppraisalError(
            f"--now: expected an ISO-8601 time such as 2027-01-04T09:00+07:00, got {text!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(default_timezone))


def choose_clock(cli_now: str | None, env_now: datetime | None, default_timezone: str) -> Clock:
    """`--now`, else APPRAISAL_NOW, else the real time."""
    if cli_now:
        return fixed_clock(parse_now(cli_now, default_timezone))
    if env_now is not None:
        return fixed_clock(env_now)
    return system_clock

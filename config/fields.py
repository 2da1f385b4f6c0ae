"""Field types shared by the cycle configuration, each with a message an HR officer can act on.

The checks live in small functions (used through `Annotated`) rather than in pydantic's generic
constraints, because "must be a whole number of working days ≥ 1 (got 0)" tells the person
editing the YAML what to write, and "Input should be greater than or equal to 1" does not.
"""

import difflib
import math
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict

# The five predikat of PermenPANRB 6/2022, best first. Spelled exactly as the rule does.
PREDIKAT: tuple[str, ...] = ("Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang/Misconduct", "Sangat Kurang")

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
# The roster's unit code rule (roster/validation.py), so additions can name any importable unit.
UNIT_CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
PROGRAMME_CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,31}$")
MAX_CODE_LENGTH = 64  # the width of the code columns in the database


class ConfigModel(BaseModel):
    """Base of every configuration model: unknown keys are errors (typos must not pass silently)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def suggestion(value: str, choices: Iterable[str]) -> str:
    """`; did you mean 'Baik'?` when a close match exists, else an empty string."""
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def check_timezone(value: str) -> str:
    """An IANA time-zone name zoneinfo knows (Asia/Jakarta, Asia/Makassar, Asia/Jayapura, …)."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        hint = suggestion(value, available_timezones())  # scans tzdata: only on this error path
        raise ValueError(
            f"unknown time zone {value!r}{hint or ';'} expected an IANA name such as Asia/Jakarta (WIB), "
            "Asia/Makassar (WITA) or Asia/Jayapura (WIT)"
        ) from None
    return value


def _check_cron(value: str) -> str:
    # cronsim is what Prefect's own cron parsing agrees with, without importing Prefect.
    from cronsim import CronSim, CronSimError

    try:
        CronSim(value, datetime(2000, 1, 1))
    except CronSimError as exc:
        raise ValueError(
            f"not a valid cron expression ({exc}); expected five fields 'minute hour day month weekday', "
            "e.g. '0 7 2 1 *'"
        ) from None
    return value


def _check_code(value: str) -> str:
    if not CODE_PATTERN.match(value) or len(value) > MAX_CODE_LENGTH:
        raise ValueError(
            f"must be lower-case letters, digits and '_', starting with a letter, at most "
            f"{MAX_CODE_LENGTH} characters (got {value!r})"
        )
    return value


def _check_unit_code(value: str) -> str:
    if not UNIT_CODE_PATTERN.match(value):
        raise ValueError(f"expected a unit code of 1-32 letters, digits, '.', '_' or '-' (got {value!r})")
    return value


def _check_programme_code(value: str) -> str:
    if not PROGRAMME_CODE_PATTERN.match(value):
        raise ValueError(f"expected a programme code such as 'PLT-001', without spaces (got {value!r})")
    return value


def _check_predikat(value: str) -> str:
    if value not in PREDIKAT:
        expected = ", ".join(repr(name) for name in PREDIKAT)
        # The rule's label is "Kurang/Misconduct"; people often write only one half of it.
        hint = (
            "; did you mean 'Kurang/Misconduct'?" if value.strip().lower() in ("kurang", "misconduct") else ""
        )
        hint = hint or suggestion(value, PREDIKAT) or ";"
        raise ValueError(f"unknown predikat {value!r}{hint} expected one of: {expected}")
    return value


def _check_text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


def _check_country(value: str) -> str:
    from holidays.registry import COUNTRIES  # only the registry: the country modules load lazily

    codes = {entry[1] for entry in COUNTRIES.values() if len(entry) > 1}
    if value not in codes:
        raise ValueError(
            f"unknown country {value!r} for the holiday calendar; expected an ISO 3166 code such as ID"
        )
    return value


def whole_number(minimum: int, maximum: int | None, unit: str) -> Callable[[Any], int]:
    """A check for an integer in [minimum, maximum]; YAML's `true` or `2.5` are refused, not rounded."""
    bounds = f"≥ {minimum}" if maximum is None else f"from {minimum} to {maximum}"

    def check(value: Any) -> int:
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or value < minimum
            or (maximum is not None and value > maximum)
        ):
            raise ValueError(f"must be a whole number of {unit} {bounds} (got {value!r})")
        return value

    return check


def number(
    minimum: float | None, maximum: float | None, what: str, *, exclusive_minimum: bool = False
) -> Callable[[Any], float]:
    """A check for a finite number in a range; strings such as '60%' are refused with the reason."""
    parts = []
    if minimum is not None and maximum is not None and not exclusive_minimum:
        parts.append(f"from {minimum:g} to {maximum:g}")
    else:
        if minimum is not None:
            parts.append(f"> {minimum:g}" if exclusive_minimum else f"≥ {minimum:g}")
        if maximum is not None:
            parts.append(f"≤ {maximum:g}")
    expected = " ".join([what, *parts])

    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"must be {expected} (got {value!r})")
        too_low = minimum is not None and (value <= minimum if exclusive_minimum else value < minimum)
        if too_low or (maximum is not None and value > maximum):
            raise ValueError(f"must be {expected} (got {value!r})")
        return float(value)

    return check


Text = Annotated[str, AfterValidator(_check_text)]
IndicatorCode = Annotated[str, AfterValidator(_check_code)]
# Names of indicator sets and cycles: they appear in period keys (`annual-2027`), so no '-'.
Name = Annotated[str, AfterValidator(_check_code)]
UnitCode = Annotated[str, AfterValidator(_check_unit_code)]
ProgrammeCode = Annotated[str, AfterValidator(_check_programme_code)]
TimeZoneName = Annotated[str, AfterValidator(check_timezone)]
CronExpression = Annotated[str, AfterValidator(_check_cron)]
PredikatName = Annotated[str, AfterValidator(_check_predikat)]
CountryCode = Annotated[str, AfterValidator(_check_country)]
WorkingDays = Annotated[int, BeforeValidator(whole_number(1, None, "working days"))]
Weight = Annotated[float, BeforeValidator(number(0, None, "a weight"))]
PositiveWeight = Annotated[float, BeforeValidator(number(0, None, "a weight", exclusive_minimum=True))]
Fraction = Annotated[float, BeforeValidator(number(0, 1, "a fraction"))]
ScoreValue = Annotated[float, BeforeValidator(number(None, None, "a number"))]

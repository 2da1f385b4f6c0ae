"""Working days and deadlines: weekends and Indonesian national holidays never count, and a
deadline is the end of the reviewer's own working day in their own time zone."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from cycle.calendar import add_working_days, due_at, is_working_day
from tests.cycle_builders import WIB, WIT, WITA, wib

# --- which days count ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2027, 1, 4), True),  # Monday
        (date(2027, 1, 8), True),  # Friday
        (date(2027, 1, 9), False),  # Saturday
        (date(2027, 1, 10), False),  # Sunday
        (date(2027, 1, 1), False),  # Tahun Baru, a Friday
        (date(2027, 1, 5), False),  # Isra Mi'raj, a Tuesday
        (date(2027, 8, 17), False),  # Hari Kemerdekaan, a Tuesday
        (date(2027, 8, 18), True),  # the Wednesday after
    ],
)
def test_weekdays_count_weekends_and_national_holidays_do_not(day: date, working: bool) -> None:
    """Monday–Friday count, unless the day is an Indonesian national holiday."""
    assert is_working_day(day) is working


def test_holiday_calendar_is_the_given_country() -> None:
    """Isra Mi'raj is a holiday in Indonesia, not in the Netherlands."""
    assert not is_working_day(date(2027, 1, 5), "ID")
    assert is_working_day(date(2027, 1, 5), "NL")


# --- counting working days ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2027, 1, 6), 2, date(2027, 1, 8)),  # Wed → Thu, Fri
        (date(2027, 1, 6), 3, date(2027, 1, 11)),  # the weekend is skipped
        (date(2027, 1, 4), 1, date(2027, 1, 6)),  # Tue 5 Jan (Isra Mi'raj) is skipped
        (date(2027, 8, 16), 1, date(2027, 8, 18)),  # Tue 17 Aug (Kemerdekaan) is skipped
        (date(2027, 1, 8), 1, date(2027, 1, 11)),  # opened on a Friday: Monday
        (date(2027, 1, 9), 1, date(2027, 1, 11)),  # opened on a Saturday: Monday
        (date(2027, 1, 10), 1, date(2027, 1, 11)),  # opened on a Sunday: Monday
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # New Year (Fri) and the weekend, across years
        (date(2027, 1, 4), 10, date(2027, 1, 19)),  # two weeks less the holiday
    ],
)
def test_nth_working_day_after_the_start(start: date, days: int, expected: date) -> None:
    """The start day never counts; weekends and holidays in between are skipped."""
    assert add_working_days(start, days) == expected


def test_a_working_start_day_does_not_count_itself() -> None:
    """Monday + 1 working day is Tuesday, not Monday."""
    assert add_working_days(date(2027, 2, 1), 1) == date(2027, 2, 2)


@pytest.mark.parametrize("days", [0, -1])
def test_a_stage_lasts_at_least_one_working_day(days: int) -> None:
    """Zero or negative durations are refused rather than giving a deadline in the past."""
    with pytest.raises(ValueError, match="at least one working day"):
        add_working_days(date(2027, 1, 4), days)


# --- deadlines as instants ----------------------------------------------------------------------


def test_due_at_is_end_of_the_nth_working_day_local() -> None:
    """Opened Mon 4 Jan 08:00 WIB with 10 working days: due Tue 19 Jan 23:59:59 WIB."""
    due = due_at(wib(2027, 1, 4, 8), 10, "Asia/Jakarta")
    assert due == datetime(2027, 1, 19, 23, 59, 59, tzinfo=WIB)
    assert due.astimezone(UTC) == datetime(2027, 1, 19, 16, 59, 59, tzinfo=UTC)
    assert (due.date(), due.time()) == (date(2027, 1, 19), time(23, 59, 59))


def test_wita_deadline_is_one_hour_before_wib() -> None:
    """The same opening and duration end an hour earlier in Makassar, two in Jayapura."""
    opened = datetime(2027, 2, 1, 2, 0, tzinfo=UTC)  # Monday 09:00 WIB, 10:00 WITA, 11:00 WIT
    in_jakarta = due_at(opened, 3, "Asia/Jakarta")
    in_makassar = due_at(opened, 3, "Asia/Makassar")
    in_jayapura = due_at(opened, 3, "Asia/Jayapura")
    assert in_jakarta == datetime(2027, 2, 4, 23, 59, 59, tzinfo=WIB)
    assert in_makassar == datetime(2027, 2, 4, 23, 59, 59, tzinfo=WITA)
    assert in_jayapura == datetime(2027, 2, 4, 23, 59, 59, tzinfo=WIT)
    assert in_jakarta - in_makassar == timedelta(hours=1)
    assert in_jakarta - in_jayapura == timedelta(hours=2)


@pytest.mark.parametrize(
    "opened",
    [wib(2027, 1, 8, 15), wib(2027, 1, 9, 10), wib(2027, 1, 10, 23, 59)],
    ids=["friday", "saturday", "sunday"],
)
def test_stage_opened_late_in_the_week_is_due_next_week(opened: datetime) -> None:
    """Opened Friday, Saturday or Sunday with two working days: due Tuesday 12 Jan."""
    assert due_at(opened, 2, "Asia/Jakarta") == datetime(2027, 1, 12, 23, 59, 59, tzinfo=WIB)


def test_counting_starts_from_the_local_opening_date() -> None:
    """Sun 3 Jan 23:30 in Jakarta is already Mon 4 Jan 00:30 in Makassar, so the two count apart.

    Jakarta: Monday is the first working day. Makassar: Monday is the opening day itself and
    Tuesday is Isra Mi'raj, so the first working day is Wednesday.
    """
    opened = datetime(2027, 1, 3, 16, 30, tzinfo=UTC)
    assert due_at(opened, 1, "Asia/Jakarta") == datetime(2027, 1, 4, 23, 59, 59, tzinfo=WIB)
    assert due_at(opened, 1, "Asia/Makassar") == datetime(2027, 1, 6, 23, 59, 59, tzinfo=WITA)


def test_due_at_over_a_holiday_week() -> None:
    """Opened Fri 13 Aug 2027 with three working days: Mon 16, Wed 18, Thu 19 (Tue 17 is a holiday)."""
    opened = datetime(2027, 8, 13, 1, 0, tzinfo=UTC)
    assert due_at(opened, 3, "Asia/Jakarta") == datetime(2027, 8, 19, 23, 59, 59, tzinfo=WIB)


def test_due_at_does_not_depend_on_the_zone_of_the_given_instant() -> None:
    """The same instant written in UTC or in WITA gives the same deadline."""
    in_utc = datetime(2027, 2, 1, 2, 0, tzinfo=UTC)
    assert due_at(in_utc, 5, "Asia/Jakarta") == due_at(in_utc.astimezone(WITA), 5, "Asia/Jakarta")

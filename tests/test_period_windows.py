"""Period windows and keys, and opening a period: one appraisal and one self review per active
employee, an indicator snapshot, idempotent, with a statement count that does not grow with staff."""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from config.errors import AppraisalError
from cycle.periods import PeriodWindow, explicit_window, window_containing
from demo.city import generate_city, write_roster_csv
from models import Appraisal, Indicator, IndicatorSet, Period
from models.db import read_session
from roster.load import import_roster
from tests.builders import AGUS, ANDI, BUDI, DEWI, JOKO, PUTRI, RINA, SITI, small_roster, write_roster
from tests.cycle_builders import (
    DEFAULT_CODES,
    WITA,
    counted_statements,
    open_cycle,
    reviews,
    row_counts,
    run_together,
    seeded_engine,
    stages,
    wib,
)

JAKARTA = "Asia/Jakarta"

# --- windows of each cadence --------------------------------------------------------------------


def test_annual_window_is_the_local_calendar_year() -> None:
    """Mid-2027 lies in annual-2027: 1 Jan 2027 00:00 WIB up to (excluding) 1 Jan 2028."""
    window = window_containing("annual", "annual", wib(2027, 6, 15, 12), JAKARTA)
    assert window == PeriodWindow("annual-2027", wib(2027, 1, 1), wib(2028, 1, 1))
    assert window.starts_at.astimezone(UTC) == datetime(2026, 12, 31, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "key", "start", "end"),
    [
        (wib(2027, 1, 1), "quarterly-2027-Q1", wib(2027, 1, 1), wib(2027, 4, 1)),
        (wib(2027, 3, 31, 23, 59, 59), "quarterly-2027-Q1", wib(2027, 1, 1), wib(2027, 4, 1)),
        (wib(2027, 4, 1), "quarterly-2027-Q2", wib(2027, 4, 1), wib(2027, 7, 1)),
        (wib(2027, 8, 17, 9), "quarterly-2027-Q3", wib(2027, 7, 1), wib(2027, 10, 1)),
        (wib(2027, 10, 1), "quarterly-2027-Q4", wib(2027, 10, 1), wib(2028, 1, 1)),
        (wib(2027, 12, 31, 23), "quarterly-2027-Q4", wib(2027, 10, 1), wib(2028, 1, 1)),
    ],
)
def test_quarterly_windows(moment: datetime, key: str, start: datetime, end: datetime) -> None:
    """Each quarter's key and bounds; Q4 ends at the start of the next year."""
    assert window_containing("quarterly", "quarterly", moment, JAKARTA) == PeriodWindow(key, start, end)


@pytest.mark.parametrize(
    ("moment", "key", "start", "end"),
    [
        (wib(2027, 1, 15), "monthly-2027-01", wib(2027, 1, 1), wib(2027, 2, 1)),
        (wib(2027, 2, 28, 23), "monthly-2027-02", wib(2027, 2, 1), wib(2027, 3, 1)),
        (wib(2027, 12, 24), "monthly-2027-12", wib(2027, 12, 1), wib(2028, 1, 1)),
    ],
)
def test_monthly_windows(moment: datetime, key: str, start: datetime, end: datetime) -> None:
    """Months are keyed YYYY-MM; December ends on 1 January of the next year."""
    assert window_containing("monthly", "monthly", moment, JAKARTA) == PeriodWindow(key, start, end)


def test_custom_window_starts_on_the_local_day_and_lasts_its_days() -> None:
    """A 14-day custom cycle opened on 10 March is keyed by that day."""
    window = window_containing("sprint", "custom", wib(2027, 3, 10, 7), JAKARTA, custom_days=14)
    assert window == PeriodWindow("sprint-2027-03-10", wib(2027, 3, 10), wib(2027, 3, 24))


@pytest.mark.parametrize(("cadence", "days"), [("custom", None), ("weekly", None)])
def test_window_without_a_usable_cadence_is_refused(cadence: str, days: int | None) -> None:
    """Custom needs its length; an unknown cadence has no window."""
    with pytest.raises(AppraisalError, match=f"cannot work out a window for cadence '{cadence}'"):
        window_containing("x", cadence, wib(2027, 3, 10), JAKARTA, custom_days=days)


# --- time zones ---------------------------------------------------------------------------------


def test_window_is_computed_in_the_cycles_time_zone() -> None:
    """31 Dec 2026 20:00 UTC is already 1 Jan 2027 03:00 in Jakarta, but still 2026 in UTC."""
    moment = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)
    assert window_containing("annual", "annual", moment, JAKARTA).key == "annual-2027"
    assert window_containing("monthly", "monthly", moment, JAKARTA).key == "monthly-2027-01"
    assert window_containing("annual", "annual", moment, "UTC").key == "annual-2026"


def test_wita_new_year_starts_an_hour_before_wib() -> None:
    """31 Dec 16:30 UTC: 23:30 in Jakarta (2026), 00:30 in Makassar (2027)."""
    moment = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
    assert window_containing("annual", "annual", moment, JAKARTA).key == "annual-2026"
    makassar = window_containing("annual", "annual", moment, "Asia/Makassar")
    assert makassar.key == "annual-2027"
    assert makassar.starts_at == datetime(2027, 1, 1, tzinfo=WITA)
    assert makassar.starts_at.astimezone(UTC) == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)


# --- explicit --start/--end ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cadence", "start", "end", "key"),
    [
        ("annual", date(2027, 1, 1), date(2027, 12, 31), "annual-2027"),
        ("quarterly", date(2027, 4, 1), date(2027, 6, 30), "quarterly-2027-Q2"),
        ("quarterly", date(2027, 10, 1), date(2027, 12, 31), "quarterly-2027-Q4"),
        ("monthly", date(2027, 12, 1), date(2027, 12, 31), "monthly-2027-12"),
    ],
)
def test_explicit_window_matching_the_cadence_gets_the_standard_key(
    cadence: str, start: date, end: date, key: str
) -> None:
    """--start/--end (end inclusive) covering exactly one standard window is that window."""
    window = explicit_window(cadence, cadence, start, end, JAKARTA)
    assert window.key == key
    assert window == window_containing(cadence, cadence, window.starts_at, JAKARTA)


def test_explicit_window_off_the_cadence_is_keyed_by_its_first_day() -> None:
    """Half a quarter is not a quarter: keyed by its start, ending after the inclusive end day."""
    window = explicit_window("quarterly", "quarterly", date(2027, 4, 1), date(2027, 5, 15), JAKARTA)
    assert window == PeriodWindow("quarterly-2027-04-01", wib(2027, 4, 1), wib(2027, 5, 16))


def test_explicit_window_of_a_custom_cycle_keeps_the_custom_key() -> None:
    """A custom cycle's window that happens to be a whole month is still keyed by its day."""
    window = explicit_window("sprint", "custom", date(2027, 2, 1), date(2027, 2, 28), JAKARTA)
    assert window == PeriodWindow("sprint-2027-02-01", wib(2027, 2, 1), wib(2027, 3, 1))


def test_explicit_one_day_window_is_allowed() -> None:
    """Start and end on the same day: one whole local day."""
    window = explicit_window("sprint", "custom", date(2027, 2, 1), date(2027, 2, 1), "Asia/Makassar")
    assert (window.starts_at, window.ends_at) == (
        datetime(2027, 2, 1, tzinfo=WITA),
        datetime(2027, 2, 2, tzinfo=WITA),
    )


def test_explicit_end_before_start_is_refused() -> None:
    """An end before the start is a mistake, named with both dates."""
    with pytest.raises(AppraisalError, match="--end 2027-03-31 is before --start 2027-04-01"):
        explicit_window("quarterly", "quarterly", date(2027, 4, 1), date(2027, 3, 31), JAKARTA)


# --- opening a period in the database -----------------------------------------------------------

OPENED = datetime(2027, 1, 4, 1, 0, tzinfo=UTC)  # Monday 4 Jan 2027, 08:00 WIB / 09:00 WITA


@pytest.fixture
def engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """The small roster, with Joko having left (deactivated)."""
    rows = small_roster()
    with seeded_engine(database_url, tmp_path, rows) as db:
        leavers = write_roster(tmp_path / "without-joko.csv", [r for r in rows if r["nip"] != JOKO])
        import_roster(db, leavers, default_timezone=JAKARTA, deactivate_missing=True, now=wib(2026, 12, 2))
        yield db


def test_open_creates_one_appraisal_per_active_employee(engine: Engine) -> None:
    """Seven active staff: seven appraisals in self_assessment, none for Joko who left."""
    result = open_cycle(engine, OPENED)
    assert (result.key, result.created, result.status, result.appraisals) == ("annual-2027", True, "open", 7)
    assert stages(engine) == dict.fromkeys([BUDI, SITI, ANDI, RINA, DEWI, AGUS, PUTRI], "self_assessment")
    with read_session(engine) as session:
        period = session.execute(select(Period)).scalar_one()
        started = set(session.execute(select(Appraisal.stage_started_at)).scalars())
    assert (period.key, period.status, period.opened_at) == ("annual-2027", "open", OPENED)
    assert (period.starts_at, period.ends_at) == (wib(2027, 1, 1), wib(2028, 1, 1))
    assert period.cycle_snapshot["cycle"]["stages"]["self_assessment"] == 10
    assert started == {OPENED}


def test_open_creates_one_open_self_review_due_in_the_reviewers_zone(engine: Engine) -> None:
    """Ten working days (Isra Mi'raj skipped): Tue 19 Jan 23:59:59, WIB or WITA."""
    open_cycle(engine, OPENED)
    wib_due = datetime(2027, 1, 19, 16, 59, 59, tzinfo=UTC)
    wita_due = datetime(2027, 1, 19, 15, 59, 59, tzinfo=UTC)
    expected = {nip: wib_due for nip in (BUDI, SITI, ANDI, RINA)} | dict.fromkeys(
        (DEWI, AGUS, PUTRI), wita_due
    )
    rows = reviews(engine)
    assert {(r.reviewee, r.reviewer, r.kind, r.status, r.opened_at) for r in rows} == {
        (nip, nip, "self", "open", OPENED) for nip in expected
    }
    assert {r.reviewee: r.due_at for r in rows} == expected


def test_period_points_at_a_snapshot_of_the_indicator_set(engine: Engine) -> None:
    """The ten default codes for everyone, plus the shipped unit additions."""
    open_cycle(engine, OPENED)
    with read_session(engine) as session:
        set_id = session.execute(select(Period.indicator_set_id)).scalar_one()
        version = session.execute(select(IndicatorSet).where(IndicatorSet.id == set_id)).scalar_one()
        rows = session.execute(
            select(Indicator.unit_code, Indicator.code).where(Indicator.indicator_set_id == set_id)
        ).all()
    assert (version.name, version.version, version.scale_min, version.scale_max) == ("default", 1, 1, 5)
    assert {code for unit, code in rows if unit is None} == DEFAULT_CODES
    assert len([1 for unit, _ in rows if unit is None]) == 10
    assert {(unit, code) for unit, code in rows if unit is not None} == {
        ("DISDUKCAPIL", "kepuasan_masyarakat"),
        ("DPMPTSP", "kepuasan_masyarakat"),
        ("BAPPEDA", "inovasi"),
    }


def test_identical_indicator_sets_share_one_version(engine: Engine) -> None:
    """Annual and quarterly both use the unchanged default set: one stored version."""
    open_cycle(engine, OPENED)
    open_cycle(engine, OPENED, "quarterly")
    with read_session(engine) as session:
        assert len(set(session.execute(select(Period.indicator_set_id)).scalars())) == 1
        assert len(session.execute(select(IndicatorSet.id)).all()) == 1


def test_opening_again_creates_nothing(engine: Engine) -> None:
    """Same now, or later in the same window: created=False and not one row more."""
    open_cycle(engine, OPENED)
    before = row_counts(engine)
    again = open_cycle(engine, OPENED)
    later = open_cycle(engine, wib(2027, 6, 1, 7))
    assert (again.key, again.created, again.status, again.appraisals) == ("annual-2027", False, "open", 7)
    assert (later.key, later.created) == ("annual-2027", False)
    assert row_counts(engine) == before
    assert before["period"] == 1 and before["self:open"] == 7


def test_next_window_opens_a_new_period(engine: Engine) -> None:
    """February's monthly period is a second period next to January's."""
    first = open_cycle(engine, OPENED, "monthly")
    second = open_cycle(engine, wib(2027, 2, 1, 7), "monthly")
    assert (first.key, second.key, second.created) == ("monthly-2027-01", "monthly-2027-02", True)
    assert row_counts(engine)["self:open"] == 14


def test_statement_count_does_not_grow_with_staff(database_url: str, tmp_path: Path) -> None:
    """Opening for 10 or for 210 employees sends the same statements (set-based, no per-row work)."""
    with seeded_engine(database_url, tmp_path, generate_city(employees=10, seed=3)) as engine:
        open_cycle(engine, OPENED, "annual")  # stores the indicator set once, for both counts below
        with counted_statements(engine) as small:
            assert open_cycle(engine, OPENED, "monthly").appraisals == 10
        write_roster_csv(generate_city(employees=200, seed=4), tmp_path / "city.csv")
        import_roster(engine, tmp_path / "city.csv", default_timezone=JAKARTA, now=wib(2026, 12, 2))
        with counted_statements(engine) as large:
            assert open_cycle(engine, wib(2027, 2, 1, 7), "monthly").appraisals == 210
    assert len(small) == len(large)
    assert len(small) <= 15, small


def test_cycles_sharing_a_set_can_open_at_the_same_minute(engine: Engine, database_url: str) -> None:
    """Monthly and quarterly both open at 07:00 on 1 January: both succeed, one set version."""
    opening = wib(2027, 1, 1, 7)
    monthly, quarterly = run_together(
        database_url,
        lambda db: open_cycle(db, opening, "monthly"),
        lambda db: open_cycle(db, opening, "quarterly"),
    )
    assert (monthly.key, monthly.created, monthly.appraisals) == ("monthly-2027-01", True, 7)
    assert (quarterly.key, quarterly.created, quarterly.appraisals) == ("quarterly-2027-Q1", True, 7)
    with read_session(engine) as session:
        assert len(session.execute(select(IndicatorSet.id)).all()) == 1
        assert len(set(session.execute(select(Period.indicator_set_id)).scalars())) == 1


def test_open_uses_the_cycles_time_zone(engine: Engine) -> None:
    """Opened at 31 Dec 2026 20:00 UTC (already 2027 in Jakarta): the period is annual-2027."""
    result = open_cycle(engine, datetime(2026, 12, 31, 20, 0, tzinfo=UTC))
    assert (result.key, result.created) == ("annual-2027", True)

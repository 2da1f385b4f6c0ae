"""`appraisal status` as HR reads it, on both databases: totals per stage; every unit when there
are few; otherwise the units with the most overdue reviews (then the most open ones, then by
code), worst first, and how many are left out; `--all-units`; `--unit` for a unit and the units
below it; JSON with every unit and the totals."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from cli.main import app
from models import Period
from models.db import read_session
from models.progress_queries import StageProgress, stage_progress
from tests.builders import AGUS, ANDI, JOKO, PUTRI, RINA, SITI
from tests.closing_builders import city_roster, submit_open
from tests.cycle_builders import HENDRA, open_cycle, seeded_engine, wib

KEY = "annual-2027"
OPENED = wib(2027, 1, 4, 8)
# Self reviews are due at the end of Tuesday 19 January in each reviewee's own time zone: half an
# hour before midnight in WIB, those in WITA (PKM-01's Dewi, Agus and Putri) are already overdue.
WITA_OVERDUE = datetime(2027, 1, 19, 16, 30, tzinfo=UTC)
HEADER = """\
annual-2027 (open) at 2027-01-19T23:30:00+07:00
Appraisals per stage — self_assessment: 13  supervisor_review: 0  peer_review: 0  calibration: 0  closed: 0
"""
TOTALS = """\
Reviews per stage
unit         stage            open  overdue  submitted  missed
-----------  ---------------  ----  -------  ---------  ------
(all units)  self_assessment     7        2          6       0

"""
EVERY_UNIT = """\
Reviews per unit and stage
unit         stage            open  overdue  submitted  missed
-----------  ---------------  ----  -------  ---------  ------
BKPSDM       self_assessment     1        0          0       0
DINKES       self_assessment     3        0          0       0
PKM-01       self_assessment     2        2          5       0
SETDA        self_assessment     1        0          1       0
"""
# Overdue first (PKM-01 before DINKES, which has more open), then open (DINKES), then by code
# (BKPSDM and SETDA have one open review each).
WORST_THREE = """\
Units with the most overdue reviews (3 of 4 units)
unit         stage            open  overdue  submitted  missed
-----------  ---------------  ----  -------  ---------  ------
PKM-01       self_assessment     2        2          5       0
DINKES       self_assessment     3        0          0       0
BKPSDM       self_assessment     1        0          0       0
1 unit not shown: --all-units lists every unit, --unit CODE one unit with its sub-units.
"""
DINKES_TOTALS = """\
Reviews per stage
unit                    stage            open  overdue  submitted  missed
----------------------  ---------------  ----  -------  ---------  ------
(DINKES and sub-units)  self_assessment     5        2          5       0

"""
DINKES_UNITS = """\
Reviews per unit and stage
unit                    stage            open  overdue  submitted  missed
----------------------  ---------------  ----  -------  ---------  ------
DINKES                  self_assessment     3        0          0       0
PKM-01                  self_assessment     2        2          5       0
"""
DINKES_WORST = """\
Units with the most overdue reviews (1 of 2 units)
unit                    stage            open  overdue  submitted  missed
----------------------  ---------------  ----  -------  ---------  ------
PKM-01                  self_assessment     2        2          5       0
1 unit not shown: --all-units lists every unit, --unit CODE one unit with its sub-units.
"""


@pytest.fixture
def engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """The city (SETDA > BKPSDM, SETDA > DINKES > PKM-01) with self reviews open: PKM-01 two (both
    overdue at WITA_OVERDUE), DINKES three, SETDA and BKPSDM one each."""
    with seeded_engine(database_url, tmp_path, city_roster()) as seeded:
        open_cycle(seeded, OPENED)
        submit_open(
            seeded, KEY, "self", wib(2027, 1, 5, 9), {}, skip={AGUS, PUTRI, ANDI, RINA, JOKO, SITI, HENDRA}
        )
        yield seeded


def status(*options: str) -> str:
    result = CliRunner().invoke(app, ["status", "--now", WITA_OVERDUE.isoformat(), *options])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_small_city_shows_every_unit_in_code_order(engine: Engine) -> None:
    assert status() == HEADER + TOTALS + EVERY_UNIT


def test_with_more_units_than_top_only_the_worst_are_listed(engine: Engine) -> None:
    assert status("--top", "3") == HEADER + TOTALS + WORST_THREE


def test_all_units_lists_every_unit_whatever_top(engine: Engine) -> None:
    assert status("--all-units", "--top", "1") == HEADER + TOTALS + EVERY_UNIT


def test_a_unit_is_shown_with_its_sub_units_and_their_totals(engine: Engine) -> None:
    assert status("--unit", "DINKES") == HEADER + DINKES_TOTALS + DINKES_UNITS
    assert status("--unit", "DINKES", "--top", "1") == HEADER + DINKES_TOTALS + DINKES_WORST


def test_an_unknown_unit_is_an_error_naming_it(engine: Engine) -> None:
    result = CliRunner().invoke(app, ["status", "--now", WITA_OVERDUE.isoformat(), "--unit", "DINKESS"])
    assert result.exit_code == 1, result.output
    assert "no unit 'DINKESS'" in result.output and "Traceback" not in result.output


def test_json_lists_every_unit_with_the_totals(engine: Engine) -> None:
    """Today's keys and rows (every unit, whatever --top), plus the totals per stage."""
    report = json.loads(status("--json", "--top", "1"))
    with read_session(engine) as session:
        period_id = session.execute(select(Period.id).where(Period.key == KEY)).scalar_one()
        every_unit = [line.as_dict() for line in stage_progress(session, period_id, WITA_OVERDUE)]
    assert report["period"] == KEY and report["stages"] == {"self_assessment": 13}
    assert report["rows"] == every_unit and report["units"] == 4
    assert report["totals"] == [StageProgress("(all units)", "self_assessment", 7, 2, 6, 0).as_dict()]

    subtree = json.loads(status("--json", "--unit", "DINKES"))
    assert [row["unit"] for row in subtree["rows"]] == ["DINKES", "PKM-01"] and subtree["units"] == 2
    assert subtree["totals"] == [
        StageProgress("(DINKES and sub-units)", "self_assessment", 5, 2, 5, 0).as_dict()
    ]

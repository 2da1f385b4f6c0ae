"""Results of a closed period: the CSV of DESIGN §9, the XLSX workbook, one employee's view.

One real annual period of the small roster is run to the end through the same functions the
flows use (open, submit, advance, close), with scores chosen so every predikat is known:

| employee | supervisor scores (result / behaviour) | peers | predikat |
|---|---|---|---|
| Siti, Agus | 4 / 4 | 4 | Sangat Baik (reward) |
| Andi, Putri | 3 / 3 | 4 → behaviour 3.4 | Baik |
| Rina | 2 / 3 | 4 | Butuh Perbaikan (training, improvement plan) |
| Dewi | 4 / 1 | 4 → behaviour 2.2 | Kurang/Misconduct (training, improvement plan) |
| Joko | supervisor review missed | | incomplete |
| Budi | nobody to review him (top of the tree, no HR unit) | | incomplete |
"""

import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import typer
from openpyxl import load_workbook
from openpyxl.chart import BarChart
from sqlalchemy import Engine, select
from sqlalchemy.orm import aliased
from typer.testing import CliRunner

from cli import results_commands
from cli.main import _ErrorBoundary
from config.cycles import load_cycles
from config.settings import DEFAULT_CYCLES_PATH
from cycle.advancing import advance_period
from cycle.closing import close_period
from cycle.opening import open_period
from cycle.submissions import Submission, record_submission
from exports.results_csv import results_csv
from exports.results_xlsx import sheet_names
from models import Appraisal, Employee, Period, Review
from models.db import create_db_engine, read_session, write_session
from models.results_queries import ResultRow, employee_result, period_results
from roster.load import import_roster
from tests.builders import AGUS, ANDI, BUDI, DEWI, JOKO, PUTRI, RINA, SITI, small_roster, write_roster
from tests.cycle_builders import LINKS

JAKARTA = ZoneInfo("Asia/Jakarta")
OPENED = datetime(2027, 1, 4, 9, 0, tzinfo=JAKARTA)  # Monday
SOON = OPENED + timedelta(days=2)  # everything submitted in time, except Joko's supervisor review
LATE = datetime(2027, 2, 15, 9, 0, tzinfo=JAKARTA)  # long after every first-round deadline
KEY = "annual-2027"
RESULT = ("kuantitas", "kualitas", "waktu")
BEHAVIOUR = ("berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif")
# reviewee → (supervisor, result score, behaviour score); Joko's supervisor (Andi) never submits.
SUPERVISOR_REVIEWS = {
    SITI: (BUDI, 4, 4),
    ANDI: (BUDI, 3, 3),
    RINA: (ANDI, 2, 3),
    DEWI: (ANDI, 4, 1),
    AGUS: (DEWI, 4, 4),
    PUTRI: (DEWI, 3, 3),
}
HEADER = "nip,name,unit_code,result_rating,behaviour_rating,predikat,final_score,recommendations,ikm_index,ikm_responses,ikm_score"
EXPECTED_CSV = [
    HEADER,
    f"{ANDI},dr. Andi Wijaya,DINKES,meets,meets,Baik,,,,,",
    f'{RINA},"Rina Marlina, S.Kep.",DINKES,below,meets,Butuh Perbaikan,,training;improvement_plan,,,',
    f"{JOKO},Joko Susilo,DINKES,,,,,,,,",
    f"{DEWI},Dewi Lestari,PKM-01,above,below,Kurang/Misconduct,,training;improvement_plan,,,",
    f"{AGUS},Agus Salim,PKM-01,above,above,Sangat Baik,,reward,,,",
    f"{PUTRI},Putri Maharani,PKM-01,meets,meets,Baik,,,,,",
    f"{BUDI},Budi Santoso,SETDA,,,,,,,,",
    f"{SITI},Siti Aminah,SETDA,above,above,Sangat Baik,,reward,,,",
]

cli = typer.Typer(cls=_ErrorBoundary, pretty_exceptions_enable=False, add_completion=False)
cli.add_typer(results_commands.app, name="results")


@cli.callback()
def _root() -> None:
    """The `appraisal` root as cli/main.py builds it: AppraisalError → message and exit 1."""


runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    """(exit code, standard output alone, everything the user sees)."""
    result = runner.invoke(cli, list(args))
    return result.exit_code, result.stdout, result.output


def _submit(engine: Engine, submission: Submission, now: datetime) -> None:
    with write_session(engine) as session:
        record_submission(session, submission, now, actor="test")


def _advance(engine: Engine, now: datetime) -> None:
    with write_session(engine) as session:
        advance_period(session, session.execute(select(Period).where(Period.key == KEY)).scalar_one(), now)


def _open_peer_reviews(engine: Engine) -> list[tuple[str, str]]:
    reviewee, reviewer = aliased(Employee), aliased(Employee)
    with read_session(engine) as session:
        return [(a, b) for a, b in session.execute(
            select(reviewee.nip, reviewer.nip).join(Appraisal, Appraisal.employee_id == reviewee.id)
            .join(Review, Review.appraisal_id == Appraisal.id).join(reviewer, reviewer.id == Review.reviewer_id)
            .where(Review.kind == "peer", Review.status == "open").order_by(Review.id)
        )]  # fmt: skip


def _submit_peers(engine: Engine, now: datetime) -> None:
    for reviewee_nip, peer_nip in _open_peer_reviews(engine):
        _submit(engine, Submission(KEY, reviewee_nip, peer_nip, "peer", dict.fromkeys(BEHAVIOUR, 4)), now)


@pytest.fixture
def closed(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """The small roster's annual-2027, run to the end and closed (see the module docstring)."""
    engine = create_db_engine(database_url)
    import_roster(
        engine, write_roster(tmp_path / "roster.csv", small_roster()), default_timezone="Asia/Jakarta"
    )
    config = load_cycles(DEFAULT_CYCLES_PATH)
    with write_session(engine) as session:
        open_period(session, config, "annual", OPENED)
    for nip in (BUDI, SITI, ANDI, RINA, JOKO, DEWI, AGUS, PUTRI):
        _submit(
            engine,
            Submission(KEY, nip, nip, "self", dict.fromkeys(RESULT + BEHAVIOUR, 4), "Target tercapai"),
            SOON,
        )
    _advance(engine, SOON)
    for nip, (supervisor, result, behaviour) in SUPERVISOR_REVIEWS.items():
        scores = {**dict.fromkeys(RESULT, result), **dict.fromkeys(BEHAVIOUR, behaviour)}
        _submit(engine, Submission(KEY, nip, supervisor, "supervisor", scores), SOON)
    _advance(engine, SOON)
    _submit_peers(engine, SOON)
    _advance(engine, SOON)
    _advance(engine, LATE)  # Joko's supervisor review is missed; his peers open now
    _submit_peers(engine, LATE)
    _advance(engine, LATE)
    with write_session(engine) as session:
        period = session.execute(select(Period).where(Period.key == KEY)).scalar_one()
        close_period(
            session,
            period,
            LATE,
            actor="test",
            training_for=config.training_for,
            links=LINKS,
            accept_distribution=True,
        )
    yield engine
    engine.dispose()


def test_csv_export_has_the_design_header_and_exact_rows(closed: Engine, tmp_path: Path) -> None:
    code, stdout, output = invoke("results", "export", "--period", KEY, "--format", "csv")
    assert code == 0, output
    assert stdout.splitlines() == EXPECTED_CSV
    code, stdout, output = invoke("results", "export", "--period", KEY, "--output", str(tmp_path / "r.csv"))
    assert code == 0 and "Wrote 8 appraisals of annual-2027 (3 units)" in output, output
    assert (tmp_path / "r.csv").read_text(encoding="utf-8").splitlines() == EXPECTED_CSV


def test_incomplete_appraisals_are_exported_without_predikat_and_with_their_reason(closed: Engine) -> None:
    with read_session(closed) as session:
        period_id = session.execute(select(Period.id).where(Period.key == KEY)).scalar_one()
        rows = {row.nip: row for row in period_results(session, period_id)}
    assert [nip for nip, row in rows.items() if row.predikat is None] == [JOKO, BUDI]
    joko = rows[JOKO]
    assert (joko.result_rating, joko.behaviour_rating, joko.recommendations) == (None, None, [])
    assert joko.incomplete_reason and "supervisor review not submitted" in joko.incomplete_reason
    assert rows[SITI].incomplete_reason is None and rows[SITI].recommendations == ["reward"]


def test_xlsx_has_a_summary_with_chart_and_a_sheet_per_unit(closed: Engine, tmp_path: Path) -> None:
    code, _, output = invoke("results", "export", "--period", KEY, "--format", "xlsx")
    assert code == 0 and "results-annual-2027.xlsx" in output, output
    workbook = load_workbook(tmp_path / "results-annual-2027.xlsx")
    assert workbook.sheetnames == ["Ringkasan", "DINKES", "PKM-01", "SETDA"]
    summary = workbook["Ringkasan"]
    assert len(summary._charts) == 1 and isinstance(summary._charts[0], BarChart)
    cells = list(summary.iter_rows(values_only=True))
    overall = {row[0]: row[1] for row in cells[3:11] if row[0]}
    assert overall == {"Predikat": "Jumlah", "Sangat Baik": 2, "Baik": 2, "Butuh Perbaikan": 1,
                       "Kurang/Misconduct": 1, "Sangat Kurang": 0, "Tidak lengkap": 2, "Jumlah": 8}  # fmt: skip
    per_unit = {
        row[0]: tuple(row[1:8])
        for row in cells
        if row[0] in ("Unit", "DINKES", "PKM-01", "SETDA", "Semua unit")
    }
    assert per_unit["Unit"] == ("Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang/Misconduct", "Sangat Kurang",
                                "Tidak lengkap", "Jumlah")  # fmt: skip
    assert per_unit["DINKES"] == (0, 1, 1, 0, 0, 1, 3)
    assert per_unit["Semua unit"] == (2, 2, 1, 1, 0, 2, 8)
    counts = {"DINKES": 3, "PKM-01": 3, "SETDA": 2}
    for unit, count in counts.items():
        sheet = workbook[unit]
        values = list(sheet.iter_rows(values_only=True))
        assert sheet.max_row == count + 1 and values[0] == tuple(HEADER.split(","))
        assert all(isinstance(row[0], str) and len(row[0]) == 18 for row in values[1:])  # NIPs stay text
    assert list(workbook["DINKES"].iter_rows(min_row=3, max_row=3, values_only=True))[0] == (
        RINA, "Rina Marlina, S.Kep.", "DINKES", "below", "meets", "Butuh Perbaikan", None, "training;improvement_plan",
        None, None, None,
    )  # fmt: skip


def test_show_prints_figures_and_recommendations_but_never_a_peer(closed: Engine) -> None:
    reviewee, reviewer = aliased(Employee), aliased(Employee)
    with read_session(closed) as session:
        peers = session.execute(
            select(reviewer.nip, reviewer.name).join(Review, Review.reviewer_id == reviewer.id)
            .join(Appraisal, Appraisal.id == Review.appraisal_id).join(reviewee, reviewee.id == Appraisal.employee_id)
            .where(reviewee.nip == DEWI, Review.kind == "peer")
        ).all()  # fmt: skip
    assert len(peers) == 2
    code, _, output = invoke("results", "show", DEWI)
    assert code == 0, output
    text = " ".join(output.split())  # Rich may wrap long reasons
    for expected in ("Dewi Lestari", "PKM-01", "annual-2027", "Kurang/Misconduct", "above", "below",
                     "Berorientasi Pelayanan", "2.20", "4.00 (n=2)", "Rencana perbaikan kinerja",
                     "perlu rencana perbaikan kinerja", "a performance improvement plan is needed",
                     "PLT-006 Pelatihan Pelayanan Prima", "Indicators below expectation",
                     "Rekan kerja 1", "Rekan kerja 2", f"dr. Andi Wijaya ({ANDI})"):  # fmt: skip
        assert expected in text, expected
    for nip, name in peers:
        assert nip not in output and name not in text, name
    with read_session(closed) as session:
        result = employee_result(session, DEWI, None)
    assert [r.reviewer_nip for r in result.reviews if r.kind == "peer"] == [None, None]


def test_show_of_an_incomplete_appraisal_gives_the_reason(closed: Engine) -> None:
    code, _, output = invoke("results", "show", JOKO, "--period", KEY)
    text = " ".join(output.split())
    assert code == 0, output
    assert "tidak lengkap" in text and "supervisor review not submitted" in text, output
    assert "missed" in text and "tidak ada (none)" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "--period", "annual-2031"], "no period 'annual-2031'"),
        (["export", "--period", "quarterly-2027-Q1", "--format", "xlsx"],
         "results exist once the period is closed: appraisal period close --period quarterly-2027-Q1"),
        (["show", SITI, "--period", "quarterly-2027-Q1"], "results exist once the period is closed"),
        (["show", "199901012022031007"], "no such employee"),
    ],
    ids=["unknown-period", "open-period", "show-open-period", "unknown-nip"],
)  # fmt: skip
def test_refusals_exit_1_with_the_message(
    closed: Engine, tmp_path: Path, args: list[str], message: str
) -> None:
    with write_session(closed) as session:
        open_period(session, load_cycles(DEFAULT_CYCLES_PATH), "quarterly", OPENED)
    code, _, output = invoke("results", *args)
    assert code == 1, output
    assert message in " ".join(output.split()) and "Traceback" not in output, output
    assert not list(tmp_path.glob("*.xlsx"))


def test_show_without_a_closed_appraisal_is_refused(database_url: str, tmp_path: Path) -> None:
    engine = create_db_engine(database_url)
    import_roster(
        engine, write_roster(tmp_path / "roster.csv", small_roster()), default_timezone="Asia/Jakarta"
    )
    with write_session(engine) as session:
        open_period(session, load_cycles(DEFAULT_CYCLES_PATH), "annual", OPENED)
    engine.dispose()
    code, _, output = invoke("results", "show", SITI)
    assert code == 1 and "has no appraisal in a closed period yet" in output, output


def test_results_commands_do_not_import_prefect(closed: Engine) -> None:
    """Read-only commands answer fast: importing Prefect alone costs more than a second (DESIGN §2)."""
    script = (
        "import sys; from cli.results_commands import app\n"
        f"sys.argv = ['results', 'export', '--period', {KEY!r}]\n"
        "try: app()\nexcept SystemExit: pass\nprint('prefect' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    lines = result.stdout.strip().splitlines()
    assert lines[0] == HEADER and lines[-1] == "False", result.stdout + result.stderr


def test_csv_formats_final_scores_and_sheet_names_are_valid() -> None:
    row = ResultRow(
        "199001012020121001",
        "Ani",
        "BAPPEDA",
        "above",
        "meets",
        "Baik",
        87.6,
        ["promotion", "training"],
        None,
    )
    assert results_csv([row]).splitlines()[1] == (
        "199001012020121001,Ani,BAPPEDA,above,meets,Baik,87.60,promotion;training,,,"
    )
    long_a, long_b = "A" * 32, "A" * 31 + "B"
    names = sheet_names([long_a, long_b, "ringkasan", "History", "x"])
    assert names[long_a] == "A" * 31 and names[long_b] == "A" * 29 + "~2"
    assert names["ringkasan"] == "ringkasan~2" and names["History"] == "History~2" and names["x"] == "x"
    assert all(len(name) <= 31 for name in names.values())

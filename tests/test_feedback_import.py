"""`appraisal feedback import`: responses from paper or other survey apps, all or nothing, each
problem named by line and column; services registered on first sight; the same file twice is a
no-op; and the report, services and add-service commands around it."""

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from cli.main import app
from feedback.importing import FEEDBACK_COLUMNS
from models import AuditEvent, FeedbackImport, FeedbackResponse, Service
from models.db import create_db_engine, read_session
from tests.builders import database_snapshot, small_roster, write_roster

runner = CliRunner()
NOW = "2027-03-01T12:00:00+07:00"
GOOD = {"unit_code": "PKM-01", "service_code": "RJ", "service_name": "Rawat Jalan",
        "submitted_at": "2027-02-03T09:15:00+07:00", **{f"u{n}": "3" for n in range(1, 10)},
        "ticket": "", "comment": ""}  # fmt: skip


def write_feedback(
    path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = FEEDBACK_COLUMNS
) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(rows)
    return path


def row(**changes: str) -> dict[str, str]:
    return {**GOOD, **changes}


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture
def roster(database_url: str, tmp_path: Path) -> str:
    code, output = invoke("roster", "import", str(write_roster(tmp_path / "roster.csv", small_roster())))
    assert code == 0, output
    return database_url


def counts(url: str) -> tuple[int, int, int]:
    engine = create_db_engine(url)
    with read_session(engine) as session:
        found = tuple(session.execute(select(func.count()).select_from(model)).scalar_one()
                      for model in (FeedbackResponse, Service, FeedbackImport))  # fmt: skip
    engine.dispose()
    return found  # type: ignore[return-value]


def test_a_good_file_registers_new_services_and_stores_every_response(roster: str, tmp_path: Path) -> None:
    rows = [row(ticket="A-001", comment="Antrean cepat"), row(u8="1"),
            row(unit_code="DINKES", service_code="SIP", service_name="Surat Izin Praktik", ticket="A-001")]  # fmt: skip
    code, output = invoke("feedback", "import", str(write_feedback(tmp_path / "f.csv", rows)), "--now", NOW)
    assert (
        code == 0 and "Imported 3 responses" in output and "DINKES/SIP" in output and "PKM-01/RJ" in output
    ), output
    assert counts(roster) == (3, 2, 1)
    engine = create_db_engine(roster)
    with read_session(engine) as session:
        stored = session.execute(select(FeedbackResponse.channel, FeedbackResponse.ticket, FeedbackResponse.u8,
                                        FeedbackResponse.comment).order_by(FeedbackResponse.id)).all()  # fmt: skip
        audit = session.execute(
            select(AuditEvent.action, AuditEvent.after).where(AuditEvent.entity == "feedback_import")
        ).all()
    engine.dispose()
    assert stored == [
        ("import", "A-001", 3, "Antrean cepat"),
        ("import", None, 1, None),
        ("import", "A-001", 3, None),
    ]
    assert audit[0][0] == "feedback.import" and audit[0][1]["responses"] == 3


def test_the_same_file_again_changes_nothing(roster: str, tmp_path: Path) -> None:
    path = write_feedback(tmp_path / "f.csv", [row(), row()])
    assert invoke("feedback", "import", str(path), "--now", NOW)[0] == 0
    before = database_snapshot(roster)
    code, output = invoke("feedback", "import", str(path), "--now", NOW)
    assert code == 0 and "already imported" in output and "nothing changed" in output, output
    assert database_snapshot(roster) == before and counts(roster) == (2, 1, 1)


# Every class of malformed file or row: (rows or raw text, expected line, column, message).
REFUSALS = [
    pytest.param([row(unit_code="DISDUKCAPIL")], 2, "unit_code", "no unit 'DISDUKCAPIL'", id="unknown-unit"),
    pytest.param([row(service_code="KTP el")], 2, "service_code", "1-32 letters", id="bad-service-code"),
    pytest.param([row(service_name="")], 2, "service_name", "a name is required", id="new-service-without-name"),
    pytest.param([row(), row(service_name="Poli Umum")], 3, "service_name", "named 'Rawat Jalan' on line 2", id="two-names-in-file"),
    pytest.param([row(submitted_at="03/02/2027 09:15")], 2, "submitted_at", "expected ISO-8601", id="not-iso"),
    pytest.param([row(submitted_at="2027-02-03T09:15:00")], 2, "submitted_at", "needs its UTC offset", id="no-offset"),
    pytest.param([row(submitted_at="2027-03-02T09:00:00+07:00")], 2, "submitted_at", "in the future", id="future"),
    pytest.param([row(u1="5")], 2, "u1", "expected an answer from 1 to 4", id="answer-too-high"),
    pytest.param([row(u9="0")], 2, "u9", "expected an answer from 1 to 4", id="answer-zero"),
    pytest.param([row(u4="")], 2, "u4", "no answer", id="answer-missing"),
    pytest.param([row(u2="3.5")], 2, "u2", "got '3.5'", id="answer-not-whole"),
    pytest.param([row(u3="٣")], 2, "u3", "expected an answer from 1 to 4", id="answer-non-ascii-digit"),
    pytest.param([row(ticket="A 1")], 2, "ticket", "without spaces", id="ticket-with-space"),
    pytest.param([row(ticket="T-9"), row(ticket="T-9")], 3, "ticket", "ticket T-9 rates this service twice (first on line 2)", id="ticket-twice-in-file"),
    pytest.param([row(comment="x" * 2001)], 2, "comment", "at most 2000 characters", id="comment-too-long"),
    pytest.param("unit_code;service_code;service_name\n", 1, "-", "separated by ';'", id="semicolons"),
    pytest.param("unit_code,service_code\nPKM-01,RJ\n", 1, "service_name", "required column is missing", id="missing-columns"),
    pytest.param(",".join(FEEDBACK_COLUMNS) + "\n", 2, "-", "no responses", id="header-only"),
]  # fmt: skip


@pytest.mark.parametrize(("content", "line", "column", "message"), REFUSALS)
def test_every_problem_is_named_and_nothing_is_written(
    roster: str, tmp_path: Path, content: list[dict[str, str]] | str, line: int, column: str, message: str
) -> None:
    path = tmp_path / "bad.csv"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        write_feedback(path, content)
    before = database_snapshot(roster)
    code, output = invoke("feedback", "import", str(path), "--now", NOW)
    assert code == 1 and "nothing was imported" in output and "Traceback" not in output, output
    assert f"line {line}, column {column}: " in output and message in " ".join(output.split()), output
    assert database_snapshot(roster) == before


def test_a_known_service_keeps_its_name_and_its_used_tickets(roster: str, tmp_path: Path) -> None:
    assert invoke("feedback", "add-service", "PKM-01", "RJ", "Rawat Jalan")[0] == 0
    assert (
        invoke(
            "feedback", "import", str(write_feedback(tmp_path / "a.csv", [row(ticket="Q-1")])), "--now", NOW
        )[0]
        == 0
    )
    renamed = write_feedback(
        tmp_path / "b.csv", [row(service_name="Poli Umum"), row(service_name="", ticket="Q-1")]
    )
    code, output = invoke("feedback", "import", str(renamed), "--now", NOW)
    flat = " ".join(output.split())
    assert code == 1 and "line 2, column service_name: RJ of PKM-01 is registered as 'Rawat Jalan'" in flat, (
        output
    )
    assert "line 3, column ticket: this ticket number has already rated this service (Q-1)" in flat, output
    assert counts(roster) == (1, 1, 1)


def test_the_report_lists_units_services_and_csv(roster: str, tmp_path: Path) -> None:
    open_code, output = invoke("period", "open", "--cycle", "annual", "--now", "2027-01-04T09:00:00+07:00")
    assert open_code == 0, output
    rows = [row(**{f"u{n}": "4" for n in range(1, 10)}), row(u8="1", comment="Pengaduan tidak dibalas")]
    assert invoke("feedback", "import", str(write_feedback(tmp_path / "f.csv", rows)), "--now", NOW)[0] == 0
    code, output = invoke("feedback", "report", "--period", "annual-2027", "--now", NOW)
    flat = " ".join(output.split())
    # 36 + 25 = 61 over 2 responses → 25 × 61 / 18 = 84.72 (B).
    assert code == 0 and "84.72 B Baik" in flat and "2/100 (di bawah minimum)" in flat, output
    assert "Pengaduan tidak dibalas" in flat
    code, output = invoke("feedback", "report", "--period", "annual-2027", "--format", "csv", "--now", NOW)
    lines = list(csv.DictReader(io.StringIO(output)))
    assert code == 0 and [(r["unit_code"], r["service_code"], r["ikm"]) for r in lines] == [
        ("PKM-01", "*", "84.72"),
        ("PKM-01", "RJ", "84.72"),
    ]
    assert lines[0]["u8_mean"] == "2.5" and lines[0]["min_sample_met"] == "no"
    code, output = invoke(
        "feedback",
        "report",
        "--period",
        "annual-2027",
        "--format",
        "xlsx",
        "-o",
        str(tmp_path / "ikm.xlsx"),
        "--now",
        NOW,
    )
    assert code == 0 and (tmp_path / "ikm.xlsx").stat().st_size > 0, output
    code, output = invoke("feedback", "report", "--period", "annual-2099")
    assert code == 1 and "annual-2099" in output


def test_services_are_listed_with_their_links(roster: str) -> None:
    code, output = invoke("feedback", "add-service", "PKM-01", "RJ", "Rawat Jalan")
    assert code == 0 and "/survei/PKM-01/RJ" in output and "/s/1" in output, output
    assert (
        invoke("feedback", "add-service", "PKM-01", "RJ", "Nama Lain")[0] == 0
    )  # idempotent, keeps the name
    code, output = invoke("feedback", "services")
    assert code == 0 and "Rawat Jalan" in output and "Nama Lain" not in output
    code, output = invoke("feedback", "add-service", "NOPE", "RJ", "Rawat Jalan")
    assert code == 1 and "no unit 'NOPE'" in output


def test_the_report_does_not_import_prefect(roster: str) -> None:
    """A read-only command answers fast: importing Prefect alone costs more than a second (DESIGN §2)."""
    script = (
        "import sys; from cli.main import app\n"
        "sys.argv = ['appraisal', 'feedback', 'services']\n"
        "try: app()\nexcept SystemExit: pass\nprint('prefect' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert result.stdout.strip().splitlines()[-1] == "False", result.stdout + result.stderr

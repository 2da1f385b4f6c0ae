"""The cycle through the CLI alone: open, list, import reviews, pending, advance, status."""

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.builders import SITI, small_roster, write_roster

runner = CliRunner()
CODES = (
    "kuantitas",
    "kualitas",
    "waktu",
    "berorientasi_pelayanan",
    "akuntabel",
    "kompeten",
    "harmonis",
    "loyal",
    "adaptif",
    "kolaboratif",
)
OPEN_AT = "2027-01-04T09:00:00+07:00"


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def opened(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Roster imported and the annual period opened; no Prefect server is asked (a closed port)."""
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    invoke("roster", "import", str(write_roster(tmp_path / "roster.csv", small_roster())))
    output = invoke("period", "open", "--cycle", "annual", "--now", OPEN_AT)
    assert "Opened period annual-2027: 8 appraisals" in output and "No Prefect server" in output
    return tmp_path


def test_open_twice_says_already_open_and_list_shows_it(opened: Path) -> None:
    assert "already open (8 appraisals); nothing created" in invoke(
        "period", "open", "--cycle", "annual", "--now", OPEN_AT
    )
    output = invoke("period", "list")
    assert "annual-2027" in output and "2027-01-01 – 2027-12-31" in output and "open" in output


def test_unknown_cycle_and_bad_now_are_clear_errors(opened: Path) -> None:
    result = runner.invoke(app, ["period", "open", "--cycle", "weekly"])
    assert result.exit_code == 1 and "weekly" in result.output and "annual" in result.output
    result = runner.invoke(app, ["period", "advance", "--now", "next tuesday"])
    assert result.exit_code == 1 and "--now" in result.output and "Traceback" not in result.output


def test_pending_csv_lists_open_reviews_with_signed_links(opened: Path) -> None:
    rows = list(
        csv.DictReader(
            io.StringIO(invoke("reviews", "pending", "--format", "csv", "--period", "annual-2027"))
        )
    )
    assert len(rows) == 8
    siti = next(r for r in rows if r["reviewee_nip"] == SITI)
    assert (siti["reviewer_nip"], siti["kind"], siti["status"]) == (SITI, "self", "open")
    assert (
        siti["due_at"] == "2027-01-19T16:59:59+00:00"
    )  # 10 working days, 5 January is a holiday; 23:59:59 WIB
    assert siti["link"].startswith("http://127.0.0.1:8000/review/")


def test_import_advance_and_status_follow_the_cycle(opened: Path) -> None:
    path = opened / "reviews.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["period", "reviewee_nip", "reviewer_nip", "kind", "indicator_code", "score", "comment"]
        )
        writer.writerows(["annual-2027", SITI, SITI, "self", code, 4, ""] for code in CODES)
    assert "1 reviews submitted" in invoke("reviews", "import", str(path), "--now", "2027-01-06T10:00+07:00")
    output = invoke("period", "advance", "--now", "2027-01-06T11:00+07:00")
    assert "moved 1 self_assessment→supervisor_review" in output
    status = json.loads(invoke("status", "--json", "--now", "2027-01-06T11:00+07:00"))
    assert status["stages"] == {"self_assessment": 7, "supervisor_review": 1}
    setda_self = next(r for r in status["rows"] if r["unit"] == "SETDA" and r["stage"] == "self_assessment")
    assert (setda_self["open"], setda_self["submitted"]) == (1, 1)
    late = json.loads(invoke("status", "--json", "--now", "2027-01-25T09:00+07:00"))
    assert (
        sum(r["overdue"] for r in late["rows"]) == 8
    )  # 7 self reviews + Siti's supervisor review (due 2027-01-20)
    totals = {t["stage"]: t["overdue"] for t in late["totals"]}
    assert totals == {"self_assessment": 7, "supervisor_review": 1}
    output = invoke("period", "advance", "--now", "2027-01-25T09:00+07:00")
    assert "missed reviews" in output and "7 self" in output
    table = invoke("status", "--now", "2027-01-25T09:00+07:00")
    assert "(all units)" in table and "annual-2027" in table

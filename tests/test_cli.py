"""The command line: exit codes (0 ok, 1 data error, 2 usage), readable errors, every --help."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from cli.main import app
from tests.builders import BUDI, small_roster, write_roster

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes is not None else "")


def _command_paths(command: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for name, sub in getattr(command, "commands", {}).items():
        paths += _command_paths(sub, (*prefix, name))
    return paths


@pytest.mark.parametrize("path", _command_paths(get_command(app)), ids=lambda p: " ".join(p) or "appraisal")
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    code, output = invoke(*path, "--help")
    assert code == 0, output
    assert "Usage:" in output


def test_usage_error_exits_2() -> None:
    code, output = invoke("roster", "import", "--no-such-option")
    assert code == 2, output


def test_db_upgrade_then_roster_import_and_show(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("APPRAISAL_DATABASE_URL", empty_database_url)
    code, output = invoke("roster", "show")
    assert code == 1 and "appraisal db upgrade" in output and "Traceback" not in output, output
    assert invoke("db", "upgrade")[0] == 0
    code, output = invoke("db", "upgrade")
    assert code == 0 and "already at the newest schema" in output, output
    code, output = invoke("roster", "import", str(write_roster(tmp_path / "r.csv", small_roster())))
    assert code == 0, output
    assert re.search(r"staff\s+│\s+8\s+│\s+0", output), output
    assert BUDI in output  # reported as having no supervisor
    code, output = invoke("roster", "show")
    assert code == 0, output
    assert "DINKES" in output and "dr. Andi Wijaya" in output and "3 units" in output


def test_bad_roster_exits_1_with_line_and_column_and_no_traceback(database_url: str, tmp_path: Path) -> None:
    rows = small_roster()
    rows[2]["email"] = "not-an-email"
    code, output = invoke("roster", "import", str(write_roster(tmp_path / "r.csv", rows)))
    assert code == 1, output
    assert "line 4, column email" in output and "nothing was imported" in output
    assert "Traceback" not in output


def test_missing_file_is_a_clear_error(database_url: str) -> None:
    code, output = invoke("roster", "import", "nope.csv")
    assert code == 1 and "cannot read the file" in output, output


def test_default_secret_is_refused_outside_a_demo(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APPRAISAL_SECRET_KEY")
    code, output = invoke("roster", "show")
    assert code == 1 and "APPRAISAL_SECRET_KEY" in output, output


def test_demo_builds_a_city_and_shows_it(tmp_path: Path) -> None:
    code, output = invoke("demo", "--employees", "60", "--seed", "7", "--database", str(tmp_path / "demo.db"))
    assert code == 0, output
    assert "Sekretariat Daerah" in output and "60 active" in output
    assert (tmp_path / "demo-roster.csv").exists()


@pytest.mark.parametrize(
    "command",
    [["roster", "show"], ["status"], ["period", "list"], ["reviews", "pending"], ["notifications", "list"]],
    ids=" ".join,
)
def test_read_only_commands_do_not_import_prefect(database_url: str, command: list[str]) -> None:
    """They must answer fast: importing Prefect alone costs more than a second (DESIGN §2)."""
    script = (
        f"import sys; from cli.main import run; sys.argv = ['appraisal', *{command!r}]\n"
        "try: run()\nexcept SystemExit: pass\nprint('prefect' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert result.stdout.strip().splitlines()[-1] == "False", result.stdout + result.stderr

"""The whole-cycle benchmark still runs end to end (on a tiny city: it is not timed here),
on SQLite and on PostgreSQL, where it works in a database of its own and drops it afterwards."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

BENCH = Path(__file__).resolve().parent.parent / "bench" / "cycle.py"
STEPS = ("roster import", "open", "advance after self", "advance after peer", "close", "status (CLI process)")


def _run_bench(tmp_path: Path, *extra: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--employees", "200", "--status-runs", "1", *extra],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for step in STEPS:
        assert step in result.stdout
    return result.stdout


def _floor(stdout: str, step: str) -> str:
    """The floor column of `step`'s row in the printed table."""
    row = next(line for line in stdout.splitlines() if line.startswith(f"{step:<24}"))
    return row[24:].split()[1]


def test_cycle_benchmark_closes_every_appraisal_of_a_small_city(tmp_path: Path) -> None:
    stdout = _run_bench(tmp_path, "--keep", str(tmp_path))
    assert "SQLite file (WAL)" in stdout
    assert (tmp_path / "200" / "before-close.db").exists()


@pytest.mark.postgres
def test_cycle_benchmark_on_postgres_uses_a_database_of_its_own_and_drops_it(
    postgres_server: str, tmp_path: Path
) -> None:
    env = {**os.environ, "APPRAISAL_DATABASE_URL": postgres_server}
    stdout = _run_bench(tmp_path, env=env)

    found = re.search(r"PostgreSQL [\d.]+ \(database (bench_cycle_[0-9a-f]+)\)", stdout)
    assert found, stdout
    for step in ("open", "advance after supervisor", "close"):
        assert float(_floor(stdout, step)) > 0, stdout
    engine = create_engine(postgres_server)
    with engine.connect() as connection:
        left = connection.execute(
            text("SELECT datname FROM pg_database WHERE datname LIKE :name"),
            {"name": f"{found.group(1)}%"},
        ).all()
    engine.dispose()
    assert left == []

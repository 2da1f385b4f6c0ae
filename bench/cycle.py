# ruff: noqa: E402  (the imports follow the sys.path fix below)
"""Benchmark: a whole annual cycle for a synthetic city, each step against its floor in the same run.

Run: `python bench/cycle.py [--employees 100000] [--growth]`. It generates the city, imports the
roster, opens the annual period, then for each review stage submits ~94 % of the reviews (bulk
setup, not timed) and advances past the stage's deadline, closes the period and queries status.
It works in a fresh SQLite file, or, when APPRAISAL_DATABASE_URL points to a PostgreSQL server,
in a database of its own there (dropped afterwards unless --keep).

Each step runs as the engine's step function (flows/steps.py: the body of the Prefect task),
and prints: seconds; the floor — raw `executemany` (sqlite3, or psycopg) of exactly the rows the
step wrote, on a copy of the database taken just before it (bench/floors.py), or for close the
raw SQL aggregate of the same review scores; the ratio; the step's peak RSS; and the Prefect
task runs its flow creates. The task counts are read off flows/engine_flows.py, not measured (running
Prefect here would time its server, not the engine): every flow has a fixed number of tasks.

`--growth` runs N = 1,000, 10,000 and 100,000 (or `--sizes`) and prints microseconds per
employee for each step, which must stay flat.
"""

import sys
from pathlib import Path

# The project root goes before bench/ (run from a checkout, as the other benches do): there this
# file's own name would otherwise shadow the engine's `cycle` package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bulk_reviews import submit_reviews
from floors import Floor, bench_database, peak_rss, reset_peak_rss
from sqlalchemy import func, select
from typer.testing import CliRunner

from cli.main import app
from cli.status_command import COLUMNS, aligned_table
from config.settings import Settings, load_settings
from cycle.advancing import advance_period, open_periods
from cycle.opening import open_period
from demo.city import generate_city, write_roster_csv
from flows.steps import advance_step, close_step, open_period_step
from models import Appraisal, Period, Review
from models.db import create_db_engine, read_session, write_session
from models.progress_queries import ALL_UNITS, find_period, progress_report, stage_counts
from models.schema import upgrade_schema
from roster.load import import_roster

ZONE = ZoneInfo("Asia/Jakarta")
OPENED = datetime(2027, 1, 4, 9, 0, tzinfo=ZONE)
SECRET = "bench-secret-0123456789abcdefghij"
KEEP = False  # --keep: the databases stay (in the given folder, or on the PostgreSQL server)
# Task runs per flow run, read off flows/engine_flows.py (one task per step, never per employee).
TASKS = {
    "roster import": "-",  # a CLI command, not a flow
    "open": "2",  # open_period_task + publish_progress
    "advance": "2",  # advance_task + publish_progress per open period (one here)
    "close": "2",  # close_task + publish_close
    "status": "-",
}


@dataclass(frozen=True)
class Step:
    name: str
    seconds: float
    floor: float | None
    rss: float
    note: str = ""
    tasks: str = "-"

    @property
    def ratio(self) -> float | None:
        return self.seconds / self.floor if self.floor else None


def _settings(url: str, now: datetime) -> Settings:
    return load_settings(now=now.isoformat(), demo=True, database_url=url, secret_key=SECRET)


def _measured(name: str, floor: Floor, action: Callable[[], Any], *, tasks: str) -> tuple[Step, Any]:
    """Run `action` once, timed, with its peak RSS and its write floor. With --keep, the database
    as it was before the step stays (`before-<step>.db`, or `<database>_before_<step>`), to
    profile the step again."""
    floor.before()
    reset_peak_rss()
    started = time.perf_counter()
    outcome = action()
    seconds = time.perf_counter() - started
    rss = peak_rss()
    written = floor.after(f"before-{name.replace(' ', '-')}" if KEEP else None)
    note = f"{written.inserted:,} rows inserted, {written.updated:,} updated"
    return Step(name, seconds, written.seconds, rss, note, tasks), outcome


def _stage_end(url: str, kind: str) -> datetime:
    """A minute after the last deadline of the period's `kind` reviews: the advance moves everyone."""
    engine = create_db_engine(url)
    with read_session(engine) as session:
        last = session.execute(select(func.max(Review.due_at)).where(Review.kind == kind)).scalar_one()
    engine.dispose()
    return last.astimezone(ZONE) + timedelta(minutes=1)


def _period_id(url: str) -> int:
    engine = create_db_engine(url)
    with read_session(engine) as session:
        period_id = session.execute(select(Period.id)).scalar_one()
    engine.dispose()
    return period_id


def _status_query(url: str, key: str, now: datetime, runs: int) -> Step:
    """Only the status queries and the text (median of `runs`), on an engine made beforehand: what
    `appraisal status` costs beyond settings, the engine and the schema check (its default report:
    totals per stage, and the 25 units with the most overdue reviews)."""
    engine = create_db_engine(url)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        with read_session(engine) as session:
            period = find_period(session, key)
            assert period is not None and period.id is not None
            stage_counts(session, period.id)
            report = progress_report(session, period.id, now, scope=ALL_UNITS, top=25)
        aligned_table(
            COLUMNS, [("Reviews per stage", report.totals), ("Reviews per unit and stage", report.lines)]
        )
        times.append(time.perf_counter() - started)
    engine.dispose()
    return Step("status (query+render)", statistics.median(times), None, 0.0, f"median of {runs}")


def _status(url: str, key: str, now: datetime, runs: int) -> list[Step]:
    """`appraisal status` in-process (the command through Typer, median of `runs`), its queries and
    table alone, and the real command as a process once."""
    env = {
        "APPRAISAL_DATABASE_URL": url,
        "APPRAISAL_SECRET_KEY": SECRET,
        "COLUMNS": "120",
    }
    arguments = ["status", "--period", key, "--now", now.isoformat()]
    runner = CliRunner()
    times = []
    reset_peak_rss()
    for _ in range(runs):
        started = time.perf_counter()
        result = runner.invoke(app, arguments, env=env)
        times.append(time.perf_counter() - started)
        assert result.exit_code == 0, result.output
    rss = peak_rss()
    started = time.perf_counter()
    script = Path(sys.executable).with_name("appraisal")  # the console script, as staff run it
    command = [str(script)] if script.exists() else [sys.executable, "-c", "from cli.main import run; run()"]
    finished = subprocess.run(
        [*command, *arguments],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    process = time.perf_counter() - started
    assert finished.returncode == 0, finished.stderr
    median = statistics.median(times)
    return [
        _status_query(url, key, now, runs),
        Step("status (in-process)", median, None, rss, f"median of {runs}, max {max(times) * 1000:.0f} ms"),
        Step("status (CLI process)", process, None, 0.0, "one run, includes interpreter start"),
    ]


def _open(url: str, now: datetime, invitations: bool) -> dict[str, Any]:
    """The open step as its flow runs it, or without queuing invitations (--no-invitations)."""
    settings = _settings(url, now)
    if invitations:
        return open_period_step(settings, "annual", actor="bench")
    engine = create_db_engine(url)
    with write_session(engine) as session:
        result = open_period(session, settings.load_cycles(), "annual", now, actor="bench")
    engine.dispose()
    return {"period": result.key, "appraisals": result.appraisals}


def _advance(url: str, now: datetime, invitations: bool) -> dict[str, Any]:
    """The advance step as its flow runs it, or without queuing invitations (--no-invitations)."""
    if invitations:
        return advance_step(_settings(url, now), actor="bench")
    engine = create_db_engine(url)
    with write_session(engine) as session:
        reports = [advance_period(session, period, now, actor="bench") for period in open_periods(session)]
        moved = [{"moved": dict(report.moved)} for report in reports]
    engine.dispose()
    return {"periods": moved}


def run_cycle(
    employees: int, folder: Path, floor: Floor, status_runs: int, invitations: bool = True
) -> list[Step]:
    """Every step of one cycle for a city of `employees` staff, in the empty database of `floor`
    (the roster file goes in `folder`)."""
    url = floor.url
    engine = create_db_engine(url)
    upgrade_schema(engine)
    engine.dispose()
    csv_path = folder / "roster.csv"
    write_roster_csv(generate_city(employees=employees, seed=1), csv_path)
    steps = _Progress()

    def roster() -> Any:
        db = create_db_engine(url)
        summary = import_roster(db, csv_path, default_timezone="Asia/Jakarta", actor="bench", now=OPENED)
        db.dispose()
        return summary

    step, _ = _measured("roster import", floor, roster, tasks=TASKS["roster import"])
    steps.append(step)
    step, opened = _measured("open", floor, lambda: _open(url, OPENED, invitations), tasks=TASKS["open"])
    steps.append(step)
    period_id, now = _period_id(url), OPENED
    for kind in ("self", "supervisor", "peer"):
        engine = create_db_engine(url)
        submitted = submit_reviews(engine, period_id, kind, now + timedelta(hours=1))
        engine.dispose()
        now = _stage_end(url, kind)
        step, report = _measured(
            f"advance after {kind}",
            floor,
            lambda at=now: _advance(url, at, invitations),
            tasks=TASKS["advance"],
        )
        moved = report["periods"][0]["moved"]
        steps.append(
            Step(
                **{**vars(step), "note": f"{submitted:,} submitted before; moved {dict(moved)}; {step.note}"}
            )
        )
    now += timedelta(days=1)
    aggregate = floor.aggregate_seconds()
    step, summary = _measured(
        "close",
        floor,
        lambda: close_step(_settings(url, now), opened["period"], accept_distribution=True, actor="bench"),
        tasks=TASKS["close"],
    )
    steps.append(
        Step("close", step.seconds, aggregate, step.rss,
             f"floor = raw GROUP BY; raw write of its rows {step.floor:.2f} s ({step.note}); "
             f"aggregate + writes ratio {step.seconds / (aggregate + (step.floor or 0)):.2f}x; "
             f"predikat {summary['predikat']}", step.tasks)
    )  # fmt: skip
    steps += _status(url, opened["period"], now, status_runs)
    engine = create_db_engine(url)
    with read_session(engine) as session:
        closed = session.execute(select(func.count()).where(Appraisal.stage == "closed")).scalar_one()
    engine.dispose()
    assert closed == employees, f"{closed} of {employees} appraisals closed"
    return steps


def _print(employees: int, database: str, steps: list[Step], whole_rss: float, invitations: bool) -> None:
    print(
        f"\nwhole cycle, {employees:,} staff, {database}; peak RSS of the steps {whole_rss:.0f} MB"
        " (setup — city generation, bulk submissions — not counted)"
    )
    if not invitations:
        print("open and advances WITHOUT queuing invitations (--no-invitations): the flows queue them")
    print(
        f"load average at the end (1/5/15 min): {' '.join(f'{n:.1f}' for n in os.getloadavg())} on {os.cpu_count()} cores"
    )
    print(f"{'step':<24}{'time s':>9}{'floor s':>9}{'ratio':>8}{'RSS MB':>8}{'tasks':>7}  notes")
    for step in steps:
        print(_line(step))


def _line(s: Step) -> str:
    floor = f"{s.floor:9.3f}" if s.floor else f"{'-':>9}"
    ratio = f"{s.ratio:7.2f}x" if s.ratio else f"{'-':>8}"
    return f"{s.name:<24}{s.seconds:9.3f}{floor}{ratio}{s.rss:8.0f}{s.tasks:>7}  {s.note}"


class _Progress(list[Step]):
    """The steps so far, each also printed to stderr as it finishes: 100,000 staff take many minutes."""

    def append(self, step: Step) -> None:
        super().append(step)
        print(_line(step), file=sys.stderr, flush=True)


def _print_growth(results: dict[int, list[Step]]) -> None:
    sizes = sorted(results)
    print("\ngrowth: microseconds per employee (time / N)")
    print(f"{'step':<24}" + "".join(f"{n:>12,}" for n in sizes))
    for index, step in enumerate(results[sizes[0]]):
        cells = "".join(f"{results[n][index].seconds / n * 1e6:12.1f}" for n in sizes)
        print(f"{step.name:<24}{cells}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--growth", action="store_true", help="run N = --sizes and print time per employee")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--status-runs", type=int, default=15)
    parser.add_argument(
        "--no-invitations",
        action="store_true",
        help="open and advance without queuing invitations (the flows always queue them): the engine's own share",
    )
    parser.add_argument(
        "--keep", type=Path, help="work in this folder and keep the databases (one before each step)"
    )
    args = parser.parse_args()
    global KEEP
    KEEP = args.keep is not None
    results = {}
    for employees in args.sizes if args.growth else [args.employees]:
        with tempfile.TemporaryDirectory() as directory:
            folder = args.keep / str(employees) if args.keep else Path(directory)
            folder.mkdir(parents=True, exist_ok=True)
            url = os.environ.get("APPRAISAL_DATABASE_URL")
            with bench_database(url, folder, "cycle", keep=KEEP) as floor:
                results[employees] = run_cycle(
                    employees, folder, floor, args.status_runs, not args.no_invitations
                )
        _print(
            employees,
            floor.label,
            results[employees],
            max(step.rss for step in results[employees]),
            not args.no_invitations,
        )
    if args.growth:
        _print_growth(results)


if __name__ == "__main__":
    main()

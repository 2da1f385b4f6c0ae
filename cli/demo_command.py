"""`appraisal demo`: a synthetic city loaded into a fresh demo database, then shown."""

import os
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.tree import Tree
from sqlalchemy import Engine, func, select

from cli import context
from cli.demo_web import serve_demo_web
from cli.feedback_commands import report_table
from cli.period_commands import print_close_summary
from cli.roster_commands import print_summary
from config.fields import PREDIKAT
from cycle.calibration import period_by_key
from cycle.periods import cycle_of
from demo.citizen_feedback import add_demo_feedback
from demo.city import generate_city, write_roster_csv
from demo.simulation import DayReport, EngineCalls, simulate
from feedback.period_ikm import period_ikm
from models import Notification
from models.db import create_db_engine, read_session
from models.recommendation_queries import examples_per_kind
from models.roster_queries import UnitOverview, unit_overview
from models.schema import upgrade_schema
from roster.load import import_roster

MAX_CHILDREN_SHOWN = 12
DEMO_START = "2027-01-04T08:00:00+07:00"  # a Monday; 5 January 2027 is a national holiday
DAY_NAMES = ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min")
# Citizens rate the civil registry's and the licensing office's services over these days.
FEEDBACK_DAYS = (date(2027, 1, 4), date(2027, 1, 15))


def _fresh_sqlite(path: Path) -> str:
    """Remove an earlier demo database (and its WAL files) so every demo starts the same."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _unit_tree(units: list[UnitOverview]) -> Tree:
    children: dict[str | None, list[UnitOverview]] = {}
    for unit in units:
        children.setdefault(unit.parent_code, []).append(unit)
    tree = Tree("[bold]Struktur organisasi[/]")

    def add(branch: Tree, parent: str | None) -> None:
        kids = children.get(parent, [])
        for unit in kids[:MAX_CHILDREN_SHOWN]:
            head = f" — kepala: {unit.head_name}" if unit.head_name else ""
            add(branch.add(f"[bold]{unit.code}[/] {unit.name} ({unit.active} pegawai){head}"), unit.code)
        if len(kids) > MAX_CHILDREN_SHOWN:
            branch.add(f"… dan {len(kids) - MAX_CHILDREN_SHOWN} unit lainnya")

    add(tree, None)
    return tree


def _print_day(report: DayReport) -> None:
    """One line per simulated day, narrow enough for an 80-column terminal."""
    stages = report.stages
    moved, missed = sum(report.moved.values()), sum(report.missed.values())
    context.console.print(
        f"{DAY_NAMES[report.day.weekday()]} {report.day:%d/%m} │ kirim {report.submitted_today:4d} pesan {report.messages:4d} │ "
        f"M{stages.get('self_assessment', 0):4d} A{stages.get('supervisor_review', 0):4d} "
        f"R{stages.get('peer_review', 0):4d} K{stages.get('calibration', 0):4d} │ maju{moved:4d} lewat{missed:4d}"
    )


def _print_close(engine: Engine, summary: dict[str, Any]) -> None:
    """The closed period's distribution per unit and one recommendation of each kind."""
    context.console.print()
    print_close_summary(summary)
    table = Table(title=f"Distribusi predikat per unit — {summary['period']}")
    table.add_column("unit", overflow="fold")
    for name in PREDIKAT:
        table.add_column(
            name.replace("/", "/ "), justify="right", overflow="fold"
        )  # "Kurang/Misconduct" in full
    table.add_column("belum lengkap", justify="right", overflow="fold")
    for unit in summary["distribution"]:
        table.add_row(
            unit["unit"], *(str(unit["counts"].get(name, 0)) for name in PREDIKAT), str(unit["incomplete"])
        )
    context.console.print(table)
    _print_public_satisfaction(engine, summary["period"])
    with read_session(engine) as session:
        examples = examples_per_kind(session, summary["period"])
    context.console.print("[bold]Contoh rekomendasi[/]")
    for example in examples:
        line = f"  {example.kind}: {example.name} ({example.nip}, {example.predikat}) — {example.reason_id}"
        context.console.print(line, markup=False)


def _print_public_satisfaction(engine: Engine, period_key: str) -> None:
    """The units' IKM the close used for the kepuasan_masyarakat indicator."""
    with read_session(engine) as session:
        period = period_by_key(session, period_key)
        report = period_ikm(session, period, period.closed_at or period.ends_at)
    context.console.print(report_table(report, cycle_of(period).timezone or "Asia/Jakarta"))
    context.console.print(
        f"[dim]Indikator kepuasan_masyarakat dinilai dari IKM unit bila respondennya ≥ {report.min_responses}; "
        "di bawah itu indikator tidak dihitung (bukan ditebak).[/]"
    )


def _print_outbox(engine: Engine) -> None:
    """What went out during the cycle, per kind of message (the demo queues; it mails nobody)."""
    with read_session(engine) as session:
        query = (
            select(Notification.template, func.count())
            .group_by(Notification.template)
            .order_by(Notification.template)
        )
        counts = session.execute(query).all()
    listed = ", ".join(f"{template} {count}" for template, count in counts)
    context.console.print(f"\nPesan yang keluar selama siklus: {listed}.")
    context.console.print(
        "[dim](Antrean outbox demo; `appraisal notifications dispatch` mengirimnya lewat APPRAISAL_SMTP_URL.)[/]"
    )


def demo(
    employees: Annotated[int, typer.Option(min=10, help="Number of staff in the synthetic city.")] = 300,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same city.")] = 2027,
    database: Annotated[Path, typer.Option(help="SQLite file for the demo (recreated).")] = Path(
        "appraisal-demo.db"
    ),
    cycle: Annotated[str, typer.Option(help="Cycle to simulate (a name from the cycle YAML).")] = "annual",
    web: Annotated[
        bool, typer.Option("--web", help="Then open the next quarter and serve the web app to click through.")
    ] = False,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port of the web demo (with --web).")] = 8000,
) -> None:
    """Generate a deterministic city, load it into a fresh demo database, and simulate a whole cycle day by day."""
    current = context.settings(demo=True)
    engine = create_db_engine(_fresh_sqlite(database))
    upgrade_schema(engine)
    roster_file = database.with_name(database.stem + "-roster.csv")
    write_roster_csv(generate_city(employees=employees, seed=seed, timezone=current.timezone), roster_file)
    context.console.print(f"Synthetic roster written to {roster_file} ({employees} staff, seed {seed}).")
    summary = import_roster(engine, roster_file, default_timezone=current.timezone, actor="demo")
    print_summary(summary)
    with read_session(engine) as session:
        context.console.print(_unit_tree(unit_overview(session)))
    start = context.parse_now(DEMO_START)
    responses = add_demo_feedback(engine, *FEEDBACK_DAYS, current.zone, seed)
    listed = ", ".join(f"{unit} {count}" for unit, count in responses.items()) or "tidak ada unit layanan"
    context.console.print(f"Survei kepuasan masyarakat (IKM): tanggapan warga {listed}.")
    # Flows read their settings from the environment: point them at the demo database too.
    os.environ.update({"APPRAISAL_DATABASE_URL": str(engine.url), "APPRAISAL_DEMO": "true"})
    if web:  # the links in queued messages (invitations, results) point at the demo's web app
        os.environ["APPRAISAL_BASE_URL"] = f"http://127.0.0.1:{port}"
    context.console.print(f"\n[bold]Simulasi siklus '{cycle}'[/] mulai {start:%Y-%m-%d %H:%M} WIB")
    context.console.print(
        "[dim]kirim: ulasan dikirim hari itu · pesan: email/chat yang keluar hari itu (undangan, pengingat,\n"
        "eskalasi, ringkasan HR) · penilaian per tahap: M mandiri, A atasan, R rekan, K kalibrasi\n"
        "maju: penilaian pindah tahap · lewat: ulasan melewati tenggat (tercatat 'missed')[/]"
    )
    calls = EngineCalls(str(engine.url))
    closed_key = ""
    for step in simulate(engine, calls, current.load_cycles(), cycle_name=cycle, start=start, seed=seed):
        if isinstance(step, int):
            context.console.print(f"Periode dibuka: {step} penilaian, penilaian mandiri terbuka.")
        elif isinstance(step, DayReport):
            if step.submitted_today or step.moved or step.missed or step.messages:
                _print_day(step)
        else:
            _print_close(engine, step)
            closed_key = step["period"]
    _print_outbox(engine)
    context.console.print(
        f"\nExplore it: [bold]export APPRAISAL_DEMO=true APPRAISAL_DATABASE_URL=sqlite:///{database}[/] "
        "then `appraisal period list`, `appraisal calibration show --period annual-2027`, "
        "`appraisal results export --period annual-2027 --format csv`, `appraisal roster show`."
    )
    if web:
        serve_demo_web(engine, closed_key, port)

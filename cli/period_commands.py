"""`appraisal period …`: open a cycle's period, list periods, advance stages."""

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import func, select

from cli import context
from cli.options import NowOption
from flows.runner import RunOutcome, run_engine_step
from flows.steps import advance_step, open_period_step
from models import Appraisal, Period
from models.db import read_session

app = typer.Typer(help="Appraisal periods: open, list, advance.", no_args_is_help=True)


def _report_run(outcome: RunOutcome) -> None:
    context.console.print(f"[dim]{outcome.note}[/]")


@app.command("open")
def open_command(
    cycle: Annotated[
        str, typer.Option("--cycle", help="Cycle name from the cycle YAML (annual, quarterly, monthly, …).")
    ],
    now: NowOption = None,
    start: Annotated[
        str | None, typer.Option(help="First day of the window (YYYY-MM-DD); with --end.")
    ] = None,
    end: Annotated[
        str | None, typer.Option(help="Last day of the window (YYYY-MM-DD); with --start.")
    ] = None,
) -> None:
    """Open the cycle's period for the window containing now: appraisals and self-assessments for all active staff."""
    settings = context.settings(now=now)
    settings.load_cycles().cycle(cycle)  # an unknown cycle is reported before anything runs
    first, last = (context.parse_date("--start", start), context.parse_date("--end", end))
    outcome = run_engine_step(
        "open_period_flow",
        lambda: open_period_step(settings, cycle, start=first, end=last, actor=context.actor()),
        cycle=cycle, now=settings.current_time().isoformat(), start=start, end=end,
    )  # fmt: skip
    result = outcome.result
    if result["created"]:
        context.console.print(
            f"Opened period [bold]{result['period']}[/]: {result['appraisals']} appraisals, self-assessments open."
        )
    else:
        context.console.print(
            f"Period [bold]{result['period']}[/] is already {result['status']} ({result['appraisals']} appraisals); nothing created."
        )
    _report_run(outcome)


@app.command("list")
def list_command() -> None:
    """Every period with its key, window, status and number of appraisals."""
    engine = context.engine(context.settings())
    counts = select(Appraisal.period_id, func.count().label("n")).group_by(Appraisal.period_id).subquery()
    query = (
        select(Period, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.period_id == Period.id)
        .order_by(Period.starts_at, Period.key)
    )
    with read_session(engine) as session:
        rows = session.execute(query).all()
    if not rows:
        context.console.print("No periods yet: `appraisal period open --cycle annual`.")
        return
    table = Table(title="Periods")
    for column in ("key", "cycle", "window", "status", "appraisals"):
        table.add_column(column, justify="right" if column == "appraisals" else "left")
    for period, count in rows:
        zone = period.cycle_snapshot.get("cycle", {}).get("timezone") or "UTC"
        window = f"{context.local_date(period.starts_at, zone)} – {context.local_date(period.ends_at, zone, inclusive_end=True)}"
        table.add_row(period.key, period.cycle_name, window, period.status, str(count))
    context.console.print(table)


@app.command("advance")
def advance_command(now: NowOption = None) -> None:
    """Move appraisals on: close stages whose reviews are all in or whose deadline passed (unsubmitted → missed)."""
    settings = context.settings(now=now)
    outcome = run_engine_step(
        "advance_stages_flow",
        lambda: advance_step(settings, actor=context.actor()),
        now=settings.current_time().isoformat(),
    )
    periods = outcome.result["periods"]
    if not periods:
        context.console.print("No open period to advance.")
    for period in periods:
        moved = ", ".join(f"{n} {move}" for move, n in period["moved"].items()) or "none"
        missed = ", ".join(f"{n} {kind}" for kind, n in period["missed"].items()) or "none"
        context.console.print(
            f"[bold]{period['period']}[/] at {outcome.result['now']}: moved {moved}; missed reviews {missed}."
        )
        if period["without_reviewer"]:
            context.console.print(
                f"  {period['without_reviewer']} appraisal(s) had nobody to do the supervisor review (no supervisor, no fallback head)."
            )
    _report_run(outcome)

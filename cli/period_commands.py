"""`appraisal period …`: open a cycle's period, list periods, advance stages."""

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import func, select

from cli import context
from cli.options import NowOption
from cycle.calibration import period_by_key
from cycle.closing import reopen_period
from flows.runner import RunOutcome, run_engine_step
from flows.steps import advance_step, close_step, open_period_step
from models import Appraisal, Period
from models.db import read_session, write_session

app = typer.Typer(help="Appraisal periods: open, list, advance, close, reopen.", no_args_is_help=True)


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


@app.command("close")
def close_command(
    period: Annotated[str, typer.Option("--period", help="Period key, e.g. annual-2027.")],
    now: NowOption = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Close even if some appraisals have not reached calibration (their open reviews become missed).",
        ),
    ] = False,
    accept_distribution: Annotated[
        bool,
        typer.Option(
            "--accept-distribution",
            help="Close although a unit is outside the distribution curve (recorded with who and when).",
        ),
    ] = False,
) -> None:
    """Compute ratings, predikat and recommendations, and close the period (a closed period is immutable)."""
    settings = context.settings(now=now)
    actor = context.actor()
    outcome = run_engine_step(
        "close_period_flow",
        lambda: close_step(settings, period, force=force, accept_distribution=accept_distribution, actor=actor),
        period=period, now=settings.current_time().isoformat(), force=force, accept_distribution=accept_distribution,
    )  # fmt: skip
    summary = outcome.result
    if not summary["closed_now"]:
        context.console.print(f"Period [bold]{period}[/] is already closed; nothing changed.")
    else:
        print_close_summary(summary)
    _report_run(outcome)


def print_close_summary(summary: dict[str, object]) -> None:
    """Counts per predikat, incomplete appraisals and recommendations of a close."""
    predikat = ", ".join(f"{name} {n}" for name, n in summary["predikat"].items()) or "none"  # type: ignore[attr-defined]
    recommendations = ", ".join(f"{kind} {n}" for kind, n in summary["recommendations"].items()) or "none"  # type: ignore[attr-defined]
    context.console.print(
        f"Closed [bold]{summary['period']}[/]: {summary['appraisals']} appraisals — {predikat}."
    )
    if summary["incomplete"]:
        context.console.print(
            f"  {summary['incomplete']} incomplete (supervisor review not submitted): predikat left to HR."
        )
    if summary["forced"]:
        context.console.print(
            f"  --force moved {summary['forced']} appraisal stage(s) on; their open reviews were marked missed."
        )
    for line in summary["accepted_outside_curve"]:  # type: ignore[attr-defined]
        context.console.print(f"  accepted outside the curve: {line}")
    context.console.print(f"  Recommendations: {recommendations}.")


@app.command("reopen")
def reopen_command(
    period: Annotated[str, typer.Option("--period", help="Period key of a closed period.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is reopened (kept in the audit trail).")],
    now: NowOption = None,
) -> None:
    """HR only: reopen a closed period for calibration; stored results and recommendations are removed until it closes again."""
    settings = context.settings(now=now)
    engine = context.engine(settings)
    with write_session(engine) as session:
        moved = reopen_period(
            session, period_by_key(session, period), reason, settings.current_time(), actor=context.actor()
        )
    context.console.print(
        f"Reopened {period}: {moved} appraisals back in calibration. Close it again with `appraisal period close --period {period}`."
    )

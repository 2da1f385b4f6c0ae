"""`appraisal calibration …`: each unit's predikat distribution against the curve; HR overrides."""

from typing import Annotated

import typer
from rich.table import Table

from cli import context
from cli.options import NowOption
from cycle.calibration import distributions, period_by_key, set_override
from cycle.period_scores import cycle_of, score_period
from models.db import read_session, write_session

app = typer.Typer(help="Calibration before closing: distribution per unit, overrides.", no_args_is_help=True)
PeriodKey = Annotated[str, typer.Option("--period", help="Period key, e.g. annual-2027.")]


@app.command("show")
def show(period: PeriodKey, now: NowOption = None) -> None:
    """Per unit: predikat counts and shares (overrides applied), incomplete appraisals, and bands broken."""
    settings = context.settings(now=now)
    engine = context.engine(settings)
    with read_session(engine) as session:
        found = period_by_key(session, period)
        scored = score_period(session, found, now=settings.current_time())
        cycle = cycle_of(found)
    units = distributions(scored, cycle.calibration)
    names = [name for name, _ in cycle.calibration.ordered_curve()] or sorted(
        {s.predikat for s in scored if s.predikat}
    )
    table = Table(title=f"Calibration {period} ({len(scored)} appraisals in calibration or closed)")
    table.add_column("unit")
    for name in names:
        table.add_column(name, justify="right")
    table.add_column("incomplete", justify="right")
    table.add_column("outside the curve")
    for unit in units:
        shares = [
            f"{unit.counts.get(n, 0)} ({unit.counts.get(n, 0) / unit.rated:.0%})" if unit.rated else "0"
            for n in names
        ]
        verdict = (
            "; ".join(unit.outside)
            if unit.outside
            else ("ok" if unit.checked else f"not checked (< {cycle.calibration.min_unit_size} rated)")
        )
        table.add_row(unit.unit_code, *shares, str(unit.incomplete), verdict)
    context.console.print(table)
    overridden = [s for s in scored if s.override]
    for item in overridden:
        context.console.print(
            f"  override {item.nip} {item.name}: {item.score.predikat or 'incomplete'} → {item.override} ({item.override_reason})"
        )
    outside = sum(1 for u in units if u.outside)
    context.console.print(
        f"{outside} unit(s) outside the curve." if outside else "Every checked unit is inside the curve."
    )


@app.command("set")
def set_command(
    nip: Annotated[str, typer.Argument(help="NIP of the employee.")],
    predikat: Annotated[str, typer.Argument(help='New predikat, e.g. "Baik" (quote names with spaces).')],
    reason: Annotated[str, typer.Option("--reason", help="Why HR sets it (kept in the audit trail).")],
    period: PeriodKey,
    now: NowOption = None,
) -> None:
    """Set an appraisal's predikat by hand during calibration, with a reason (audited)."""
    settings = context.settings(now=now)
    engine = context.engine(settings)
    with write_session(engine) as session:
        set_override(
            session,
            period_by_key(session, period),
            nip,
            predikat,
            reason,
            settings.current_time(),
            context.actor(),
        )
    context.console.print(f"{nip}: predikat set to {predikat} in {period} ({reason}).")

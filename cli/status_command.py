"""`appraisal status`: progress of a period per unit and stage, as a table or JSON."""

import json
from typing import Annotated

import typer
from rich.table import Table

from cli import context
from cli.options import NowOption, PeriodOption
from flows.steps import progress_step
from models.cycle import STAGES

TOTAL = "(all units)"


def status(
    period: PeriodOption = None,
    now: NowOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Appraisals per stage, and per unit and stage: open, overdue, submitted and missed reviews."""
    progress = progress_step(context.settings(now=now), period)
    if as_json:
        typer.echo(json.dumps(progress, ensure_ascii=False, indent=2))
        return
    stages = "  ".join(f"{stage}: {progress['stages'].get(stage, 0)}" for stage in STAGES)
    context.console.print(
        f"[bold]{progress['period']}[/] ({progress['status']}) at {progress['now']}\nAppraisals per stage — {stages}"
    )
    table = Table(title="Reviews per unit and stage")
    for column in ("unit", "stage", "open", "overdue", "submitted", "missed"):
        table.add_column(column, justify="left" if column in ("unit", "stage") else "right")
    totals: dict[str, list[int]] = {}
    for row in progress["rows"]:
        numbers = [row["open"], row["overdue"], row["submitted"], row["missed"]]
        totals[row["stage"]] = [
            a + b for a, b in zip(totals.get(row["stage"], [0, 0, 0, 0]), numbers, strict=True)
        ]
        table.add_row(row["unit"], row["stage"], *map(str, numbers))
    table.add_section()
    for stage, numbers in totals.items():
        table.add_row(TOTAL, stage, *map(str, numbers))
    context.console.print(table)

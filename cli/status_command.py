"""`appraisal status`: progress of a period per unit and stage, as a table or JSON.

The table is plain aligned text, not a Rich table: a national roster has thousands of units,
and Rich measures and wraps every cell (about 4 s for 1,000 rows, profiled), while aligned text
prints 10,000 rows in a few milliseconds and reads the same.
"""

import json
from collections.abc import Sequence
from typing import Annotated

import typer

from cli import context
from cli.options import NowOption, PeriodOption
from flows.steps import progress_step
from models.cycle import STAGES

TOTAL = "(all units)"
COLUMNS = ("unit", "stage", "open", "overdue", "submitted", "missed")
TEXT_COLUMNS = 2  # unit and stage are left-aligned; the counts right-aligned


def aligned_table(title: str, header: Sequence[str], sections: Sequence[Sequence[Sequence[str]]]) -> str:
    """`sections` of rows under `header`, columns padded to their widest cell, a rule between sections."""
    rows = [list(header), *(row for section in sections for row in section)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        padded = [
            c.ljust(w) if i < TEXT_COLUMNS else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(padded).rstrip()

    rule = "  ".join("-" * w for w in widths)
    lines = [title, line(header), rule]
    for index, section in enumerate(sections):
        if index:
            lines.append(rule)
        lines += [line(row) for row in section]
    return "\n".join(lines)


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
    totals: dict[str, list[int]] = {}
    rows = []
    for row in progress["rows"]:
        numbers = [row["open"], row["overdue"], row["submitted"], row["missed"]]
        totals[row["stage"]] = [
            a + b for a, b in zip(totals.get(row["stage"], [0, 0, 0, 0]), numbers, strict=True)
        ]
        rows.append([row["unit"], row["stage"], *map(str, numbers)])
    total_rows = [[TOTAL, stage, *map(str, numbers)] for stage, numbers in totals.items()]
    typer.echo(aligned_table("Reviews per unit and stage", COLUMNS, [rows, total_rows]))

"""`appraisal status`: progress of a period per unit and stage, as a table or JSON.

The table is plain aligned text, not a Rich table: a national roster has thousands of units,
and Rich measures and wraps every cell (about 4 s for 1,000 rows, profiled), while aligned text
prints 10,000 rows in a few milliseconds and reads the same.
"""

import json
from collections.abc import Sequence
from operator import itemgetter
from typing import Annotated, Any

import typer

from cli import context
from cli.options import NowOption, PeriodOption
from flows.steps import progress_step
from models.cycle import STAGES
from models.progress_queries import PROGRESS_KEYS

TOTAL = "(all units)"
COLUMNS = ("unit", "stage", "open", "overdue", "submitted", "missed")
TEXT_COLUMNS = 2  # unit and stage are left-aligned; the counts right-aligned


def aligned_table(title: str, header: Sequence[str], sections: Sequence[Sequence[Sequence[object]]]) -> str:
    """`sections` of rows under `header`, columns padded to their widest cell, a rule between sections.

    One format template for every row: per-cell Python (ljust/rjust in a loop) cost 60 ms for the
    10,000 rows of a national roster, a third of the whole command."""
    rows = [header, *(row for section in sections for row in section)]
    widths = [max(map(len, map(str, column))) for column in zip(*rows, strict=True)]
    template = "  ".join(
        f"{{:{'<' if index < TEXT_COLUMNS else '>'}{width}}}" for index, width in enumerate(widths)
    )
    rule = "  ".join("-" * width for width in widths)
    lines = [title, template.format(*header).rstrip(), rule]
    for index, section in enumerate(sections):
        if index:
            lines.append(rule)
        lines += [template.format(*row).rstrip() for row in section]
    return "\n".join(lines)


def stage_totals(rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """One row per stage (in order of first appearance): the sums of each count column."""
    counts: dict[str, list[Sequence[int]]] = {}
    for row in rows:
        counts.setdefault(row[1], []).append(row[TEXT_COLUMNS:])
    return [(TOTAL, stage, *map(sum, zip(*numbers, strict=True))) for stage, numbers in counts.items()]


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
    rows = list(map(itemgetter(*PROGRESS_KEYS), progress["rows"]))
    typer.echo(aligned_table("Reviews per unit and stage", COLUMNS, [rows, stage_totals(rows)]))

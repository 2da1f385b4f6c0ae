"""`appraisal reviews …`: import scores collected on paper or elsewhere; list what is still open."""

import csv
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from cli import context
from cli.options import NowOption, PeriodOption
from cycle.calibration import period_by_key
from cycle.review_import import import_reviews
from models.db import read_session
from models.progress_queries import pending_reviews
from web.links import review_link

app = typer.Typer(help="Reviews: import submissions, list pending ones.", no_args_is_help=True)
PENDING_COLUMNS = (
    "period",
    "reviewee_nip",
    "reviewee_name",
    "reviewer_nip",
    "reviewer_name",
    "kind",
    "status",
    "due_at",
    "link",
)


@app.command("import")
def import_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="Reviews CSV: period,reviewee_nip,reviewer_nip,kind,indicator_code,score,comment"
        ),
    ],
    now: NowOption = None,
) -> None:
    """Record submissions from a CSV (one row per indicator score); refused as a whole on any problem."""
    settings = context.settings(now=now)
    engine = context.engine(settings)
    with context.console.status(f"Importing {file} …"):
        summary = import_reviews(engine, file, settings.current_time(), actor=context.actor())
    context.console.print(
        f"Imported {summary.scores} scores: {summary.submitted} reviews submitted, {summary.replaced} replaced, "
        f"{summary.unchanged} unchanged."
    )


@app.command("pending")
def pending_command(
    period: PeriodOption = None,
    format: Annotated[
        Literal["table", "csv"],
        typer.Option("--format", help="table for reading, csv for printing/mail merge."),
    ] = "table",
) -> None:
    """Open reviews with reviewee, reviewer, kind, due time and the form link (what HR prints for paper)."""
    settings = context.settings()
    engine = context.engine(settings)
    with read_session(engine) as session:
        rows = pending_reviews(session, period_by_key(session, period).id if period else None)
    secret = settings.secret_key.get_secret_value()
    records = [
        {"period": r.period_key, "reviewee_nip": r.reviewee_nip, "reviewee_name": r.reviewee_name, "reviewer_nip": r.reviewer_nip,
         "reviewer_name": r.reviewer_name, "kind": r.kind, "status": r.status,
         "due_at": r.due_at.isoformat() if r.due_at else "", "link": review_link(settings.base_url, secret, r.review_id)}
        for r in rows
    ]  # fmt: skip
    if format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(PENDING_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        return
    table = Table(title=f"Pending reviews ({len(records)})")
    for column in ("period", "reviewee", "reviewer", "kind", "due", "link"):
        table.add_column(column, overflow="fold")
    for row, record in zip(rows, records, strict=True):
        table.add_row(row.period_key, f"{row.reviewee_name} ({row.reviewee_nip})", f"{row.reviewer_name} ({row.reviewer_nip})",
                      row.kind, context.local_time(row.due_at, settings.timezone), record["link"])  # fmt: skip
    context.console.print(table)

"""`appraisal reminders send`: enqueue the reminders due now and deliver them (or list them)."""

from typing import Annotated

import typer
from rich.table import Table

from cli import context
from cli.options import NowOption
from flows.runner import run_engine_step
from flows.steps import reminders_step

app = typer.Typer(
    help="Reminders: invitations, reminders before and on the target day, overdue, escalation, HR digest.",
    no_args_is_help=True,
)


@app.command("send")
def send_command(
    now: NowOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only print who would get what; write and send nothing.")
    ] = False,
) -> None:
    """Enqueue what is due now (working days, office hours in each recipient's zone) and dispatch the outbox."""
    settings = context.settings(now=now)
    if dry_run:
        result = reminders_step(settings, dry_run=True)
        table = Table(title=f"Would send at {result['now']} ({len(result['would_send'])} messages)")
        for column in ("to", "channel", "template", "about"):
            table.add_column(column, overflow="fold")
        for line in result["would_send"]:
            table.add_row(line["to"], line["channel"], line["template"], str(line["about"]))
        context.console.print(table)
        return
    outcome = run_engine_step("send_reminders_flow", lambda: reminders_step(settings),
                              now=settings.current_time().isoformat())  # fmt: skip
    result = outcome.result
    context.console.print(
        f"Queued {result['queued']} new message(s); sent {result['sent']}, will retry {result['retried']}, failed {result['failed']}."
    )
    context.console.print(f"[dim]{outcome.note}[/]")

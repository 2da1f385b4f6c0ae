"""`appraisal notifications …`: the outbox as HR sees it — list, retry failed, dispatch now."""

from typing import Annotated, Literal

import typer
from rich.table import Table

from cli import context
from cli.options import NowOption
from models.db import read_session, write_session
from models.outbox_queries import outbox_lines, retry_failed
from notifications.dispatch import dispatch_pending

app = typer.Typer(help="Notification outbox: list, retry, dispatch.", no_args_is_help=True)


@app.command("list")
def list_command(
    status: Annotated[
        Literal["pending", "sent", "failed"] | None, typer.Option("--status", help="Only this status.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many of the newest to show.")] = 50,
) -> None:
    """The newest notifications with recipient, channel, template, status, attempts and last error."""
    settings = context.settings()
    with read_session(context.engine(settings)) as session:
        lines = outbox_lines(session, status, limit)
    table = Table(title=f"Notifications ({status or 'all'}, newest {len(lines)})")
    for column in ("id", "created", "recipient", "channel", "template", "status", "attempts", "last error"):
        table.add_column(column, overflow="fold")
    for line in lines:
        table.add_row(str(line.id), context.local_time(line.created_at, settings.timezone), line.recipient, line.channel,
                      line.template, line.status, str(line.attempts), line.last_error or "")  # fmt: skip
    context.console.print(table)


@app.command("retry")
def retry_command(now: NowOption = None) -> None:
    """Put every failed notification back in the queue (after fixing the channel); audited."""
    settings = context.settings(now=now)
    with write_session(context.engine(settings)) as session:
        count = retry_failed(session, settings.current_time(), context.actor())
    context.console.print(
        f"{count} failed notification(s) queued again; `appraisal notifications dispatch` sends them now."
    )


@app.command("dispatch")
def dispatch_command(now: NowOption = None) -> None:
    """Deliver the due notifications now (the schedule does this every few minutes)."""
    settings = context.settings(now=now)
    with context.console.status("Delivering …"):
        report = dispatch_pending(context.engine(settings), settings, settings.current_time())
    context.console.print(
        f"sent {report.sent}, will retry {report.retried}, failed {report.failed}, skipped {report.skipped}."
    )

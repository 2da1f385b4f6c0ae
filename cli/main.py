"""The `appraisal` command: subcommand groups, and the one place errors become exit codes.

Usage errors exit 2 (Click's convention); an `AppraisalError` (bad data, bad settings) is
printed as a readable message and exits 1; anything else is a bug, summarised in one line
unless `--debug` asks for the traceback.
"""

from typing import Annotated, Any

import typer
from rich.text import Text
from typer.core import TyperGroup

from cli import (
    calibration_commands,
    db_commands,
    demo_command,
    feedback_commands,
    hr_commands,
    notification_commands,
    period_commands,
    reminder_commands,
    results_commands,
    review_commands,
    roster_commands,
    serve_command,
    status_command,
    web_command,
)
from cli.context import error_console
from config.errors import AppraisalError


class _ErrorBoundary(TyperGroup):
    """The root group: every subcommand runs inside its `invoke`, so errors are caught once here."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.TyperException, typer.Exit, typer.Abort):  # usage errors (exit 2), explicit exits
            raise
        except AppraisalError as exc:
            if ctx.meta.get("debug"):
                raise
            error_console.print(Text("Error: ", style="bold red") + Text(str(exc)), soft_wrap=True)
            raise typer.Exit(1) from None
        except Exception as exc:  # a bug: one line, the traceback with --debug
            if ctx.meta.get("debug"):
                raise
            error_console.print(
                Text("Internal error: ", style="bold red") + Text(f"{type(exc).__name__}: {exc}")
            )
            error_console.print("Run again with --debug for the traceback, and please report it.")
            raise typer.Exit(1) from None


app = typer.Typer(
    name="appraisal",
    cls=_ErrorBoundary,
    help="Siklus penilaian kinerja ASN — performance-appraisal cycles for local governments.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(db_commands.app, name="db")
app.add_typer(roster_commands.app, name="roster")
app.add_typer(period_commands.app, name="period")
app.add_typer(review_commands.app, name="reviews")
app.add_typer(calibration_commands.app, name="calibration")
app.add_typer(results_commands.app, name="results")
app.add_typer(notification_commands.app, name="notifications")
app.add_typer(reminder_commands.app, name="reminders")
app.add_typer(hr_commands.app, name="hr")
app.add_typer(feedback_commands.app, name="feedback")
app.command("status")(status_command.status)
app.command("serve")(serve_command.serve)
app.command("demo")(demo_command.demo)
app.command("web")(web_command.web)


@app.callback()
def main(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks for errors.")] = False,
) -> None:
    """Run, inspect and simulate appraisal cycles. Every command has --help."""
    ctx.meta["debug"] = debug


def run() -> None:
    """Console-script entry point."""
    app()

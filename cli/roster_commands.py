"""`appraisal roster …`: import the staff list and look at it."""

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli import context
from models.db import read_session
from models.roster_queries import staff_without_supervisor, unit_overview
from roster.load import RosterSummary, import_roster

app = typer.Typer(help="Staff roster (units and employees).", no_args_is_help=True)


def print_summary(summary: RosterSummary) -> None:
    """The import's counts, then the staff whose reviews will go to the fallback reviewer."""
    table = Table(title="Roster import", show_header=True)
    table.add_column("")
    table.add_column("created", justify="right")
    table.add_column("updated", justify="right")
    table.add_column("unchanged", justify="right")
    table.add_column("deactivated", justify="right")
    table.add_column("total now", justify="right")
    table.add_row(
        "units", str(summary.units_created), str(summary.units_updated), "-", "-", str(summary.units_total)
    )
    table.add_row(
        "staff",
        str(summary.staff_created),
        str(summary.staff_updated),
        str(summary.staff_unchanged),
        str(summary.staff_deactivated),
        f"{summary.staff_active} active",
    )
    context.console.print(table)
    if not summary.changed:
        context.console.print("Nothing changed: the database already matched this file.")
    _print_without_supervisor(summary.without_supervisor)


def _print_without_supervisor(rows: list[tuple[str, str, str]]) -> None:
    if not rows:
        return
    context.console.print(
        f"{len(rows)} active employee(s) without a supervisor (unit heads at the top); "
        "their supervisor review goes to the configured fallback reviewer:"
    )
    for nip, name, unit in rows:
        context.console.print(f"  {nip}  {name}  ({unit})")


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="Roster CSV (UTF-8): " + "nip,name,email,… see README.")],
    deactivate_missing: Annotated[
        bool, typer.Option("--deactivate-missing", help="Deactivate active staff who are not in the file.")
    ] = False,
) -> None:
    """Validate the whole file, then upsert units and staff by code and NIP (all or nothing)."""
    current = context.settings()
    engine = context.engine(current)
    with context.console.status(f"Importing {file} …"):
        summary = import_roster(
            engine,
            file,
            default_timezone=current.timezone,
            deactivate_missing=deactivate_missing,
            actor=context.actor(),
        )
    print_summary(summary)


@app.command("show")
def show() -> None:
    """Units with their parent, head and staff counts; staff without a supervisor."""
    engine = context.engine(context.settings())
    with read_session(engine) as session:
        units = unit_overview(session)
        without = staff_without_supervisor(session)
    if not units:
        context.console.print("The roster is empty: run `appraisal roster import FILE.csv` first.")
        return
    table = Table(title="Units")
    for name, justify in (("code", "left"), ("name", "left"), ("parent", "left"), ("head", "left")):
        table.add_column(name, justify=justify)
    table.add_column("active", justify="right")
    table.add_column("inactive", justify="right")
    for unit in units:
        head = f"{unit.head_name} ({unit.head_nip})" if unit.head_nip else "-"
        table.add_row(
            unit.code, unit.name, unit.parent_code or "-", head, str(unit.active), str(unit.inactive)
        )
    table.add_section()
    active, inactive = sum(u.active for u in units), sum(u.inactive for u in units)
    table.add_row(f"{len(units)} units", "", "", "", str(active), str(inactive))
    context.console.print(table)
    _print_without_supervisor(without)

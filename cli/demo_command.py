"""`appraisal demo`: a synthetic city loaded into a fresh demo database, then shown."""

from pathlib import Path
from typing import Annotated

import typer
from rich.tree import Tree

from cli import context
from cli.roster_commands import print_summary
from demo.city import generate_city, write_roster_csv
from models.db import create_db_engine, read_session
from models.roster_queries import UnitOverview, unit_overview
from models.schema import upgrade_schema
from roster.load import import_roster

MAX_CHILDREN_SHOWN = 12


def _fresh_sqlite(path: Path) -> str:
    """Remove an earlier demo database (and its WAL files) so every demo starts the same."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _unit_tree(units: list[UnitOverview]) -> Tree:
    children: dict[str | None, list[UnitOverview]] = {}
    for unit in units:
        children.setdefault(unit.parent_code, []).append(unit)
    tree = Tree("[bold]Struktur organisasi[/]")

    def add(branch: Tree, parent: str | None) -> None:
        kids = children.get(parent, [])
        for unit in kids[:MAX_CHILDREN_SHOWN]:
            head = f" — kepala: {unit.head_name}" if unit.head_name else ""
            add(branch.add(f"[bold]{unit.code}[/] {unit.name} ({unit.active} pegawai){head}"), unit.code)
        if len(kids) > MAX_CHILDREN_SHOWN:
            branch.add(f"… dan {len(kids) - MAX_CHILDREN_SHOWN} unit lainnya")

    add(tree, None)
    return tree


def demo(
    employees: Annotated[int, typer.Option(min=10, help="Number of staff in the synthetic city.")] = 300,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same city.")] = 2027,
    database: Annotated[Path, typer.Option(help="SQLite file for the demo (recreated).")] = Path(
        "appraisal-demo.db"
    ),
) -> None:
    """Generate a realistic, deterministic city government, load it into a fresh demo database and show it."""
    current = context.settings(demo=True)
    engine = create_db_engine(_fresh_sqlite(database))
    upgrade_schema(engine)
    roster_file = database.with_name(database.stem + "-roster.csv")
    write_roster_csv(generate_city(employees=employees, seed=seed, timezone=current.timezone), roster_file)
    context.console.print(f"Synthetic roster written to {roster_file} ({employees} staff, seed {seed}).")
    summary = import_roster(engine, roster_file, default_timezone=current.timezone, actor="demo")
    print_summary(summary)
    with read_session(engine) as session:
        context.console.print(_unit_tree(unit_overview(session)))
    context.console.print(
        f"\nExplore it: [bold]APPRAISAL_DEMO=true APPRAISAL_DATABASE_URL=sqlite:///{database} appraisal roster show[/]"
    )

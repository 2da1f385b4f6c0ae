"""`appraisal db …`: the schema, through Alembic only."""

import typer

from cli import context
from models.schema import upgrade_schema

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Create the tables, or upgrade them to this version's schema (safe to run again)."""
    current = context.settings()
    engine = context.engine(current, check_schema=False)
    before, after = upgrade_schema(engine)
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        context.console.print(f"Database {where} is already at the newest schema ({after}).")
    else:
        context.console.print(f"Database {where} upgraded from {before or 'empty'} to {after}.")

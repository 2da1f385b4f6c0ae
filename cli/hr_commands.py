"""`appraisal hr …`: HR sign-in accounts and API bearer tokens for the web app."""

import sys
from typing import Annotated

import typer
from rich.table import Table

from cli import context
from cli.options import NowOption
from config.errors import AppraisalError
from models.db import read_session, write_session
from web.accounts import add_api_token, add_user, list_tokens, list_users, revoke_api_token

app = typer.Typer(help="HR accounts for the web app, and API tokens.", no_args_is_help=True)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@app.command("add-user")
def add_user_command(
    username: Annotated[str, typer.Argument(help="Sign-in name: 3-64 characters from a-z 0-9 . _ -")],
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the password from the first line of stdin (for scripts)."
        ),
    ] = False,
    now: NowOption = None,
) -> None:
    """Create an HR user, or set a new password for an existing one and re-activate it (audited)."""
    settings = context.settings(now=now)
    engine = context.engine(settings)  # a missing schema is reported before the password is asked
    password = _read_password(password_stdin)
    with write_session(engine) as session:
        outcome = add_user(session, username, password, settings.current_time(), actor=context.actor())
    context.console.print(outcome)


@app.command("add-token")
def add_token_command(
    name: Annotated[str, typer.Argument(help="What the token is for, e.g. grafana (3-64 of a-z 0-9 . _ -).")],
    now: NowOption = None,
) -> None:
    """Create an API bearer token and print it; only its hash is kept (audited)."""
    settings = context.settings(now=now)
    with write_session(context.engine(settings)) as session:
        token = add_api_token(session, name, settings.current_time(), actor=context.actor())
    context.console.print(token, soft_wrap=True)
    context.console.print(
        "This token is shown only once; keep it now. Send it as `Authorization: Bearer <token>`.",
        soft_wrap=True,
    )


@app.command("revoke-token")
def revoke_token_command(
    name: Annotated[str, typer.Argument(help="Name of the token to revoke.")],
    now: NowOption = None,
) -> None:
    """Revoke an API token at once (audited); its name stays taken."""
    settings = context.settings(now=now)
    with write_session(context.engine(settings)) as session:
        revoked = revoke_api_token(session, name, settings.current_time(), actor=context.actor())
    if not revoked:
        raise AppraisalError(f"NAME: no active API token named {name!r}; `appraisal hr list` shows them")
    context.console.print(f"revoked {name}")


@app.command("list")
def list_command() -> None:
    """HR users (active or not) and API tokens (active or revoked), with when they were made."""
    settings = context.settings()
    with read_session(context.engine(settings)) as session:
        users = list_users(session)
        tokens = list_tokens(session)
    zone = settings.timezone
    user_table = Table(title=f"HR users ({len(users)})")
    for column in ("username", "status", "created", "updated"):
        user_table.add_column(column)
    for user in users:
        user_table.add_row(user.username, "active" if user.active else "inactive",
                           context.local_time(user.created_at, zone), context.local_time(user.updated_at, zone))  # fmt: skip
    token_table = Table(title=f"API tokens ({len(tokens)})")
    for column in ("name", "status", "created", "revoked"):
        token_table.add_column(column)
    for token in tokens:
        token_table.add_row(token.name, "revoked" if token.revoked_at else "active",
                            context.local_time(token.created_at, zone), context.local_time(token.revoked_at, zone))  # fmt: skip
    context.console.print(user_table)
    context.console.print(token_table)

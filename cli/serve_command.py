"""`appraisal serve`: every schedule of the engine from one process, on the embedded default."""

import os
from pathlib import Path
from typing import Annotated

import typer

from cli import context
from flows.prefect_server import find_or_start_server


def serve(
    log: Annotated[Path, typer.Option(help="Where the Prefect server started here writes its log.")] = Path(
        "prefect-server.log"
    ),
) -> None:
    """Find or start the local Prefect server, then run the open/advance schedules until Ctrl-C."""
    settings = context.settings()
    config = settings.load_cycles()
    context.engine(settings)  # refuse early if the schema is missing
    with context.console.status("Looking for the Prefect server (starting one if needed) …"):
        server = find_or_start_server(str(log))
    started = "started" if server.process else "found"
    context.console.print(
        f"Prefect server {started} at {server.api_url.removesuffix('/api')} (UI and run history)."
    )
    context.console.print(f"Other shells use it with: [bold]export PREFECT_API_URL={server.api_url}[/]")
    os.environ["PREFECT_API_URL"] = server.api_url
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect import serve as prefect_serve  # Prefect only for the commands that run flows

    from flows.deployments import engine_deployments

    deployments = engine_deployments(config, settings.timezone)
    for deployment in deployments:
        context.console.print(f"  schedule: {deployment.name}")
    try:
        prefect_serve(*deployments)
    finally:
        server.stop()

"""`appraisal web`: the review forms, results pages, HR dashboard and JSON API, served by uvicorn."""

from typing import TYPE_CHECKING, Annotated

import typer

from cli import context

if TYPE_CHECKING:
    from fastapi import FastAPI

APP_FACTORY = "cli.web_command:app_from_environment"


def app_from_environment() -> "FastAPI":
    """The app with settings from the environment and `.env`: what each worker process builds."""
    from web.app import create_app

    return create_app(context.settings())


def web(
    host: Annotated[
        str, typer.Option(help="Address to listen on (0.0.0.0 for every interface).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Server processes (one Python process uses one CPU core). Each keeps its own HR sign-in "
            "throttle, so with N workers a guesser gets up to N times the attempts per window.",
        ),
    ] = 1,
) -> None:
    """Serve the web app; links in messages point at APPRAISAL_BASE_URL, so set it to where this is reached."""
    import uvicorn

    settings = context.settings()
    app = app_from_environment() if workers == 1 else None  # workers build their own, after the fork
    context.console.print(
        f"Web app on http://{host}:{port} (links in messages use {settings.base_url}); HR: /hr, API docs: /api/docs"
        + (f"; {workers} worker processes" if workers > 1 else "")
    )
    uvicorn.run(
        app or APP_FACTORY,
        factory=app is None,
        host=host,
        port=port,
        workers=workers if app is None else None,
        log_level="warning",
        server_header=False,
    )

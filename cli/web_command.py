"""`appraisal web`: the review forms, results pages, HR dashboard and JSON API, served by uvicorn."""

from typing import Annotated

import typer

from cli import context


def web(
    host: Annotated[
        str, typer.Option(help="Address to listen on (0.0.0.0 for every interface).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
) -> None:
    """Serve the web app; links in messages point at APPRAISAL_BASE_URL, so set it to where this is reached."""
    import uvicorn

    from web.app import create_app

    settings = context.settings()
    app = create_app(settings)
    context.console.print(
        f"Web app on http://{host}:{port} (links in messages use {settings.base_url}); HR: /hr, API docs: /api/docs"
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)

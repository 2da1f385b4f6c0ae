"""The web application: review forms by signed link, employee results, the HR dashboard, the API.

`create_app(settings)` builds one app per installation; the settings, the database engine and
the clock live on `app.state`, so tests give their own clock and database and nothing is global.
Errors become pages (or JSON under /api) that never show a stack trace.
"""

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from config.settings import Settings
from models.db import create_db_engine
from models.schema import require_current_schema
from web import (
    api,
    hr_calibration,
    hr_dashboard,
    hr_feedback,
    hr_login,
    public_feedback,
    results_pages,
    review_forms,
)
from web.hr_login import LoginRequired, LoginThrottle
from web.pages import render
from web.security import RequestSizeLimit, SecurityHeaders

log = logging.getLogger(__name__)
SESSION_COOKIE = "appraisal_session"
SESSION_HOURS = 8  # one working day; HR signs in again the next morning

_HEADINGS = {403: "forbidden_heading", 404: "not_found_heading", 413: "too_large_heading"}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if _is_api(request):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
    heading = _HEADINGS.get(exc.status_code, "error_heading")
    body = "forbidden_body" if exc.status_code == 403 else None
    return render(request, "message.html", {"heading": heading, "body": body}, status_code=exc.status_code)


async def _login_required(request: Request, exc: Exception) -> Response:
    return RedirectResponse(f"/hr/login?next={request.url.path}", status_code=303)


async def _unexpected(request: Request, exc: Exception) -> Response:
    """A bug: logged with its traceback on the server, a plain apology to the user."""
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if _is_api(request):
        return JSONResponse({"detail": "internal error"}, status_code=500)
    return render(
        request, "message.html", {"heading": "error_heading", "body": "error_body"}, status_code=500
    )


async def _invalid_api_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [_problem(error) for error in exc.errors()]
    return JSONResponse({"detail": "invalid request", "problems": problems}, status_code=422)


def _problem(error: dict[str, Any]) -> dict[str, str]:
    """A validation error as {field, message}; a body that is not JSON at all is the `body`'s
    problem (its location is a character offset, not a field)."""
    if error.get("type") == "json_invalid":
        where = error["loc"][-1]
        reason = error.get("ctx", {}).get("error", "")
        return {"field": "body", "message": f"not valid JSON at character {where}: {reason}".rstrip(": ")}
    return {"field": ".".join(str(p) for p in error["loc"][1:]) or "body", "message": error["msg"]}


def create_app(settings: Settings, *, clock: Callable[[], datetime] | None = None) -> FastAPI:
    """The app for `settings`; `clock` replaces the settings' clock (tests, the demo's fixed day)."""
    engine = create_db_engine(settings.database_url)
    require_current_schema(engine)
    app = FastAPI(
        title="Appraisal cycles API",
        summary="Periods, progress and results of civil-servant performance appraisal cycles.",
        version="1",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.clock = clock or settings.current_time
    app.state.login_throttle = LoginThrottle()
    for module in (
        review_forms,
        results_pages,
        public_feedback,
        hr_login,
        hr_dashboard,
        hr_calibration,
        hr_feedback,
        api,
    ):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).with_name("static")), name="static")
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(RequestValidationError, _invalid_api_request)
    app.add_exception_handler(Exception, _unexpected)
    https = settings.base_url.startswith("https://")
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key.get_secret_value(),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=https,
    )
    app.add_middleware(RequestSizeLimit)
    app.add_middleware(SecurityHeaders, https=https)
    return app

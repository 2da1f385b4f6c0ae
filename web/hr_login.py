"""HR sign-in: a username and password checked against `hr_user`, kept in the signed session.

Every HR page and form depends on `require_hr`; anonymous requests are sent to the sign-in page.
Failed attempts are counted per username and per client address, and after MAX_FAILURES within
the window further attempts are refused without checking the password (guessing is throttled).
"""

import time
from collections import deque
from dataclasses import dataclass, field
from threading import Lock
from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from models.db import read_session
from web.accounts import authenticate
from web.csrf import checked_form
from web.pages import render

router = APIRouter(include_in_schema=False)
MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60
_SESSION_USER = "hr_user"


class LoginRequired(Exception):
    """An anonymous request reached an HR page."""


@dataclass
class LoginThrottle:
    """Recent failures per key (username, client address); in memory, per server process."""

    failures: dict[str, deque[float]] = field(default_factory=dict)
    lock: Lock = field(default_factory=Lock)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self.failures.setdefault(key, deque())
        while times and times[0] <= now - WINDOW_SECONDS:
            times.popleft()
        return times

    def blocked_for(self, keys: list[str], now: float) -> float:
        """Seconds until an attempt is allowed again (0: allowed now)."""
        with self.lock:
            waits = [
                times[0] + WINDOW_SECONDS - now
                for key in keys
                if len(times := self._recent(key, now)) >= MAX_FAILURES
            ]
        return max(waits, default=0.0)

    def failed(self, keys: list[str], now: float) -> None:
        with self.lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, keys: list[str]) -> None:
        with self.lock:
            for key in keys:
                self.failures.pop(key, None)


def require_hr(request: Request) -> str:
    """The signed-in HR user's name; anonymous requests go to the sign-in page."""
    user = request.session.get(_SESSION_USER)
    if not isinstance(user, str):
        raise LoginRequired
    return user


HrUser = Annotated[str, Depends(require_hr)]


def _safe_next(target: str | None) -> str:
    """Only a path on this site: an open redirect to another host would help phishing."""
    if not target or not target.startswith("/") or target.startswith("//") or urlparse(target).netloc:
        return "/hr"
    return target


@router.get("/hr/login")
def login_page(request: Request, next: str | None = None) -> Response:
    return render(request, "hr_login.html", {"next": _safe_next(next), "problem": None})


@router.post("/hr/login")
def login(request: Request, form: Annotated[FormData, Depends(checked_form)]) -> Response:
    username = str(form.get("username", "")).strip().lower()
    password = str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "")))
    throttle: LoginThrottle = request.app.state.login_throttle
    keys = [f"user:{username}", f"client:{request.client.host if request.client else '-'}"]
    now = time.monotonic()
    wait = throttle.blocked_for(keys, now)
    if wait > 0:
        problem = ("login_throttled", {"minutes": int(wait // 60) + 1})
        return render(request, "hr_login.html", {"next": target, "problem": problem}, status_code=429)
    with read_session(request.app.state.engine) as session:
        user = authenticate(session, username, password)
    if user is None:
        throttle.failed(keys, now)
        problem = ("login_failed", {})
        return render(request, "hr_login.html", {"next": target, "problem": problem}, status_code=401)
    throttle.succeeded(keys)
    request.session.clear()  # a fresh session (and CSRF token) at every sign-in
    request.session[_SESSION_USER] = user
    return RedirectResponse(target, status_code=303)


@router.post("/hr/logout")
def logout(request: Request, user: HrUser, form: Annotated[FormData, Depends(checked_form)]) -> Response:
    request.session.clear()
    return RedirectResponse("/hr/login", status_code=303)

"""Builders for web tests: the app on a test database with an injected clock, signed links,
an HR user signed in, and the CSRF token read off a page as a browser would.

The clock is a mutable holder so a test can move time (e.g. past a deadline) between requests.
"""

import html
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import aliased

from config.settings import load_settings
from models import Appraisal, Employee, Period, Review
from models.db import read_session, write_session
from tests.conftest import TEST_SECRET
from web.accounts import add_api_token, add_user
from web.app import create_app
from web.links import results_token, review_token

HR_USER = "sri.hr"
HR_PASSWORD = "kata-sandi-yang-panjang"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Clock:
    """The app's clock; set `now` to move time."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


def web_client(database_url: str, clock: Clock) -> TestClient:
    """A test client of the app on `database_url` (already migrated), reading time from `clock`."""
    settings = load_settings(database_url=database_url, secret_key=TEST_SECRET)
    return TestClient(create_app(settings, clock=clock), raise_server_exceptions=False)


def csrf_of(html: str) -> str:
    """The CSRF token a page's form carries."""
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def review_path(engine: Engine, reviewee: str, reviewer: str, kind: str) -> str:
    """The signed form path of the `kind` review of `reviewee` by `reviewer` (NIPs)."""
    person, judge = aliased(Employee), aliased(Employee)
    query = (
        select(Review.id)
        .join(Appraisal, Appraisal.id == Review.appraisal_id)
        .join(person, person.id == Appraisal.employee_id)
        .join(judge, judge.id == Review.reviewer_id)
        .where(person.nip == reviewee, judge.nip == reviewer, Review.kind == kind)
    )
    with read_session(engine) as session:
        review_id = session.execute(query).scalar_one()
    return f"/review/{review_token(TEST_SECRET, review_id)}"


def results_path(engine: Engine, nip: str, period_key: str) -> str:
    """The signed results path of `nip`'s appraisal in `period_key`."""
    query = (
        select(Appraisal.id)
        .join(Employee, Employee.id == Appraisal.employee_id)
        .join(Period, Period.id == Appraisal.period_id)
        .where(Employee.nip == nip, Period.key == period_key)
    )
    with read_session(engine) as session:
        appraisal_id = session.execute(query).scalar_one()
    return f"/results/{results_token(TEST_SECRET, appraisal_id)}"


def add_hr_user(engine: Engine, now: datetime, username: str = HR_USER, password: str = HR_PASSWORD) -> None:
    with write_session(engine) as session:
        add_user(session, username, password, now, actor="test")


def sign_in(client: TestClient, username: str = HR_USER, password: str = HR_PASSWORD) -> None:
    """Sign `client` in through the login form (the user must exist)."""
    page = client.get("/hr/login")
    response = client.post(
        "/hr/login",
        data={"csrf_token": csrf_of(page.text), "username": username, "password": password, "next": "/hr"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def api_token(engine: Engine, now: datetime, name: str = "sipd") -> str:
    """A fresh API bearer token."""
    with write_session(engine) as session:
        return add_api_token(session, name, now, actor="test")


def text_of(response: Any) -> str:
    """The page's HTML with entities decoded, so names and texts can be looked for as written."""
    return html.unescape(response.text)


def heading(response: Any) -> str:
    found = re.search(r"<h1>(.*?)</h1>", text_of(response), re.DOTALL)
    assert found, response.text
    return found.group(1).strip()

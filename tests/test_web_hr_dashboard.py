"""The HR dashboard on both databases, as a browser uses it: sign-in (wrong password, throttling,
open redirects, cookie flags), that every /hr route needs a signed-in user and every form the
CSRF token, and what the pages show and do — periods and progress, overdue and missed reviews,
failed deliveries and their retry, Prefect flow runs, calibration overrides, the results
exports — without ever showing a stack trace."""

import html
import io
import json
import logging
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import openpyxl
import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from config.settings import load_settings
from cycle.submissions import Submission, record_submission
from exports.results_csv import period_export, results_csv
from exports.results_xlsx import SUMMARY_SHEET
from models import AuditEvent, CalibrationOverride, Employee, Notification, Period
from models.db import read_session, write_session
from models.progress_queries import stage_progress
from tests.builders import AGUS, DEWI, JOKO, SITI, database_snapshot
from tests.closing_builders import ALL_CODES, city_roster, close, marks, run_to_calibration, submit_open
from tests.conftest import TEST_SECRET
from tests.cycle_builders import advance, open_cycle, reviews, seeded_engine, wib
from tests.web_builders import HR_PASSWORD, HR_USER, Clock, add_hr_user, csrf_of, sign_in, web_client
from web import hr_dashboard
from web.app import SESSION_COOKIE, create_app
from web.ui_text import TEXT

KEY = "annual-2027"
OPENED = wib(2027, 1, 4, 8)  # Monday
NOW = wib(2027, 1, 4, 9)  # the app's clock unless a test moves it
RUN = wib(2027, 1, 5, 9)  # reviews are submitted the next day
CLOSE = wib(2027, 1, 6, 10)
ACTOR = f"hr:{HR_USER}"
UNITS = ("BKPSDM", "DINKES", "PKM-01", "SETDA")  # city_roster's units; PKM-01 has seven staff
STARS = {DEWI: marks("Sangat Baik"), AGUS: marks("Sangat Baik")}  # two of seven: outside the curve
PATH_SAMPLES = {"key": KEY, "extension": "csv"}


def words(key: str) -> str:
    """A page text in Indonesian (the default language), HTML-escaped as a page shows it."""
    return html.escape(TEXT[key][0], quote=True)


# --- the app on a seeded database ---------------------------------------------------------------


@dataclass
class Site:
    """The city roster with annual-2027 open, HR user `sri.hr`, and the apps serving it."""

    url: str
    engine: Engine
    clock: Clock
    clients: list[TestClient] = field(default_factory=list)

    def client(self, *, signed_in: bool = True) -> TestClient:
        client = web_client(self.url, self.clock)
        self.clients.append(client)
        if signed_in:
            sign_in(client)
        return client

    def https_client(self) -> TestClient:
        """The app configured with an https:// base URL, reached over HTTPS."""
        settings = load_settings(
            database_url=self.url, secret_key=TEST_SECRET, base_url="https://appraisal.example"
        )
        client = TestClient(
            create_app(settings, clock=self.clock),
            base_url="https://testserver",
            raise_server_exceptions=False,
        )
        self.clients.append(client)
        return client

    def fingerprint(self) -> str:
        """The whole database, once every connection is closed (SQLite's WAL checkpointed)."""
        for client in self.clients:
            client.app.state.engine.dispose()
        self.engine.dispose()
        return database_snapshot(self.url)

    def close(self) -> None:
        for client in self.clients:
            client.close()
            client.app.state.engine.dispose()


@pytest.fixture
def site(database_url: str, tmp_path: Path) -> Iterator[Site]:
    with seeded_engine(database_url, tmp_path, city_roster()) as engine:
        open_cycle(engine, OPENED)
        add_hr_user(engine, OPENED)
        served = Site(database_url, engine, Clock(NOW))
        try:
            yield served
        finally:
            served.close()


@pytest.fixture
def hr(site: Site) -> TestClient:
    """A browser signed in as HR."""
    return site.client()


@pytest.fixture
def anonymous(site: Site) -> TestClient:
    """A browser that has not signed in."""
    return site.client(signed_in=False)


@pytest.fixture
def calibrating(site: Site) -> Site:
    """Every review given on RUN; Dewi and Agus rated Sangat Baik, so PKM-01 is outside the curve."""
    run_to_calibration(site.engine, KEY, RUN, STARS)
    return site


@pytest.fixture
def closed(calibrating: Site) -> Site:
    """annual-2027 closed with PKM-01's distribution accepted."""
    close(calibrating.engine, KEY, CLOSE, accept_distribution=True)
    return calibrating


def add_notifications(engine: Engine) -> dict[str, int]:
    """Two failed messages (one to Agus, one to HR), one sent, one pending: name → id."""
    with write_session(engine) as session:
        agus = session.execute(select(Employee.id).where(Employee.nip == AGUS)).scalar_one()
        rows = {
            "agus": Notification(dedupe_key="t-agus", recipient_id=agus, channel="email", template="invitation",
                                 status="failed", attempts=5, last_error="550 mailbox unavailable"),
            "hr": Notification(dedupe_key="t-hr", channel="hr", template="hr_digest", status="failed",
                               attempts=5, last_error="connection refused by hook"),
            "sent": Notification(dedupe_key="t-sent", recipient_id=agus, channel="email", template="reminder",
                                 status="sent", attempts=1, sent_at=NOW),
            "pending": Notification(dedupe_key="t-pending", channel="hr", template="hr_digest"),
        }  # fmt: skip
        session.add_all(rows.values())
        session.flush()
        return {name: row.id or 0 for name, row in rows.items()}


def notification_states(engine: Engine) -> dict[int, tuple[str, int]]:
    with read_session(engine) as session:
        query = select(Notification.id, Notification.status, Notification.attempts)
        return {i: (status, attempts) for i, status, attempts in session.execute(query)}


def audit_rows(engine: Engine, action: str) -> list[tuple[str, str, Any, Any]]:
    """(actor, entity id, before, after) of every audit event with `action`."""
    query = (
        select(AuditEvent.actor, AuditEvent.entity_id, AuditEvent.before, AuditEvent.after)
        .where(AuditEvent.action == action)
        .order_by(AuditEvent.id)
    )
    with read_session(engine) as session:
        return [tuple(row) for row in session.execute(query)]


# --- reading pages ------------------------------------------------------------------------------


class _Tables(HTMLParser):
    """The body rows (<td> cells as text, and the <tr> attributes) of every table, by table id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[tuple[dict[str, str], list[str]]]] = {}
        self._rows: list[tuple[dict[str, str], list[str]]] | None = None
        self._row: tuple[dict[str, str], list[str]] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {name: value or "" for name, value in attrs}
        if tag == "table":
            self._rows = self.tables.setdefault(named.get("id", ""), [])
        elif tag == "tr" and self._rows is not None:
            self._row = (named, [])
        elif tag == "td" and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._row is not None and self._cell is not None:
            self._row[1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._rows is not None:
            if self._row[1]:
                self._rows.append(self._row)
            self._row = None
        elif tag == "table":
            self._rows = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(page: str) -> dict[str, list[tuple[dict[str, str], list[str]]]]:
    parser = _Tables()
    parser.feed(page)
    return parser.tables


def cells(page: str, table_id: str) -> list[list[str]]:
    """The text of each body row of the table `table_id`."""
    return [row for _, row in tables(page).get(table_id, [])]


def progress_rows(page: str) -> dict[tuple[str, str], dict[str, int]]:
    """(unit, stage) → the figures of the period page's progress table."""
    found = {}
    for attrs, row in tables(page)["progress"]:
        assert row[:2] == [attrs["data-unit"], attrs["data-stage"]]
        found[attrs["data-unit"], attrs["data-stage"]] = dict(
            zip(("open", "overdue", "submitted", "missed"), map(int, row[2:]), strict=True)
        )
    return found


def listed_reviewees(page: str, heading: str) -> list[str]:
    """The reviewee NIPs of the review list under the <h2> `heading` of the period page."""
    start = page.index(f"<h2>{words(heading)}</h2>")
    end = min(i for i in (page.find("<h2>", start + 4), page.find("</main>", start)) if i > 0)
    part = page[start:end]
    if words("none") in part and "<table" not in part:
        return []
    return sorted(re.search(r"\((\d{18})\)", row[0]).group(1) for row in cells(part, ""))  # type: ignore[union-attr]


def resolved(url: str) -> tuple[str | None, str]:
    """(host, path) a browser goes to for `url` on the sign-in page (it reads '\\' as '/' and drops tabs)."""
    cleaned = url.replace("\\", "/").replace("\t", "").replace("\n", "")
    target = urlsplit(urljoin("http://testserver/hr/login", cleaned))
    return target.hostname, target.path


def lands_on(response: Any) -> tuple[str | None, str]:
    """(host, path) a browser goes to after this redirect."""
    return resolved(response.headers["location"])


def cookie_flags(response: Any) -> set[str]:
    """The lower-cased attributes of the session cookie a response sets."""
    [header] = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{SESSION_COOKIE}=")]
    return {part.strip().lower() for part in header.split(";")[1:]}


def signed_in(client: TestClient) -> bool:
    response = client.get("/hr", follow_redirects=False)
    assert response.status_code in (200, 303), response.status_code
    return response.status_code == 200


def login(client: TestClient, password: str, username: str = HR_USER, next_page: str = "/hr") -> Any:
    token = csrf_of(client.get("/hr/login").text)
    form = {"csrf_token": token, "username": username, "password": password, "next": next_page}
    return client.post("/hr/login", data=form, follow_redirects=False)


# --- every /hr route needs a signed-in user -----------------------------------------------------


def hr_routes(client: TestClient) -> list[tuple[str, str]]:
    """(method, path with sample parameters) of every route the app serves under /hr, but sign-in."""
    found = []
    for route in iter_route_contexts(client.app.routes):  # flattens the included routers
        path = getattr(route, "path", None) or ""
        if not (path == "/hr" or path.startswith("/hr/")) or path == "/hr/login":
            continue
        concrete = re.sub(r"\{(\w+)[^}]*\}", lambda m: PATH_SAMPLES.get(m.group(1), "x"), path)
        found += [(method, concrete) for method in sorted(route.methods or ()) if method != "HEAD"]
    return sorted(found)


def test_every_hr_route_sends_anonymous_visitors_to_sign_in(calibrating: Site, anonymous: TestClient) -> None:
    """Each /hr route (found in the app's routing, so a new one is covered) redirects an anonymous
    GET or POST to the sign-in page and writes nothing, even when the form carries a valid CSRF
    token and everything it asks for could be done (a failed message to retry, an appraisal in
    calibration)."""
    add_notifications(calibrating.engine)
    routes = hr_routes(anonymous)
    assert {
        ("GET", "/hr"),
        ("GET", f"/hr/periods/{KEY}"),
        ("GET", f"/hr/periods/{KEY}/results.csv"),
        ("GET", f"/hr/periods/{KEY}/calibration"),
        ("POST", f"/hr/periods/{KEY}/calibration"),
        ("GET", "/hr/deliveries"),
        ("POST", "/hr/deliveries/retry"),
        ("GET", "/hr/flow-runs"),
        ("POST", "/hr/logout"),
    } <= set(routes)
    token = csrf_of(anonymous.get("/hr/login").text)
    form = {"csrf_token": token, "nip": AGUS, "predikat": "Baik", "reason": "anonymous attempt"}
    before = calibrating.fingerprint()
    for method, path in routes:
        response = anonymous.request(
            method, path, data=form if method != "GET" else None, follow_redirects=False
        )
        assert response.status_code == 303, (method, path, response.status_code)
        assert lands_on(response) == ("testserver", "/hr/login"), (method, path)
        assert HR_USER not in response.text
    assert calibrating.fingerprint() == before


# --- signing in and out -------------------------------------------------------------------------


def test_wrong_password_and_unknown_user_get_the_same_refusal(anonymous: TestClient) -> None:
    """Both are 401 with the same page, which does not tell which of the two was wrong."""
    wrong_password = login(anonymous, "not-the-password-at-all")
    unknown_user = login(anonymous, HR_PASSWORD, username="nobody.here")
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert words("login_failed") in wrong_password.text
    assert wrong_password.text == unknown_user.text
    assert not signed_in(anonymous)


def test_five_failures_refuse_even_the_right_password(anonymous: TestClient) -> None:
    """After five failed attempts the sixth is throttled (429) without checking the password."""
    for _ in range(5):
        assert login(anonymous, "guess-guess-guess").status_code == 401
    throttled = login(anonymous, HR_PASSWORD)
    assert throttled.status_code == 429
    assert TEXT["login_throttled"][0].split("{")[0] in throttled.text
    assert not signed_in(anonymous)


def test_the_right_password_signs_in_and_goes_to_the_page_asked_for(anonymous: TestClient) -> None:
    """A `next` page on this site is where sign-in leads; the session is then accepted on /hr."""
    response = login(anonymous, HR_PASSWORD, next_page="/hr/deliveries")
    assert response.status_code == 303
    assert lands_on(response) == ("testserver", "/hr/deliveries")
    assert signed_in(anonymous)


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "https://evil.example", "//evil.example/hr", "/\\evil.example", "/\t/evil.example"],
)
def test_next_pointing_at_another_host_is_ignored(anonymous: TestClient, target: str) -> None:
    """An open redirect would lend the sign-in page to phishing: whether `next` comes in the link
    to the sign-in page (and rides in its hidden field) or in the posted form, sign-in stays on
    this site."""
    page = anonymous.get("/hr/login", params={"next": target})
    carried = re.search(r'name="next" value="([^"]*)"', page.text)
    assert carried
    for sent in (html.unescape(carried.group(1)), target):
        response = login(anonymous, HR_PASSWORD, next_page=sent)
        assert response.status_code == 303
        assert lands_on(response)[0] == "testserver", response.headers["location"]


def test_sign_out_needs_the_csrf_token_and_ends_the_session(hr: TestClient) -> None:
    """A cross-site form cannot sign HR out; the sign-out button does, and /hr asks to sign in again."""
    assert hr.post("/hr/logout", data={}, follow_redirects=False).status_code == 403
    assert signed_in(hr)
    token = csrf_of(hr.get("/hr").text)
    response = hr.post("/hr/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and lands_on(response) == ("testserver", "/hr/login")
    assert not signed_in(hr)
    assert hr.get(f"/hr/periods/{KEY}", follow_redirects=False).status_code == 303


def test_session_cookie_is_http_only_and_same_site_lax(anonymous: TestClient) -> None:
    """Served over plain HTTP (the default base URL): no Secure flag, no HSTS."""
    response = login(anonymous, HR_PASSWORD)
    assert response.status_code == 303
    flags = cookie_flags(response)
    assert {"httponly", "samesite=lax"} <= flags and "secure" not in flags
    assert "strict-transport-security" not in response.headers


def test_https_base_url_makes_the_cookie_secure_and_sends_hsts(site: Site) -> None:
    """With APPRAISAL_BASE_URL=https://… the session cookie is Secure and every response has HSTS."""
    client = site.https_client()
    page = client.get("/hr/login")
    assert page.headers["strict-transport-security"].startswith("max-age=")
    response = client.post(
        "/hr/login",
        data={"csrf_token": csrf_of(page.text), "username": HR_USER, "password": HR_PASSWORD, "next": "/hr"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert {"httponly", "samesite=lax", "secure"} <= cookie_flags(response)
    assert "max-age=" in response.headers["strict-transport-security"]
    assert client.get("/hr").status_code == 200


# --- CSRF on every form -------------------------------------------------------------------------

# form → (page that shows it, where it posts, its fields but the token, where a good post leads)
FORMS = {
    "login": ("/hr/login", "/hr/login", {"username": HR_USER, "password": HR_PASSWORD, "next": "/hr"}, "/hr"),
    "logout": ("/hr", "/hr/logout", {}, "/hr/login"),
    "retry": ("/hr/deliveries", "/hr/deliveries/retry", {}, "/hr/deliveries"),
    "override": (f"/hr/periods/{KEY}/calibration", f"/hr/periods/{KEY}/calibration",
                 {"nip": AGUS, "predikat": "Baik", "reason": "target SKP belum terverifikasi"},
                 f"/hr/periods/{KEY}/calibration"),
}  # fmt: skip


@pytest.mark.parametrize("form", list(FORMS))
def test_forms_refuse_a_missing_or_wrong_csrf_token(calibrating: Site, form: str) -> None:
    """Without the token or with another one: 403, nothing written, still (not) signed in; the
    same post with the page's own token is accepted."""
    page_path, action, fields, destination = FORMS[form]
    add_notifications(calibrating.engine)
    client = calibrating.client(signed_in=form != "login")
    page = client.get(page_path)
    assert page.status_code == 200
    assert f'action="{action}"' in page.text or form == "override"  # the override form posts to its page
    token = csrf_of(page.text)
    was_signed_in = signed_in(client)
    before = calibrating.fingerprint()
    for sent in (
        {},
        {"csrf_token": "forged-" + token[7:]},
        {"csrf_token": ""},
        {"csrf_token": "ü" + token[1:]},
    ):
        response = client.post(action, data={**fields, **sent}, follow_redirects=False)
        assert response.status_code == 403, sent
        assert words("forbidden_body") in response.text
    assert calibrating.fingerprint() == before
    assert signed_in(client) == was_signed_in

    accepted = client.post(action, data={**fields, "csrf_token": token}, follow_redirects=False)
    assert accepted.status_code == 303, accepted.text
    assert lands_on(accepted) == ("testserver", destination)


# --- periods and progress -----------------------------------------------------------------------


def test_periods_page_lists_each_period_with_appraisals_per_stage(site: Site, hr: TestClient) -> None:
    """Two periods; in annual-2027 everyone but Siti has self-assessed and moved on."""
    open_cycle(site.engine, OPENED, "quarterly")
    submit_open(site.engine, KEY, "self", RUN, {}, skip={SITI})
    advance(site.engine, RUN)
    rows = {row[0]: row for row in cells(hr.get("/hr").text, "periods")}
    assert set(rows) == {KEY, "quarterly-2027-Q1"}
    #                            status  appraisals self  supervisor peer calibration closed
    assert rows[KEY][1:2] + rows[KEY][3:] == ["open", "13", "1", "12", "0", "0", "0"]
    assert rows["quarterly-2027-Q1"][1:2] + rows["quarterly-2027-Q1"][3:] == [
        "open",
        "13",
        "13",
        "0",
        "0",
        "0",
        "0",
    ]
    assert f'href="/hr/periods/{KEY}"' in hr.get("/hr").text


def test_period_page_shows_progress_per_unit_and_stage_and_the_chart(site: Site, hr: TestClient) -> None:
    """One row per unit and review stage, agreeing with the progress query; the SVG chart has a bar
    per unit with its appraisals per stage."""
    page = hr.get(f"/hr/periods/{KEY}")
    assert page.status_code == 200
    rows = progress_rows(page.text)
    with read_session(site.engine) as session:
        period_id = session.execute(select(Period.id).where(Period.key == KEY)).scalar_one()
        expected = {
            (p.unit_code, p.stage): {"open": p.open, "overdue": p.overdue, "submitted": p.submitted, "missed": p.missed}
            for p in stage_progress(session, period_id, NOW)
        }  # fmt: skip
    assert rows == expected
    assert {unit for unit, _ in rows} == set(UNITS)
    assert rows["PKM-01", "self_assessment"] == {"open": 7, "overdue": 0, "submitted": 0, "missed": 0}
    assert rows["SETDA", "self_assessment"] == {"open": 2, "overdue": 0, "submitted": 0, "missed": 0}
    assert '<svg class="chart"' in page.text
    assert re.findall(r'class="chart-label">([^<]+)</text>', page.text) == list(UNITS)
    assert "<title>PKM-01 · self_assessment: 7</title>" in page.text
    assert "<title>DINKES · self_assessment: 3</title>" in page.text


def test_a_submitted_review_raises_the_submitted_count(site: Site, hr: TestClient) -> None:
    """Agus self-assesses: PKM-01's self-assessment row goes from 0 to 1 submitted, 7 to 6 open."""
    before = progress_rows(hr.get(f"/hr/periods/{KEY}").text)["PKM-01", "self_assessment"]
    with write_session(site.engine) as session:
        outcome = record_submission(
            session, Submission(KEY, AGUS, AGUS, "self", dict.fromkeys(ALL_CODES, 3)), RUN, actor="test"
        )
    assert outcome == "submitted"
    after = progress_rows(hr.get(f"/hr/periods/{KEY}").text)["PKM-01", "self_assessment"]
    assert (before["submitted"], before["open"]) == (0, 7)
    assert (after["submitted"], after["open"]) == (1, 6)


def test_overdue_reviews_then_missed_reviews_are_listed(site: Site, hr: TestClient) -> None:
    """Siti and Joko never self-assess: past the deadline they are overdue; once the period
    advances, their reviews are missed (and no longer overdue)."""
    submit_open(site.engine, KEY, "self", RUN, {}, skip={SITI, JOKO})
    site.clock.now = RUN
    page = hr.get(f"/hr/periods/{KEY}").text
    assert listed_reviewees(page, "overdue_heading") == [] and listed_reviewees(page, "missed_heading") == []

    site.clock.now = max(r.due_at for r in reviews(site.engine, "self") if r.due_at) + timedelta(minutes=1)
    page = hr.get(f"/hr/periods/{KEY}").text
    assert listed_reviewees(page, "overdue_heading") == sorted([SITI, JOKO])
    assert listed_reviewees(page, "missed_heading") == []
    rows = progress_rows(page)
    assert rows["SETDA", "self_assessment"]["overdue"] == rows["DINKES", "self_assessment"]["overdue"] == 1

    advance(site.engine, site.clock.now)
    page = hr.get(f"/hr/periods/{KEY}").text
    assert listed_reviewees(page, "overdue_heading") == []
    assert listed_reviewees(page, "missed_heading") == sorted([SITI, JOKO])
    rows = progress_rows(page)
    assert rows["SETDA", "self_assessment"] == {"open": 0, "overdue": 0, "submitted": 1, "missed": 1}
    assert rows["DINKES", "self_assessment"] == {"open": 0, "overdue": 0, "submitted": 2, "missed": 1}


def test_unknown_period_is_a_404_page(hr: TestClient) -> None:
    response = hr.get("/hr/periods/annual-1999")
    assert response.status_code == 404 and words("not_found_heading") in response.text


# --- failed deliveries --------------------------------------------------------------------------


def test_failed_deliveries_are_listed_and_retry_queues_them_again(site: Site, hr: TestClient) -> None:
    """Only failed messages are listed, with recipient and error; retrying sets them to pending
    with a fresh attempt count, audited as the signed-in HR user; sent and pending ones stay."""
    ids = add_notifications(site.engine)
    page = hr.get("/hr/deliveries")
    listed = {int(row[0]): row for row in cells(page.text, "failed")}
    assert set(listed) == {ids["agus"], ids["hr"]}
    assert listed[ids["agus"]][1:4] == ["Agus Salim", "email", "invitation"]
    assert listed[ids["agus"]][5] == "550 mailbox unavailable"
    assert listed[ids["hr"]][1:3] == ["HR", "hr"]

    token = csrf_of(page.text)
    response = hr.post("/hr/deliveries/retry", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/hr/deliveries?retried=2"
    states = notification_states(site.engine)
    assert states[ids["agus"]] == states[ids["hr"]] == ("pending", 0)
    assert states[ids["sent"]] == ("sent", 1) and states[ids["pending"]] == ("pending", 0)
    events = audit_rows(site.engine, "notification.retry")
    assert sorted(events) == sorted(
        (ACTOR, str(ids[name]), {"status": "failed"}, {"status": "pending"}) for name in ("agus", "hr")
    )
    after = hr.get(response.headers["location"])
    assert html.escape(TEXT["retried"][0].format(count=2)) in after.text
    assert cells(after.text, "failed") == [] and words("none") in after.text


# --- Prefect flow runs --------------------------------------------------------------------------

FLOW_RUNS = [
    {"id": "run-1", "name": "gentle-otter", "flow_id": "flow-advance", "state_type": "COMPLETED",
     "state_name": "Completed", "state": {"type": "COMPLETED", "name": "Completed"},
     "start_time": "2027-01-04T01:00:05.123456Z", "expected_start_time": "2027-01-04T01:00:00Z"},
    {"id": "run-2", "name": "brave-heron", "flow_id": "flow-remind", "state_type": "FAILED",
     "state_name": "Failed", "state": {"type": "FAILED", "name": "Failed"},
     "start_time": "2027-01-04T00:00:02Z", "expected_start_time": "2027-01-04T00:00:00Z"},
    {"id": "run-3", "name": "calm-lynx", "flow_id": "flow-advance", "state_type": "SCHEDULED",
     "state_name": "Scheduled", "state": {"type": "SCHEDULED", "name": "Scheduled"},
     "start_time": None, "expected_start_time": "2027-01-05T01:00:00Z"},
]  # fmt: skip
FLOWS = [{"id": "flow-advance", "name": "advance-periods"}, {"id": "flow-remind", "name": "send-reminders"}]


@dataclass
class FakePrefect:
    """A loopback HTTP server answering like Prefect's REST API; records what it was asked."""

    answers: dict[str, tuple[int, bytes]] = field(default_factory=dict)  # path → (status, body)
    asked: list[tuple[str, Any]] = field(default_factory=list)
    url: str = ""

    def answer_json(self, path: str, value: Any, status: int = 200) -> None:
        self.answers[path] = (status, json.dumps(value).encode())


@pytest.fixture
def prefect(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePrefect]:
    fake = FakePrefect()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            fake.asked.append((self.path, json.loads(body or b"null")))
            status, answer = fake.answers.get(self.path, (404, b'{"detail": "Not Found"}'))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: no request lines on stderr."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)  # listening from here on
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_port}/api"
    monkeypatch.setenv("PREFECT_API_URL", fake.url)
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_flow_runs_page_lists_recent_runs_with_flow_names_and_states(
    prefect: FakePrefect, hr: TestClient
) -> None:
    prefect.answer_json("/api/flow_runs/filter", FLOW_RUNS)
    prefect.answer_json("/api/flows/filter", FLOWS)
    page = hr.get("/hr/flow-runs")
    assert page.status_code == 200
    assert [row[:3] for row in cells(page.text, "flow-runs")] == [
        ["advance-periods", "gentle-otter", "Completed"],
        ["send-reminders", "brave-heron", "Failed"],
        ["advance-periods", "calm-lynx", "Scheduled"],
    ]
    assert 'class="state state-failed"' in page.text
    (runs_path, runs_query), (flows_path, flows_query) = prefect.asked
    assert (runs_path, flows_path) == ("/api/flow_runs/filter", "/api/flows/filter")
    assert runs_query["limit"] > 0
    assert sorted(flows_query["flows"]["id"]["any_"]) == ["flow-advance", "flow-remind"]


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_flow_runs_page_reports_a_server_that_does_not_answer(
    monkeypatch: pytest.MonkeyPatch, hr: TestClient
) -> None:
    """Connection refused: a 200 page saying so, with the URL, and no stack trace."""
    url = f"http://127.0.0.1:{closed_port()}/api"
    monkeypatch.setenv("PREFECT_API_URL", url)
    page = hr.get("/hr/flow-runs", params={"lang": "en"})
    assert page.status_code == 200
    assert f"The Prefect server at {url} does not answer" in page.text
    assert "Traceback" not in page.text and cells(page.text, "flow-runs") == []


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, b'{"detail": "Internal Server Error"}'),
        (200, b"<html>not json</html>"),
        (200, b'{"detail": "Not Found"}'),
    ],
    ids=["server-error", "not-json", "json-object"],
)
def test_flow_runs_page_reports_an_answer_it_cannot_read(
    prefect: FakePrefect, hr: TestClient, status: int, body: bytes
) -> None:
    """A failing server, or one answering something else than a list of runs (a wrong URL): the
    same 'does not answer' page, 200, no stack trace."""
    prefect.answers["/api/flow_runs/filter"] = (status, body)
    page = hr.get("/hr/flow-runs", params={"lang": "en"})
    assert page.status_code == 200, page.status_code
    assert f"The Prefect server at {prefect.url} does not answer" in page.text
    assert "Traceback" not in page.text


# --- calibration --------------------------------------------------------------------------------


def test_calibration_page_shows_each_units_distribution(calibrating: Site, hr: TestClient) -> None:
    """PKM-01 (two Sangat Baik of seven) is marked outside the curve; small units are not checked."""
    page = hr.get(f"/hr/periods/{KEY}/calibration")
    assert page.status_code == 200
    rows = {row[0]: row for row in cells(page.text, "distribution")}
    assert set(rows) == set(UNITS)
    #                              Sangat Baik  Baik      Butuh P.  Kurang    Sangat K.  incomplete
    assert rows["PKM-01"][1:7] == ["2 (29%)", "5 (71%)", "0 (0%)", "0 (0%)", "0 (0%)", "0"]
    assert "Sangat Baik 29%" in rows["PKM-01"][7]
    assert rows["DINKES"][1:7] == ["0 (0%)", "3 (100%)", "0 (0%)", "0 (0%)", "0 (0%)", "0"]
    assert html.unescape(TEXT["not_checked"][0].format(minimum=5)) == rows["DINKES"][7]
    outside = [attrs for attrs, row in tables(page.text)["distribution"] if attrs.get("class") == "outside"]
    assert len(outside) == 1
    assert "<title>PKM-01 · Sangat Baik: 2</title>" in page.text
    assert '<form method="post" class="override">' in page.text


def test_override_with_a_reason_is_stored_and_audited(calibrating: Site, hr: TestClient) -> None:
    """HR sets Agus to Baik: stored with the reason and the user, audited, and PKM-01 fits the curve."""
    token = csrf_of(hr.get(f"/hr/periods/{KEY}/calibration").text)
    reason = "Kalibrasi: target SKP belum terverifikasi"
    response = hr.post(
        f"/hr/periods/{KEY}/calibration",
        data={"csrf_token": token, "nip": AGUS, "predikat": "Baik", "reason": reason},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/hr/periods/{KEY}/calibration?saved={AGUS}"
    with read_session(calibrating.engine) as session:
        row = session.execute(select(CalibrationOverride)).scalar_one()
    assert (row.computed_predikat, row.predikat, row.reason, row.actor) == (
        "Sangat Baik",
        "Baik",
        reason,
        ACTOR,
    )
    [(actor, _, before, after)] = audit_rows(calibrating.engine, "calibration.override")
    assert (actor, before, after) == (ACTOR, None, {"predikat": "Baik", "reason": reason})
    page = hr.get(response.headers["location"])
    assert page.status_code == 200
    assert f"{AGUS} Agus Salim: Sangat Baik → <strong>Baik</strong>" in page.text
    assert cells(page.text, "distribution")[2][1:3] == ["1 (14%)", "6 (86%)"]


OVERRIDE_REFUSALS = [
    ("no-reason", AGUS, "Baik", "   ", "HR must say why"),
    ("bad-nip", "12345", "Baik", "alasan", f"NIP 12345 has no appraisal in {KEY}"),
    ("unknown-nip", "199901012022031007", "Baik", "alasan", f"NIP 199901012022031007 has no appraisal in {KEY}"),
    ("other-scheme", AGUS, "Cukup", "alasan", "expected one of Sangat Baik, Baik, Butuh Perbaikan, Kurang/Misconduct, Sangat Kurang, got 'Cukup'"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("nip", "predikat", "reason", "message"),
    [case[1:] for case in OVERRIDE_REFUSALS],
    ids=[case[0] for case in OVERRIDE_REFUSALS],
)
def test_override_refusals_show_the_reason_and_store_nothing(
    calibrating: Site, hr: TestClient, nip: str, predikat: str, reason: str, message: str
) -> None:
    token = csrf_of(hr.get(f"/hr/periods/{KEY}/calibration").text)
    before = calibrating.fingerprint()
    response = hr.post(
        f"/hr/periods/{KEY}/calibration",
        data={"csrf_token": token, "nip": nip, "predikat": predikat, "reason": reason},
        follow_redirects=False,
    )
    assert response.status_code == 422
    alert = re.search(r'<p class="errors" role="alert">(.*?)</p>', response.text, re.S)
    assert alert and message in html.unescape(alert.group(1))
    assert cells(response.text, "distribution")  # the page is shown again, with the form
    assert '<form method="post" class="override">' in response.text
    assert calibrating.fingerprint() == before


def test_closed_period_shows_no_override_form_and_refuses_a_post(closed: Site, hr: TestClient) -> None:
    page = hr.get(f"/hr/periods/{KEY}/calibration")
    assert page.status_code == 200 and cells(page.text, "distribution")
    assert 'class="override"' not in page.text and words("override_heading") not in page.text
    before = closed.fingerprint()
    response = hr.post(
        f"/hr/periods/{KEY}/calibration",
        data={"csrf_token": csrf_of(page.text), "nip": AGUS, "predikat": "Baik", "reason": "terlambat"},
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert f"period {KEY} is closed" in html.unescape(response.text)
    assert closed.fingerprint() == before


# --- results exports ----------------------------------------------------------------------------


def test_results_csv_of_a_closed_period_is_the_export(closed: Site, hr: TestClient) -> None:
    """The same bytes as `exports.results_csv` (and so `appraisal results export`), as a download."""
    period_page = hr.get(f"/hr/periods/{KEY}").text
    assert f'href="/hr/periods/{KEY}/results.csv"' in period_page
    response = hr.get(f"/hr/periods/{KEY}/results.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == f'attachment; filename="results-{KEY}.csv"'
    with read_session(closed.engine) as session:
        expected = results_csv(period_export(session, KEY).rows)
    assert response.text == expected
    assert len(expected.splitlines()) == 1 + 13


def test_results_xlsx_of_a_closed_period_opens_with_its_summary_sheet(closed: Site, hr: TestClient) -> None:
    response = hr.get(f"/hr/periods/{KEY}/results.xlsx")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == f'attachment; filename="results-{KEY}.xlsx"'
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[0] == SUMMARY_SHEET
    assert str(workbook[SUMMARY_SHEET]["A1"].value).startswith(f"Hasil penilaian {KEY}")
    assert len(workbook.sheetnames) == 1 + len(UNITS)


@pytest.mark.parametrize(
    "path",
    [f"/hr/periods/{KEY}/results.csv", f"/hr/periods/{KEY}/results.xlsx",
     "/hr/periods/annual-1999/results.csv", f"/hr/periods/{KEY}/results.pdf"],
    ids=["open-csv", "open-xlsx", "unknown-period", "unknown-format"],
)  # fmt: skip
def test_exports_that_do_not_exist_are_refused_with_a_page_not_an_error(hr: TestClient, path: str) -> None:
    """An open period has no results yet: a 404/409 page, never a 500 (the period page offers no
    link then)."""
    assert "results.csv" not in hr.get(f"/hr/periods/{KEY}").text
    response = hr.get(path)
    assert response.status_code in (404, 409), response.status_code
    assert response.headers["content-type"].startswith("text/html")
    assert "Traceback" not in response.text


# --- no stack traces ----------------------------------------------------------------------------


def test_an_internal_error_is_an_apology_without_a_stack_trace(
    hr: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug behind /hr: a 500 page that shows neither the traceback nor the exception's text,
    while the server log has both."""

    def broken(*_args: object) -> None:
        raise RuntimeError("connection to db-secret-host:5432 lost")

    monkeypatch.setattr(hr_dashboard, "period_lines", broken)
    with caplog.at_level(logging.ERROR, logger="web.app"):
        response = hr.get("/hr")
    assert response.status_code == 500
    assert words("error_heading") in response.text and words("error_body") in response.text
    assert "Traceback" not in response.text and "db-secret-host" not in response.text
    assert "RuntimeError" not in response.text
    assert any(record.exc_info and "db-secret-host" in str(record.exc_info[1]) for record in caplog.records)

"""End to end in a real headless Chromium: from the invitation email to the HR dashboard.

The invitation is delivered by the real dispatcher to an SMTP server on loopback; the link is
taken out of the received email, opened in Chromium against the app served by uvicorn on
loopback, the form is filled and sent, and HR, signed in, sees the progress change. Screenshots
are saved under `test-artifacts/` (or APPRAISAL_TEST_ARTIFACTS) for a reader of the CI run.
"""

import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from config.settings import load_settings
from cycle.opening import open_period
from demo.local_sinks import SmtpSink, free_port
from models.db import create_db_engine, write_session
from models.schema import upgrade_schema
from notifications.dispatch import dispatch_pending
from notifications.reminder_policy import LinkSettings
from tests.builders import SITI
from tests.closing_builders import city_roster
from tests.conftest import TEST_SECRET
from tests.cycle_builders import seeded_engine, shipped_cycles, wib
from tests.web_builders import HR_PASSWORD, HR_USER, Clock, add_hr_user
from web.app import create_app

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("APPRAISAL_TEST_ARTIFACTS", Path(__file__).parent.parent / "test-artifacts"))
OPENED = wib(2027, 1, 4, 8)  # Monday; the invitations are sent at 09.00
SITI_UNIT = "SETDA"


@dataclass
class LiveSite:
    base_url: str
    smtp: SmtpSink


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright (no browser download); required under CI."""
    if shutil.which(CHROMIUM) is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {CHROMIUM} is missing (.ci/run installs Debian's chromium)")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield launched
        launched.close()


@contextmanager
def _served(app: object, port: int) -> Iterator[None]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[LiveSite]:
    """A period opened with invitations, delivered by email; the app served on loopback."""
    url = f"sqlite:///{tmp_path / 'appraisal.db'}"
    upgrade_schema(create_db_engine(url))
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    smtp = SmtpSink().start()
    with seeded_engine(url, tmp_path, city_roster()) as engine:
        with write_session(engine) as session:
            open_period(
                session, shipped_cycles(), "annual", OPENED, invite=LinkSettings(base_url, TEST_SECRET)
            )
        settings = load_settings(
            database_url=url, secret_key=TEST_SECRET, base_url=base_url, smtp_url=smtp.url
        )
        dispatch_pending(engine, settings, wib(2027, 1, 4, 9))
        add_hr_user(engine, OPENED)
        with _served(create_app(settings, clock=Clock(wib(2027, 1, 6, 9))), port):
            yield LiveSite(base_url, smtp)
    smtp.stop()


def _link_for(smtp: SmtpSink, recipient_fragment: str) -> str:
    """The review link in the plain-text invitation sent to the address containing the fragment."""
    for mail in smtp.inbox:
        if any(recipient_fragment in to for to in mail.rcpt_tos):
            found = re.search(r"https?://\S+/review/\S+", mail.part("text/plain"))
            assert found, mail.part("text/plain")
            return found.group(0)
    raise AssertionError(f"no email to *{recipient_fragment}* among {[m.rcpt_tos for m in smtp.inbox]}")


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _submitted_self_assessments(page: Page) -> int:
    row = page.locator(f'tr[data-unit="{SITI_UNIT}"][data-stage="self_assessment"] td.submitted')
    return int(row.inner_text())


def _sign_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/hr")
    page.fill("#username", HR_USER)
    page.fill("#password", HR_PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(f"{base_url}/hr")


def test_invited_employee_submits_and_hr_sees_the_progress(site: LiveSite, browser: Browser) -> None:
    hr = browser.new_page()
    _sign_in(hr, site.base_url)
    hr.goto(f"{site.base_url}/hr/periods/annual-2027")
    before = _submitted_self_assessments(hr)

    link = _link_for(site.smtp, "siti")
    assert link.startswith(site.base_url)
    staff = browser.new_page()
    staff.goto(link)
    assert "Siti" in staff.inner_text("#reviewee") and SITI in staff.inner_text("#reviewee")
    _shot(staff, "review-form")
    for group in staff.locator("fieldset").all():
        group.locator('input[type="radio"][value="4"]').check()
    staff.fill("#comment", "Target layanan posyandu tercapai.")
    staff.click("#submit")
    staff.wait_for_selector("#confirmation")
    assert "Terima kasih" in staff.inner_text("#confirmation")
    _shot(staff, "review-confirmation")

    hr.reload()
    assert _submitted_self_assessments(hr) == before + 1
    _shot(hr, "hr-progress")


def test_a_missing_score_is_marked_next_to_its_field_in_the_browser(site: LiveSite, browser: Browser) -> None:
    staff = browser.new_page()
    staff.goto(_link_for(site.smtp, "siti"))
    groups = staff.locator("fieldset").all()
    for group in groups[1:]:  # the first indicator is left empty
        group.locator('input[type="radio"][value="3"]').check()
    staff.click("#submit")
    first = groups[0].get_attribute("id") or ""
    code = first.removeprefix("field-")
    staff.wait_for_selector(f"#error-{code}")
    assert "invalid" in (staff.locator(f"#{first}").get_attribute("class") or "")
    _shot(staff, "review-form-error")

"""The public survey in a real headless Chromium on a phone-sized screen: a citizen opens the
counter's short link, answers, sends, and is thanked; HR then sees the response counted on the
IKM page. Screenshots land in `test-artifacts/` like the other browser tests'."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from config.settings import load_settings
from demo.local_sinks import free_port
from feedback.services import ServiceRef, register_service
from models.db import create_db_engine, write_session
from models.schema import upgrade_schema
from tests.closing_builders import city_roster
from tests.conftest import TEST_SECRET
from tests.cycle_builders import open_cycle, seeded_engine, wib
from tests.test_web_browser import ARTIFACTS, _served, _sign_in, browser  # noqa: F401 (the fixture)
from tests.web_builders import Clock, add_hr_user
from web.app import create_app
from web.ui_text import TEXT

OPENED = wib(2027, 1, 4, 8)
PHONE = {"width": 390, "height": 844}


@dataclass
class LiveCounter:
    base_url: str
    service: ServiceRef
    clock: Clock


@pytest.fixture
def counter(tmp_path: Path) -> Iterator[LiveCounter]:
    """annual-2027 open, the Dinkes KIA service registered, the app served on loopback."""
    url = f"sqlite:///{tmp_path / 'appraisal.db'}"
    upgrade_schema(create_db_engine(url))
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with seeded_engine(url, tmp_path, city_roster()) as engine:
        open_cycle(engine, OPENED)
        add_hr_user(engine, OPENED)
        with write_session(engine) as session:
            service = register_service(session, "DINKES", "KIA", "Pelayanan Kesehatan Ibu dan Anak")
        settings = load_settings(database_url=url, secret_key=TEST_SECRET, base_url=base_url)
        clock = Clock(wib(2027, 1, 6, 9))
        with _served(create_app(settings, clock=clock), port):
            yield LiveCounter(base_url, service, clock)


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _responses_of(page: Page, unit: str) -> str:
    return page.inner_text(f'tr[data-unit="{unit}"] td.responses')


def test_a_citizen_rates_from_a_phone_and_hr_sees_the_response(
    counter: LiveCounter,
    browser: Browser,  # noqa: F811
) -> None:
    hr = browser.new_page()
    _sign_in(hr, counter.base_url)
    hr.goto(f"{counter.base_url}/hr/periods/annual-2027/feedback")
    assert hr.locator('tr[data-unit="DINKES"]').count() == 1
    assert _responses_of(hr, "DINKES").startswith("0 / 100")

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    citizen = phone.new_page()
    citizen.goto(f"{counter.base_url}{counter.service.short_path}")
    assert citizen.url == f"{counter.base_url}{counter.service.form_path}"
    assert "Pelayanan Kesehatan Ibu dan Anak" in citizen.inner_text("#service")
    # usable on a phone: nothing wider than the screen, the honeypot off-screen
    assert citizen.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    honeypot = citizen.locator("#website").bounding_box()
    assert honeypot is not None and honeypot["x"] + honeypot["width"] <= 0
    _shot(citizen, "survey-form-phone")

    questions = citizen.locator("fieldset.question").all()
    assert len(questions) == 9
    for index, question in enumerate(questions):
        question.locator("label").nth(3 if index != 2 else 1).tap()  # completion time: "Kurang cepat"
    citizen.fill("#ticket", "A-017")
    citizen.fill("#comment", "Petugas ramah, antrean agak lama.")
    citizen.locator("#submit").tap()
    citizen.wait_for_selector("#confirmation")
    assert TEXT["thanks_heading"][0] in citizen.inner_text("#confirmation")
    _shot(citizen, "survey-thanks-phone")

    # with the clock held still (as `appraisal demo --web` does), the response counts at once
    hr.reload()
    assert _responses_of(hr, "DINKES").startswith("1 / 100")
    assert TEXT["below_min_sample"][0] in _responses_of(hr, "DINKES")
    assert "Petugas ramah, antrean agak lama." in hr.inner_text("#comments")
    _shot(hr, "hr-feedback")
    phone.close()


def test_a_missing_answer_is_marked_in_the_browser(
    counter: LiveCounter,
    browser: Browser,  # noqa: F811
) -> None:
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    citizen = phone.new_page()
    citizen.goto(f"{counter.base_url}{counter.service.form_path}")
    for question in citizen.locator("fieldset.question").all()[:-1]:  # facilities left unanswered
        question.locator('input[type="radio"][value="3"]').check()
    citizen.click("#submit")
    citizen.wait_for_selector("#error-u9")
    assert "invalid" in (citizen.locator("#field-u9").get_attribute("class") or "")
    assert citizen.locator('#field-u1 input[value="3"]').is_checked()
    _shot(citizen, "survey-form-error-phone")
    phone.close()


def test_the_poster_shows_the_qr_code_image(
    counter: LiveCounter,
    browser: Browser,  # noqa: F811
) -> None:
    page = browser.new_page()
    page.goto(f"{counter.base_url}{counter.service.form_path}/poster")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.querySelector('img.poster-qr').naturalWidth") > 0  # the SVG loaded
    assert page.inner_text("#short-link") == f"{counter.base_url}/s/{counter.service.id}"
    _shot(page, "survey-poster")

"""The public satisfaction survey as citizens use it, on SQLite and PostgreSQL: the form in
Indonesian (and English), a complete answer stored with its channel and time, and every refusal —
missing or invalid answers, a used ticket, the honeypot, the rate limit, an unknown service —
storing nothing; the short link, the QR code and the counter poster; and one ticket posted by
several citizens at once through a real server storing exactly one response."""

import io
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import segno
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from config.settings import load_settings
from demo.local_sinks import free_port
from feedback.elements import SURVEY_ELEMENTS
from feedback.services import ServiceRef, register_service
from models import FeedbackResponse, RateLimitHit
from models.db import read_session, write_session
from tests.builders import database_snapshot
from tests.conftest import TEST_SECRET
from tests.cycle_builders import seeded_engine, wib
from tests.test_web_browser import _served
from tests.web_builders import Clock, text_of
from web.app import create_app
from web.public_feedback import HONEYPOT
from web.ui_text import TEXT

NOW = wib(2027, 1, 5, 10)
UNIT, CODE, NAME = "DINKES", "KIA", "Pelayanan Kesehatan Ibu dan Anak"
BASE_URL = "https://layanan.kota.example.go.id"
FORM = f"/survei/{UNIT}/{CODE}"
ALL_GOOD = {element.key: "4" for element in SURVEY_ELEMENTS}


def words(key: str, language: str = "id", **values: object) -> str:
    text = TEXT[key][0 if language == "id" else 1]
    return text.format(**values) if values else text


@dataclass
class Counter:
    """The Dinkes KIA service on a seeded database, and the apps serving it."""

    url: str
    engine: Engine
    clock: Clock
    service: ServiceRef
    other: ServiceRef
    clients: list[TestClient] = field(default_factory=list)

    def client(self, **settings: Any) -> TestClient:
        config = load_settings(database_url=self.url, secret_key=TEST_SECRET, base_url=BASE_URL, **settings)
        client = TestClient(create_app(config, clock=self.clock), raise_server_exceptions=False)
        self.clients.append(client)
        return client

    def responses(self) -> list[FeedbackResponse]:
        with read_session(self.engine) as session:
            return list(session.execute(select(FeedbackResponse).order_by(FeedbackResponse.id)).scalars())

    def hits(self) -> int:
        with read_session(self.engine) as session:
            return int(session.execute(select(func.coalesce(func.sum(RateLimitHit.hits), 0))).scalar_one())

    def fingerprint(self) -> str:
        """The whole database, once every connection is closed (SQLite's WAL checkpointed)."""
        for client in self.clients:
            client.app.state.engine.dispose()
        self.engine.dispose()
        return database_snapshot(self.url)


@pytest.fixture
def counter(database_url: str, tmp_path: Path) -> Iterator[Counter]:
    with seeded_engine(database_url, tmp_path) as engine:
        with write_session(engine) as session:
            service = register_service(session, UNIT, CODE, NAME)
            other = register_service(session, "SETDA", "ARSIP", "Layanan arsip")
        served = Counter(database_url, engine, Clock(NOW), service, other)
        try:
            yield served
        finally:
            for client in served.clients:
                client.close()
                client.app.state.engine.dispose()


@pytest.fixture
def citizen(counter: Counter) -> TestClient:
    return counter.client()


def answers(**changed: str) -> dict[str, str]:
    return {**ALL_GOOD, **changed}


def checked(page: str, name: str) -> str | None:
    """The value of the checked radio of `name` on the page, if any."""
    for tag in re.findall(rf'<input type="radio" name="{name}" value="\d"[^>]*>', page):
        if "checked" in tag:
            return re.search(r'value="(\d)"', tag).group(1)  # type: ignore[union-attr]
    return None


# --- the form ---------------------------------------------------------------------------------


def test_the_form_asks_the_nine_questions_in_indonesian_without_login(citizen: TestClient) -> None:
    response = citizen.get(FORM)
    page = text_of(response)
    assert response.status_code == 200
    assert '<html lang="id">' in page and 'name="viewport"' in page
    assert NAME in page and "Dinas Kesehatan" in page
    for element in SURVEY_ELEMENTS:
        assert element.question_id in page and element.name_id in page
        assert all(answer in page for answer in element.answers_id)
        assert page.count(f'name="{element.key}"') == 4
    assert 'name="ticket"' in page and 'name="comment"' in page
    assert 'class="hp"' in page and f'name="{HONEYPOT}"' in page
    assert "style=" not in page and "<script" not in page  # the CSP forbids both
    assert "csrf_token" not in page  # no session to protect (web/public_feedback.py)


def test_lang_en_switches_the_questions_to_english(citizen: TestClient) -> None:
    page = text_of(citizen.get(FORM, params={"lang": "en"}))
    assert '<html lang="en">' in page
    for element in SURVEY_ELEMENTS:
        assert element.question_en in page and element.answers_en[3] in page
    assert words("survey_submit", "en") in page


def test_a_complete_answer_is_stored_once_with_its_channel_and_time(
    counter: Counter, citizen: TestClient
) -> None:
    given = answers(u3="1", u4="2", ticket="A-017", comment="Antrean panjang, tapi petugas ramah.")
    response = citizen.post(FORM, data=given, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"{FORM}/terima-kasih"
    thanks = citizen.get(response.headers["location"])
    assert thanks.status_code == 200
    assert words("survey_thanks_body", service=NAME, unit=counter.service.unit_name) in text_of(thanks)
    [stored] = counter.responses()
    assert (stored.service_id, stored.channel, stored.submitted_at) == (counter.service.id, "web", NOW)
    assert [getattr(stored, e.key) for e in SURVEY_ELEMENTS] == [4, 4, 1, 2, 4, 4, 4, 4, 4]
    assert (stored.ticket, stored.comment, stored.import_id) == ("A-017", given["comment"], None)
    assert counter.hits() == 1


def test_a_kiosk_link_marks_its_answers_and_offers_the_next_citizen_a_fresh_form(
    counter: Counter, citizen: TestClient
) -> None:
    response = citizen.post(FORM, params={"kanal": "kiosk"}, data=answers(), follow_redirects=False)
    assert response.headers["location"] == f"{FORM}/terima-kasih?kanal=kiosk"
    thanks = citizen.get(response.headers["location"])
    assert f'href="{FORM}?kanal=kiosk"' in thanks.text
    assert [row.channel for row in counter.responses()] == ["kiosk"]


# --- refusals store nothing -------------------------------------------------------------------


def test_missing_and_invalid_answers_are_marked_next_to_their_fields_and_kept(
    counter: Counter, citizen: TestClient
) -> None:
    """Each problem is shown next to its question; the citizen's other choices stay checked."""
    before = counter.fingerprint()
    given = answers(u2="5", u3="٣", u9="3", ticket="A 17", comment="x" * 2001)
    del given["u1"]
    response = citizen.post(FORM, data=given)
    page = text_of(response)
    assert response.status_code == 422
    assert words("survey_errors_intro") in page
    for key in ("u1", "u2", "u3"):
        assert re.search(rf'id="field-{key}" class="question invalid"', page), key
        assert f'<p class="field-error" id="error-{key}">{words("survey_choose_answer")}</p>' in page
    assert f'id="error-ticket">{words("survey_ticket_invalid")}' in page
    assert f'id="error-comment">{words("survey_comment_too_long", limit=2000)}' in page
    assert "error-u4" not in page
    assert [checked(page, f"u{i}") for i in range(1, 10)] == [None, None, None, "4", "4", "4", "4", "4", "3"]
    assert 'value="A 17"' in page and "x" * 2001 in page
    assert counter.fingerprint() == before


def test_english_refusals_are_in_english(citizen: TestClient) -> None:
    citizen.get(FORM, params={"lang": "en"})  # the choice is remembered
    page = text_of(citizen.post(FORM, data={**answers(), "u5": ""}))
    assert f'id="error-u5">{words("survey_choose_answer", "en")}' in page


def test_a_ticket_rates_its_service_once(counter: Counter, citizen: TestClient) -> None:
    """The second answer with a used ticket is refused next to the ticket and stores nothing; the
    same number may still rate another service."""
    assert citizen.post(FORM, data=answers(ticket="B-9"), follow_redirects=False).status_code == 303
    before = counter.fingerprint()
    again = citizen.post(FORM, data=answers(u1="1", ticket="B-9", comment="lagi"))
    page = text_of(again)
    assert again.status_code == 422
    assert f'id="error-ticket">{words("survey_ticket_used")}' in page
    assert checked(page, "u1") == "1" and "lagi" in page
    assert counter.fingerprint() == before
    other = f"/survei/SETDA/{counter.other.code}"
    assert citizen.post(other, data=answers(ticket="B-9"), follow_redirects=False).status_code == 303
    assert len(counter.responses()) == 2


def test_a_filled_honeypot_gets_a_generic_refusal_and_stores_nothing(
    counter: Counter, citizen: TestClient
) -> None:
    before = counter.fingerprint()
    response = citizen.post(FORM, data=answers(**{HONEYPOT: "https://spam.example"}))
    assert response.status_code == 400
    assert words("survey_refused_heading") in text_of(response)
    assert "honeypot" not in response.text.lower() and HONEYPOT not in response.text  # nothing to learn from
    assert counter.fingerprint() == before


def test_over_the_rate_limit_a_client_is_refused_until_the_window_ends(counter: Counter) -> None:
    citizen = counter.client(feedback_rate_limit=2, feedback_rate_window_minutes=60)
    for _ in range(2):
        assert citizen.post(FORM, data=answers(), follow_redirects=False).status_code == 303
    before = counter.fingerprint()
    refused = citizen.post(FORM, data=answers(ticket="C-1"), follow_redirects=False)
    assert refused.status_code == 429
    assert words("survey_rate_limited_heading") in text_of(refused)
    assert refused.headers["retry-after"] == str(60 * 60)  # NOW, 10.00 WIB, opens an hourly window
    assert counter.fingerprint() == before  # neither the response nor the count
    assert counter.hits() == 2
    counter.clock.now = NOW + timedelta(hours=1)
    assert citizen.post(FORM, data=answers(ticket="C-1"), follow_redirects=False).status_code == 303
    assert len(counter.responses()) == 3


def test_an_unknown_service_is_not_found_and_stores_nothing(counter: Counter, citizen: TestClient) -> None:
    before = counter.fingerprint()
    for path in (f"/survei/{UNIT}/NOPE", f"/survei/NOPE/{CODE}", "/survei/SETDA/KIA"):
        assert citizen.get(path).status_code == 404
        response = citizen.post(path, data=answers())
        assert response.status_code == 404
        assert words("not_found_heading") in text_of(response)
        for suffix in ("/qr.svg", "/poster", "/terima-kasih"):
            assert citizen.get(path + suffix).status_code == 404
    assert counter.fingerprint() == before


# --- short link, QR code, poster --------------------------------------------------------------


def test_the_short_link_leads_to_the_form(counter: Counter, citizen: TestClient) -> None:
    response = citizen.get(counter.service.short_path, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == FORM
    english = citizen.get(counter.service.short_path, params={"lang": "en"}, follow_redirects=False)
    assert english.headers["location"] == f"{FORM}?lang=en"
    unknown_choices = citizen.get(
        counter.service.short_path, params={"lang": "xx", "kanal": "en"}, follow_redirects=False
    )
    assert unknown_choices.headers["location"] == FORM  # only known choices are carried over
    assert citizen.get(counter.service.short_path).status_code == 200
    for unknown in ("/s/999999", "/s/abc", "/s/٣", "/s/" + "9" * 5000, "/s/-1"):
        assert citizen.get(unknown, follow_redirects=False).status_code == 404, unknown


def test_the_qr_code_is_an_svg_of_the_absolute_form_address(citizen: TestClient) -> None:
    response = citizen.get(f"{FORM}/qr.svg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.text.startswith("<svg") and "viewBox" in response.text
    # QR encoding is deterministic: the same drawing as a code of exactly that address
    expected = io.BytesIO()
    segno.make(f"{BASE_URL}{FORM}", error="m", micro=False).save(
        expected, kind="svg", scale=10, border=4, xmldecl=False, omitsize=True
    )
    assert response.text == expected.getvalue().decode()


def test_the_poster_shows_the_service_the_qr_code_and_the_short_link(
    counter: Counter, citizen: TestClient
) -> None:
    response = citizen.get(f"{FORM}/poster")
    page = text_of(response)
    assert response.status_code == 200
    assert NAME in page and counter.service.unit_name in page
    assert f'<img class="poster-qr" src="{FORM}/qr.svg"' in page
    assert f'id="short-link">{BASE_URL}/s/{counter.service.id}</p>' in page
    assert words("poster_instructions") in page
    assert "style=" not in page


# --- concurrency through a real server --------------------------------------------------------


def post_together(counter: Counter, forms: list[dict[str, str]], **settings: Any) -> list[httpx.Response]:
    """POST each form at once (released by a barrier) against uvicorn on a loopback port."""
    port = free_port()
    config = load_settings(database_url=counter.url, secret_key=TEST_SECRET, base_url=BASE_URL, **settings)
    app = create_app(config, clock=counter.clock)
    start = threading.Barrier(len(forms))
    outcomes: list[httpx.Response] = []

    def post(form: dict[str, str]) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            start.wait()
            outcomes.append(client.post(FORM, data=form, follow_redirects=False))

    with _served(app, port):
        threads = [threading.Thread(target=post, args=(form,)) for form in forms]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    app.state.engine.dispose()
    return outcomes


def test_citizens_posting_one_ticket_at_once_store_exactly_one_response(counter: Counter) -> None:
    """Eight posts of the same ticket released together: one is stored, the seven others get the
    ticket refusal, none fails."""
    outcomes = post_together(counter, [answers(ticket="Q-042")] * 8)
    statuses = sorted(response.status_code for response in outcomes)
    assert statuses == [303] + [422] * 7, statuses
    refused = [text_of(response) for response in outcomes if response.status_code == 422]
    assert all(f'id="error-ticket">{words("survey_ticket_used")}' in page for page in refused)
    assert [row.ticket for row in counter.responses()] == ["Q-042"]
    assert counter.hits() == 1


def test_one_client_posting_many_at_once_is_held_to_the_rate_limit(counter: Counter) -> None:
    """Eight different answers from one address released together with a limit of three: exactly
    three are stored and counted, five are refused with 429, none fails."""
    forms = [answers(ticket=f"R-{n}") for n in range(8)]
    outcomes = post_together(counter, forms, feedback_rate_limit=3, feedback_rate_window_minutes=60)
    statuses = sorted(response.status_code for response in outcomes)
    assert statuses == [303] * 3 + [429] * 5, statuses
    assert len(counter.responses()) == 3 and counter.hits() == 3

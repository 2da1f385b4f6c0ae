"""The HR page of the public satisfaction index, on SQLite and PostgreSQL: signed-in only, the
figures of `feedback.period_ikm` (and, worked by hand, the rule's), units below the minimum sample
marked, each unit's elements lowest first, recent comments newest first, and every service's
form and poster linked from it."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from feedback.elements import SURVEY_ELEMENTS
from feedback.period_ikm import period_ikm
from feedback.responses import parse_response, record_response
from feedback.services import register_service
from models import Period
from models.db import read_session, write_session
from tests.cycle_builders import edited_cycles, open_cycle, seeded_engine, wib
from tests.web_builders import Clock, add_hr_user, sign_in, text_of, web_client
from web.ui_text import TEXT

KEY = "annual-2027"
OPENED = wib(2027, 1, 4, 8)
NOW = wib(2027, 1, 6, 9)
MINIMUM = 3  # the annual cycle's min_responses, lowered from the shipped 100 for the test
ROOM = "Ruang tunggu panas dan sempit."
FAST = "Arsip cepat ditemukan."


def words(key: str, language: str = "id") -> str:
    return TEXT[key][0 if language == "id" else 1]


def answers(**changed: int) -> dict[str, str]:
    return {element.key: str(changed.get(element.key, 4)) for element in SURVEY_ELEMENTS}


def rate(engine: Engine, unit: str, service: str, when: datetime, comment: str = "", **changed: int) -> None:
    draft, problems = parse_response({**answers(**changed), "comment": comment})
    assert draft is not None, problems
    with write_session(engine) as session:
        found = register_service(session, unit, service, f"Layanan {service}")
        record_response(session, found.id, draft, when, "web")


@dataclass
class Office:
    engine: Engine
    client: TestClient


@pytest.fixture
def office(database_url: str, tmp_path: Path) -> Iterator[Office]:
    """DINKES: KIA 3 responses and IMUN 1 (4, at the minimum), SKS none; SETDA: ARSIP 2 (below);
    one more KIA response arrives after the clock's now and is not counted yet."""
    config = edited_cycles(tmp_path, ("min_responses: 100", f"min_responses: {MINIMUM}"))
    with seeded_engine(database_url, tmp_path) as engine:
        open_cycle(engine, OPENED, config=config)
        add_hr_user(engine, OPENED)
        for day, service in ((3, "KIA"), (4, "KIA"), (4, "IMUN"), (5, "KIA")):
            rate(engine, "DINKES", service, wib(2027, 1, day, 10), ROOM if day == 4 and service == "KIA" else "",
                 u3=2, u8=1)  # fmt: skip
        with write_session(engine) as session:
            register_service(session, "DINKES", "SKS", "Surat keterangan sehat")
        rate(engine, "SETDA", "ARSIP", wib(2027, 1, 5, 8), FAST, **{e.key: 3 for e in SURVEY_ELEMENTS})
        rate(engine, "SETDA", "ARSIP", wib(2027, 1, 5, 9), **{e.key: 3 for e in SURVEY_ELEMENTS})
        rate(engine, "DINKES", "KIA", wib(2027, 1, 7, 10), "Belum dihitung.", u1=1)
        client = web_client(database_url, Clock(NOW))
        sign_in(client)
        try:
            yield Office(engine, client)
        finally:
            client.close()
            client.app.state.engine.dispose()


def unit_row(page: str, unit: str) -> dict[str, str]:
    """The cells of a unit's row in the units table, by class."""
    row = re.search(rf'<tr data-unit="{unit}"[^>]*>(.*?)</tr>', page, re.DOTALL)
    assert row, unit
    cells = dict(re.findall(r'<td class="(?:num )?(\w+)">(.*?)</td>', row.group(1), re.DOTALL))
    return {name: re.sub(r"<[^>]+>", "", value).strip() for name, value in cells.items()}


def test_the_page_needs_a_signed_in_hr_user(office: Office, database_url: str) -> None:
    anonymous = web_client(database_url, Clock(NOW))
    try:
        response = anonymous.get(f"/hr/periods/{KEY}/feedback", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/hr/login")
    finally:
        anonymous.close()
        anonymous.app.state.engine.dispose()


def test_unit_figures_are_those_of_period_ikm_and_of_the_rule(office: Office) -> None:
    page = text_of(office.client.get(f"/hr/periods/{KEY}/feedback"))
    with read_session(office.engine) as session:
        period = session.execute(select(Period).where(Period.key == KEY)).scalar_one()
        expected = period_ikm(session, period, NOW)
    for unit in expected.units:
        assert unit.figures is not None
        row = unit_row(page, unit.unit_code)
        assert row["responses"].startswith(f"{unit.figures.responses} / {MINIMUM}")
        assert row["index"] == f"{unit.figures.index:.2f}"
        assert row["category"] == f"{unit.figures.category.letter} {unit.figures.category.label('id')}"
    # by hand: DINKES answered 7×4 + 2 + 1 = 31 per response, 25 × 31 / 9 = 86.11 (B, Baik);
    # SETDA all threes, 75.00 (C, Kurang Baik); the response after now is not counted yet
    assert unit_row(page, "DINKES") == {
        "responses": "4 / 3",
        "index": "86.11",
        "category": "B Baik",
    }
    assert (
        unit_row(page, "SETDA")["index"] == "75.00" and unit_row(page, "SETDA")["category"] == "C Kurang Baik"
    )
    assert "Belum dihitung." not in page


def test_a_unit_below_the_minimum_sample_is_marked(office: Office) -> None:
    page = text_of(office.client.get(f"/hr/periods/{KEY}/feedback"))
    assert words("below_min_sample") in unit_row(page, "SETDA")["responses"]
    assert words("below_min_sample") not in unit_row(page, "DINKES")["responses"]
    assert '<tr data-unit="SETDA" class="below-min">' in page
    assert words("below_min_note") in page
    english = text_of(office.client.get(f"/hr/periods/{KEY}/feedback", params={"lang": "en"}))
    assert words("below_min_sample", "en") in unit_row(english, "SETDA")["responses"]


def test_services_elements_lowest_first_and_links_to_form_and_poster(office: Office) -> None:
    page = text_of(office.client.get(f"/hr/periods/{KEY}/feedback"))
    dinkes = page.split('id="unit-DINKES"')[1].split("</section>")[0]
    assert re.findall(r'data-service="DINKES/([\w-]+)"', dinkes) == ["IMUN", "KIA", "SKS"]
    sks = re.search(r'data-service="DINKES/SKS">(.*?)</tr>', dinkes, re.DOTALL).group(1)  # type: ignore[union-attr]
    assert words("no_responses") in sks
    assert re.findall(r'data-element="(u\d)"', dinkes) == [
        "u8",
        "u3",
        "u1",
        "u2",
        "u4",
        "u5",
        "u6",
        "u7",
        "u9",
    ]
    assert "U8 Penanganan pengaduan, saran, dan masukan" in dinkes
    for service in ("IMUN", "KIA", "SKS"):
        assert f'href="/survei/DINKES/{service}"' in dinkes
        poster = f"/survei/DINKES/{service}/poster"
        assert f'href="{poster}"' in dinkes
        assert office.client.get(poster).status_code == 200


def test_recent_comments_newest_first(office: Office) -> None:
    page = text_of(office.client.get(f"/hr/periods/{KEY}/feedback"))
    comments = page.split('id="comments"')[1].split("</ul>")[0]
    assert comments.index(FAST) < comments.index(ROOM)
    assert "SETDA · Layanan ARSIP" in comments


def test_the_chart_has_a_bar_per_unit_coloured_by_category(office: Office) -> None:
    page = text_of(office.client.get(f"/hr/periods/{KEY}/feedback"))
    assert re.findall(r'class="cat cat-([A-D])( below-min)?"', page) == [("B", ""), ("C", " below-min")]
    assert "<script" not in page and "style=" not in page


def test_the_period_page_links_to_the_feedback_page(office: Office) -> None:
    page = office.client.get(f"/hr/periods/{KEY}").text
    assert f'href="/hr/periods/{KEY}/feedback"' in page
    assert office.client.get("/hr/periods/nope-2027/feedback").status_code == 404

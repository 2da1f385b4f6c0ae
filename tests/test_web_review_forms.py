"""Review forms by signed link, on both databases: what a form shows (and what a peer never sees),
submitting, changing and re-submitting an answer, errors marked next to their field, every refused
link (forged, altered, replayed, not open yet, past its deadline, stage over, period closed) and
refused post (CSRF, too large) with nothing stored, the page's language, and its security headers.

Time is the injected Clock: the period opens Monday 4 January 2027 and every answer below is given
on Tuesday 5 January at 09:00 in Jakarta unless a test moves the clock.
"""

import random
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeSerializer
from sqlalchemy import Engine, func, insert, select, update

from cycle.submissions import Submission, record_submission
from models import Appraisal, AuditEvent, Employee, Review, ReviewScore
from models.db import read_session, write_session
from tests.builders import AGUS, BUDI, DEWI, PUTRI, SITI
from tests.closing_builders import (
    ALL_CODES,
    BEHAVIOUR,
    P3,
    P4,
    RESULT,
    city_roster,
    close,
    marks,
    run_to_calibration,
    submit_open,
)
from tests.conftest import TEST_SECRET
from tests.cycle_builders import advance, open_cycle, row_counts, seeded_engine, shipped_cycles, wib
from tests.web_builders import Clock, csrf_of, heading, results_path, review_path, text_of, web_client
from web import review_forms
from web.links import RESULTS_SALT, REVIEW_SALT, results_token, review_id_from_token, review_token

KEY = "annual-2027"
OPENED = wib(2027, 1, 4, 8)  # Monday
NOW = wib(2027, 1, 5, 9)  # Tuesday, when the answers below are given
LATER = wib(2027, 1, 6, 14, 30)
CLOSE = wib(2027, 1, 6, 10)
DUE_AT = wib(2027, 1, 19, 23, 59, 59)  # when the self-assessments of Jakarta staff are due
AFTER_DUE = wib(2027, 1, 20, 0, 0, 1)
# Ten working days from the opening, at the end of the day in the reviewer's own zone.
DUE_WIB = "Selasa, 19 Januari 2027 23.59 WIB"
DUE_WITA = "Selasa, 19 Januari 2027 23.59 WITA"
DUE_EN = "Tuesday 19 January 2027 23:59 WIB"
ANSWERS = dict(zip(ALL_CODES, (4, 5, 3, 4, 4, 3, 5, 4, 2, 3), strict=True))
COMMENT = "Target SKP tercapai; pelaporan perlu lebih tepat waktu."
AGUS_SELF = dict(zip(ALL_CODES, (5, 4, 2, 1, 5, 4, 2, 1, 5, 4), strict=True))
SELF_NOTE = "Catatan mandiri Agus: target imunisasi terlampaui."
SUPERVISOR_NOTE = "Catatan atasan Dewi: dokumentasi perlu lebih teliti."
PEER_NOTE = "Catatan rekan Pegawai 3: selalu siap membantu."
DEFAULT_SET = shipped_cycles().indicator_sets["default"]

INVALID_LINK = "Tautan tidak sah"
NOT_YET = "Belum dibuka"
EXPIRED = "Tautan sudah tidak berlaku"


# --- reading pages and the database -------------------------------------------------------------


def fieldset(page: str, code: str) -> str:
    """The fieldset of indicator `code`."""
    found = re.search(rf'<fieldset id="field-{code}"[^>]*>.*?</fieldset>', page, re.DOTALL)
    assert found, f"no fieldset for {code}"
    return found.group(0)


def fieldset_codes(page: str) -> list[str]:
    return re.findall(r'<fieldset id="field-(\w+)"', page)


def options(part: str) -> dict[int, str]:
    """Score → label of the radio buttons in one fieldset."""
    pattern = r'value="(\d+)"[^>]*>\s*<span class="score">\d+</span>(?: <span class="label">([^<]*)</span>)?'
    return {int(score): label for score, label in re.findall(pattern, part)}


def checked(page: str) -> dict[str, str]:
    """Indicator code → the score whose radio button is checked."""
    pattern = r'<input type="radio" name="score_(\w+)" value="(\d+)" required\s*checked>'
    return dict(re.findall(pattern, page))


def deadline(page: str) -> str:
    found = re.search(r'<dd id="deadline">(.*?)</dd>', page)
    assert found
    return found.group(1)


def textarea(page: str) -> str:
    found = re.search(r'<textarea id="comment"[^>]*>(.*?)</textarea>', page, re.DOTALL)
    assert found
    return found.group(1)


def form_data(csrf: str | None, answers: dict[str, Any] = ANSWERS, comment: str = COMMENT) -> dict[str, str]:
    data = {f"score_{code}": str(score) for code, score in answers.items()} | {"comment": comment}
    return data if csrf is None else {"csrf_token": csrf, **data}


def answer(client: TestClient, path: str, answers: dict[str, Any] = ANSWERS, comment: str = COMMENT) -> Any:
    """Open the form at `path` and send it back with `answers`, as a browser would."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    return client.post(path, data=form_data(csrf_of(page.text), answers, comment), follow_redirects=False)


def session_csrf(client: TestClient) -> str:
    """The client's CSRF token, read off a page that always has a form (the HR sign-in)."""
    return csrf_of(client.get("/hr/login").text)


def review_id_of(path: str) -> int:
    review_id = review_id_from_token(TEST_SECRET, path.rsplit("/", 1)[1])
    assert review_id is not None
    return review_id


def scores_of(engine: Engine, path: str) -> dict[str, float]:
    query = select(ReviewScore.indicator_code, ReviewScore.score).where(
        ReviewScore.review_id == review_id_of(path)
    )
    with read_session(engine) as session:
        return dict(session.execute(query).all())


def review_row(engine: Engine, path: str) -> tuple[str, str | None, datetime | None]:
    """(status, comment, submitted_at) of the review behind `path`."""
    query = select(Review.status, Review.comment, Review.submitted_at).where(Review.id == review_id_of(path))
    with read_session(engine) as session:
        return tuple(session.execute(query).one())  # type: ignore[return-value]


def audit_rows(engine: Engine, action: str) -> list[tuple[Any, ...]]:
    """(actor, entity id, at, before, after) of every audit event `action`, in order."""
    query = (
        select(AuditEvent.actor, AuditEvent.entity_id, AuditEvent.at, AuditEvent.before, AuditEvent.after)
        .where(AuditEvent.action == action)
        .order_by(AuditEvent.id)
    )
    with read_session(engine) as session:
        return [tuple(row) for row in session.execute(query)]


def everything(engine: Engine) -> tuple[Any, ...]:
    """Row counts, every review (status, comment, time), every score and the audit trail's length."""
    with read_session(engine) as session:
        scores = sorted(tuple(r) for r in session.execute(select(ReviewScore.review_id, ReviewScore.indicator_code, ReviewScore.score)))  # fmt: skip
        reviews = sorted(tuple(r) for r in session.execute(select(Review.id, Review.status, Review.comment, Review.submitted_at)))  # fmt: skip
        events = session.execute(select(func.count(AuditEvent.id))).scalar_one()
    return row_counts(engine), reviews, scores, events


def record(
    engine: Engine, reviewee: str, reviewer: str, kind: str, scores: dict[str, int], comment: str
) -> None:
    """A submission through the rule set, outside the web app."""
    with write_session(engine) as session:
        submission = Submission(KEY, reviewee, reviewer, kind, scores, comment)
        record_submission(session, submission, NOW, actor="test")


def set_locale(engine: Engine, nip: str, locale: str) -> None:
    """The roster CSV has no locale column: HR sets it on the employee row."""
    with write_session(engine) as session:
        session.execute(update(Employee).where(Employee.nip == nip).values(locale=locale))


def waiting_review(engine: Engine, reviewee: str, reviewer: str, kind: str) -> str:
    """A review row created ahead of its stage (status `waiting`); its signed form path."""
    with write_session(engine) as session:
        appraisal_id = session.execute(
            select(Appraisal.id).join(Employee, Employee.id == Appraisal.employee_id).where(Employee.nip == reviewee)
        ).scalar_one()  # fmt: skip
        reviewer_id = session.execute(select(Employee.id).where(Employee.nip == reviewer)).scalar_one()
        session.execute(
            insert(Review).values(
                appraisal_id=appraisal_id, reviewer_id=reviewer_id, kind=kind, status="waiting"
            )
        )
    return review_path(engine, reviewee, reviewer, kind)


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """The city roster with annual-2027 opened on OPENED: every self-assessment open."""
    with seeded_engine(database_url, tmp_path, city_roster()) as engine:
        open_cycle(engine, OPENED)
        yield engine


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


def _client(database_url: str, clock: Clock) -> Iterator[TestClient]:
    client = web_client(database_url, clock)
    yield client
    client.app.state.engine.dispose()  # type: ignore[attr-defined]


@pytest.fixture
def client(database_url: str, engine: Engine, clock: Clock) -> Iterator[TestClient]:
    """A browser on the app, reading time from `clock`."""
    yield from _client(database_url, clock)


@pytest.fixture
def other_client(database_url: str, engine: Engine, clock: Clock) -> Iterator[TestClient]:
    """A second browser, with a session of its own."""
    yield from _client(database_url, clock)


@pytest.fixture
def supervisor_stage(engine: Engine) -> Engine:
    """Agus self-assessed with a comment, everyone else with flat 3s: supervisor reviews are open."""
    record(engine, AGUS, AGUS, "self", AGUS_SELF, SELF_NOTE)
    submit_open(engine, KEY, "self", NOW, {})
    advance(engine, NOW, KEY)
    return engine


@pytest.fixture
def peer_stage(supervisor_stage: Engine) -> Engine:
    """Dewi reviewed Agus with a comment; of his peers (Pegawai 3, Pegawai 4, Putri) Pegawai 3 answered."""
    record(supervisor_stage, AGUS, DEWI, "supervisor", marks("Sangat Baik"), SUPERVISOR_NOTE)
    submit_open(supervisor_stage, KEY, "supervisor", NOW, {})
    advance(supervisor_stage, NOW, KEY)
    record(supervisor_stage, AGUS, P3, "peer", dict.fromkeys(BEHAVIOUR, 5), PEER_NOTE)
    return supervisor_stage


# --- what a form shows --------------------------------------------------------------------------


def test_form_shows_reviewee_period_deadline_and_every_indicator(engine: Engine, client: TestClient) -> None:
    """Agus (WITA) sees his deadline in his own zone, every indicator with its description, the scale labels."""
    response = client.get(review_path(engine, AGUS, AGUS, "self"))
    assert response.status_code == 200
    page = text_of(response)
    assert "Agus Salim (199207072018031004), Perawat Terampil" in page
    assert "Puskesmas Kota Barat (PKM-01)" in page
    assert "Penilaian Kinerja Tahunan — annual-2027" in page
    assert deadline(page) == DUE_WITA  # not "22.59 WIB", the organisation's zone
    labels = {int(score): label for score, label in DEFAULT_SET.scale.labels.items()}
    assert fieldset_codes(page) == [indicator.code for indicator in DEFAULT_SET.indicators]
    for indicator in DEFAULT_SET.indicators:
        part = fieldset(page, indicator.code)
        assert f"<legend>{indicator.name}</legend>" in part
        assert indicator.description and indicator.description in part
        assert options(part) == labels == {1: "Sangat Kurang", 2: "Kurang", 3: "Sesuai Ekspektasi",
                                           4: "Di Atas Ekspektasi", 5: "Sangat Di Atas Ekspektasi"}  # fmt: skip
    assert checked(page) == {} and textarea(page) == ""


def test_supervisor_form_shows_the_self_assessment(supervisor_stage: Engine, client: TestClient) -> None:
    """Dewi reviews Agus with his own comment and his own score on every indicator in view."""
    page = text_of(client.get(review_path(supervisor_stage, AGUS, DEWI, "supervisor")))
    section = re.search(r'<section class="self-assessment">.*?</section>', page, re.DOTALL)
    assert section and SELF_NOTE in section.group(0)
    assert fieldset_codes(page) == list(ALL_CODES)
    for code, score in AGUS_SELF.items():
        assert f"Nilai mandiri: {score}" in fieldset(page, code)
    assert checked(page) == {}  # his scores are shown, not filled in for her
    assert deadline(page) == DUE_WITA


@pytest.mark.parametrize(
    ("peer", "due"), [(P4, DUE_WIB), (PUTRI, DUE_WITA)], ids=["pegawai-4-wib", "putri-wita"]
)
def test_peer_form_shows_behaviour_only_and_nothing_of_other_reviews(
    peer_stage: Engine, client: TestClient, peer: str, due: str
) -> None:
    """No result indicator, no self-assessment, no supervisor's or other peer's scores or comments."""
    page = text_of(client.get(review_path(peer_stage, AGUS, peer, "peer")))
    assert "Agus Salim (199207072018031004)" in page
    assert fieldset_codes(page) == list(BEHAVIOUR)
    for code in RESULT:
        assert f'score_{code}"' not in page
    assert "Kuantitas" not in page and "Hasil kerja" not in page
    for note in (SELF_NOTE, SUPERVISOR_NOTE, PEER_NOTE):
        assert note not in page
    assert "self-assessment" not in page and "Nilai mandiri" not in page
    assert checked(page) == {} and textarea(page) == ""
    assert deadline(page) == due


# --- submitting, changing, re-submitting --------------------------------------------------------


def test_submitting_stores_the_answer_and_confirms(engine: Engine, client: TestClient) -> None:
    """303 to the confirmation; scores, comment and time stored; audited as the web reviewer."""
    path = review_path(engine, SITI, SITI, "self")
    unanswered = client.get(f"{path}?saved=submitted")  # a confirmation link before any answer
    assert unanswered.status_code == 200 and "Terima kasih" not in unanswered.text
    response = answer(client, path)
    assert response.status_code == 303
    assert response.headers["location"] == f"{path}?saved=submitted"
    done = client.get(response.headers["location"])
    assert done.status_code == 200 and heading(done) == "Terima kasih"
    assert ("Penilaian Anda untuk Siti Aminah (annual-2027) telah tersimpan pada Selasa, 5 Januari 2027 09.00 WIB."
            in text_of(done))  # fmt: skip
    assert f"sampai {DUE_WIB}" in text_of(done)
    assert scores_of(engine, path) == ANSWERS
    assert review_row(engine, path) == ("submitted", COMMENT, NOW)
    assert audit_rows(engine, "review.submitted") == [
        (f"web:{SITI}", str(review_id_of(path)), NOW, {"status": "open", "scores": {}, "comment": None},
         {"status": "submitted", "scores": ANSWERS, "comment": COMMENT}),
    ]  # fmt: skip


def test_reopened_link_shows_answers_and_a_change_is_audited(
    engine: Engine, client: TestClient, clock: Clock
) -> None:
    """The saved answers come back checked; a changed answer replaces them (review.replaced)."""
    path = review_path(engine, SITI, SITI, "self")
    answer(client, path)
    page = text_of(client.get(path))
    assert checked(page) == {code: str(score) for code, score in ANSWERS.items()}
    assert textarea(page) == COMMENT
    assert (f"Anda sudah mengirim penilaian ini pada Selasa, 5 Januari 2027 09.00 WIB. "
            f"Anda dapat mengubahnya sampai {DUE_WIB}.") in page  # fmt: skip

    clock.now = LATER
    changed = ANSWERS | {"kuantitas": 2, "harmonis": 3}
    response = answer(client, path, changed, "Pelaporan sudah membaik.")
    assert response.status_code == 303
    assert response.headers["location"] == f"{path}?saved=replaced"
    assert heading(client.get(response.headers["location"])) == "Terima kasih"
    assert scores_of(engine, path) == changed
    assert review_row(engine, path) == ("submitted", "Pelaporan sudah membaik.", LATER)
    assert audit_rows(engine, "review.replaced") == [
        (f"web:{SITI}", str(review_id_of(path)), LATER,
         {"status": "submitted", "scores": ANSWERS, "comment": COMMENT},
         {"status": "submitted", "scores": changed, "comment": "Pelaporan sudah membaik."}),
    ]  # fmt: skip


def test_resubmitting_identical_answers_changes_nothing(
    engine: Engine, client: TestClient, clock: Clock
) -> None:
    """Same scores and comment: the "unchanged" message, no audit event, the first time kept."""
    path = review_path(engine, SITI, SITI, "self")
    answer(client, path)
    before = everything(engine)
    clock.now = LATER
    response = answer(client, path)
    assert response.status_code == 303
    assert response.headers["location"] == f"{path}?saved=unchanged"
    done = client.get(response.headers["location"])
    assert heading(done) == "Terima kasih"
    assert "Tidak ada perubahan: jawaban Anda sama dengan sebelumnya." in text_of(done)
    assert everything(engine) == before
    assert review_row(engine, path)[2] == NOW


def test_a_long_comment_is_cut_to_4000_characters(engine: Engine, client: TestClient) -> None:
    path = review_path(engine, SITI, SITI, "self")
    assert answer(client, path, comment="  " + "a" * 5000).status_code == 303
    assert review_row(engine, path)[1] == "a" * 4000


def test_a_comment_is_shown_back_as_text_never_as_markup(engine: Engine, client: TestClient) -> None:
    path = review_path(engine, SITI, SITI, "self")
    assert answer(client, path, comment="<script>alert(1)</script>").status_code == 303
    page = client.get(path).text
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_nul_character_in_the_comment_is_not_stored(engine: Engine, client: TestClient) -> None:
    """A pasted NUL byte is accepted on both databases, and the stored comment has none (PostgreSQL text cannot hold it)."""
    path = review_path(engine, SITI, SITI, "self")
    response = answer(client, path, comment="Baik\x00sekali")
    assert response.status_code == 303
    status, comment, _ = review_row(engine, path)
    assert status == "submitted" and comment is not None and "\x00" not in comment
    assert scores_of(engine, path) == ANSWERS


# --- errors next to their field -----------------------------------------------------------------


def test_a_missing_score_is_marked_in_its_fieldset(engine: Engine, client: TestClient) -> None:
    """422; the error sits inside the field's fieldset; the other answers and the comment are kept."""
    path = review_path(engine, SITI, SITI, "self")
    before = everything(engine)
    given = {code: score for code, score in ANSWERS.items() if code != "kualitas"}
    response = answer(client, path, given)
    assert response.status_code == 422
    page = text_of(response)
    assert "Penilaian belum tersimpan. Periksa isian yang ditandai:" in page
    part = fieldset(page, "kualitas")
    assert 'class="invalid"' in part
    assert '<p class="field-error" id="error-kualitas">Pilih salah satu nilai.</p>' in part
    assert re.findall(r'id="error-(\w+)"', page) == ["kualitas"]
    assert checked(page) == {code: str(score) for code, score in given.items()}
    assert textarea(page) == COMMENT
    assert everything(engine) == before


BAD_SCORES = [
    ("word", "baik", "Nilai harus berupa angka bulat."),
    ("decimal", "3.5", "Nilai harus berupa angka bulat."),
    ("above-scale", "6", "expected a whole number from 1 to 5, got 6"),
    ("zero", "0", "expected a whole number from 1 to 5, got 0"),
    ("negative", "-2", "expected a whole number from 1 to 5, got -2"),
    ("superscript-two", "²", "Nilai harus berupa angka bulat."),
    ("five-thousand-digits", "9" * 5000, None),
]


@pytest.mark.parametrize(("value", "message"), [b[1:] for b in BAD_SCORES], ids=[b[0] for b in BAD_SCORES])
def test_a_bad_score_is_marked_in_its_fieldset(
    engine: Engine, client: TestClient, value: str, message: str | None
) -> None:
    """Not a whole number, or off the 1–5 scale: 422 with the error in that field; nothing stored."""
    path = review_path(engine, SITI, SITI, "self")
    before = everything(engine)
    response = answer(client, path, ANSWERS | {"waktu": value})
    assert response.status_code == 422
    page = text_of(response)
    part = fieldset(page, "waktu")
    assert 'class="invalid"' in part and 'id="error-waktu"' in part
    if message is not None:
        assert f'id="error-waktu">{message}</p>' in part
    assert re.findall(r'id="error-(\w+)"', page) == ["waktu"]
    kept = {code: str(score) for code, score in ANSWERS.items() if code != "waktu"}
    assert checked(page) == kept and textarea(page) == COMMENT
    assert everything(engine) == before


# --- refused links: nothing shown, nothing stored -----------------------------------------------


def _altered(token: str) -> str:
    """`token` with one character in the middle of its signature changed."""
    payload, signature = token.split(".")
    middle = len(signature) // 2
    swapped = "A" if signature[middle] != "A" else "B"
    return f"{payload}.{signature[:middle]}{swapped}{signature[middle + 1 :]}"


def _forged(engine: Engine, clock: Clock) -> str:
    return "/review/MTI.forged-signature-by-hand"


def _altered_signature(engine: Engine, clock: Clock) -> str:
    path = review_path(engine, SITI, SITI, "self")
    return path.rsplit("/", 1)[0] + "/" + _altered(path.rsplit("/", 1)[1])


def _other_review_id(engine: Engine, clock: Clock) -> str:
    """Siti's signature on the id of Budi's review: the way to someone else's form."""
    own = review_token(TEST_SECRET, review_id_of(review_path(engine, SITI, SITI, "self")))
    other = review_token(TEST_SECRET, review_id_of(review_path(engine, BUDI, BUDI, "self")))
    return f"/review/{other.split('.')[0]}.{own.split('.')[1]}"


def _unknown_review(engine: Engine, clock: Clock) -> str:
    return f"/review/{review_token(TEST_SECRET, 987654)}"


def _results_token_as_review(engine: Engine, clock: Clock) -> str:
    return "/review/" + results_path(engine, SITI, KEY).rsplit("/", 1)[1]


def _not_open_yet(engine: Engine, clock: Clock) -> str:
    """Budi's supervisor review of Siti, created ahead of its stage while she self-assesses."""
    return waiting_review(engine, SITI, BUDI, "supervisor")


def _past_deadline(engine: Engine, clock: Clock) -> str:
    clock.now = AFTER_DUE
    return review_path(engine, SITI, SITI, "self")


def _missed(engine: Engine, clock: Clock) -> str:
    """The advance after the deadline marked it missed; the app's clock stays before the deadline."""
    advance(engine, AFTER_DUE, KEY)
    return review_path(engine, SITI, SITI, "self")


def _stage_moved_on(engine: Engine, clock: Clock) -> str:
    """Siti self-assessed and her appraisal moved to the supervisor review."""
    record(engine, SITI, SITI, "self", ANSWERS, COMMENT)
    advance(engine, NOW, KEY)
    return review_path(engine, SITI, SITI, "self")


def _period_closed(engine: Engine, clock: Clock) -> str:
    run_to_calibration(engine, KEY, NOW)
    close(engine, KEY, CLOSE, accept_distribution=True)
    clock.now = CLOSE
    return review_path(engine, SITI, SITI, "self")


REFUSED_LINKS: list[tuple[str, Callable[[Engine, Clock], str], int, str]] = [
    ("forged", _forged, 404, INVALID_LINK),
    ("altered-signature", _altered_signature, 404, INVALID_LINK),
    ("another-reviews-id", _other_review_id, 404, INVALID_LINK),
    ("no-such-review", _unknown_review, 404, INVALID_LINK),
    ("results-token", _results_token_as_review, 404, INVALID_LINK),
    ("not-open-yet", _not_open_yet, 409, NOT_YET),
    ("past-deadline", _past_deadline, 410, EXPIRED),
    ("missed", _missed, 410, EXPIRED),
    ("stage-moved-on", _stage_moved_on, 410, EXPIRED),
    ("period-closed", _period_closed, 410, EXPIRED),
]


@pytest.mark.parametrize(
    ("arrange", "status", "title"), [r[1:] for r in REFUSED_LINKS], ids=[r[0] for r in REFUSED_LINKS]
)
def test_refused_link_shows_why_and_a_post_stores_nothing(
    engine: Engine,
    client: TestClient,
    clock: Clock,
    arrange: Callable[[Engine, Clock], str],
    status: int,
    title: str,
) -> None:
    """GET gives the refusal page; a complete, CSRF-valid POST to the same link gets it too, storing nothing."""
    path = arrange(engine, clock)
    shown = client.get(path)
    assert (shown.status_code, heading(shown)) == (status, title)
    assert '<form method="post" class="review"' not in shown.text
    before = everything(engine)
    sent = client.post(path, data=form_data(session_csrf(client)), follow_redirects=False)
    assert (sent.status_code, heading(sent)) == (status, title)
    assert everything(engine) == before


def test_refusal_pages_name_the_review(engine: Engine, client: TestClient, clock: Clock) -> None:
    """409 says which stage has not started for whom; 410 says which stage ended, for whom, in which period."""
    waiting = text_of(client.get(_not_open_yet(engine, clock)))
    assert "Tahap penilaian atasan untuk Siti Aminah belum dimulai." in waiting
    clock.now = AFTER_DUE
    expired = text_of(client.get(review_path(engine, SITI, SITI, "self")))
    assert "Tahap penilaian mandiri untuk Siti Aminah (annual-2027) sudah berakhir" in expired


def test_review_and_results_tokens_are_not_interchangeable(
    engine: Engine, client: TestClient, clock: Clock
) -> None:
    """After close, Siti's review token opens no results page (though its id is an appraisal's), and vice versa."""
    run_to_calibration(engine, KEY, NOW)
    close(engine, KEY, CLOSE, accept_distribution=True)
    clock.now = CLOSE
    review = review_path(engine, SITI, SITI, "self")
    results = results_path(engine, SITI, KEY)
    with read_session(engine) as session:
        assert (
            session.get(Appraisal, review_id_of(review)) is not None
        )  # the replay would name a real appraisal
    assert client.get(results).status_code == 200
    replayed = client.get("/results/" + review.rsplit("/", 1)[1])
    assert (replayed.status_code, heading(replayed)) == (404, INVALID_LINK)
    reversed_ = client.get("/review/" + results.rsplit("/", 1)[1])
    assert (reversed_.status_code, heading(reversed_)) == (404, INVALID_LINK)
    assert results_token(TEST_SECRET, review_id_of(review)) != review.rsplit("/", 1)[1]


@pytest.mark.parametrize("secret", [TEST_SECRET, "another installation's secret, ünïcode"])
def test_links_are_the_tokens_itsdangerous_makes(secret: str) -> None:
    """Links are signed without itsdangerous' per-call work, yet byte for byte as it signs them, so
    links already mailed stay valid: every id from 0 to 2,000, seeded large and negative ids."""
    rng = random.Random(7)
    ids = [*range(2_001), *(rng.randrange(10**15) for _ in range(500)), 2**63, -1, -123_456]
    review, results = (URLSafeSerializer(secret, salt=salt) for salt in (REVIEW_SALT, RESULTS_SALT))
    for row_id in ids:
        assert review_token(secret, row_id) == review.dumps(row_id)
        assert results_token(secret, row_id) == results.dumps(row_id)
        assert review_id_from_token(secret, review_token(secret, row_id)) == row_id


# --- CSRF, and the stage ending while the form is open ------------------------------------------


@pytest.mark.parametrize("csrf", ["missing", "wrong", "another-browser", "non-ascii"])
def test_post_without_the_sessions_csrf_token_is_refused(
    engine: Engine, client: TestClient, other_client: TestClient, csrf: str
) -> None:
    """403 and nothing stored, whether the token is left out, made up, another session's, or not ASCII."""
    path = review_path(engine, SITI, SITI, "self")
    own = csrf_of(client.get(path).text)
    token = {"missing": None, "wrong": own[:-2] + ("xy" if own[-2:] != "xy" else "zz"),
             "another-browser": csrf_of(other_client.get(path).text), "non-ascii": "é" * len(own)}[csrf]  # fmt: skip
    before = everything(engine)
    response = client.post(path, data=form_data(token), follow_redirects=False)
    assert (response.status_code, heading(response)) == (403, "Permintaan ditolak")
    assert everything(engine) == before


def test_stage_ending_between_showing_and_sending_refuses_the_answer(
    engine: Engine, client: TestClient
) -> None:
    """Siti opens her submitted form to change it; her appraisal moves on before she sends: 410, nothing stored."""
    path = review_path(engine, SITI, SITI, "self")
    answer(client, path)
    page = client.get(path)
    advance(engine, NOW, KEY)
    before = everything(engine)
    response = client.post(path, data=form_data(csrf_of(page.text), ANSWERS | {"kuantitas": 1}))
    assert (response.status_code, heading(response)) == (410, EXPIRED)
    assert everything(engine) == before and scores_of(engine, path) == ANSWERS
    assert audit_rows(engine, "review.replaced") == []


def test_stage_ending_while_the_answer_is_being_written_refuses_it(
    engine: Engine, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stage ends after the form's own check, just before the write: the rule set refuses, 410."""
    path = review_path(engine, SITI, SITI, "self")
    answer(client, path)
    real_write_session = review_forms.write_session

    @contextmanager
    def advance_first(app_engine: Engine) -> Iterator[Any]:
        advance(engine, NOW, KEY)
        with real_write_session(app_engine) as session:
            yield session

    monkeypatch.setattr(review_forms, "write_session", advance_first)
    page = client.get(path)
    before_scores = scores_of(engine, path)
    response = client.post(path, data=form_data(csrf_of(page.text), ANSWERS | {"kuantitas": 1}))
    assert (response.status_code, heading(response)) == (410, EXPIRED)
    assert scores_of(engine, path) == before_scores == ANSWERS
    assert audit_rows(engine, "review.replaced") == []


# --- language -----------------------------------------------------------------------------------


def test_pages_are_in_indonesian_by_default(engine: Engine, client: TestClient) -> None:
    response = client.get(review_path(engine, SITI, SITI, "self"))
    page = text_of(response)
    assert '<html lang="id">' in page
    assert "<h1>Formulir Penilaian mandiri</h1>" in page and "Kirim penilaian" in page
    assert deadline(page) == DUE_WIB
    assert "lang" not in client.cookies


def test_lang_en_switches_to_english_and_is_remembered(engine: Engine, client: TestClient) -> None:
    """?lang=en once: the form, its errors and the confirmation stay English; ?lang=id switches back."""
    path = review_path(engine, SITI, SITI, "self")
    first = text_of(client.get(f"{path}?lang=en"))
    assert '<html lang="en">' in first
    assert "<h1>Self-assessment form</h1>" in first and "Submit review" in first
    assert deadline(first) == DUE_EN
    assert client.cookies.get("lang") == "en"
    again = text_of(client.get(path))
    assert '<html lang="en">' in again and "Submit review" in again
    invalid = answer(client, path, {code: s for code, s in ANSWERS.items() if code != "kuantitas"})
    assert invalid.status_code == 422
    assert 'id="error-kuantitas">Choose one score.</p>' in text_of(invalid)
    done = client.get(answer(client, path).headers["location"])
    assert heading(done) == "Thank you"
    back = text_of(client.get(f"{path}?lang=id"))
    assert '<html lang="id">' in back and client.cookies.get("lang") == "id"
    assert '<html lang="id">' in text_of(client.get(path))


def test_reviewer_with_english_locale_gets_english_by_default(
    engine: Engine, client: TestClient, clock: Clock
) -> None:
    """Siti's roster locale is en: her form and its refusal page are English unless she asks otherwise."""
    set_locale(engine, SITI, "en")
    path = review_path(engine, SITI, SITI, "self")
    page = text_of(client.get(path))
    assert '<html lang="en">' in page and "Submit review" in page and deadline(page) == DUE_EN
    assert "Kirim penilaian" in text_of(client.get(f"{path}?lang=id"))
    client.cookies.clear()
    clock.now = AFTER_DUE
    assert heading(client.get(path)) == "This link has expired"
    assert heading(client.get(review_path(engine, BUDI, BUDI, "self"))) == EXPIRED  # Budi: Indonesian


# --- hardening ----------------------------------------------------------------------------------


def test_form_page_carries_the_security_headers(engine: Engine, client: TestClient) -> None:
    headers = client.get(review_path(engine, SITI, SITI, "self")).headers
    policy = headers["content-security-policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        assert directive in policy
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"
    assert headers["x-content-type-options"] == "nosniff"
    assert "server" not in headers


def _chunks(body: bytes) -> Iterator[bytes]:
    for start in range(0, len(body), 8192):
        yield body[start : start + 8192]


@pytest.mark.parametrize("sent", ["declared", "streamed"])
def test_a_body_over_64_kib_is_refused_with_413(engine: Engine, client: TestClient, sent: str) -> None:
    """A complete, valid answer with a 64 KiB comment: 413, nothing stored, with or without Content-Length."""
    path = review_path(engine, SITI, SITI, "self")
    data = form_data(csrf_of(client.get(path).text), comment="x" * (64 * 1024))
    before = everything(engine)
    if sent == "declared":
        response = client.post(path, data=data, follow_redirects=False)
    else:
        body = "&".join(f"{k}={v}" for k, v in data.items()).encode()
        response = client.post(
            path, content=_chunks(body), follow_redirects=False,
            headers={"content-type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
    assert (response.status_code, response.text) == (413, "Request body too large")
    assert everything(engine) == before


def test_the_deadline_holds_to_the_second(engine: Engine, client: TestClient, clock: Clock) -> None:
    """At 23:59:59 on the due day (Siti's zone, Jakarta) the form opens; one second later it is over."""
    path = review_path(engine, SITI, SITI, "self")
    clock.now = DUE_AT
    assert client.get(path).status_code == 200
    clock.now = DUE_AT + timedelta(seconds=1)
    assert client.get(path).status_code == 410

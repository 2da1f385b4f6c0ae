"""Review forms reached by signed link: show the form, take the answer, confirm it.

The link is the only credential (staff have no accounts): it names one review, and it works while
that review's stage is current and its deadline has not passed. Every answer is judged by the rule
set of `cycle.submissions` that `appraisal reviews import` and the API use (`refusals`, then
`record_checked`); this module only turns form fields into a Submission and the rule set's
refusals back into marked fields.

A submission judges the review read without any write lock and then writes in a short write
transaction that re-judges the review's state under the lock, so on SQLite concurrent forms queue
only for the few statements of the write itself (bench/web_submit.py measures it).
"""

import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection, Engine
from starlette.datastructures import FormData

from cycle.submissions import (
    Refusal,
    ReviewFacts,
    Submission,
    SubmissionRefused,
    record_checked,
    refusals,
    review_facts,
)
from models.db import write_session
from models.review_form_queries import ReviewForm, form_state, review_form
from notifications.formatting import kind_words
from web.csrf import checked_form
from web.links import review_id_from_token
from web.pages import render
from web.ui_text import choose_language, translator

router = APIRouter(include_in_schema=False)
T = TypeVar("T")
SAVED_OUTCOMES = ("submitted", "replaced", "unchanged")
MAX_COMMENT = 4000
# ASCII digits only, and short: str.isdigit() also accepts "²", and int() refuses 4,300+ digits.
WHOLE_NUMBER = re.compile(r"-?[0-9]{1,9}")


# SQLite admits one writer at a time; a thread that finds the write lock taken sleeps in SQLite's
# busy handler (1, 2, 5, 10 … 100 ms between tries) even when the holder is done in a millisecond.
# Taking turns on a Python lock first makes the writers of this process queue and wake at once.
# Writers in other processes (more workers, the CLI) still meet at BEGIN IMMEDIATE as before.
_SQLITE_WRITER = threading.Lock()


@contextmanager
def _write_turn(engine: Engine) -> Iterator[None]:
    if engine.dialect.name != "sqlite":
        yield
        return
    with _SQLITE_WRITER:
        yield


def _read(request: Request, token: str, reader: Callable[[Connection, int], T | None]) -> T | None:
    """What `reader` reads of the review the token names; None for a forged, altered or dangling token."""
    review_id = review_id_from_token(request.app.state.settings.secret_key.get_secret_value(), token)
    if review_id is None:
        return None
    with request.app.state.engine.connect() as connection:
        return reader(connection, review_id)


def _load(request: Request, token: str) -> ReviewForm | None:
    """Everything the page shows."""
    return _read(request, token, review_form)


def _invalid_link(request: Request) -> Response:
    return render(request, "message.html", {"heading": "invalid_link_heading", "body": "invalid_link_body"},
                  status_code=404)  # fmt: skip


def _refusal(request: Request, form: ReviewForm, state: str) -> Response:
    """The page for a link whose review cannot be answered now (not yet open, or over)."""
    language = choose_language(request, form.reviewer_locale)
    words = {"kind": kind_words(form.kind, language), "name": form.reviewee_name, "period": form.period_key}
    heading, body, status = (
        ("not_yet_heading", "not_yet_body", 409)
        if state == "not_yet"
        else ("closed_heading", "closed_body", 410)
    )
    return render(request, "message.html", {"heading": heading, "body": body, "words": words},
                  status_code=status, language=language, zone=form.reviewer_timezone)  # fmt: skip


def _page(request: Request, form: ReviewForm, **context: object) -> Response:
    values = {
        "form": form,
        "values": form.scores,
        "comment": form.comment,
        "field_errors": {},
        "general_errors": [],
    }
    values.update(context)
    status = 422 if values["field_errors"] or values["general_errors"] else 200
    return render(request, "review_form.html", values, status_code=status,
                  language=choose_language(request, form.reviewer_locale), zone=form.reviewer_timezone)  # fmt: skip


@router.get("/review/{token}")
def show_form(request: Request, token: str, saved: str | None = None) -> Response:
    form = _load(request, token)
    if form is None:
        return _invalid_link(request)
    state = form.state(request.app.state.clock())
    if state != "open":
        return _refusal(request, form, state)
    if saved in SAVED_OUTCOMES and form.status == "submitted":
        return render(request, "review_done.html", {"form": form, "outcome": saved, "token": token},
                      language=choose_language(request, form.reviewer_locale), zone=form.reviewer_timezone)  # fmt: skip
    return _page(request, form)


def _parse(codes: Iterable[str], data: FormData) -> tuple[dict[str, int], dict[str, str]]:
    """Scores given as whole numbers, and a message key per field that is empty or not a number."""
    scores: dict[str, int] = {}
    problems: dict[str, str] = {}
    for code in codes:
        raw = str(data.get(f"score_{code}", "")).strip()
        if not raw:
            problems[code] = "choose_score"
        elif WHOLE_NUMBER.fullmatch(raw):
            scores[code] = int(raw)
        else:
            problems[code] = "not_a_number"
    return scores, problems


def _marked(
    problems: list[Refusal], parsed: dict[str, str], language: str
) -> tuple[dict[str, str], list[str]]:
    """The rule set's refusals next to their fields; the rest, and nothing twice, above the form."""
    t = translator(language)
    fields = {code: t(key) for code, key in parsed.items()}
    general: list[str] = []
    for problem in problems:
        if problem.indicator_code is not None:
            fields.setdefault(problem.indicator_code, problem.message)
        elif not (problem.field == "score" and parsed):  # "missing scores" is already marked per field
            general.append(problem.message)
    return fields, general


def _state(facts: ReviewFacts, now: datetime) -> str:
    state = facts.state
    return form_state(facts.kind, state.status, state.period_status, state.appraisal_stage, state.due_at, now)


def _refused_page(
    request: Request,
    token: str,
    problems: list[Refusal],
    parsed: dict[str, str],
    data: FormData,
    now: datetime,
) -> Response:
    """The form again with the rule set's refusals marked, or the refusal page if the stage ended meanwhile."""
    form = _load(request, token)
    if form is None:
        return _invalid_link(request)
    if form.state(now) != "open":
        return _refusal(request, form, form.state(now))
    fields, general = _marked(problems, parsed, choose_language(request, form.reviewer_locale))
    given = {code: str(data.get(f"score_{code}", "")) for code in (i.code for i in form.indicators)}
    comment = str(data.get("comment", "")).strip()[:MAX_COMMENT] or None
    return _page(request, form, values=given, comment=comment, field_errors=fields, general_errors=general)


@router.post("/review/{token}")
def submit_form(request: Request, token: str, data: Annotated[FormData, Depends(checked_form)]) -> Response:
    facts = _read(request, token, review_facts)  # what the rule set needs, less than the page shows
    if facts is None:
        return _invalid_link(request)
    now = request.app.state.clock()
    if _state(facts, now) != "open":
        form = _load(request, token)
        return _refusal(request, form, form.state(now)) if form is not None else _invalid_link(request)
    scores, parsed = _parse(sorted(facts.expected), data)
    comment = str(data.get("comment", "")).strip()[:MAX_COMMENT] or None
    submission = Submission(
        facts.period_key, facts.reviewee_nip, facts.reviewer_nip, facts.kind, scores, comment
    )
    problems = refusals(facts, submission, now)  # judged before taking the write lock
    if problems:
        return _refused_page(request, token, problems, parsed, data, now)
    try:
        engine = request.app.state.engine
        with _write_turn(engine), write_session(engine) as session:  # BEGIN IMMEDIATE on SQLite
            outcome = record_checked(
                session.connection(), facts, submission, now, actor=f"web:{facts.reviewer_nip}"
            )
    except SubmissionRefused as refused:  # the stage ended between the check and the write
        return _refused_page(request, token, refused.problems, parsed, data, now)
    return RedirectResponse(f"/review/{token}?saved={outcome}", status_code=303)

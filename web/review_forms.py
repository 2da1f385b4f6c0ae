"""Review forms reached by signed link: show the form, take the answer, confirm it.

The link is the only credential (staff have no accounts): it names one review, and it works while
that review's stage is current and its deadline has not passed. Every answer goes through
`cycle.submissions.record_submission`, the same rule set as `appraisal reviews import`; this module
only turns form fields into a Submission and the rule set's refusals back into marked fields.
"""

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from cycle.submissions import Refusal, Submission, SubmissionRefused, record_submission
from models.db import read_session, write_session
from models.review_form_queries import ReviewForm, review_form
from notifications.formatting import kind_words
from web.csrf import checked_form
from web.links import review_id_from_token
from web.pages import render
from web.ui_text import choose_language, translator

router = APIRouter(include_in_schema=False)
SAVED_OUTCOMES = ("submitted", "replaced", "unchanged")
MAX_COMMENT = 4000
# ASCII digits only, and short: str.isdigit() also accepts "²", and int() refuses 4,300+ digits.
WHOLE_NUMBER = re.compile(r"-?[0-9]{1,9}")


def _load(request: Request, token: str) -> ReviewForm | None:
    """The review the token names; None for a forged, altered or dangling token."""
    review_id = review_id_from_token(request.app.state.settings.secret_key.get_secret_value(), token)
    if review_id is None:
        return None
    with read_session(request.app.state.engine) as session:
        return review_form(session, review_id)


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


def _parse(form: ReviewForm, data: FormData) -> tuple[dict[str, int], dict[str, str]]:
    """Scores given as whole numbers, and a message key per field that is empty or not a number."""
    scores: dict[str, int] = {}
    problems: dict[str, str] = {}
    for indicator in form.indicators:
        raw = str(data.get(f"score_{indicator.code}", "")).strip()
        if not raw:
            problems[indicator.code] = "choose_score"
        elif WHOLE_NUMBER.fullmatch(raw):
            scores[indicator.code] = int(raw)
        else:
            problems[indicator.code] = "not_a_number"
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


@router.post("/review/{token}")
def submit_form(request: Request, token: str, data: Annotated[FormData, Depends(checked_form)]) -> Response:
    form = _load(request, token)
    if form is None:
        return _invalid_link(request)
    now = request.app.state.clock()
    if form.state(now) != "open":
        return _refusal(request, form, form.state(now))
    scores, parsed = _parse(form, data)
    comment = str(data.get("comment", "")).strip()[:MAX_COMMENT] or None
    submission = Submission(form.period_key, form.reviewee_nip, form.reviewer_nip, form.kind, scores, comment)
    try:
        with write_session(request.app.state.engine) as session:
            outcome = record_submission(session, submission, now, actor=f"web:{form.reviewer_nip}")
    except SubmissionRefused as refused:
        form = _load(request, token)  # the stage may have ended meanwhile: say so plainly
        if form is None:
            return _invalid_link(request)
        if form.state(now) != "open":
            return _refusal(request, form, form.state(now))
        fields, general = _marked(refused.problems, parsed, choose_language(request, form.reviewer_locale))
        given = {code: str(data.get(f"score_{code}", "")) for code in (i.code for i in form.indicators)}
        return _page(
            request, form, values=given, comment=comment, field_errors=fields, general_errors=general
        )
    return RedirectResponse(f"/review/{token}?saved={outcome}", status_code=303)

"""The public satisfaction survey (IKM): the form citizens fill in, its short link, QR code and poster.

No login and no personal data: a service's form lives at `/survei/<unit>/<service>`, the counter's
poster prints its QR code and the short link `/s/<id>`. Every answer goes through
`feedback.responses` (the rule set shared with the kiosk and the CSV import); this module turns
form fields into that rule set's input and its refusals back into marked fields.

Abuse is contained without accounts: a honeypot field hidden by CSS (a bot that fills it gets a
generic refusal), one response per ticket number (the database's unique index decides, also
between concurrent submissions), and a per-client limit counted in the database
(`feedback.rate_limit`). Every refusal rolls back the whole transaction, so nothing is stored.

There is no CSRF token here on purpose: CSRF protects what a signed-in browser session may do,
and this form has no session to protect. A forged cross-site post could only do what anyone can
do by opening the form, and the rate limit and ticket rule apply to it the same way.
"""

import io
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Annotated

import segno
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from feedback.elements import SURVEY_ELEMENTS
from feedback.rate_limit import client_key, count_hit, window_start
from feedback.responses import (
    MAX_COMMENT,
    FeedbackProblem,
    FeedbackRefused,
    ResponseDraft,
    parse_response,
    record_response,
)
from feedback.services import ServiceRef, find_service, service_by_id
from models.db import read_session, write_session
from web.pages import render
from web.ui_text import LANGUAGES, choose_language, translator

router = APIRouter(include_in_schema=False)
RATE_SCOPE = "survey"
HONEYPOT = "website"  # a field a person never sees (hidden by CSS) and a form-filling bot fills
KIOSK = "kiosk"
SHORT_ID = re.compile(r"[0-9]{1,9}")  # ASCII digits, short: no int() of '٣' or of 5,000 digits
FIELDS = (*(element.key for element in SURVEY_ELEMENTS), "ticket", "comment")
# The page's words for each field the rule set refuses while parsing, and for a ticket already used.
PARSE_MESSAGES = {**{element.key: "survey_choose_answer" for element in SURVEY_ELEMENTS},
                  "ticket": "survey_ticket_invalid", "comment": "survey_comment_too_long"}  # fmt: skip
RECORD_MESSAGES = {"ticket": "survey_ticket_used"}


class RateLimited(Exception):
    """The client passed its limit: raised inside the write so the response and the count roll back."""

    def __init__(self, retry_at: datetime) -> None:
        self.retry_at = retry_at
        super().__init__(f"rate limit reached until {retry_at.isoformat()}")


async def posted_form(request: Request) -> FormData:
    """The posted fields (read asynchronously, so the handler itself can run in the thread pool)."""
    return await request.form()


def _service_or_404(request: Request, unit_code: str, service_code: str) -> ServiceRef:
    with read_session(request.app.state.engine) as session:
        service = find_service(session, unit_code, service_code)
    if service is None:
        raise HTTPException(status_code=404, detail="no such service")
    return service


def _kiosk(request: Request) -> bool:
    """`?kanal=kiosk` marks a tablet at the counter: its answers are counted as the kiosk channel."""
    return request.query_params.get("kanal") == KIOSK


def _query(request: Request) -> str:
    """The language and kiosk choices of this request, to carry over to the next page."""
    allowed = {"lang": LANGUAGES, "kanal": (KIOSK,)}
    kept = [f"{name}={request.query_params[name]}" for name, values in allowed.items()
            if request.query_params.get(name) in values]  # fmt: skip
    return "?" + "&".join(kept) if kept else ""


def _form_page(
    request: Request,
    service: ServiceRef,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    context = {"service": service, "elements": SURVEY_ELEMENTS, "values": values or {},
               "errors": errors or {}, "honeypot": HONEYPOT, "kiosk": _kiosk(request)}  # fmt: skip
    return render(request, "survey_form.html", context, status_code=status_code)


def _marked(problems: list[FeedbackProblem], language: str, messages: Mapping[str, str]) -> dict[str, str]:
    """Each refused field's message in the page's language; a field the page does not know keeps
    the rule set's own (English) words, shown above the form."""
    t = translator(language)
    return {
        problem.field: t(messages[problem.field], limit=MAX_COMMENT) if problem.field in messages
        else problem.message
        for problem in problems
    }  # fmt: skip


def _refused(request: Request, heading: str, body: str, status_code: int, **words: object) -> Response:
    return render(request, "message.html", {"heading": heading, "body": body, "words": words},
                  status_code=status_code)  # fmt: skip


def _store(request: Request, service: ServiceRef, draft: ResponseDraft, now: datetime) -> int:
    """Record one response and count it against the client's limit, in one transaction.

    The response goes in first, so two submissions with one ticket race on the unique index (the
    rule set's savepoint turns the loser into a refusal); over the limit, RateLimited rolls back both.
    """
    settings = request.app.state.settings
    window = timedelta(minutes=settings.feedback_rate_window_minutes)
    address = request.client.host if request.client else "unknown"
    key = client_key(settings.secret_key.get_secret_value(), address)
    channel = KIOSK if _kiosk(request) else "web"
    with write_session(request.app.state.engine) as session:
        response_id = record_response(session, service.id, draft, now, channel)
        if count_hit(session, RATE_SCOPE, key, now, window) > settings.feedback_rate_limit:
            raise RateLimited(window_start(now, window) + window)
    return response_id


@router.get("/survei/{unit_code}/{service_code}")
def survey_form(request: Request, unit_code: str, service_code: str) -> Response:
    return _form_page(request, _service_or_404(request, unit_code, service_code))


@router.post("/survei/{unit_code}/{service_code}")
def submit_survey(
    request: Request, unit_code: str, service_code: str, data: Annotated[FormData, Depends(posted_form)]
) -> Response:
    service = _service_or_404(request, unit_code, service_code)
    if str(data.get(HONEYPOT, "")).strip():
        return _refused(request, "survey_refused_heading", "survey_refused_body", 400)
    raw = {name: str(data.get(name, "")) for name in FIELDS}
    draft, problems = parse_response(raw)
    if draft is None:
        errors = _marked(problems, choose_language(request), PARSE_MESSAGES)
        return _form_page(request, service, raw, errors, status_code=422)
    now = request.app.state.clock()
    try:
        _store(request, service, draft, now)
    except FeedbackRefused as refused:  # the ticket rated this service already
        errors = _marked(refused.problems, choose_language(request), RECORD_MESSAGES)
        return _form_page(request, service, raw, errors, status_code=422)
    except RateLimited as limited:
        minutes = max(1, -(-int((limited.retry_at - now).total_seconds()) // 60))
        response = _refused(request, "survey_rate_limited_heading", "survey_rate_limited_body", 429,
                            minutes=minutes)  # fmt: skip
        response.headers["Retry-After"] = str(minutes * 60)
        return response
    return RedirectResponse(f"{service.form_path}/terima-kasih{_query(request)}", status_code=303)


@router.get("/survei/{unit_code}/{service_code}/terima-kasih")
def survey_thanks(request: Request, unit_code: str, service_code: str) -> Response:
    service = _service_or_404(request, unit_code, service_code)
    context = {"service": service, "kiosk": _kiosk(request), "again": f"{service.form_path}{_query(request)}"}
    return render(request, "survey_thanks.html", context)


@router.get("/s/{short_id}")
def short_link(request: Request, short_id: str) -> Response:
    """The counter's short link: to the service's form (404 for an id that names no service)."""
    service = None
    if SHORT_ID.fullmatch(short_id):
        with read_session(request.app.state.engine) as session:
            service = service_by_id(session, int(short_id))
    if service is None:
        raise HTTPException(status_code=404, detail="no such service")
    return RedirectResponse(f"{service.form_path}{_query(request)}", status_code=303)


def absolute(request: Request, path: str) -> str:
    """`path` on the address citizens reach (settings.base_url), as printed on the poster."""
    return request.app.state.settings.base_url.rstrip("/") + path


def qr_svg(url: str) -> bytes:
    """The QR code of `url` as a standalone SVG (medium error correction survives a worn print)."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        buffer, kind="svg", scale=10, border=4, xmldecl=False, omitsize=True
    )
    return buffer.getvalue()


@router.get("/survei/{unit_code}/{service_code}/qr.svg")
def survey_qr(request: Request, unit_code: str, service_code: str) -> Response:
    service = _service_or_404(request, unit_code, service_code)
    return Response(qr_svg(absolute(request, service.form_path)), media_type="image/svg+xml")


@router.get("/survei/{unit_code}/{service_code}/poster")
def survey_poster(request: Request, unit_code: str, service_code: str) -> Response:
    """A page to print for the counter: the service, the QR code and the short link in large type."""
    service = _service_or_404(request, unit_code, service_code)
    context = {"service": service, "short_url": absolute(request, service.short_path),
               "qr_path": f"{service.form_path}/qr.svg"}  # fmt: skip
    return render(request, "survey_poster.html", context)

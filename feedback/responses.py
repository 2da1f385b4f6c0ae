"""One citizen response: the single rule set of the public form, the kiosk and the CSV import.

`parse_response` checks the raw answers (each element a whole number 1–4, an optional ticket
number of at most 64 letters, digits, '.', '_', '/' or '-', an optional comment of at most 2,000
characters) and names every problem by its field; `record_response` stores an accepted one.
A ticket number may rate its service once: the database's unique (service, ticket) decides,
so two submissions racing with the same ticket store one response and refuse the other.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from config.errors import AppraisalError
from ingest.free_text import clean_comment
from models import FeedbackResponse
from models.feedback import ELEMENT_MAX, ELEMENT_MIN, ELEMENTS

TICKET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
MAX_COMMENT = 2000
_ANSWER = re.compile(r"^[0-9]$")


@dataclass(frozen=True)
class FeedbackProblem:
    """Why a response was refused: the field (u1…u9, ticket, comment, …) and what was expected."""

    field: str
    message: str


class FeedbackRefused(AppraisalError):
    """A response was refused as a whole; nothing of it was stored."""

    def __init__(self, problems: list[FeedbackProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


@dataclass(frozen=True)
class ResponseDraft:
    """A checked response, not yet stored: the nine answers by element key, ticket and comment."""

    answers: dict[str, int]
    ticket: str | None
    comment: str | None

    def row(self, service_id: int, submitted_at: datetime, channel: str) -> dict[str, object]:
        """The feedback_response row of this draft."""
        return {
            "service_id": service_id,
            "submitted_at": submitted_at,
            "channel": channel,
            "ticket": self.ticket,
            "comment": self.comment,
            **self.answers,
        }


def parse_answer(raw: str | None) -> int | None:
    """An answer 1–4 written as one ASCII digit, else None (no int() of '٣' or of 5,000 digits)."""
    value = (raw or "").strip()
    if not _ANSWER.match(value):
        return None
    number = int(value)
    return number if ELEMENT_MIN <= number <= ELEMENT_MAX else None


def parse_response(raw: Mapping[str, str | None]) -> tuple[ResponseDraft | None, list[FeedbackProblem]]:
    """The draft and no problems, or None and every problem found in `raw`."""
    problems: list[FeedbackProblem] = []
    answers: dict[str, int] = {}
    for element in ELEMENTS:
        value = raw.get(element)
        answer = parse_answer(value)
        if answer is None:
            found = "no answer" if not (value or "").strip() else f"got {value!r}"
            problems.append(
                FeedbackProblem(element, f"expected an answer from {ELEMENT_MIN} to {ELEMENT_MAX} ({found})")
            )
        else:
            answers[element] = answer
    ticket = (raw.get("ticket") or "").strip() or None
    if ticket is not None and not TICKET.match(ticket):
        problems.append(
            FeedbackProblem(
                "ticket", "expected up to 64 letters, digits, '.', '_', '/' or '-', without spaces"
            )
        )
    comment = clean_comment(raw.get("comment"))
    if comment is not None and len(comment) > MAX_COMMENT:
        problems.append(FeedbackProblem("comment", f"at most {MAX_COMMENT} characters (got {len(comment)})"))
    if problems:
        return None, problems
    return ResponseDraft(answers, ticket, comment), []


def ticket_used(session: Session, service_id: int, ticket: str) -> bool:
    """Whether `ticket` already rated this service."""
    found = session.execute(
        select(FeedbackResponse.id).where(FeedbackResponse.service_id == service_id, FeedbackResponse.ticket == ticket)
    ).first()  # fmt: skip
    return found is not None


TICKET_USED = "this ticket number has already rated this service"


def record_response(
    session: Session, service_id: int, draft: ResponseDraft, submitted_at: datetime, channel: str
) -> int:
    """Store one response in the caller's transaction; its id. FeedbackRefused when the ticket was used.

    The insert runs in a savepoint, so a ticket taken by a concurrent submission a moment earlier
    (PostgreSQL waits for it on the unique index, then refuses) leaves the caller's transaction usable.
    """
    if draft.ticket is not None and ticket_used(session, service_id, draft.ticket):
        raise FeedbackRefused([FeedbackProblem("ticket", TICKET_USED)])
    try:
        with session.begin_nested():
            return session.execute(
                insert(FeedbackResponse).returning(FeedbackResponse.id),
                [draft.row(service_id, submitted_at, channel)],
            ).scalar_one()
    except IntegrityError:
        if draft.ticket is not None and ticket_used(session, service_id, draft.ticket):
            raise FeedbackRefused([FeedbackProblem("ticket", TICKET_USED)]) from None
        raise

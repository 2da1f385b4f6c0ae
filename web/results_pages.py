"""An employee's own results, by the signed link in their close message.

Shown only while the period is closed (a reopened period's figures are provisional). Peer
feedback appears only aggregated, and only when at least PEER_FEEDBACK_MINIMUM peers answered;
peers are never named.
"""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from feedback.source_words import public_source_words
from models.db import read_session
from models.results_queries import PEER_FEEDBACK_MINIMUM, appraisal_owner, employee_result, peer_comments
from web.links import appraisal_id_from_token
from web.pages import render
from web.ui_text import choose_language

router = APIRouter(include_in_schema=False)


@router.get("/results/{token}")
def show_results(request: Request, token: str) -> Response:
    appraisal_id = appraisal_id_from_token(request.app.state.settings.secret_key.get_secret_value(), token)
    with read_session(request.app.state.engine) as session:
        owner = appraisal_owner(session, appraisal_id) if appraisal_id is not None else None
        if owner is None:
            return render(request, "message.html", {"heading": "invalid_link_heading", "body": "invalid_link_body"},
                          status_code=404)  # fmt: skip
        language = choose_language(request, owner.locale)
        if not owner.period_closed:
            return render(request, "message.html", {"heading": "results_unavailable_heading", "body": "results_unavailable_body"},
                          status_code=410, language=language)  # fmt: skip
        result = employee_result(session, owner.nip, owner.period_key)
        assert appraisal_id is not None
        comments = peer_comments(session, appraisal_id)
    peers = sum(1 for review in result.reviews if review.kind == "peer" and review.status == "submitted")
    shown = peers >= PEER_FEEDBACK_MINIMUM
    sources = {line.code: public_source_words(line.public_index, line.public_responses, line.combined_score, language)
               for line in result.indicators if line.source == "public_satisfaction"}  # fmt: skip
    context = {"result": result, "peers": peers, "peers_shown": shown, "peer_minimum": PEER_FEEDBACK_MINIMUM,
               "comments": comments if shown else [], "sources": sources}  # fmt: skip
    return render(request, "results.html", context, language=language, zone=result.timezone)

"""Rendering pages: one Jinja2 environment, the words of the chosen language, dates in a zone.

Every page gets `t` (the catalogue of ui_text.py), `lang`, `other_lang` (for the switch link),
`when` (an instant in words, in a given zone) and `csrf_token` for its forms.
"""

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from notifications.formatting import format_instant, kind_words, rating_words, recommendation_words
from web.csrf import csrf_token
from web.ui_text import LANGUAGES, choose_language, remember_language, translator

TEMPLATES = Jinja2Templates(directory=Path(__file__).with_name("templates"))
# The templates ship with the code: checking each one's mtime on every page cost ~3 % of a review
# form's server CPU under bench/web_submit.py. Restart the server after editing a template.
TEMPLATES.env.auto_reload = False


def _when(language: str, default_zone: str) -> Any:
    def when(value: datetime | None, zone: str | None = None) -> str:
        return "–" if value is None else format_instant(value, zone or default_zone, language)

    return when


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    language: str | None = None,
    zone: str | None = None,
) -> HTMLResponse:
    """The page `template` in the request's language (or `language`), dates in `zone`."""
    lang = language or choose_language(request)
    settings = request.app.state.settings
    words = {
        "t": translator(lang),
        "lang": lang,
        "other_lang": LANGUAGES[1 - LANGUAGES.index(lang)],
        "when": _when(lang, zone or settings.timezone),
        "kind_words": lambda kind: kind_words(kind, lang),
        "rating_words": lambda rating: rating_words(rating, lang),
        "recommendation_words": lambda kind: recommendation_words(kind, lang),
        "csrf_token": csrf_token(request),
        "hr_user": request.session.get("hr_user"),
    }
    response = TEMPLATES.TemplateResponse(request, template, {**words, **context}, status_code=status_code)
    remember_language(request, response)
    return response

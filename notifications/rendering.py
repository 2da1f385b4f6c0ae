"""Turning an outbox row (template, payload) into the words one recipient reads, in their language.

Each message is one Jinja2 file per locale, `templates/<locale>/<template>.j2`, with four blocks:
`title` (email subject), `text` (plain text, also what HR's chat channel gets), `html` (the email
body, wrapped in `templates/_layout.html`) and `chat` (a short line or two for chat apps). Keeping
all four in one file keeps a message's versions in step when someone edits the wording.

The same file is loaded by two environments: blocks meant for HTML are rendered by one that
autoescapes (a name like "Rina <Rina>" cannot inject markup), text blocks by one that does not
(so "Tom & Jerry" stays readable in a plain-text email). Undefined payload fields raise: a
message with a blank where the deadline should be is worse than a clear error in the outbox.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from notifications.formatting import (
    DEFAULT_LOCALE,
    LOCALES,
    channel_words,
    format_date,
    format_instant,
    kind_words,
    rating_words,
    recommendation_words,
)

TEMPLATE_DIR = Path(__file__).with_name("templates")
TEMPLATES: tuple[str, ...] = (
    "invitation",
    "reminder_before",
    "reminder_due",
    "overdue",
    "escalation",
    "hr_digest",
    "result",
    "team_summary",
    "flow_failed",
    "delivery_failed",
)
CHANNELS: tuple[str, ...] = ("email", "chat", "hr")


class RenderError(ValueError):
    """A message cannot be written: unknown template or locale, or a payload field missing."""


@dataclass(frozen=True)
class Rendered:
    """One message in every form a channel may need; `html` is a whole document."""

    title: str
    text: str
    html: str
    chat: str


def resolve_locale(locale: str | None) -> str:
    """`id` or `en`: empty means Indonesian (the default); `en-US`/`id_ID` mean their language."""
    if not locale:
        return DEFAULT_LOCALE
    language = locale.replace("_", "-").split("-", 1)[0].lower()
    if language not in LOCALES:
        raise RenderError(f"unsupported locale {locale!r}; messages exist in {', '.join(LOCALES)}")
    return language


def _locale_of(context: Context) -> str:
    return str(context.get("locale", DEFAULT_LOCALE))


@pass_context
def _when(context: Context, value: str, timezone: str | None = None) -> str:
    return format_instant(value, timezone or context.get("timezone"), _locale_of(context))


@pass_context
def _day(context: Context, value: str) -> str:
    return format_date(value, _locale_of(context))


@pass_context
def _kind(context: Context, value: str) -> str:
    return kind_words(value, _locale_of(context))


@pass_context
def _recommendation(context: Context, value: str) -> str:
    return recommendation_words(value, _locale_of(context))


@pass_context
def _rating(context: Context, value: str | None) -> str:
    return rating_words(value, _locale_of(context))


@pass_context
def _channel(context: Context, value: str) -> str:
    return channel_words(value, _locale_of(context))


def _score(value: float | int | None) -> str:
    return "–" if value is None else f"{float(value):.2f}"


@cache
def _environment(autoescape: bool) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        # The templates ship with the code: compile each once, not stat its file at every message.
        auto_reload=False,
    )
    environment.filters.update(
        when=_when,
        day=_day,
        kind=_kind,
        recommendation=_recommendation,
        rating=_rating,
        channel=_channel,
        score=_score,
    )
    return environment


def _block(template_name: str, block: str, variables: dict[str, Any], *, autoescape: bool) -> str:
    template = _environment(autoescape).get_template(template_name)
    render = template.blocks.get(block)
    if render is None:
        raise RenderError(f"template {template_name} has no {block!r} block")
    return template.environment.concat(render(template.new_context(variables))).strip()  # type: ignore[attr-defined]


def render(template: str, locale: str | None, payload: dict[str, Any], channel: str) -> Rendered:
    """Every form of `template` for `payload` in `locale`; `channel` only chooses what must exist.

    Email needs the subject, text and HTML; chat only its short text (the other forms, the
    subject too, are then left empty, saving the work). HR gets title and text, plus HTML when it is reached by email.
    """
    if template not in TEMPLATES:
        raise RenderError(f"unknown notification template {template!r}; known: {', '.join(TEMPLATES)}")
    if channel not in CHANNELS:
        raise RenderError(f"unknown channel {channel!r}; known: {', '.join(CHANNELS)}")
    language = resolve_locale(locale)
    name = f"{language}/{template}.j2"
    variables = {**payload, "locale": language}
    try:
        if channel == "chat":  # the dispatcher's commonest message: one block, nothing more
            return Rendered(
                title="", text="", html="", chat=_block(name, "chat", variables, autoescape=False)
            )
        title = _block(name, "title", variables, autoescape=False)
        text = _block(name, "text", variables, autoescape=False)
        body = _block(name, "html", variables, autoescape=True)
        layout = _environment(True).get_template("_layout.html")
        html = layout.render(title=title, body=Markup(body), locale=language)
        chat = _block(name, "chat", variables, autoescape=False)
    except TemplateNotFound as exc:
        raise RenderError(f"template file {exc.name} is missing") from None
    except RenderError:
        raise
    except Exception as exc:  # StrictUndefined, a bad date in the payload, …
        raise RenderError(f"cannot render {template!r} ({language}): {type(exc).__name__}: {exc}") from None
    return Rendered(title=title, text=text, html=html, chat=chat)

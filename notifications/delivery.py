"""One claimed outbox message → the right address, the right words, one Apprise send.

No database here: the dispatcher reads what this needs inside its claim transaction and calls
`deliver` outside any transaction, so a slow SMTP server never holds a lock. Addresses are
resolved at send time, not at enqueue time, so a corrected roster email or a newly configured
SMTP account applies to messages already waiting.
"""

from dataclasses import dataclass
from typing import Any

from config.settings import Settings
from notifications.apprise_channel import DEFAULT_TIMEOUT_SECONDS, email_url, scheme_of, send
from notifications.rendering import Rendered, RenderError, render


@dataclass(frozen=True)
class Recipient:
    """The roster fields delivery needs, read in the claim transaction."""

    name: str
    nip: str
    email: str
    chat_url: str | None
    locale: str
    timezone: str
    active: bool


@dataclass(frozen=True)
class ClaimedMessage:
    """An outbox row this dispatcher owns until it records the outcome."""

    id: int
    dedupe_key: str
    channel: str
    template: str
    payload: dict[str, Any]
    attempts: int  # including this one
    recipient: Recipient | None = None


@dataclass(frozen=True)
class Outcome:
    """What happened: `permanent` failures are not retried, `skipped` ones were never attempted."""

    ok: bool
    error: str | None = None
    permanent: bool = False
    skipped: bool = False


@dataclass(frozen=True)
class _Target:
    url: str | None
    body_format: str = "text"
    problem: str | None = None


def _email_target(settings: Settings, address: str | None, who: str) -> _Target:
    if not address:
        return _Target(None, problem=f"{who} has no email address")
    if settings.smtp_url is None:
        return _Target(None, problem="no SMTP account configured (set APPRAISAL_SMTP_URL to a mailto:// or mailtos:// Apprise URL)")  # fmt: skip
    try:
        return _Target(email_url(settings.smtp_url.get_secret_value(), address), "html")
    except ValueError as exc:
        return _Target(None, problem=f"APPRAISAL_SMTP_URL: {exc}")


def _target(message: ClaimedMessage, settings: Settings) -> _Target:
    """Where this message goes; a `problem` (not an exception) when the address is missing."""
    recipient = message.recipient
    if message.channel == "hr":
        if settings.hr_notify_url is not None:
            url = settings.hr_notify_url.get_secret_value()
            return _Target(url, "html" if scheme_of(url) in ("mailto", "mailtos") else "text")
        if settings.hr_email:
            return _email_target(settings, settings.hr_email, "HR")
        return _Target(
            None, problem="no HR address configured (set APPRAISAL_HR_NOTIFY_URL or APPRAISAL_HR_EMAIL)"
        )
    if recipient is None:
        return _Target(
            None, problem=f"a {message.channel} message needs a recipient employee, and this row has none"
        )
    if message.channel == "email":
        return _email_target(settings, recipient.email, f"{recipient.name} ({recipient.nip})")
    if not recipient.chat_url:
        return _Target(None, problem=f"{recipient.name} ({recipient.nip}) has no chat_url in the roster")
    return _Target(recipient.chat_url, "text")


def _words(message: ClaimedMessage, settings: Settings) -> Rendered:
    recipient = message.recipient
    locale = recipient.locale if recipient is not None else message.payload.get("locale")
    # The payload normally says which time zone its instants are shown in; else the recipient's.
    zone = recipient.timezone if recipient is not None else settings.timezone
    channel = "chat" if message.channel == "chat" else "email"
    return render(message.template, locale, {"timezone": zone, **message.payload}, channel)


def deliver(
    message: ClaimedMessage, settings: Settings, *, timeout: float = DEFAULT_TIMEOUT_SECONDS
) -> Outcome:
    """Resolve, render and send one message; every problem becomes an `Outcome`, never an exception."""
    if message.recipient is not None and not message.recipient.active:
        return Outcome(
            False, f"skipped: {message.recipient.name} is no longer active in the roster", skipped=True
        )
    target = _target(message, settings)
    if target.url is None:
        return Outcome(False, target.problem)
    try:
        words = _words(message, settings)
    except RenderError as exc:  # the same payload will never render: do not retry
        return Outcome(False, str(exc), permanent=True)
    if message.channel == "chat":
        result = send(target.url, "", words.chat, "text", timeout=timeout)
    elif target.body_format == "html":
        result = send(target.url, words.title, words.html, "html", timeout=timeout)
    else:
        result = send(target.url, words.title, words.text, "text", timeout=timeout)
    return Outcome(result.ok, result.error)

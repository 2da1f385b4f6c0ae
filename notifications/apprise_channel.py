"""The one adapter around Apprise: send one message to one target and say plainly what happened.

Why one place (STYLE.md pitfall 5): Apprise's `notify()` returns True (all delivered), False (at
least one failed) or None (nothing matched), and 2.x changes that contract. Everything else in
the project calls `send()` and gets a `DeliveryResult`; only True counts as delivered.

- One target per `Apprise` instance, so a failure names exactly one recipient.
- Apprise reports *why* only through its logger; we capture the records emitted by this thread
  while notifying and turn them into `DeliveryResult.error` (connection refused, HTTP 500, …).
- Every URL gets short socket timeouts (`cto`/`rto`, understood by every Apprise plugin: HTTP
  plugins pass them to requests as (connect, read); the email plugin uses `cto` as smtplib's
  socket timeout for the whole SMTP conversation), unless the URL already sets its own, so a
  hanging server costs seconds, never a stuck dispatcher.
- Email: Apprise 1.x sends one body per message. We send the HTML body with `body_format=html`;
  its email plugin then builds multipart/alternative itself, with a text/plain part converted
  from that HTML. There is no clean way to hand it our own text part (it would mean subclassing
  the plugin), so links are written as visible text in the HTML to survive the conversion.
- Errors never contain the URL itself: SMTP and webhook URLs carry passwords and tokens.
"""

import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import apprise
from apprise.logger import LOGGER_NAME

DEFAULT_TIMEOUT_SECONDS = 10.0
BODY_FORMATS: tuple[str, ...] = ("text", "html", "markdown")
_MAX_ERROR_LENGTH = 1000
_EMAIL_SCHEMES = ("mailto", "mailtos")


@dataclass(frozen=True)
class DeliveryResult:
    """Outcome of one send: `ok` only when Apprise confirmed delivery, else a readable `error`."""

    ok: bool
    error: str | None = None


@dataclass(frozen=True, slots=True)
class _Logged:
    """What `_reason` needs of one Apprise log call: its level and its words, formatted lazily."""

    levelno: int
    msg: object
    args: Any

    def getMessage(self) -> str:  # noqa: N802 (LogRecord's name, so both read alike)
        message = str(self.msg)
        try:
            return message % self.args if self.args else message
        except (TypeError, ValueError, KeyError):  # a malformed call must not cost the message
            return message


class _ThreadLogCapture(logging.Filter):
    """Collects the Apprise log calls of the threads currently sending.

    Installed as a *filter on the apprise logger* (not a handler) so that it sees every record,
    DEBUG included (where Apprise puts "Socket Exception: [Errno 111] Connection refused"), while
    passing on to the application's handlers only what they would have seen anyway: the logger
    level is lowered to DEBUG only while someone listens, and the filter drops records below
    the level that was in force before.

    Apprise logs about five DEBUG/INFO lines for every message it sends, and turning each into a
    `LogRecord` (caller lookup, thread and process names, …) cost about a twentieth of a whole
    send (measured with bench/dispatch.py). So while listening, the logger's `debug` and `info`
    are replaced on that one logger object: a call below the level in force before, made by a
    thread that is capturing, is kept as a `_Logged` and never becomes a record; every other
    call goes to the standard method unchanged, one frame up so its caller is reported right.
    """

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._buffers: dict[int, list[_Logged]] = {}
        self._users = 0
        self._restore_level = logging.NOTSET
        self._pass_level = logging.WARNING
        self._logger = logging.getLogger(LOGGER_NAME)

    def filter(self, record: logging.LogRecord) -> bool:
        buffer = self._buffers.get(threading.get_ident())
        if buffer is not None:
            buffer.append(_Logged(record.levelno, record.msg, record.args))
        return record.levelno >= self._pass_level

    def _shortcut(self, level: int) -> Callable[..., None]:
        standard = logging.Logger.debug if level == logging.DEBUG else logging.Logger.info
        logger = self._logger

        def log(msg: object, *args: Any, **kwargs: Any) -> None:
            buffer = self._buffers.get(threading.get_ident())
            if buffer is not None and level < self._pass_level and not kwargs:
                if len(args) == 1 and isinstance(args[0], Mapping) and args[0]:
                    buffer.append(_Logged(level, msg, args[0]))  # as LogRecord reads one mapping
                else:
                    buffer.append(_Logged(level, msg, args))
                return
            standard(logger, msg, *args, **{**kwargs, "stacklevel": kwargs.get("stacklevel", 1) + 1})

        return log

    @contextmanager
    def listening(self) -> Iterator[None]:
        """Keep the logger lowered, this filter and the shortcuts installed while the block runs.

        Lowering and restoring the level clears the cache of every logger in the process, so a
        caller sending many messages holds this around all of them: each `capture` inside then
        only swaps a buffer.
        """
        with self._lock:
            if self._users == 0:
                self._restore_level = self._logger.level
                self._pass_level = self._logger.getEffectiveLevel()
                self._logger.setLevel(logging.DEBUG)
                self._logger.addFilter(self)
                self._logger.debug = self._shortcut(logging.DEBUG)  # type: ignore[method-assign]
                self._logger.info = self._shortcut(logging.INFO)  # type: ignore[method-assign]
            self._users += 1
        try:
            yield
        finally:
            with self._lock:
                self._users -= 1
                if self._users == 0:
                    vars(self._logger).pop("debug", None)
                    vars(self._logger).pop("info", None)
                    self._logger.removeFilter(self)
                    self._logger.setLevel(self._restore_level)

    @contextmanager
    def capture(self) -> Iterator[list[_Logged]]:
        """What this thread's Apprise calls log inside the block."""
        records: list[_Logged] = []
        with self.listening():
            self._buffers[threading.get_ident()] = records
            try:
                yield records
            finally:
                self._buffers.pop(threading.get_ident(), None)


_CAPTURE = _ThreadLogCapture()


def sending() -> AbstractContextManager[None]:
    """Hold around a run of many `send` calls: sets up Apprise's log capture once, not per message."""
    return _CAPTURE.listening()


def _reason(records: list[_Logged], fallback: str, secrets: tuple[str, ...]) -> str:
    """The warnings and low-level exception details Apprise logged, deduplicated, URLs redacted."""
    lines: list[str] = []
    for record in records:
        message = record.getMessage().strip()
        for secret in secrets:
            message = message.replace(secret, f"{scheme_of(secret)}://…")
        detail = (
            record.levelno >= logging.WARNING
            or "exception" in message.lower()
            or "details" in message.lower()
        )
        if detail and message and message not in lines:
            lines.append(message)
    text = "; ".join(lines) or fallback
    return text if len(text) <= _MAX_ERROR_LENGTH else text[: _MAX_ERROR_LENGTH - 1] + "…"


def scheme_of(url: str) -> str:
    """The URL's scheme (`mailto`, `json`, `mmost`, …): safe to show, unlike the rest of the URL."""
    return url.split("://", 1)[0].lower() if "://" in url else "?"


def with_timeouts(url: str, timeout: float) -> str:
    """`url` with `cto`/`rto` set to `timeout` seconds unless it already chooses its own.

    The URL's own query is kept byte for byte (not decoded and re-encoded), and the two
    parameters are appended; this runs for every message, so it stays a few string operations.
    """
    parts = urlsplit(url)
    names = {pair.split("=", 1)[0].lower() for pair in parts.query.split("&")}
    extra = "&".join(f"{name}={timeout:g}" for name in ("cto", "rto") if name not in names)
    if not extra:
        return url
    return urlunsplit(parts._replace(query=f"{parts.query}&{extra}" if parts.query else extra))


def email_url(smtp_url: str, recipient: str) -> str:
    """The organisation's SMTP URL addressed to exactly `recipient` (Apprise's `?to=` parameter).

    Any targets the configured URL names (in its path, or its own `to`/`cc`/`bcc`) are dropped:
    the outbox row decides who receives the message, never the server configuration.
    """
    parts = urlsplit(smtp_url)
    if parts.scheme.lower() not in _EMAIL_SCHEMES:
        raise ValueError(
            f"the SMTP URL must be a mailto:// or mailtos:// Apprise URL (got {parts.scheme}://)"
        )
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in ("to", "cc", "bcc")
    ]
    query.append(("to", recipient))
    return urlunsplit(parts._replace(path="", query=urlencode(query)))


def send(
    url: str, title: str, body: str, body_format: str, *, timeout: float = DEFAULT_TIMEOUT_SECONDS
) -> DeliveryResult:
    """Deliver `body` (with `title`) to the single Apprise `url`; never raises for delivery problems."""
    if body_format not in BODY_FORMATS:
        raise ValueError(f"body_format must be one of {', '.join(BODY_FORMATS)} (got {body_format!r})")
    scheme = scheme_of(url)
    target = with_timeouts(url, timeout)
    secrets = (target, url)
    with _CAPTURE.capture() as records:
        try:
            notifier = apprise.Apprise()  # it logs its language: inside the capture, like the rest
            added = notifier.add(target)
            outcome = notifier.notify(body=body, title=title, body_format=body_format) if added else None
        except Exception as exc:  # a plugin bug must cost one message, not the dispatcher
            return DeliveryResult(False, f"{scheme}:// raised {type(exc).__name__}: {exc}")
    if not added:
        return DeliveryResult(False, _reason(records, f"not a usable Apprise URL ({scheme}://…)", secrets))
    if outcome is True:
        return DeliveryResult(True)
    if outcome is None:
        return DeliveryResult(False, f"Apprise matched no service for this {scheme}:// URL; nothing was sent")
    return DeliveryResult(
        False, _reason(records, f"{scheme}:// delivery failed (Apprise gave no reason)", secrets)
    )

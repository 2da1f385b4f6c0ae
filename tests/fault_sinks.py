"""An SMTP sink whose behaviour a test changes while it runs: refuse (a 4xx or 5xx reply), stall
past the client's timeout, or act on each arriving message (kill the process sending it).

It extends `demo.local_sinks.SmtpSink` (same port handling, same inbox of `ReceivedMail`); only
the handler differs. Only accepted messages (a 2xx reply) land in the inbox, as with a real
server: a refused or stalled message was never delivered.
"""

import asyncio
import email
from collections.abc import Callable
from email.policy import default as default_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from demo.local_sinks import ReceivedMail, SmtpSink

ACCEPTED = "250 Message accepted"


class _FaultyHandler:
    def __init__(self, sink: "FaultySmtpSink") -> None:
        self.sink = sink

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        sink = self.sink
        sink.attempts += 1
        if sink.stall_seconds:
            await asyncio.sleep(sink.stall_seconds)  # the client gives up first
            return "451 4.3.0 Timed out waiting for the queue"
        if not sink.reply.startswith("2"):
            return sink.reply
        parsed = email.message_from_bytes(envelope.original_content or b"", policy=default_policy)
        sink.inbox.append(ReceivedMail(list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        if sink.on_accept is not None:
            sink.on_accept(len(sink.inbox))  # e.g. SIGKILL the sender before it reads the reply
        return sink.reply


class FaultySmtpSink(SmtpSink):
    """`reply` is what DATA answers (default 250); `stall_seconds` > 0 makes DATA hang that long and
    then refuse; `on_accept(count)` runs after each accepted message is stored, before the reply."""

    def __init__(self, port: int | None = None) -> None:
        super().__init__(port)
        self.reply = ACCEPTED
        self.stall_seconds = 0.0
        self.on_accept: Callable[[int], None] | None = None
        self.attempts = 0

    def start(self) -> "FaultySmtpSink":
        self._controller = Controller(_FaultyHandler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def received(self) -> list[tuple[str, str, str]]:
        """Each accepted message as (recipient, subject, plain text): what tells two messages apart."""
        return [
            (mail.rcpt_tos[0], str(mail.message["Subject"]), mail.part("text/plain")) for mail in self.inbox
        ]


def skip_ca_store(monkeypatch: pytest.MonkeyPatch, directory: Path) -> None:
    """Point OpenSSL at an empty CA store for this test (and the child processes it starts).

    Apprise builds a fresh `ssl.create_default_context()` for every email, even over plain SMTP,
    and loading the system CA store costs about 0.2 s of the ~0.25 s a loopback send takes on
    this machine. These tests only speak plain SMTP and HTTP to loopback, so no certificate is
    ever checked; an empty store makes each send ~10x cheaper and keeps the tests bounded.
    """
    empty = directory / "no-certificates.pem"
    empty.write_text("", encoding="ascii")
    monkeypatch.setenv("SSL_CERT_FILE", str(empty))
    monkeypatch.setenv("SSL_CERT_DIR", str(directory / "no-certificates"))

"""Local message sinks on loopback: an SMTP server and a webhook (chat) server.

For trying delivery without reaching anyone: the delivery tests and the dispatch benchmark use
them as real transports (messages travel through smtplib and HTTP, so they check what a mail
server or Mattermost would receive, not what a mock was called with), and a developer can point
APPRAISAL_SMTP_URL at `SmtpSink().start().url` to watch a demo's outbox go out.
"""

import email
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ReceivedMail:
    """One message as the SMTP server got it: envelope recipients and the parsed message."""

    rcpt_tos: list[str]
    message: EmailMessage

    def part(self, content_type: str) -> str:
        """The decoded body of the first part of `content_type` (text/plain, text/html)."""
        for piece in self.message.walk():
            if piece.get_content_type() == content_type:
                return str(piece.get_content())
        raise AssertionError(f"no {content_type} part in {self.message.get_content_type()} message")


class _MailHandler:
    def __init__(self, inbox: list[ReceivedMail]) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        parsed = email.message_from_bytes(raw, policy=default_policy)
        self.inbox.append(ReceivedMail(list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 Message accepted"


class SmtpSink:
    """An aiosmtpd server on 127.0.0.1 that can be stopped and started again on the same port."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.inbox: list[ReceivedMail] = []
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        """The Apprise URL of this server as the organisation's SMTP account."""
        return f"mailto://127.0.0.1:{self.port}?from=kepegawaian@kota.go.id&name=Kepegawaian"

    def start(self) -> "SmtpSink":
        self._controller = Controller(_MailHandler(self.inbox), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@dataclass
class WebhookCall:
    """One POST as the webhook server got it."""

    path: str
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class WebhookSink:
    """A threaded HTTP server recording POSTs; per-path status codes and delays simulate outages."""

    port: int = field(default_factory=free_port)
    calls: list[WebhookCall] = field(default_factory=list)
    status: dict[str, int] = field(default_factory=dict)
    delay: dict[str, float] = field(default_factory=dict)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, scheme: str, path: str) -> str:
        """An Apprise URL reaching `path` on this server, e.g. url("json", "/hooks/rina")."""
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def paths(self) -> list[str]:
        with self._lock:
            return [call.path for call in self.calls]

    def start(self) -> "WebhookSink":
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"raw": raw.decode("utf-8", "replace")}
                path = self.path.split("?", 1)[0]
                pause = sink.delay.get(path, 0.0)
                if pause:
                    time.sleep(pause)
                with sink._lock:
                    sink.calls.append(WebhookCall(path, body, dict(self.headers.items())))
                code = sink.status.get(path, 200)
                reply = b"ok" if code < 400 else b"server error"
                try:
                    self.send_response(code)
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out first, as the hanging-server test intends

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (signature of the base)
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self._server = server
        threading.Thread(target=server.serve_forever, name=f"webhook-sink-{self.port}", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

"""Hardening that applies to every response: security headers and a limit on request size.

Both are plain ASGI middleware, so they also cover error responses and static files. Links carry
signed tokens in their path, hence `Referrer-Policy: no-referrer` (a token must never leak to
another site through the Referer header) and `Cache-Control: no-store` on pages.
"""

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY_BYTES = 64 * 1024  # a review form with comments is a few kilobytes
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)


class SecurityHeaders:
    """Adds the security headers to every HTTP response (HSTS only when served over HTTPS)."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.headers = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        if https:
            self.headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                headers += self.headers
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestSizeLimit:
    """Refuses a body over `limit` bytes with 413, by its Content-Length or while it streams in."""

    def __init__(self, app: ASGIApp, *, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _too_large(scope, send, self.limit)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise RequestTooLarge
            return message

        try:
            await self.app(scope, counting_receive, send)
        except RequestTooLarge:
            await _too_large(scope, send, self.limit)


class RequestTooLarge(Exception):
    """A streamed body passed the limit."""


async def _too_large(scope: Scope, send: Send, limit: int) -> None:
    """413: plain text for pages; JSON naming the body for the API, as its other refusals do."""
    if str(scope.get("path", "")).startswith("/api/"):
        problem = {"field": "body", "message": f"the request body is larger than {limit} bytes"}
        body = json.dumps({"detail": "request body too large", "problems": [problem]}).encode()
        kind = b"application/json"
    else:
        body, kind = b"Request body too large", b"text/plain; charset=utf-8"
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})

"""CSRF protection for every form: a random token kept in the signed session cookie and echoed
by a hidden field. A form posted from another site cannot know it, so it is refused (403)."""

import hmac
import secrets

from fastapi import HTTPException, Request
from starlette.datastructures import FormData

CSRF_FIELD = "csrf_token"
_SESSION_KEY = "csrf"


def csrf_token(request: Request) -> str:
    """This browser session's token, created on first use."""
    token = request.session.get(_SESSION_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[_SESSION_KEY] = token
    return token


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF field matches the session's token; 403 otherwise."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = request.session.get(_SESSION_KEY)
    if (
        not isinstance(sent, str)
        or not isinstance(expected, str)
        or not hmac.compare_digest(sent.encode(), expected.encode())
    ):
        raise HTTPException(status_code=403, detail="csrf")
    return form

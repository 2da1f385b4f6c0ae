"""Signed links: to a review form, and to an employee's own results. Neither can be forged or altered.

A token carries only a row id (the review's, or the appraisal's), signed with the installation's
secret under a salt of its own, so a review token can never be replayed as a results token. A
review link is valid while its review can still be submitted (the web app checks the review's
stage and status), so no separate expiry date has to be kept in step with deadlines; a results
link is valid while its period is closed.
"""

import hashlib
import hmac
from functools import cache

from itsdangerous import BadSignature, URLSafeSerializer
from itsdangerous.encoding import base64_encode

REVIEW_SALT = "review-form"
RESULTS_SALT = "employee-results"


@cache
def _serializer(secret: str, salt: str) -> URLSafeSerializer:
    """One serializer per (secret, salt): building one derives its key, on every link otherwise."""
    return URLSafeSerializer(secret, salt=salt)


@cache
def _keyed_mac(secret: str, salt: str) -> hmac.HMAC:
    """HMAC-SHA1 under the serializer's own derived key, to be copied for each token.

    A token is what `URLSafeSerializer.dumps(row_id)` makes of an integer: its JSON digits in
    URL-safe base64, a dot, and the HMAC-SHA1 of that under the key itsdangerous derives from
    secret and salt (an integer's JSON never shrinks under zlib, so it is never compressed).
    Built here directly because opening a period signs one link per review: itsdangerous
    derives the key, re-encodes and tries zlib on every call (47 µs a link, about 30 % of an
    opening's CPU at 100,000 staff); a copied keyed MAC takes a few µs. The tokens are the same
    bytes, so links already sent stay valid (tests/test_web_review_forms.py compares them), and
    `_unsign` still verifies through itsdangerous.
    """
    key = _serializer(secret, salt).make_signer().derive_key()
    return hmac.new(key, digestmod=hashlib.sha1)


def _sign(secret: str, salt: str, row_id: int) -> str:
    payload = base64_encode(str(int(row_id)).encode())
    mac = _keyed_mac(secret, salt).copy()
    mac.update(payload)
    return f"{payload.decode()}.{base64_encode(mac.digest()).decode()}"


def _unsign(secret: str, salt: str, token: str) -> int | None:
    """The row id of a genuine token, None for a forged or altered one."""
    try:
        value = _serializer(secret, salt).loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def review_token(secret: str, review_id: int) -> str:
    return _sign(secret, REVIEW_SALT, review_id)


def review_id_from_token(secret: str, token: str) -> int | None:
    return _unsign(secret, REVIEW_SALT, token)


def review_link(base_url: str, secret: str, review_id: int) -> str:
    return f"{base_url.rstrip('/')}/review/{review_token(secret, review_id)}"


def results_token(secret: str, appraisal_id: int) -> str:
    return _sign(secret, RESULTS_SALT, appraisal_id)


def appraisal_id_from_token(secret: str, token: str) -> int | None:
    return _unsign(secret, RESULTS_SALT, token)


def results_link(base_url: str, secret: str, appraisal_id: int) -> str:
    return f"{base_url.rstrip('/')}/results/{results_token(secret, appraisal_id)}"

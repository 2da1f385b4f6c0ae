"""Signed links to review forms: the token names one review and cannot be forged or altered.

The token carries only the review id, signed with the installation's secret. It is valid while
its review can still be submitted (the web app checks the review's stage and status), so no
separate expiry date has to be kept in step with deadlines.
"""

from itsdangerous import BadSignature, URLSafeSerializer

REVIEW_SALT = "review-form"


def review_token(secret: str, review_id: int) -> str:
    return URLSafeSerializer(secret, salt=REVIEW_SALT).dumps(review_id)


def review_id_from_token(secret: str, token: str) -> int | None:
    """The review id of a genuine token, None for a forged or altered one."""
    try:
        value = URLSafeSerializer(secret, salt=REVIEW_SALT).loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def review_link(base_url: str, secret: str, review_id: int) -> str:
    return f"{base_url.rstrip('/')}/review/{review_token(secret, review_id)}"

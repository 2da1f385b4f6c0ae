"""Free text from people (comments on reviews and on public services), made safe to store."""

import re

# Control characters other than tab and newline have no place in a comment (PostgreSQL refuses
# NUL outright); they are dropped, whichever way the comment came in (form, API, CSV).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_comment(comment: str | None) -> str | None:
    """The comment without control characters and surrounding blanks; None when nothing is left."""
    return (CONTROL_CHARACTERS.sub("", comment).strip() or None) if comment is not None else None

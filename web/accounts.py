"""HR sign-in accounts and API bearer tokens: create, check, revoke, list. No web framework here.

Every function takes the session and the clock from its caller, which owns the transaction
(`models.db.write_session`). Audit events record who changed which account, never a password, a
password hash or a token.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlmodel import Session

from config.errors import AppraisalError
from models import ApiToken, HrUser
from models.audit_log import record_events
from models.db import serialise_writers
from web.passwords import hash_password, verify_password

NAME_PATTERN = re.compile(r"[a-z0-9._-]{3,64}")
NAME_RULE = "3 to 64 characters from a-z, 0-9, '.', '_' and '-'"
MIN_PASSWORD_LENGTH = 12
TOKEN_BYTES = 32
# Verified against when a username does not exist, so that answering "no" takes as long as a
# wrong password would; made with the current scrypt parameters (tests check they match).
_DUMMY_HASH = "scrypt$16384$8$1$xDMlU1gfTCnmByS+bxB/Cg==$hLjwQKXBscmU4SlJKBWlnShOH98Fn/8HJG00iJaRX7U="


@dataclass(frozen=True)
class UserLine:
    """One HR user as `appraisal hr list` shows it (no hash)."""

    username: str
    active: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class TokenLine:
    """One API token as `appraisal hr list` shows it (no hash)."""

    name: str
    created_at: datetime
    revoked_at: datetime | None


def _check_name(field: str, value: str) -> None:
    if not NAME_PATTERN.fullmatch(value):
        raise AppraisalError(f"{field}: expected {NAME_RULE}, got {value!r}")


def _check_password(username: str, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AppraisalError(f"password: at least {MIN_PASSWORD_LENGTH} characters, got {len(password)}")
    if password.casefold() == username.casefold():
        raise AppraisalError("password: must not be the username")


def token_hash(token: str) -> str:
    """The SHA-256 hex under which a token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_user(session: Session, username: str, password: str, now: datetime, *, actor: str) -> str:
    """Create `username`, or give an existing one a new password and re-activate it.

    Returns "created" or "updated"; refuses a malformed username and a weak password.
    """
    _check_name("username", username)
    _check_password(username, password)
    password_hash = hash_password(password)
    serialise_writers(session, "hr_user")
    existing = session.execute(select(HrUser.id, HrUser.active).where(HrUser.username == username)).first()
    if existing is None:
        user_id = session.execute(
            insert(HrUser).returning(HrUser.id),
            [{"username": username, "password_hash": password_hash, "active": True, "created_at": now, "updated_at": now}],
        ).scalar_one()  # fmt: skip
        record_events(session, now, actor, "hr_user.create", "hr_user",
                      [(user_id, None, {"username": username, "active": True})])  # fmt: skip
        return "created"
    session.execute(
        update(HrUser).where(HrUser.id == existing.id)
        .values(password_hash=password_hash, active=True, updated_at=now)
    )  # fmt: skip
    record_events(session, now, actor, "hr_user.update", "hr_user", [(
        existing.id,
        {"username": username, "active": existing.active},
        {"username": username, "active": True, "password_changed": True},
    )])  # fmt: skip
    return "updated"


def authenticate(session: Session, username: str, password: str) -> str | None:
    """The username when it names an active user whose password this is; otherwise None.

    One scrypt verification runs whatever the outcome, so the time taken does not tell an
    unknown username from a wrong password or an inactive account.
    """
    row = session.execute(
        select(HrUser.password_hash, HrUser.active).where(HrUser.username == username)
    ).first()
    if row is None:
        verify_password(password, _DUMMY_HASH)
        return None
    if verify_password(password, row.password_hash) and row.active:
        return username
    return None


def add_api_token(session: Session, name: str, now: datetime, *, actor: str) -> str:
    """A new bearer token named `name`; only its hash is stored, so the returned token is shown once."""
    _check_name("name", name)
    serialise_writers(session, "api_token")
    existing = session.execute(select(ApiToken.revoked_at).where(ApiToken.name == name)).first()
    if existing is not None:
        state = "a revoked" if existing.revoked_at is not None else "an active"
        raise AppraisalError(f"name: there is already {state} API token named {name!r}; choose another name")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    token_id = session.execute(
        insert(ApiToken).returning(ApiToken.id),
        [{"name": name, "token_hash": token_hash(token), "created_at": now}],
    ).scalar_one()
    record_events(session, now, actor, "api_token.create", "api_token", [(token_id, None, {"name": name})])
    return token


def token_owner(session: Session, token: str) -> str | None:
    """The name of the token, if it exists and has not been revoked."""
    if not token:
        return None
    return session.execute(
        select(ApiToken.name).where(ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None))
    ).scalar()


def revoke_api_token(session: Session, name: str, now: datetime, *, actor: str) -> bool:
    """Revoke the token named `name`; False when there is no such token or it was already revoked."""
    token_id = session.execute(
        update(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now).returning(ApiToken.id)
    ).scalar()  # fmt: skip
    if token_id is None:
        return False
    record_events(session, now, actor, "api_token.revoke", "api_token",
                  [(token_id, {"name": name, "revoked": False}, {"name": name, "revoked": True})])  # fmt: skip
    return True


def list_users(session: Session) -> list[UserLine]:
    """Every HR user by username, without hashes."""
    rows = session.execute(
        select(HrUser.username, HrUser.active, HrUser.created_at, HrUser.updated_at).order_by(HrUser.username)
    ).all()
    return [UserLine(row.username, row.active, row.created_at, row.updated_at) for row in rows]


def list_tokens(session: Session) -> list[TokenLine]:
    """Every API token by name, revoked ones included, without hashes."""
    rows = session.execute(
        select(ApiToken.name, ApiToken.created_at, ApiToken.revoked_at).order_by(ApiToken.name)
    ).all()
    return [TokenLine(row.name, row.created_at, row.revoked_at) for row in rows]

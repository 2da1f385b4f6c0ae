"""HR staff who sign in to the web app, and bearer tokens for the JSON API.

Neither table ever holds a secret in a form that could be used: passwords are stored as scrypt
hashes (web/passwords.py) and API tokens as the SHA-256 hex of the token, which is shown once.
"""

from datetime import datetime

from sqlalchemy import Boolean, Column, String, true
from sqlmodel import Field, SQLModel

from models.base import UTCDateTime, utc_now


class HrUser(SQLModel, table=True):
    """A person from HR who may use the dashboard; deactivated rather than deleted."""

    __tablename__ = "hr_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    # `scrypt$N$r$p$<salt b64>$<hash b64>`, never the password itself.
    password_hash: str = Field(sa_column=Column(String(255), nullable=False))
    active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=true()))
    created_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))


class ApiToken(SQLModel, table=True):
    """A named bearer token for the API; only its SHA-256 hex is kept, revoked rather than deleted."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    created_at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))

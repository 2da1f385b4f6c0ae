"""HR accounts and API tokens: hashing, the account rules, token lookup, the audit trail, `appraisal hr`."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from cli.main import app
from config.errors import AppraisalError
from models import ApiToken, AuditEvent, HrUser
from models.db import create_db_engine, read_session, write_session
from web import accounts
from web.accounts import add_api_token, add_user, authenticate, revoke_api_token, token_hash, token_owner
from web.passwords import SCRYPT_N, SCRYPT_P, SCRYPT_R, hash_password, verify_password

NOW = datetime(2027, 1, 4, 2, 0, tzinfo=UTC)
LATER = datetime(2027, 1, 5, 2, 0, tzinfo=UTC)
PASSWORD = "kantor-bkpsdm-2027"
OTHER_PASSWORD = "another-long-passphrase"
ACTOR = "test:hr"

runner = CliRunner()


def invoke(*args: str, input: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes is not None else "")


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    db_engine = create_db_engine(database_url)
    yield db_engine
    db_engine.dispose()


def users(engine: Engine) -> list[HrUser]:
    with read_session(engine) as session:
        return list(session.execute(select(HrUser).order_by(HrUser.username)).scalars())


def audit_events(engine: Engine) -> list[AuditEvent]:
    with read_session(engine) as session:
        return list(session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars())


def check(engine: Engine, username: str, password: str) -> str | None:
    with read_session(engine) as session:
        return authenticate(session, username, password)


def owner(engine: Engine, token: str) -> str | None:
    with read_session(engine) as session:
        return token_owner(session, token)


# Passwords


def test_a_hash_verifies_its_password_and_nothing_else() -> None:
    stored = hash_password(PASSWORD)
    assert stored.startswith(f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}$")
    assert PASSWORD not in stored
    assert verify_password(PASSWORD, stored)
    assert not verify_password(PASSWORD + "x", stored)
    assert not verify_password("", stored)


def test_each_hash_has_its_own_salt() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second
    assert first.split("$")[4] != second.split("$")[4]
    assert verify_password(PASSWORD, first) and verify_password(PASSWORD, second)


def test_parameters_are_read_from_the_stored_hash() -> None:
    import base64
    import hashlib

    salt = b"0123456789abcdef"
    key = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=2**12, r=4, p=2, dklen=32)
    stored = f"scrypt$4096$4$2${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"
    assert verify_password(PASSWORD, stored)
    assert not verify_password(OTHER_PASSWORD, stored)


@pytest.mark.parametrize(
    "stored",
    ["", "plain", "bcrypt$16384$8$1$AAAA$AAAA", "scrypt$16384$8$1$!!$AAAA", "scrypt$3$8$1$AAAA$AAAA"],
)
def test_a_malformed_hash_verifies_nothing(stored: str) -> None:
    assert not verify_password(PASSWORD, stored)


def test_the_dummy_hash_costs_what_a_real_one_does() -> None:
    assert accounts._DUMMY_HASH.split("$")[:4] == hash_password("x" * 12).split("$")[:4]


# Users


def test_add_user_creates_then_updates_and_reactivates(engine: Engine) -> None:
    with write_session(engine) as session:
        assert add_user(session, "siti.hr", PASSWORD, NOW, actor=ACTOR) == "created"
    [user] = users(engine)
    assert (user.username, user.active, user.created_at, user.updated_at) == ("siti.hr", True, NOW, NOW)
    assert check(engine, "siti.hr", PASSWORD) == "siti.hr"

    with write_session(engine) as session:
        session.execute(HrUser.__table__.update().values(active=False))  # type: ignore[attr-defined]
    assert check(engine, "siti.hr", PASSWORD) is None  # inactive

    with write_session(engine) as session:
        assert add_user(session, "siti.hr", OTHER_PASSWORD, LATER, actor=ACTOR) == "updated"
    [user] = users(engine)
    assert (user.active, user.created_at, user.updated_at) == (True, NOW, LATER)
    assert check(engine, "siti.hr", OTHER_PASSWORD) == "siti.hr"
    assert check(engine, "siti.hr", PASSWORD) is None  # the old password no longer works
    assert [e.action for e in audit_events(engine)] == ["hr_user.create", "hr_user.update"]


def test_authenticate_refuses_unknown_users_and_wrong_passwords(engine: Engine) -> None:
    with write_session(engine) as session:
        add_user(session, "siti.hr", PASSWORD, NOW, actor=ACTOR)
    assert check(engine, "nobody", PASSWORD) is None
    assert check(engine, "siti.hr", OTHER_PASSWORD) is None
    assert check(engine, "SITI.HR", PASSWORD) is None
    assert check(engine, "siti.hr", "") is None


@pytest.mark.parametrize(
    ("username", "password", "field"),
    [
        ("Siti", PASSWORD, "username"),
        ("si", PASSWORD, "username"),
        ("siti hr", PASSWORD, "username"),
        ("siti\n", PASSWORD, "username"),
        ("s" * 65, PASSWORD, "username"),
        ("siti.hr", "short-pass", "password"),
        ("siti.hr.bkpsdm", "siti.hr.bkpsdm", "password"),
    ],
)
def test_add_user_refuses_bad_usernames_and_weak_passwords(
    engine: Engine, username: str, password: str, field: str
) -> None:
    with pytest.raises(AppraisalError, match=f"^{field}:"), write_session(engine) as session:
        add_user(session, username, password, NOW, actor=ACTOR)
    assert users(engine) == [] and audit_events(engine) == []


# API tokens


def test_a_token_is_stored_only_as_its_hash_and_identifies_its_owner(engine: Engine) -> None:
    with write_session(engine) as session:
        token = add_api_token(session, "grafana", NOW, actor=ACTOR)
    assert len(token) >= 40
    with read_session(engine) as session:
        [row] = session.execute(select(ApiToken)).scalars().all()
    assert row.token_hash == token_hash(token) and len(row.token_hash) == 64
    assert token not in json.dumps([row.name, row.token_hash])
    assert (row.created_at, row.revoked_at) == (NOW, None)
    assert owner(engine, token) == "grafana"
    assert owner(engine, token + "x") is None
    assert owner(engine, "") is None


def test_a_revoked_token_no_longer_works(engine: Engine) -> None:
    with write_session(engine) as session:
        token = add_api_token(session, "grafana", NOW, actor=ACTOR)
        kept = add_api_token(session, "backup-job", NOW, actor=ACTOR)
    with write_session(engine) as session:
        assert revoke_api_token(session, "grafana", LATER, actor=ACTOR) is True
    with write_session(engine) as session:
        assert revoke_api_token(session, "grafana", LATER, actor=ACTOR) is False
        assert revoke_api_token(session, "no-such-token", LATER, actor=ACTOR) is False
    assert owner(engine, token) is None
    assert owner(engine, kept) == "backup-job"
    with read_session(engine) as session:
        revoked_at = session.execute(select(ApiToken.revoked_at).where(ApiToken.name == "grafana")).scalar()
    assert revoked_at == LATER


def test_a_duplicate_token_name_is_refused(engine: Engine) -> None:
    with write_session(engine) as session:
        add_api_token(session, "grafana", NOW, actor=ACTOR)
    with pytest.raises(AppraisalError, match="name: .*already.*'grafana'"), write_session(engine) as session:
        add_api_token(session, "grafana", LATER, actor=ACTOR)
    with read_session(engine) as session:
        assert session.execute(select(ApiToken.name)).scalars().all() == ["grafana"]


def test_the_audit_trail_holds_no_password_hash_or_token(engine: Engine) -> None:
    with write_session(engine) as session:
        add_user(session, "siti.hr", PASSWORD, NOW, actor=ACTOR)
        add_user(session, "siti.hr", OTHER_PASSWORD, LATER, actor=ACTOR)
        token = add_api_token(session, "grafana", NOW, actor=ACTOR)
        revoke_api_token(session, "grafana", LATER, actor=ACTOR)
    [user] = users(engine)
    events = audit_events(engine)
    assert [e.action for e in events] == [
        "hr_user.create",
        "hr_user.update",
        "api_token.create",
        "api_token.revoke",
    ]
    assert {e.actor for e in events} == {ACTOR}
    text = json.dumps([[e.entity, e.entity_id, e.before, e.after] for e in events])
    for secret in (PASSWORD, OTHER_PASSWORD, user.password_hash, token, token_hash(token), "scrypt$"):
        assert secret not in text


# The command line


def test_cli_add_user_reads_the_password_from_stdin(engine: Engine) -> None:
    code, output = invoke("hr", "add-user", "siti.hr", "--password-stdin", input=f"{PASSWORD}\n")
    assert code == 0, output
    assert output.strip() == "created"
    code, output = invoke("hr", "add-user", "siti.hr", "--password-stdin", input=f"{OTHER_PASSWORD}\n")
    assert (code, output.strip()) == (0, "updated")
    assert check(engine, "siti.hr", OTHER_PASSWORD) == "siti.hr"
    assert PASSWORD not in output and OTHER_PASSWORD not in output


def test_cli_add_user_prompts_twice_without_echo(engine: Engine) -> None:
    code, output = invoke("hr", "add-user", "siti.hr", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert code == 0, output
    assert PASSWORD not in output and "created" in output
    assert check(engine, "siti.hr", PASSWORD) == "siti.hr"


@pytest.mark.parametrize(
    ("username", "password", "field"),
    [("Bad Name", PASSWORD, "username"), ("siti.hr", "too-short", "password")],
)
def test_cli_refusals_exit_1_naming_the_field_and_write_nothing(
    engine: Engine, username: str, password: str, field: str
) -> None:
    code, output = invoke("hr", "add-user", username, "--password-stdin", input=f"{password}\n")
    assert code == 1, output
    assert f"{field}:" in output and "Traceback" not in output
    assert users(engine) == [] and audit_events(engine) == []


def test_cli_tokens_and_list(engine: Engine) -> None:
    code, output = invoke("hr", "add-user", "siti.hr", "--password-stdin", input=f"{PASSWORD}\n")
    assert code == 0, output
    code, output = invoke("hr", "add-token", "grafana", "--now", "2027-01-04T09:00+07:00")
    assert code == 0, output
    token = output.splitlines()[0].strip()
    assert "shown only once" in output and "Authorization: Bearer <token>" in output
    assert owner(engine, token) == "grafana"
    assert invoke("hr", "add-token", "backup-job")[0] == 0

    code, output = invoke("hr", "add-token", "grafana")
    assert code == 1 and "grafana" in output and "already" in output

    code, output = invoke("hr", "revoke-token", "grafana", "--now", "2027-01-05T09:00+07:00")
    assert (code, output.strip()) == (0, "revoked grafana")
    assert owner(engine, token) is None
    code, output = invoke("hr", "revoke-token", "grafana")
    assert code == 1 and "no active API token named 'grafana'" in output

    code, output = invoke("hr", "list")
    assert code == 0, output
    lines = output.splitlines()
    assert any("siti.hr" in line and "active" in line for line in lines)
    assert any("grafana" in line and "revoked" in line and "2027-01-05 09:00 WIB" in line for line in lines)
    assert any("backup-job" in line and "active" in line for line in lines)
    [user] = users(engine)
    with read_session(engine) as session:
        hashes = session.execute(select(ApiToken.token_hash)).scalars().all()
    for secret in (token, user.password_hash, *hashes, "scrypt"):
        assert secret not in output

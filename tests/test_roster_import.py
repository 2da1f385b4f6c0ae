"""Roster import: a valid file upserts by NIP; any error class writes nothing at all."""

import logging
from collections.abc import Callable
from pathlib import Path

import apprise
import pytest
from sqlalchemy import select

from ingest.csv_file import CsvRejected
from models import AuditEvent, Employee, Unit
from models.db import create_db_engine, read_session
from roster.contacts import ContactChecks
from roster.load import import_roster
from tests.builders import (
    AGUS,
    ANDI,
    BUDI,
    CHAT_URL,
    DEWI,
    JOKO,
    PUTRI,
    RINA,
    SITI,
    database_snapshot,
    small_roster,
    write_roster,
)  # fmt: skip


def run_import(url: str, path: Path, **options: object) -> object:
    engine = create_db_engine(url)
    try:
        return import_roster(engine, path, default_timezone="Asia/Jakarta", **options)
    finally:
        engine.dispose()


def staff(url: str) -> dict[str, Employee]:
    engine = create_db_engine(url)
    with read_session(engine) as session:
        result = {e.nip: e for e in session.exec(select(Employee)).scalars()}
    engine.dispose()
    return result


def test_valid_roster_creates_units_staff_heads_and_reports_top(database_url: str, tmp_path: Path) -> None:
    summary = run_import(database_url, write_roster(tmp_path / "roster.csv", small_roster()))
    assert (summary.units_created, summary.staff_created, summary.staff_active) == (3, 8, 8)
    assert summary.without_supervisor == [(BUDI, "Budi Santoso", "SETDA")]
    engine = create_db_engine(database_url)
    with read_session(engine) as session:
        by_id = {e.id: e.nip for e in session.exec(select(Employee)).scalars()}
        units = {u.code: u for u in session.exec(select(Unit)).scalars()}
    engine.dispose()
    assert {code: by_id[u.head_id] for code, u in units.items()} == {
        "SETDA": BUDI,
        "DINKES": ANDI,
        "PKM-01": DEWI,
    }
    assert units["PKM-01"].parent_id == units["DINKES"].id and units["SETDA"].parent_id is None
    people = staff(database_url)
    assert by_id[people[AGUS].supervisor_id] == DEWI
    assert people[AGUS].timezone == "Asia/Makassar"  # WITA alias
    assert people[SITI].timezone == "Asia/Jakarta"  # empty → organisation default
    assert people[RINA].name == "Rina Marlina, S.Kep."
    assert people[PUTRI].chat_url.startswith("mmost://") and people[JOKO].chat_url is None


def test_reimport_is_idempotent(database_url: str, tmp_path: Path) -> None:
    path = write_roster(tmp_path / "roster.csv", small_roster())
    run_import(database_url, path)
    before = database_snapshot(database_url)
    summary = run_import(database_url, path)
    assert (summary.staff_created, summary.staff_updated, summary.staff_unchanged) == (0, 0, 8)
    assert not summary.changed
    assert database_snapshot(database_url) == before


def test_changed_row_is_updated_and_audited(database_url: str, tmp_path: Path) -> None:
    rows = small_roster()
    run_import(database_url, write_roster(tmp_path / "a.csv", rows))
    rows[4]["position"] = "Analis Keuangan"
    rows[4]["supervisor_nip"] = RINA
    summary = run_import(database_url, write_roster(tmp_path / "b.csv", rows), actor="cli:hr")
    assert (summary.staff_updated, summary.staff_unchanged) == (1, 7)
    engine = create_db_engine(database_url)
    with read_session(engine) as session:
        joko = session.exec(select(Employee).where(Employee.nip == JOKO)).scalars().one()
        event = session.exec(
            select(AuditEvent).where(AuditEvent.entity_id == str(joko.id), AuditEvent.actor == "cli:hr")
        ).scalars().one()  # fmt: skip
        ids = dict(session.exec(select(Employee.nip, Employee.id)).all())
    engine.dispose()
    rina_id = ids[RINA]
    assert joko.supervisor_id == rina_id
    assert event.before == {"position": "Pengelola Keuangan", "supervisor_id": ids[ANDI]}
    assert event.after == {"position": "Analis Keuangan", "supervisor_id": rina_id}


def test_missing_staff_stay_unless_deactivate_missing(database_url: str, tmp_path: Path) -> None:
    rows = small_roster()
    run_import(database_url, write_roster(tmp_path / "a.csv", rows))
    without_joko = write_roster(tmp_path / "b.csv", [r for r in rows if r["nip"] != JOKO])
    assert run_import(database_url, without_joko).staff_deactivated == 0
    assert staff(database_url)[JOKO].active
    summary = run_import(database_url, without_joko, deactivate_missing=True)
    assert (summary.staff_deactivated, summary.staff_active) == (1, 7)
    assert not staff(database_url)[JOKO].active


def test_partial_file_may_name_supervisors_already_in_the_database(database_url: str, tmp_path: Path) -> None:
    rows = small_roster()
    run_import(database_url, write_roster(tmp_path / "a.csv", rows))
    newcomer = dict(rows[6], nip="199901012022031007", name="Bayu Pratama", email="bayu@kota.go.id")
    summary = run_import(database_url, write_roster(tmp_path / "b.csv", [newcomer]))
    assert (summary.staff_created, summary.staff_active) == (1, 9)


def test_bom_whitespace_and_quoted_commas_are_accepted(database_url: str, tmp_path: Path) -> None:
    path = write_roster(tmp_path / "plain.csv", small_roster())
    lines = path.read_text(encoding="utf-8").splitlines()
    padded = [
        ",".join(f"  {field}  " if '"' not in field else field for field in line.split(",")) for line in lines
    ]
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(padded).encode())
    assert run_import(database_url, path).staff_created == 8
    assert staff(database_url)[RINA].name == "Rina Marlina, S.Kep."


Mutation = Callable[[list[dict[str, str]]], None]


def _set(index: int, column: str, value: str) -> Mutation:
    def mutate(rows: list[dict[str, str]]) -> None:
        rows[index][column] = value

    return mutate


def _many(*mutations: Mutation) -> Mutation:
    def mutate(rows: list[dict[str, str]]) -> None:
        for mutation in mutations:
            mutation(rows)

    return mutate


def _append_copy(index: int, **changes: str) -> Mutation:
    return lambda rows: rows.append(dict(rows[index], **changes))


# (id, mutation of the valid rows, line, column, words the message must contain); line 2 = first row
ROW_ERRORS = [
    ("nip-length", _set(1, "nip", "19800202200501200"), 3, "nip", "18 digits"),
    ("nip-birth-date", _set(1, "nip", "198013022005012001"), 3, "nip", "birth date"),
    ("nip-appointment-month", _set(1, "nip", "198002022005132001"), 3, "nip", "appointment month"),
    ("nip-gender-digit", _set(1, "nip", "198002022005013001"), 3, "nip", "gender digit"),
    ("duplicate-nip", _append_copy(1, email="lain@kota.go.id"), 10, "nip", "first seen on line 3"),
    ("unknown-supervisor", _set(1, "supervisor_nip", "196001011990031009"), 3, "supervisor_nip", "unknown supervisor"),
    ("supervisor-cycle", _many(_set(0, "supervisor_nip", SITI)), 2, "supervisor_nip", "cycle"),
    ("self-supervision", _set(4, "supervisor_nip", JOKO), 6, "supervisor_nip", "themself"),
    ("unknown-parent-unit", _many(*(_set(i, "parent_unit_code", "DINSOS") for i in (5, 6, 7))), 7, "parent_unit_code", "unknown parent unit"),
    ("conflicting-unit-code", _set(3, "unit_name", "Dinas Sosial"), 5, "unit_code", "defined differently on line 4"),
    ("parent-unit-cycle", _many(*(_set(i, "parent_unit_code", "PKM-01") for i in (2, 3, 4))), 4, "parent_unit_code", "cycle"),
    ("invalid-email", _set(2, "email", "andi@@kota"), 4, "email", "not a valid email"),
    ("unknown-timezone", _set(2, "timezone", "Asia/Bandung"), 4, "timezone", "unknown time zone"),
    ("unparseable-chat-url", _set(2, "chat_url", "whatsapp:/nope"), 4, "chat_url", "Apprise cannot parse"),
    ("missing-required-value", _set(2, "name", ""), 4, "name", "required"),
    ("invalid-grade", _set(2, "grade", "golongan 3"), 4, "grade", "golongan"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("mutate", "line", "column", "words"), [e[1:] for e in ROW_ERRORS], ids=[e[0] for e in ROW_ERRORS]
)
def test_row_error_is_reported_and_nothing_written(
    database_url: str, tmp_path: Path, mutate: Mutation, line: int, column: str, words: str
) -> None:
    run_import(
        database_url, write_roster(tmp_path / "good.csv", small_roster()[:2])
    )  # the database is not empty
    before = database_snapshot(database_url)
    rows = small_roster()
    mutate(rows)
    with pytest.raises(CsvRejected) as raised:
        run_import(database_url, write_roster(tmp_path / "bad.csv", rows))
    assert any(i.line == line and i.column == column and words in i.message for i in raised.value.issues), (
        str(raised.value)
    )
    assert database_snapshot(database_url) == before


def _raw(content: bytes) -> Callable[[Path], Path]:
    def write(path: Path) -> Path:
        path.write_bytes(content)
        return path

    return write


HEADER = ",".join(small_roster()[0]).encode()
FILE_ERRORS = [
    ("empty-file", _raw(b""), 1, "-", "empty"),
    ("header-only", _raw(HEADER + b"\n"), 2, "-", "no employee rows"),
    ("missing-column", lambda p: write_roster(p, small_roster(), columns=tuple(c for c in small_roster()[0] if c != "grade")), 1, "grade", "missing"),
    ("undecodable-bytes", _raw(HEADER + b"\n" + b"197001011995031001,Budi \xff\n"), 2, "-", "not UTF-8"),
    ("wrong-field-count", _raw(HEADER + b"\n197001011995031001,Budi\n"), 2, "-", "expected 11 fields"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("write", "line", "column", "words"), [e[1:] for e in FILE_ERRORS], ids=[e[0] for e in FILE_ERRORS]
)
def test_file_error_is_reported_and_nothing_written(
    database_url: str, tmp_path: Path, write: Callable[[Path], Path], line: int, column: str, words: str
) -> None:
    run_import(database_url, write_roster(tmp_path / "good.csv", small_roster()[:2]))
    before = database_snapshot(database_url)
    with pytest.raises(CsvRejected) as raised:
        run_import(database_url, write(tmp_path / "bad.csv"))
    assert any(i.line == line and i.column == column and words in i.message for i in raised.value.issues), (
        str(raised.value)
    )
    assert database_snapshot(database_url) == before


def test_all_errors_are_reported_at_once(database_url: str, tmp_path: Path) -> None:
    rows = small_roster()
    _many(_set(1, "email", "x"), _set(3, "timezone", "Mars/Base"), _set(6, "nip", "1"))(rows)
    with pytest.raises(CsvRejected) as raised:
        run_import(database_url, write_roster(tmp_path / "bad.csv", rows))
    assert {(i.line, i.column) for i in raised.value.issues} >= {(3, "email"), (5, "timezone"), (8, "nip")}
    assert "line 5, column timezone: unknown time zone 'Mars/Base'" in str(raised.value)


def _chat_urls_for_everyone(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    for index, row in enumerate(rows):
        row["chat_url"] = f"mmost://chat.kota.go.id/token{index:03d}abcdefghijklmnopqrst"
    return rows


@pytest.fixture
def chat_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every chat URL goes to the worker process, as a 100,000-person roster's do."""
    monkeypatch.setattr("roster.chat_checks.WORKER_MIN_URLS", 1)


def test_chat_urls_judged_in_the_worker_are_imported(
    database_url: str, tmp_path: Path, chat_worker: None
) -> None:
    summary = run_import(
        database_url, write_roster(tmp_path / "roster.csv", _chat_urls_for_everyone(small_roster()))
    )
    assert summary.staff_created == 8
    assert staff(database_url)[AGUS].chat_url == "mmost://chat.kota.go.id/token006abcdefghijklmnopqrst"


@pytest.mark.parametrize("judged_in", ["worker", "this process"])
def test_bad_chat_url_among_many_is_reported_with_its_line_and_nothing_written(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, judged_in: str
) -> None:
    """A supervisor's bad URL also leaves their staff with an unknown supervisor, as a bad NIP would."""
    monkeypatch.setattr("roster.chat_checks.WORKER_MIN_URLS", 1 if judged_in == "worker" else 10_000)
    run_import(database_url, write_roster(tmp_path / "good.csv", small_roster()[:2]))
    before = database_snapshot(database_url)
    rows = _chat_urls_for_everyone(small_roster())
    rows[5]["chat_url"] = "whatsapp:/nope"  # Dewi, line 7, supervises Agus and Putri
    with pytest.raises(CsvRejected) as raised:
        run_import(database_url, write_roster(tmp_path / "bad.csv", rows))
    assert [(i.line, i.column) for i in raised.value.issues] == [
        (7, "chat_url"),
        (8, "supervisor_nip"),
        (9, "supervisor_nip"),
    ], str(raised.value)
    assert "Apprise cannot parse" in raised.value.issues[0].message
    assert database_snapshot(database_url) == before


def test_reimport_judges_only_chat_urls_not_already_stored_for_that_nip(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _chat_urls_for_everyone(small_roster())
    run_import(database_url, write_roster(tmp_path / "a.csv", rows))
    judged: list[str] = []
    original = ContactChecks.chat_url_parses

    def spy(self: ContactChecks, url: str) -> bool:
        judged.append(url)
        return original(self, url)

    monkeypatch.setattr(ContactChecks, "chat_url_parses", spy)
    assert not run_import(database_url, write_roster(tmp_path / "same.csv", rows)).changed
    assert judged == []
    rows[1]["chat_url"], rows[2]["chat_url"] = rows[2]["chat_url"], "tgram://123456789:abcdefghijk/-100200300"
    summary = run_import(database_url, write_roster(tmp_path / "b.csv", rows))
    assert summary.staff_updated == 2
    assert sorted(judged) == sorted([rows[1]["chat_url"], rows[2]["chat_url"]])  # Siti's is Andi's old one


def test_staff_listed_before_their_supervisors_are_linked_across_every_level(
    database_url: str, tmp_path: Path
) -> None:
    """Four levels (Budi > Andi > Dewi > Agus, Putri) in reverse order: every link is a forward one."""
    rows = small_roster()[::-1]
    summary = run_import(database_url, write_roster(tmp_path / "roster.csv", rows))
    assert summary.staff_created == 8
    people = staff(database_url)
    nip_of = {e.id: e.nip for e in people.values()}
    assert {nip: nip_of.get(e.supervisor_id) for nip, e in people.items()} == {
        row["nip"]: row["supervisor_nip"] or None for row in rows
    }
    assert sorted(people, key=lambda nip: people[nip].id) == [row["nip"] for row in rows]  # ids in file order
    newcomer = dict(rows[0], nip="199901012022031007", name="Bayu Pratama", email="bayu@kota.go.id")
    assert run_import(database_url, write_roster(tmp_path / "more.csv", [newcomer])).staff_created == 1
    assert staff(database_url)["199901012022031007"].id == max(e.id for e in people.values()) + 1


ODD_CHAT_URLS = [
    CHAT_URL, "mmost://", "mmost://host", "mmost://chat.kota.go.id/ab cd", "mmosts://host:99999/token",
    "mmost://host/token?tag=x", "tgram://", "tgram://bot", "tgram://bad token/1", "tgram://bot/chat?format=zzz",
    "tgram://123456789:abcdefghijk/-100200300", "whatsapp:/nope", "xyz://a", "http://x", "json://localhost",
]  # fmt: skip


@pytest.mark.parametrize("url", ODD_CHAT_URLS)
def test_chat_url_verdict_is_apprise_instantiates(url: str) -> None:
    logging.getLogger("apprise").disabled = True  # restored by ContactChecks, not needed for the verdict
    try:
        expected = (
            apprise.Apprise.instantiate(url, asset=apprise.AppriseAsset(secure_logging=False)) is not None
        )
    finally:
        logging.getLogger("apprise").disabled = False
    assert ContactChecks().chat_url_parses(url) == expected

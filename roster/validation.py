"""Judging every roster field and the relations between rows, collecting all problems at once.

The result, a `ValidRoster`, is what the loader writes; nothing is written unless validation
found no problem at all.
"""

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError

from config.zones import TIMEZONE_ALIASES
from ingest.csv_file import CsvIssue, CsvRow
from roster.chat_checks import unparseable
from roster.contacts import ContactChecks
from roster.graph import find_cycles
from roster.nip import nip_problem

UNIT_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
# PNS golongan/ruang (III/a) or PPPK golongan (I … XVII).
PPPK_GRADES = ("I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII").split()
GRADE = re.compile(rf"^(?:(?:I|II|III|IV)/[a-e]|{'|'.join(PPPK_GRADES)})$")
REQUIRED = ("nip", "name", "email", "unit_code", "unit_name", "position", "grade")


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    parent_code: str | None


@dataclass(frozen=True, slots=True)
class EmployeeSpec:
    nip: str
    name: str
    email: str
    chat_url: str | None
    unit_code: str
    position: str
    grade: str
    supervisor_nip: str | None
    timezone: str


@dataclass(frozen=True)
class KnownRoster:
    """What the database already holds, so a partial file may refer to existing units and staff."""

    unit_parents: Mapping[str, str | None] = field(default_factory=dict)
    active_supervisors: Mapping[str, str | None] = field(default_factory=dict)
    chat_urls: Mapping[str, str] = field(default_factory=dict)  # NIP → the chat URL stored for them


@dataclass
class ValidRoster:
    units: dict[str, UnitSpec]
    employees: list[EmployeeSpec]


def _timezone(value: str, default: str) -> str | None:
    name = TIMEZONE_ALIASES.get(value.upper(), value) if value else default
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


class _Validator:
    """Holds the issues found so far; one method per kind of check."""

    def __init__(self, default_timezone: str, unparseable_chat_urls: Collection[str]) -> None:
        self.default_timezone = default_timezone
        self.unparseable_chat_urls = unparseable_chat_urls
        self.issues: list[CsvIssue] = []
        self.contacts = ContactChecks()

    def problem(self, row: CsvRow, column: str, message: str) -> None:
        self.issues.append(CsvIssue(row.line, column, message))

    def employee(self, row: CsvRow) -> EmployeeSpec | None:
        before = len(self.issues)
        for column in REQUIRED:
            if not row[column]:
                self.problem(row, column, "a value is required")
        if row["nip"] and (problem := nip_problem(row["nip"])):
            self.problem(row, "nip", problem)
        email = row["email"]
        if email:
            try:
                email = self.contacts.email(email)
            except EmailNotValidError as exc:
                self.problem(row, "email", f"not a valid email address ({exc})")
        if row["chat_url"] in self.unparseable_chat_urls:
            self.problem(
                row,
                "chat_url",
                "Apprise cannot parse this chat URL (e.g. mmost://host/token, tgram://bot/chat)",
            )
        if row["unit_code"] and not UNIT_CODE.match(row["unit_code"]):
            self.problem(row, "unit_code", "expected 1-32 letters, digits, '.', '_' or '-'")
        if row["grade"] and not GRADE.match(row["grade"]):
            self.problem(row, "grade", "expected a golongan such as III/a or IV/b (PNS) or IX (PPPK)")
        supervisor = row["supervisor_nip"] or None
        if supervisor and (problem := nip_problem(supervisor)):
            self.problem(row, "supervisor_nip", problem)
        timezone = _timezone(row["timezone"], self.default_timezone)
        if timezone is None:
            self.problem(
                row,
                "timezone",
                f"unknown time zone {row['timezone']!r}; expected an IANA name such as Asia/Makassar, or WIB/WITA/WIT",
            )
        if len(self.issues) > before or timezone is None:
            return None
        return EmployeeSpec(
            nip=row["nip"],
            name=row["name"],
            email=email,
            chat_url=row["chat_url"] or None,
            unit_code=row["unit_code"],
            position=row["position"],
            grade=row["grade"],
            supervisor_nip=supervisor,
            timezone=timezone,
        )

    def unique_nips(self, rows: Iterable[CsvRow]) -> None:
        first_line: dict[str, int] = {}
        for row in rows:
            if row["nip"] in first_line:
                self.problem(
                    row, "nip", f"duplicate NIP {row['nip']}, first seen on line {first_line[row['nip']]}"
                )
            else:
                first_line.setdefault(row["nip"], row.line)

    def units(self, rows: Iterable[CsvRow], known: KnownRoster) -> dict[str, UnitSpec]:
        units: dict[str, UnitSpec] = {}
        lines: dict[str, CsvRow] = {}  # where each unit is first defined
        for row in rows:
            code = row["unit_code"]
            if not code:
                continue
            spec = UnitSpec(code, row["unit_name"], row["parent_unit_code"] or None)
            if code not in units:
                units[code], lines[code] = spec, row
            elif units[code] != spec:
                seen = units[code]
                self.problem(
                    row,
                    "unit_code",
                    f"unit {code} is defined differently on line {lines[code].line} "
                    f"(name {seen.name!r}, parent {seen.parent_code or '-'}); one code, one definition",
                )
        parents: dict[str, str | None] = {
            **known.unit_parents,
            **{c: u.parent_code for c, u in units.items()},
        }
        for code, spec in units.items():
            if spec.parent_code and spec.parent_code not in parents:
                self.problem(
                    lines[code],
                    "parent_unit_code",
                    f"unknown parent unit {spec.parent_code!r}: not in the file nor in the database",
                )
        for cycle in find_cycles(parents):
            where = next((lines[c] for c in cycle if c in lines), None)
            if where is not None:
                message = (
                    "unit is its own parent"
                    if len(cycle) == 1
                    else "parent units form a cycle: " + " → ".join(cycle + cycle[:1])
                )
                self.problem(where, "parent_unit_code", message)
        return units

    def supervisors(self, rows: list[CsvRow], employees: list[EmployeeSpec], known: KnownRoster) -> None:
        row_of = {row["nip"]: row for row in rows}
        chains: dict[str, str | None] = {
            **known.active_supervisors,
            **{e.nip: e.supervisor_nip for e in employees},
        }
        for employee in employees:
            supervisor = employee.supervisor_nip
            if supervisor == employee.nip:
                self.problem(row_of[employee.nip], "supervisor_nip", "an employee cannot supervise themself")
            elif supervisor and supervisor not in chains:
                self.problem(
                    row_of[employee.nip],
                    "supervisor_nip",
                    f"unknown supervisor {supervisor}: not in the file nor an active employee in the database",
                )
        for cycle in find_cycles(chains):
            if len(cycle) > 1 and (where := next((row_of[n] for n in cycle if n in row_of), None)):
                self.problem(
                    where, "supervisor_nip", "supervisors form a cycle: " + " → ".join(cycle + cycle[:1])
                )


def chat_urls_to_check(rows: Iterable[CsvRow], known: KnownRoster) -> set[str]:
    """The file's chat URLs that Apprise must judge: each once, and none already stored for the
    same NIP (it passed when it was imported), so re-importing an unchanged roster checks none."""
    return {
        url for row in rows if (url := row["chat_url"]) and known.chat_urls.get(row["nip"]) != url
    }  # fmt: skip


def validate_roster(
    rows: list[CsvRow],
    known: KnownRoster,
    default_timezone: str,
    unparseable_chat_urls: Collection[str] | None = None,
) -> tuple[ValidRoster, list[CsvIssue]]:
    """All problems of `rows` against what the database knows; the roster is usable only if none.

    `unparseable_chat_urls` are Apprise's verdicts when they are judged elsewhere, at the same
    time (`roster.chat_checks`); None judges the file's chat URLs here first.
    """
    if unparseable_chat_urls is None:
        unparseable_chat_urls = unparseable(chat_urls_to_check(rows, known))
    check = _Validator(default_timezone, unparseable_chat_urls)
    check.unique_nips(rows)
    specs = [spec for row in rows if (spec := check.employee(row)) is not None]
    units = check.units(rows, known)
    check.supervisors(rows, specs, known)
    return ValidRoster(units=units, employees=specs), check.issues

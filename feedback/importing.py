"""`appraisal feedback import FILE.csv`: responses collected elsewhere (paper, other survey apps).

The file (DESIGN §9: `unit_code,service_code,service_name,submitted_at,u1…u9,ticket,comment`) is
checked as a whole with the same per-response rules as the public form (`parse_response`), and
every problem is reported with its line and column; any problem means nothing is written. A
service unknown so far is registered under its unit; a known one must keep its registered name
(or leave the name blank). A ticket may rate its service once, in the file and in the database.
Importing the same file again (same bytes) is a no-op, found by its SHA-256.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Table, insert, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from feedback.responses import TICKET_USED, ResponseDraft, parse_response
from feedback.services import check_service_fields
from ingest.csv_file import CsvIssue, CsvRejected, CsvRow, read_csv
from models import FeedbackImport, FeedbackResponse, Service, Unit
from models.audit_log import record_events
from models.db import serialise_writers
from models.feedback import ELEMENTS

FEEDBACK_COLUMNS: tuple[str, ...] = (
    "unit_code",
    "service_code",
    "service_name",
    "submitted_at",
    *ELEMENTS,
    "ticket",
    "comment",
)
ServiceKey = tuple[str, str]  # (unit code, service code)
# The Core table: executemany of plain rows, without the ORM's per-row bulk bookkeeping (profiled:
# the ORM path cost 80 % of an import of 10,000 responses).
RESPONSES: Table = FeedbackResponse.__table__  # type: ignore[attr-defined]


@dataclass
class ImportSummary:
    responses: int = 0
    new_services: list[str] = field(default_factory=list)
    already_imported_at: datetime | None = None  # set when this very file was imported before


@dataclass(frozen=True)
class _Parsed:
    line: int
    service: ServiceKey
    submitted_at: datetime
    draft: ResponseDraft


def _submitted_at(row: CsvRow, now: datetime, issues: list[CsvIssue]) -> datetime | None:
    text = row["submitted_at"]
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        issues.append(
            CsvIssue(
                row.line, "submitted_at", f"expected ISO-8601 such as 2027-03-04T10:15:00+07:00, got {text!r}"
            )
        )
        return None
    if moment.tzinfo is None:
        issues.append(CsvIssue(row.line, "submitted_at", f"needs its UTC offset, e.g. {text}+07:00 for WIB"))
        return None
    if moment > now:
        issues.append(
            CsvIssue(row.line, "submitted_at", f"{text} is in the future (now is {now.isoformat()})")
        )
        return None
    return moment


class _Checker:
    """Checks rows against the file itself and the database; collects every problem."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session, self.now = session, now
        self.issues: list[CsvIssue] = []
        self.units = set(session.execute(select(Unit.code)).scalars())
        # Every registered service's name, read once: one query, not one per row.
        self.registered: dict[ServiceKey, str] = {
            (unit_code, code): name
            for unit_code, code, name in session.execute(
                select(Unit.code, Service.code, Service.name).join(Unit, Unit.id == Service.unit_id)
            )
        }
        self.names: dict[ServiceKey, tuple[str, int]] = {}  # service → (name in this file, first line)
        self.tickets: dict[tuple[ServiceKey, str], int] = {}  # (service, ticket) → first line

    def row(self, row: CsvRow) -> _Parsed | None:
        before = len(self.issues)
        service = (row["unit_code"], row["service_code"])
        self._service(row, service)
        moment = _submitted_at(row, self.now, self.issues)
        draft, problems = parse_response(row.values)
        self.issues += [CsvIssue(row.line, problem.field, problem.message) for problem in problems]
        if draft is not None and draft.ticket is not None:
            first = self.tickets.setdefault((service, draft.ticket), row.line)
            if first != row.line:
                self.issues.append(
                    CsvIssue(
                        row.line,
                        "ticket",
                        f"ticket {draft.ticket} rates this service twice (first on line {first})",
                    )
                )
        if len(self.issues) > before or draft is None or moment is None:
            return None
        return _Parsed(row.line, service, moment, draft)

    def _service(self, row: CsvRow, service: ServiceKey) -> None:
        unit_code, code = service
        if unit_code not in self.units:
            self.issues.append(
                CsvIssue(
                    row.line,
                    "unit_code",
                    f"no unit {unit_code!r} in the roster (`appraisal roster show` lists them)",
                )
            )
            return
        name = row["service_name"]
        registered = self.registered.get(service)
        if registered is not None:
            if name and name != registered:
                self.issues.append(
                    CsvIssue(
                        row.line,
                        "service_name",
                        f"{code} of {unit_code} is registered as {registered!r}; use that name or leave it blank",
                    )
                )
            return
        first = self.names.setdefault(service, (name, row.line))
        if first[1] == row.line:
            self.issues += [
                CsvIssue(row.line, column, message) for column, message in check_service_fields(code, name)
            ]
        elif name and name != first[0]:
            self.issues.append(
                CsvIssue(
                    row.line,
                    "service_name",
                    f"{code} of {unit_code} is named {first[0]!r} on line {first[1]}",
                )
            )

    def tickets_in_database(self, service_ids: dict[ServiceKey, int]) -> None:
        """Tickets of the file that already rated their (existing) service."""
        pairs = {
            (service_ids[key], ticket): line
            for (key, ticket), line in self.tickets.items()
            if key in service_ids
        }
        if not pairs:
            return
        taken = self.session.execute(
            select(FeedbackResponse.service_id, FeedbackResponse.ticket)
            .where(tuple_(FeedbackResponse.service_id, FeedbackResponse.ticket).in_(list(pairs)))
        ).all()  # fmt: skip
        self.issues += [
            CsvIssue(pairs[(sid, ticket)], "ticket", f"{TICKET_USED} ({ticket})") for sid, ticket in taken
        ]


def _service_ids(session: Session) -> dict[ServiceKey, int]:
    rows = session.execute(select(Unit.code, Service.code, Service.id).join(Unit, Unit.id == Service.unit_id))
    return {(unit_code, code): service_id for unit_code, code, service_id in rows}


def _register(session: Session, names: dict[ServiceKey, tuple[str, int]], now: datetime) -> None:
    unit_ids = dict(session.execute(select(Unit.code, Unit.id)).all())
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    rows = [{"unit_id": unit_ids[unit], "code": code, "name": name.strip(), "created_at": now}
            for (unit, code), (name, _) in names.items()]  # fmt: skip
    if rows:
        session.execute(
            dialect.insert(Service).on_conflict_do_nothing(index_elements=["unit_id", "code"]), rows
        )


def import_feedback(session: Session, path: Path, now: datetime, *, actor: str) -> ImportSummary:
    """Import `path` in the caller's transaction; CsvRejected (nothing written) on any problem."""
    rows = read_csv(path, FEEDBACK_COLUMNS, "responses")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    serialise_writers(session, "feedback-import")
    earlier = session.execute(
        select(FeedbackImport.imported_at).where(FeedbackImport.sha256 == digest)
    ).scalar()
    if earlier is not None:
        return ImportSummary(already_imported_at=earlier)
    checker = _Checker(session, now)
    parsed = [item for row in rows if (item := checker.row(row)) is not None]
    checker.tickets_in_database(_service_ids(session))
    if checker.issues:
        raise CsvRejected(str(path), checker.issues)
    _register(session, checker.names, now)
    service_ids = _service_ids(session)
    import_id = session.execute(
        insert(FeedbackImport).returning(FeedbackImport.id),
        [
            {
                "sha256": digest,
                "filename": path.name,
                "responses": len(parsed),
                "actor": actor,
                "imported_at": now,
            }
        ],
    ).scalar_one()
    responses = [{**item.draft.row(service_ids[item.service], item.submitted_at, "import"), "import_id": import_id}
                 for item in parsed]  # fmt: skip
    try:
        with session.begin_nested():
            session.execute(insert(RESPONSES), responses)
    except IntegrityError:  # a ticket taken by a form submission since the check above
        raise CsvRejected(
            str(path), [CsvIssue(0, "ticket", f"{TICKET_USED} while importing; run the import again")]
        ) from None
    new = sorted(f"{unit}/{code}" for unit, code in checker.names)
    record_events(session, now, actor, "feedback.import", "feedback_import",
                  [(import_id, None, {"file": path.name, "sha256": digest, "responses": len(parsed), "new_services": new})])  # fmt: skip
    return ImportSummary(len(parsed), new)

"""Writing a validated roster: upsert units and staff by their codes, in one transaction.

Only rows that really change are written, so re-importing the same file is a no-op (nothing
touched, the summary says so). Writes are bulk statements per table (SQLAlchemy's executemany
path), never one ORM object per employee; each changed employee gets an audit event.
"""

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, bindparam, insert, select, update
from sqlmodel import Session

from ingest.csv_file import CsvRejected
from models import Employee, Unit
from models.audit_log import Change, record_events
from models.base import utc_now
from models.db import serialise_writers, write_session
from models.roster_queries import count_rows, staff_without_supervisor
from roster.csv_file import read_roster_csv
from roster.heads import Member, choose_heads
from roster.validation import EmployeeSpec, KnownRoster, ValidRoster, validate_roster

EMPLOYEE_FIELDS = (
    "name",
    "email",
    "chat_url",
    "unit_id",
    "position",
    "grade",
    "supervisor_id",
    "timezone",
    "active",
)


@dataclass
class RosterSummary:
    """What an import did, for the CLI to print and tests to check."""

    units_created: int = 0
    units_updated: int = 0
    staff_created: int = 0
    staff_updated: int = 0
    staff_unchanged: int = 0
    staff_deactivated: int = 0
    units_total: int = 0
    staff_active: int = 0
    without_supervisor: list[tuple[str, str, str]] = field(default_factory=list)  # nip, name, unit code

    @property
    def changed(self) -> bool:
        counts = (self.units_created, self.units_updated, self.staff_created, self.staff_updated)
        return any(counts) or self.staff_deactivated > 0


@dataclass
class _Import:
    """One import's transaction, clock and actor, with the summary it fills in."""

    session: Session
    now: datetime
    actor: str
    summary: RosterSummary = field(default_factory=RosterSummary)

    def audit(self, changes: list[Change], action: str) -> None:
        record_events(self.session, self.now, self.actor, action, "employee", changes)

    def known(self, deactivate_missing: bool) -> KnownRoster:
        unit_rows = self.session.execute(select(Unit.id, Unit.code, Unit.parent_id)).all()
        code_of = {row.id: row.code for row in unit_rows}
        parents = {row.code: code_of.get(row.parent_id) for row in unit_rows}
        if deactivate_missing:  # everyone absent from the file leaves, so nobody outside it can supervise
            return KnownRoster(unit_parents=parents)
        staff = self.session.execute(
            select(Employee.id, Employee.nip, Employee.supervisor_id).where(Employee.active)
        )
        rows = staff.all()
        nip_of = {row.id: row.nip for row in rows}
        return KnownRoster(parents, {row.nip: nip_of.get(row.supervisor_id) for row in rows})

    def sync_units(self, roster: ValidRoster) -> dict[str, int]:
        existing = {
            row.code: row
            for row in self.session.execute(select(Unit.id, Unit.code, Unit.name, Unit.parent_id))
        }
        new = [u for u in roster.units.values() if u.code not in existing]
        if new:
            rows = [
                {"code": u.code, "name": u.name, "created_at": self.now, "updated_at": self.now} for u in new
            ]
            self.session.execute(insert(Unit), rows)
        ids = dict(self.session.execute(select(Unit.code, Unit.id)).all())
        changes = []
        for unit in roster.units.values():
            parent_id = ids[unit.parent_code] if unit.parent_code else None
            before = existing.get(unit.code)
            if before is None and parent_id is None:
                continue  # inserted complete
            if before is None or (before.name, before.parent_id) != (unit.name, parent_id):
                changes.append(
                    {"id": ids[unit.code], "name": unit.name, "parent_id": parent_id, "updated_at": self.now}
                )
                self.summary.units_updated += before is not None
        if changes:
            self.session.execute(update(Unit), changes)
        self.summary.units_created = len(new)
        return ids

    def sync_employees(self, roster: ValidRoster, unit_ids: dict[str, int]) -> None:
        columns = [getattr(Employee, name) for name in ("id", "nip", *EMPLOYEE_FIELDS)]
        existing = {row.nip: row._asdict() for row in self.session.execute(select(*columns))}
        new = [spec for spec in roster.employees if spec.nip not in existing]
        connection = self.session.connection()  # Core executemany: no ORM bookkeeping per row
        if new:
            connection.execute(
                insert(Employee.__table__), [self._new_employee(spec, unit_ids) for spec in new]
            )
        staff_ids = dict(self.session.execute(select(Employee.nip, Employee.id)).all())
        changes, supervisors, audit = [], [], []
        for spec in roster.employees:
            supervisor_id = staff_ids[spec.supervisor_nip] if spec.supervisor_nip else None
            values = _employee_values(spec, unit_ids[spec.unit_code], supervisor_id)
            before = existing.get(spec.nip)
            if before is None:
                audit.append((staff_ids[spec.nip], None, {"nip": spec.nip, **values}))
                if supervisor_id is not None:  # inserted without: the supervisor had no id yet
                    supervisors.append({"row_id": staff_ids[spec.nip], "supervisor_id": supervisor_id})
                continue
            differs = {name: values[name] for name in EMPLOYEE_FIELDS if before[name] != values[name]}
            if differs:
                audit.append((staff_ids[spec.nip], {name: before[name] for name in differs}, differs))
                self.summary.staff_updated += 1
                changes.append({"row_id": staff_ids[spec.nip], **values, "updated_at": self.now})
        table = Employee.__table__
        if supervisors:
            connection.execute(
                update(table)
                .where(table.c.id == bindparam("row_id"))
                .values(supervisor_id=bindparam("supervisor_id")),
                supervisors,
            )
        if changes:
            columns = {name: bindparam(name) for name in (*EMPLOYEE_FIELDS, "updated_at")}
            connection.execute(
                update(table).where(table.c.id == bindparam("row_id")).values(columns), changes
            )
        self.summary.staff_created = len(new)
        self.summary.staff_unchanged = len(roster.employees) - len(new) - self.summary.staff_updated
        self.audit(audit, "roster.import")

    def _new_employee(self, spec: EmployeeSpec, unit_ids: dict[str, int]) -> dict[str, Any]:
        """Insert values; the supervisor is set in the update pass, once every new NIP has an id."""
        values = _employee_values(spec, unit_ids[spec.unit_code], supervisor_id=None)
        return {"nip": spec.nip, **values, "created_at": self.now, "updated_at": self.now}

    def deactivate_missing(self, roster: ValidRoster) -> None:
        in_file = {spec.nip for spec in roster.employees}
        active = self.session.execute(select(Employee.id, Employee.nip).where(Employee.active)).all()
        leaving = [row.id for row in active if row.nip not in in_file]
        if leaving:
            rows = [{"id": employee_id, "active": False, "updated_at": self.now} for employee_id in leaving]
            self.session.execute(update(Employee), rows)
            self.audit([(i, {"active": True}, {"active": False}) for i in leaving], "roster.deactivate")
        self.summary.staff_deactivated = len(leaving)

    def assign_heads(self) -> None:
        """Store each unit's head; units left without active members lose theirs."""
        staff = self.session.execute(
            select(Employee.id, Employee.nip, Employee.unit_id, Employee.supervisor_id).where(Employee.active)
        )
        heads = choose_heads(Member(*row) for row in staff)
        units = self.session.execute(select(Unit.id, Unit.head_id)).all()
        changes = [
            {"id": u.id, "head_id": heads.get(u.id), "updated_at": self.now}
            for u in units
            if u.head_id != heads.get(u.id)
        ]
        if changes:
            self.session.execute(update(Unit), changes)

    def totals(self) -> None:
        self.summary.without_supervisor = staff_without_supervisor(self.session)
        self.summary.units_total = count_rows(self.session, Unit.id)
        self.summary.staff_active = count_rows(self.session, Employee.id, Employee.active)


def _employee_values(spec: EmployeeSpec, unit_id: int, supervisor_id: int | None) -> dict[str, Any]:
    """The stored columns of an employee (EMPLOYEE_FIELDS) as the file says they should be."""
    return {
        "name": spec.name, "email": spec.email, "chat_url": spec.chat_url, "unit_id": unit_id,
        "position": spec.position, "grade": spec.grade, "timezone": spec.timezone, "active": True,
        "supervisor_id": supervisor_id,
    }  # fmt: skip


def import_roster(
    engine: Engine,
    path: Path,
    *,
    default_timezone: str,
    deactivate_missing: bool = False,
    actor: str = "system",
    now: datetime | None = None,
) -> RosterSummary:
    """Validate `path` completely, then write it in one transaction; CsvRejected writes nothing."""
    rows = read_roster_csv(path)
    with write_session(engine) as session:
        serialise_writers(session, "roster-import")
        job = _Import(session, now or utc_now(), actor)
        roster, issues = validate_roster(rows, job.known(deactivate_missing), default_timezone)
        if issues:
            raise CsvRejected(str(path), issues)
        unit_ids = job.sync_units(roster)
        job.sync_employees(roster, unit_ids)
        if deactivate_missing:
            job.deactivate_missing(roster)
        job.assign_heads()
        job.totals()
        return job.summary

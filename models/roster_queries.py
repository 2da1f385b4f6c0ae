"""Read-only questions about the roster, answered with one aggregate query each."""

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from models.organisation import Employee, Unit


@dataclass(frozen=True)
class UnitOverview:
    code: str
    name: str
    parent_code: str | None
    head_nip: str | None
    head_name: str | None
    active: int
    inactive: int


def unit_overview(session: Session) -> list[UnitOverview]:
    """Every unit with its parent, head and staff counts, ordered by code."""
    parent, head = aliased(Unit), aliased(Employee)
    counts = (
        select(
            Employee.unit_id,
            func.sum(case((Employee.active, 1), else_=0)).label("active"),
            func.sum(case((Employee.active, 0), else_=1)).label("inactive"),
        )
        .group_by(Employee.unit_id)
        .subquery()
    )
    query = (
        select(
            Unit.code,
            Unit.name,
            parent.code,
            head.nip,
            head.name,
            func.coalesce(counts.c.active, 0),
            func.coalesce(counts.c.inactive, 0),
        )  # fmt: skip
        .outerjoin(parent, Unit.parent_id == parent.id)
        .outerjoin(head, Unit.head_id == head.id)
        .outerjoin(counts, counts.c.unit_id == Unit.id)
        .order_by(Unit.code)
    )
    return [UnitOverview(*row) for row in session.execute(query)]


def staff_without_supervisor(session: Session) -> list[tuple[str, str, str]]:
    """(NIP, name, unit code) of active staff with no supervisor: their reviews go to the fallback."""
    query = (
        select(Employee.nip, Employee.name, Unit.code)
        .join(Unit, Employee.unit_id == Unit.id)
        .where(Employee.active, Employee.supervisor_id.is_(None))
        .order_by(Unit.code, Employee.nip)
    )
    return [(nip, name, code) for nip, name, code in session.execute(query)]


def count_rows(session: Session, column: object, *conditions: object) -> int:
    """How many rows of `column`'s table satisfy `conditions` (one COUNT query)."""
    return session.execute(select(func.count(column)).where(*conditions)).scalar_one()


def unit_heads(session: Session) -> dict[int, int]:
    """unit id → head employee id, for every unit that has active members, in one query.

    The roster has no "head" column: a unit's head is the active member whose supervisor sits
    outside the unit (or is inactive, or absent). If several qualify, the one with most direct
    reports inside the unit wins, then the smallest NIP, so the choice is deterministic.
    """
    member, boss = aliased(Employee), aliased(Employee)
    reports = (
        select(member.supervisor_id.label("id"), func.count().label("count"))
        .join(boss, (boss.id == member.supervisor_id) & (boss.unit_id == member.unit_id) & boss.active)
        .where(member.active)
        .group_by(member.supervisor_id)
        .subquery()
    )
    rank = func.row_number().over(
        partition_by=member.unit_id, order_by=(func.coalesce(reports.c.count, 0).desc(), member.nip)
    )
    candidates = (
        select(member.unit_id, member.id, rank.label("rank"))
        .outerjoin(boss, (boss.id == member.supervisor_id) & boss.active)
        .outerjoin(reports, reports.c.id == member.id)
        .where(member.active, (boss.id.is_(None)) | (boss.unit_id != member.unit_id))
        .subquery()
    )
    query = select(candidates.c.unit_id, candidates.c.id).where(candidates.c.rank == 1)
    return {unit_id: head_id for unit_id, head_id in session.execute(query)}

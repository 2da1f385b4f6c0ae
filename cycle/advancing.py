"""Advancing appraisals through the stages (DESIGN §4), set-based and safe to run twice at once.

For each review stage in order: unsubmitted reviews past their deadline become `missed`; then
one conditional UPDATE moves every appraisal whose stage has no open review left (all submitted
or missed) to the next stage — `WHERE stage = <from>` makes the move happen once even when two
runs race; then the next stage's reviews are created with INSERT … SELECT (supervisor) or batched
inserts (peers). Each appraisal moves on its own.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, insert, literal, select, update
from sqlalchemy.orm import aliased
from sqlmodel import Session

from config.cycles import CycleDefinition, OrganisationConfig
from cycle.deadlines import assign_due_dates, deadlines_by_zone
from cycle.peers import Person, choose_peers
from cycle.stages import NEXT_STAGE, REVIEW_KIND, REVIEW_STAGES
from models import Appraisal, Employee, Period, Review, Unit
from models.audit_log import record_events
from models.batches import batches
from models.bulk_writes import BulkStatement
from models.db import serialise_writers
from notifications.reminder_policy import LinkSettings, enqueue_invitations

PENDING = ("open", "waiting")


@dataclass
class AdvanceReport:
    """What one run did to one period: reviews marked missed and appraisals moved, per stage."""

    period_key: str
    missed: Counter[str] = field(default_factory=Counter)  # review kind → count
    moved: Counter[str] = field(default_factory=Counter)  # "from→to" → count
    without_reviewer: int = 0  # supervisor stages passed with nobody to review (no fallback found)

    @property
    def changed(self) -> bool:
        return bool(self.missed or self.moved)


class _Run:
    """One advance of one period, inside the caller's transaction.

    Its UPDATEs skip the ORM's session synchronisation: no appraisal or review is loaded as an
    object here, and the default would fetch and match every updated id.
    """

    def __init__(
        self, session: Session, period: Period, now: datetime, actor: str, invite: LinkSettings | None
    ) -> None:
        self.session, self.period, self.now, self.actor, self.invite = session, period, now, actor, invite
        snapshot = period.cycle_snapshot
        self.cycle = CycleDefinition.model_validate(snapshot["cycle"])
        self.organisation = OrganisationConfig.model_validate(snapshot["organisation"])
        self.report = AdvanceReport(period.key)

    def in_stage(self, stage: str) -> object:
        return and_(Appraisal.period_id == self.period.id, Appraisal.stage == stage)

    def mark_missed(self, stage: str) -> None:
        kind = REVIEW_KIND[stage]
        statement = (
            update(Review)
            .where(
                Review.kind == kind,
                Review.status == "open",
                Review.due_at < self.now,
                Review.appraisal_id.in_(select(Appraisal.id).where(self.in_stage(stage))),
            )
            .values(status="missed")
            .returning(Review.id)
            .execution_options(synchronize_session=False)
        )
        ids = self.session.execute(statement).scalars().all()
        self.record(ids, "review.missed", "review", {"status": "open"}, {"status": "missed"})
        if ids:
            self.report.missed[kind] += len(ids)

    def record(
        self, ids: Sequence[int], action: str, entity: str, before: dict[str, Any], after: dict[str, Any]
    ) -> None:
        """The same change to every row of `ids` audited `BATCH` events at a time: a 100,000-staff
        stage move would otherwise build all its audit rows at once."""
        for batch in batches(ids, BATCH):
            record_events(
                self.session, self.now, self.actor, action, entity, [(i, before, after) for i in batch]
            )

    def move_complete(self, stage: str) -> list[int]:
        kind, target = REVIEW_KIND[stage], NEXT_STAGE[stage]
        pending = exists().where(
            Review.appraisal_id == Appraisal.id, Review.kind == kind, Review.status.in_(PENDING)
        )
        statement = (
            update(Appraisal)
            .where(self.in_stage(stage), ~pending)
            .values(stage=target, stage_started_at=self.now, updated_at=self.now)
            .returning(Appraisal.id)
            .execution_options(synchronize_session=False)
        )
        ids = self.session.execute(statement).scalars().all()
        self.record(ids, "appraisal.stage", "appraisal", {"stage": stage}, {"stage": target})
        if ids:
            self.report.moved[f"{stage}→{target}"] += len(ids)
        return ids

    def open_supervisor_reviews(self) -> None:
        """Supervisor, else the fallback (parent unit's head or HR's head) — never the employee."""
        unit, parent = aliased(Unit), aliased(Unit)
        parent_head = (
            select(parent.head_id)
            .join(unit, unit.parent_id == parent.id)
            .where(unit.id == Employee.unit_id)
            .scalar_subquery()
        )
        hr_head = select(Unit.head_id).where(Unit.code == self.organisation.hr_unit_code).scalar_subquery()
        fallbacks = [hr_head] if self.cycle.fallback_reviewer == "hr" else [parent_head, hr_head]
        reviewer = func.coalesce(Employee.supervisor_id, *(func.nullif(f, Employee.id) for f in fallbacks))
        waiting = self.in_stage("supervisor_review") & ~exists().where(
            Review.appraisal_id == Appraisal.id, Review.kind == "supervisor"
        )
        candidates = (
            select(Appraisal.id, reviewer.label("reviewer_id"))
            .join(Employee, Employee.id == Appraisal.employee_id)
            .where(waiting)
            .subquery()
        )
        self.session.execute(
            insert(Review).from_select(
                ["appraisal_id", "reviewer_id", "kind", "status", "opened_at"],
                select(candidates.c.id, candidates.c.reviewer_id, literal("supervisor"), literal("open"), literal(self.now, Review.opened_at.type))
                .where(candidates.c.reviewer_id.is_not(None)),
            )
        )  # fmt: skip
        self.date_reviews("supervisor", self.cycle.stages.supervisor_review)

    def open_peer_reviews(self, moved: list[int]) -> None:
        count = self.cycle.peers.count
        if not moved or count == 0:
            return
        staff = self.session.execute(
            select(Employee.id, Employee.nip, Employee.unit_id, Employee.supervisor_id, Employee.timezone).where(Employee.active)
        ).all()  # fmt: skip
        people = [Person(*row[:4]) for row in staff]
        # Inserted with their deadlines: dating 300,000 new reviews in a second pass (as the other
        # stages do) was an UPDATE of every one, 15 s on PostgreSQL.
        country = self.organisation.holidays_country
        due = deadlines_by_zone(
            self.now, self.cycle.stages.peer_review or 1, {row.timezone for row in staff}, country
        )
        zone_of = {row.id: row.timezone for row in staff}
        by_id = {p.id: p for p in people}
        reviewees = [
            row
            for batch in batches(moved, BATCH)
            for row in self.session.execute(
                select(Appraisal.id, Appraisal.employee_id).where(Appraisal.id.in_(batch))
            )
        ]
        load = Counter(self.session.execute(
            select(Review.reviewer_id).join(Appraisal, Appraisal.id == Review.appraisal_id)
            .where(Appraisal.period_id == self.period.id, Review.kind == "peer")
        ).scalars().all())  # fmt: skip
        unit_parent = dict(self.session.execute(select(Unit.id, Unit.parent_id)).all())
        appraisal_of = {employee_id: appraisal_id for appraisal_id, employee_id in reviewees}
        # Whoever did the supervisor review (the supervisor, or the fallback for staff without
        # one) counts as the supervisor: they must not also review the same person as a peer.
        supervised_by = {appraisal: reviewer for batch in batches(moved, BATCH) for appraisal, reviewer in self.session.execute(
            select(Review.appraisal_id, Review.reviewer_id).where(Review.appraisal_id.in_(batch), Review.kind == "supervisor")
        )}  # fmt: skip
        chosen = choose_peers(
            [
                by_id[e]._replace(supervisor_id=supervised_by.get(a, by_id[e].supervisor_id))
                for e, a in appraisal_of.items()
                if e in by_id
            ],
            people,
            unit_parent,
            count=count,
            salt=self.period.key,
            load=load,
        )
        # `BATCH` rows at a time through models/bulk_writes.py (tuples to the driver on SQLite, COPY
        # on PostgreSQL): the ORM's per-row bulk bookkeeping cost more than the insert, and 300,000
        # rows at once cost hundreds of MB.
        statement = BulkStatement.insert(self.session.connection(), Review.__table__, PEER_REVIEW_COLUMNS)
        rows = (
            (appraisal_of[reviewee], peer, "peer", "open", self.now, due[zone_of[peer]])
            for reviewee, peers in chosen.items()
            for peer in peers
        )
        for batch in batches(rows, BATCH):
            statement.run(batch)
        self.invite_opened("peer")

    def date_reviews(self, kind: str, days: int) -> None:
        """Deadlines for the `kind` reviews just opened, then their invitations."""
        country = self.organisation.holidays_country
        assign_due_dates(
            self.session,
            period_id=self.period.id,
            kind=kind,
            opened_at=self.now,
            working_days=days,
            country=country,
        )
        self.invite_opened(kind)

    def invite_opened(self, kind: str) -> None:
        """Queue the invitations of the `kind` reviews opened by this run (when it invites)."""
        if self.invite is not None:
            enqueue_invitations(
                self.session,
                self.now,
                self.invite,
                Appraisal.period_id == self.period.id,
                Review.kind == kind,
                Review.opened_at == self.now,
            )

    def run(self) -> AdvanceReport:
        for stage in REVIEW_STAGES:
            self.mark_missed(stage)
            moved = self.move_complete(stage)
            if NEXT_STAGE[stage] == "supervisor_review" and moved:
                self.open_supervisor_reviews()
            elif NEXT_STAGE[stage] == "peer_review":
                self.open_peer_reviews(moved)
        self.report.without_reviewer = self._without_reviewer()
        return self.report

    def _without_reviewer(self) -> int:
        has_supervisor_review = exists().where(
            Review.appraisal_id == Appraisal.id, Review.kind == "supervisor"
        )
        stage_after = Appraisal.stage.in_(("peer_review", "calibration", "closed"))
        query = select(func.count(Appraisal.id)).where(
            Appraisal.period_id == self.period.id, stage_after, ~has_supervisor_review
        )
        return self.session.execute(query).scalar_one()


# Rows per statement: ids per IN list (PostgreSQL's psycopg takes at most 65,535 parameters a
# statement, some SQLite builds 32,766), audit events and peer reviews per insert. A 100,000-staff
# advance moves 100,000 appraisals and opens 300,000 peer reviews at once; batches keep its memory
# flat while the whole run stays one transaction.
BATCH = 10_000
PEER_REVIEW_COLUMNS = ("appraisal_id", "reviewer_id", "kind", "status", "opened_at", "due_at")


def advance_period(
    session: Session,
    period: Period,
    now: datetime,
    *,
    actor: str = "system",
    invite: LinkSettings | None = None,
) -> AdvanceReport:
    """Move every appraisal of an open period as far as submissions and deadlines allow.

    With `invite`, the invitations of the reviews this run opens are queued in its transaction.
    """
    serialise_writers(session, f"advance:{period.id}")
    return _Run(session, period, now, actor, invite).run()


def open_periods(session: Session) -> list[Period]:
    """Periods the advance flow works on."""
    return list(session.execute(select(Period).where(Period.status == "open").order_by(Period.id)).scalars())

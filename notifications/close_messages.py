"""At close: each employee gets their predikat and recommendations, each supervisor a team summary.

Queued by the close itself, in its transaction (DESIGN §2), and held until each recipient's
office hours. The dedupe keys carry the close's time, so a reopened and re-closed period tells
people its new results once more, while a repeated close (which changes nothing) queues nothing.
"""

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from config.cycles import OrganisationConfig
from cycle.period_scores import ScoredAppraisal
from cycle.recommendations import Advice
from models import Appraisal, Employee, Period
from notifications.reminder_policy import LinkSettings, Person, next_office_start, rows_for_person
from web.links import results_link

Rows = list[dict[str, Any]]


class CloseMessages:
    """The outbox rows of one close, built batch by batch as the close stores its figures: `result`
    per appraised (active) employee, then `team_summary` per supervisor."""

    def __init__(self, session: Session, period: Period, now: datetime, links: LinkSettings) -> None:
        self.session, self.period, self.links = session, period, links
        self.stamp = f"{now:%Y%m%dT%H%M%S}"
        self.held = _Hold(now, OrganisationConfig.model_validate(period.cycle_snapshot["organisation"]))

    def results(self, scored: list[ScoredAppraisal], advice: list[Advice]) -> Rows:
        """`result` rows for the appraisals `scored` (active staff only), with the signed link to
        their results page and their recommendations among `advice`."""
        people = {
            row.appraisal_id: row
            for row in self.session.execute(
                select(Appraisal.id.label("appraisal_id"), Employee.id, Employee.name, Employee.chat_url, Employee.timezone)
                .join(Employee, Employee.id == Appraisal.employee_id)
                .where(Appraisal.id.in_([item.appraisal_id for item in scored]), Employee.active)
            )
        }  # fmt: skip
        by_appraisal: dict[int, list[Advice]] = defaultdict(list)
        for item in advice:
            by_appraisal[item.appraisal_id].append(item)
        rows: Rows = []
        for item in scored:
            person = people.get(item.appraisal_id)
            if person is None:
                continue
            payload = {"name": person.name, "period_key": self.period.key, "predikat": item.predikat, "incomplete_reason": item.score.incomplete_reason if item.predikat is None else None,
                       "result_rating": item.score.result_rating, "behaviour_rating": item.score.behaviour_rating, "final_score": item.score.final_score,
                       "recommendations": [{"kind": a.kind, "reason_id": a.reason_id, "reason_en": a.reason_en} for a in by_appraisal[item.appraisal_id]],
                       "link": results_link(self.links.base_url, self.links.secret, item.appraisal_id)}  # fmt: skip
            rows += self.held(rows_for_person(Person(person.id, person.name, person.chat_url), f"result:{item.appraisal_id}:{self.stamp}", "result", payload),
                              person.timezone)  # fmt: skip
        return rows

    def team_summaries(self, batch_size: int) -> Iterator[Rows]:
        """`team_summary` rows per active supervisor of the period's appraised active staff, for teams
        of about `batch_size` members at a time. Read back from the stored predikat: a team spans
        units and batches, so this runs once every batch is stored."""
        chunk: list[Row[Any]] = []
        members = 0
        for team in self._supervisors():
            if chunk and members + team.members > batch_size:
                yield self._team_rows(chunk)
                chunk, members = [], 0
            chunk.append(team)
            members += team.members
        if chunk:
            yield self._team_rows(chunk)

    def _supervisors(self) -> Sequence[Row[Any]]:
        """Each active supervisor of the period's appraised active staff, with their team's size."""
        supervisor, member = aliased(Employee), aliased(Employee)
        return self.session.execute(
            select(supervisor.id, supervisor.name, supervisor.chat_url, supervisor.timezone, func.count().label("members"))
            .join(member, member.supervisor_id == supervisor.id).join(Appraisal, Appraisal.employee_id == member.id)
            .where(Appraisal.period_id == self.period.id, member.active, supervisor.active)
            .group_by(supervisor.id, supervisor.name, supervisor.chat_url, supervisor.timezone).order_by(supervisor.id)
        ).all()  # fmt: skip

    def _team_rows(self, supervisors: list[Row[Any]]) -> Rows:
        teams: dict[int, list[dict[str, Any]]] = defaultdict(list)
        members = self.session.execute(
            select(Employee.supervisor_id, Employee.name, Employee.nip, Appraisal.predikat)
            .join(Appraisal, Appraisal.employee_id == Employee.id)
            .where(Appraisal.period_id == self.period.id, Employee.active, Employee.supervisor_id.in_([s.id for s in supervisors]))
        )  # fmt: skip
        for supervisor_id, name, nip, predikat in members:
            teams[supervisor_id].append({"name": name, "nip": nip, "predikat": predikat})
        rows: Rows = []
        for supervisor_id, name, chat_url, zone, _ in supervisors:
            payload = {
                "supervisor_name": name,
                "period_key": self.period.key,
                "members": sorted(teams[supervisor_id], key=lambda m: m["nip"]),
            }
            rows += self.held(rows_for_person(Person(supervisor_id, name, chat_url), f"team:{self.period.key}:{supervisor_id}:{self.stamp}", "team_summary", payload),
                              zone)  # fmt: skip
        return rows


class _Hold:
    """Holds rows until the recipient's office hours. The start depends only on the time zone, so it
    is worked out once per zone of this close, not once per employee (the working-day calendar
    made that a tenth of closing 10,000 staff, profiled)."""

    def __init__(self, now: datetime, organisation: OrganisationConfig) -> None:
        self.now, self.organisation = now, organisation
        self.starts: dict[str, datetime] = {}

    def __call__(self, rows: list[dict[str, Any]], zone: str) -> list[dict[str, Any]]:
        if zone not in self.starts:
            self.starts[zone] = next_office_start(self.now, zone, self.organisation)
        return [{**row, "next_attempt_at": self.starts[zone]} for row in rows]

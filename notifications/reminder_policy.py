"""Which reminders are due now (DESIGN §7), as outbox rows with dedupe keys.

A review's `due_at` is the hard end of its stage: after it the review is missed. The cycle's
`reminders.overdue_daily_limit` working days before that end form the overdue window, so the
*target* day staff are asked to meet is `overdue_daily_limit` working days before `due_at`:

- invitation once, as soon as the recipient is in office hours after the review opened;
- `before_due_working_days` reminders N working days before the target, one on the target day;
- one overdue reminder a day after the target until the stage ends (at most the limit);
- an escalation to the reviewer's supervisor once the review is `escalate_after_overdue_days`
  working days overdue;
- a daily digest to HR per open period.

Nothing is planned for a recipient outside office hours, on a weekend or on a national holiday
in their own time zone; the next run in office hours plans it. Dedupe keys carry the
recipient's local date, so running the planner twice on a day adds nothing.
"""

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from config.cycles import CycleDefinition, OrganisationConfig
from cycle.calendar import (
    END_OF_DAY,
    add_working_days,
    is_working_day,
    working_days_before,
    working_days_between,
)
from models import Appraisal, Employee, Notification, Period, Review, Unit
from models.db import plan_streams_for_the_whole_result
from models.progress_queries import stage_progress
from notifications.dispatch import enqueue
from web.links import review_link

# Open reviews the planner fetches at a time: bounds its memory whatever the period's size.
REVIEW_PAGE = 10_000


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    chat_url: str | None


@dataclass(frozen=True)
class _OpenReview:
    id: int
    kind: str
    due_at: datetime
    period: Period
    reviewer: Person
    reviewer_nip: str
    reviewer_zone: str
    supervisor_id: int | None
    reviewee_name: str
    reviewee_nip: str
    unit_code: str


def rows_for_person(person: Person, key: str, template: str, payload: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per channel of the person: email always, chat when the roster gives a chat URL."""
    channels = ["email"] + (["chat"] if person.chat_url else [])
    return [{"dedupe_key": f"{key}:{channel}", "recipient_id": person.id, "channel": channel, "template": template,
             "payload": payload} for channel in channels]  # fmt: skip


def in_office_hours(now: datetime, zone: str, organisation: OrganisationConfig) -> date | None:
    """The recipient's local date when `now` is inside their office hours on a working day, else None."""
    local = now.astimezone(ZoneInfo(zone))
    inside = organisation.office_hours.contains(local.time())
    return local.date() if inside and is_working_day(local.date(), organisation.holidays_country) else None


def next_office_start(now: datetime, zone: str, organisation: OrganisationConfig) -> datetime:
    """`now` if it is inside the recipient's office hours, else when their next office day starts."""
    if in_office_hours(now, zone, organisation):
        return now
    local = now.astimezone(ZoneInfo(zone))
    day = local.date()
    if local.time() >= organisation.office_hours.start or not is_working_day(
        day, organisation.holidays_country
    ):
        day = add_working_days(day, 1, organisation.holidays_country)
    return datetime.combine(day, organisation.office_hours.start, tzinfo=ZoneInfo(zone))


def _definitions(period: Period) -> tuple[CycleDefinition, OrganisationConfig]:
    snapshot = period.cycle_snapshot
    return CycleDefinition.model_validate(snapshot["cycle"]), OrganisationConfig.model_validate(
        snapshot["organisation"]
    )


class ReminderPlanner:
    """Plans the rows for one run; `base_url` and `secret` build each review's signed link."""

    def __init__(self, session: Session, now: datetime, base_url: str, secret: str) -> None:
        self.session, self.now, self.base_url, self.secret = session, now, base_url, secret
        # Per period, the definitions validated once for this run (re-validating the snapshot per
        # review was about half of opening a 10,000-staff period, profiled); per time zone and
        # period, the next office-hours start from `now`; per due time, zone and period, the
        # target day (reviews opened together share it; counting working days back for each of
        # 100,000 reviews was a tenth of queuing their invitations, profiled).
        self._periods: dict[int, tuple[CycleDefinition, OrganisationConfig]] = {}
        self._starts: dict[tuple[str, int], datetime] = {}
        self._targets: dict[tuple[datetime, str, int], tuple[date, str]] = {}

    def _definitions(self, period: Period) -> tuple[CycleDefinition, OrganisationConfig]:
        if period.id not in self._periods:
            self._periods[period.id] = _definitions(period)  # type: ignore[index]
        return self._periods[period.id]  # type: ignore[index]

    def _office_start(self, zone: str, period: Period) -> datetime:
        key = (zone, period.id)
        if key not in self._starts:
            self._starts[key] = next_office_start(self.now, zone, self._definitions(period)[1])  # type: ignore[index]
        return self._starts[key]  # type: ignore[index]

    def _target(self, review: _OpenReview) -> tuple[date, str]:
        """The review's target day (the overdue window before `due_at`), and that day's end as text."""
        key = (review.due_at, review.reviewer_zone, review.period.id)
        if key not in self._targets:
            cycle, organisation = self._definitions(review.period)
            zone = ZoneInfo(review.reviewer_zone)
            target = working_days_before(
                review.due_at.astimezone(zone).date(),
                cycle.reminders.overdue_daily_limit,
                organisation.holidays_country,
            )
            self._targets[key] = target, datetime.combine(target, END_OF_DAY, tzinfo=zone).isoformat()  # type: ignore[index]
        return self._targets[key]  # type: ignore[index]

    def _open_reviews(self, *conditions: Any) -> Iterator[_OpenReview]:
        """The open reviews matching `conditions`, in id order, streamed `REVIEW_PAGE` rows at a time:
        a 100,000-staff peer stage opens 300,000 reviews, too many to hold at once. One query, not
        keyset pages: SQLite reads open reviews through their status index, so each page would join
        and sort every review after it again (most of queuing a 100,000-staff peer stage's
        invitations, profiled)."""
        reviewer, reviewee = aliased(Employee), aliased(Employee)
        periods = {
            p.id: p for p in self.session.execute(select(Period).where(Period.status == "open")).scalars()
        }
        plan_streams_for_the_whole_result(self.session)
        rows = self.session.execute(
            select(Review.id, Review.kind, Review.due_at, Appraisal.period_id, reviewer.id, reviewer.name, reviewer.chat_url, reviewer.nip,
                   reviewer.timezone, reviewer.supervisor_id, reviewee.name, reviewee.nip, Unit.code)
            .join(Appraisal, Appraisal.id == Review.appraisal_id).join(reviewer, reviewer.id == Review.reviewer_id)
            .join(reviewee, reviewee.id == Appraisal.employee_id).join(Unit, Unit.id == Appraisal.unit_id)
            .where(Review.status == "open", Appraisal.period_id.in_(list(periods)), reviewer.active, Review.due_at.is_not(None), *conditions)
            .order_by(Review.id)
            .execution_options(yield_per=REVIEW_PAGE)
        )  # fmt: skip
        for rid, kind, due, pid, uid, name, chat, nip, zone, sup, ree_name, ree_nip, unit in rows:
            yield _OpenReview(rid, kind, due, periods[pid], Person(uid, name, chat), nip, zone, sup, ree_name, ree_nip, unit)  # fmt: skip

    def plan(self) -> list[dict[str, Any]]:
        reviews = list(self._open_reviews())
        supervisors = self._people({r.supervisor_id for r in reviews if r.supervisor_id})
        rows: list[dict[str, Any]] = []
        overdue: Counter[tuple[int, str]] = Counter()
        for review in reviews:
            cycle, organisation = self._definitions(review.period)
            today = in_office_hours(self.now, review.reviewer_zone, organisation)
            if today is None:
                continue
            rows += self._for_review(review, cycle, organisation, today, supervisors, overdue)
        return rows + self._digests(overdue)

    def _payload(self, review: _OpenReview) -> tuple[dict[str, Any], date]:
        """The message fields of a review, and its target day (the overdue window before `due_at`)."""
        target, target_end = self._target(review)
        payload = {"reviewer_name": review.reviewer.name, "reviewee_name": review.reviewee_name, "reviewee_nip": review.reviewee_nip,
                   "kind": review.kind, "period_key": review.period.key, "timezone": review.reviewer_zone,
                   "due_at": target_end, "link": review_link(self.base_url, self.secret, review.id)}  # fmt: skip
        return payload, target

    def invitations(self, *conditions: Any) -> Iterator[dict[str, Any]]:
        """Invitations for the open reviews matching `conditions`, held until the recipient's office hours.

        Written by the flow that opens the reviews, in its transaction (DESIGN §2); the daily
        planner would otherwise only send them on its next run. Generated page by page, for
        `enqueue` to insert as they come.
        """
        for review in self._open_reviews(*conditions):
            payload, _ = self._payload(review)
            start = self._office_start(review.reviewer_zone, review.period)
            for row in rows_for_person(review.reviewer, f"invitation:{review.id}", "invitation", payload):
                yield {**row, "next_attempt_at": start}

    def _for_review(self, review: _OpenReview, cycle: CycleDefinition, organisation: OrganisationConfig, today: date,
                    supervisors: dict[int, Person], overdue: Counter[tuple[int, str]]) -> list[dict[str, Any]]:  # fmt: skip
        policy, country = cycle.reminders, organisation.holidays_country
        payload, target = self._payload(review)
        rows = rows_for_person(review.reviewer, f"invitation:{review.id}", "invitation", payload)
        for days in policy.before_due_working_days:
            if today < target and working_days_between(today, target, country) == days:
                rows += rows_for_person(
                    review.reviewer,
                    f"reminder_before:{review.id}:{today}",
                    "reminder_before",
                    {**payload, "days_left": days},
                )
        if policy.on_due_day and today == target:
            rows += rows_for_person(
                review.reviewer, f"reminder_due:{review.id}:{today}", "reminder_due", payload
            )
        late = working_days_between(target, today, country)
        if late > 0:
            overdue[(review.period.id, review.unit_code)] += 1
            if late <= policy.overdue_daily_limit:
                rows += rows_for_person(
                    review.reviewer,
                    f"overdue:{review.id}:{today}",
                    "overdue",
                    {**payload, "overdue_days": late},
                )
            supervisor = supervisors.get(review.supervisor_id or 0)
            if (
                policy.escalate_after_overdue_days
                and late >= policy.escalate_after_overdue_days
                and supervisor
            ):
                escalation = {
                    **payload,
                    "supervisor_name": supervisor.name,
                    "reviewer_nip": review.reviewer_nip,
                    "overdue_days": late,
                }
                rows += rows_for_person(supervisor, f"escalation:{review.id}", "escalation", escalation)
        return rows

    def _people(self, ids: set[int]) -> dict[int, Person]:
        query = select(Employee.id, Employee.name, Employee.chat_url).where(
            Employee.id.in_(list(ids)), Employee.active
        )
        return {i: Person(i, name, chat) for i, name, chat in self.session.execute(query)}

    def _digests(self, overdue: Counter[tuple[int, str]]) -> list[dict[str, Any]]:
        """One digest per open period and HR working day: per unit open, overdue, missed; failed deliveries."""
        failed = self.session.execute(
            select(func.count(Notification.id)).where(Notification.status == "failed")
        ).scalar_one()
        rows = []
        for period in self.session.execute(
            select(Period).where(Period.status == "open").order_by(Period.id)
        ).scalars():
            organisation = OrganisationConfig.model_validate(period.cycle_snapshot["organisation"])
            today = in_office_hours(self.now, organisation.timezone, organisation)
            if today is None:
                continue
            units: dict[str, dict[str, Any]] = defaultdict(lambda: {"open": 0, "overdue": 0, "missed": 0})
            for line in stage_progress(self.session, period.id, self.now):
                units[line.unit_code]["open"] += line.open
                units[line.unit_code]["missed"] += line.missed
            for (period_id, unit_code), count in overdue.items():
                if period_id == period.id:
                    units[unit_code]["overdue"] += count
            payload = {"date": today.isoformat(), "period_key": period.key, "failed_deliveries": failed,
                       "units": [{"unit": code, **counts} for code, counts in sorted(units.items())]}  # fmt: skip
            rows.append({"dedupe_key": f"hr-digest:{period.key}:{today}", "recipient_id": None, "channel": "hr",
                         "template": "hr_digest", "payload": payload})  # fmt: skip
        return rows


@dataclass(frozen=True)
class LinkSettings:
    """What review links are built from: the public base URL and the signing secret."""

    base_url: str
    secret: str


def enqueue_invitations(session: Session, now: datetime, links: LinkSettings, *conditions: Any) -> int:
    """Queue the invitations of the open reviews matching `conditions`, in the caller's transaction."""
    return enqueue(
        session, ReminderPlanner(session, now, links.base_url, links.secret).invitations(*conditions)
    )

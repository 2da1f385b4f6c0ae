"""Progress of a period, per unit and stage, and the list of open reviews: one query each."""

from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import (
    CTE,
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlmodel import Session

from models.cycle import STAGE_OF_KIND, Appraisal, Period, Review
from models.organisation import Employee, Unit
from models.review_tally import ReviewTally


class StageProgress(NamedTuple):
    """Reviews of one kind in one unit: how many are open (and of those overdue), submitted, missed.

    A named tuple, not a frozen dataclass: status builds one per unit and kind (about 10,000 for
    a national roster), and a frozen dataclass takes three times as long to build."""

    unit_code: str
    stage: str
    open: int
    overdue: int
    submitted: int
    missed: int

    def as_dict(self) -> dict[str, object]:
        return dict(zip(PROGRESS_KEYS, self, strict=True))


PROGRESS_KEYS = ("unit", "stage", "open", "overdue", "submitted", "missed")
COUNTS = PROGRESS_KEYS[2:]
ALL_UNITS = "(all units)"  # the unit column of totals over every unit
STAGE_RANK = {kind: rank for rank, kind in enumerate(STAGE_OF_KIND)}  # review kinds in stage order


def find_period(session: Session, key: str | None) -> Period | None:
    """The period named `key`, or the most recently opened one when no key is given."""
    query = select(Period)
    query = (
        query.where(Period.key == key) if key else query.order_by(Period.opened_at.desc(), Period.id.desc())
    )
    return session.execute(query.limit(1)).scalar()


def stage_counts(session: Session, period_id: int) -> dict[str, int]:
    """Appraisals per stage."""
    query = (
        select(Appraisal.stage, func.count())
        .where(Appraisal.period_id == period_id)
        .group_by(Appraisal.stage)
    )
    return dict(session.execute(query).all())


def _tally_sums(now: datetime) -> list[ColumnElement[int]]:
    """The tally's reviews summed into the four counts of a progress line: open, overdue, submitted
    and missed (named, so a query built on them can sum them again)."""

    def reviews_if(*conditions: ColumnElement[bool]) -> ColumnElement[int]:
        return func.sum(case((and_(*conditions), ReviewTally.reviews), else_=0))

    open_ = ReviewTally.status == "open"
    return [
        reviews_if(open_).label("open"),
        reviews_if(open_, ReviewTally.due_at < now).label("overdue"),
        reviews_if(ReviewTally.status == "submitted").label("submitted"),
        reviews_if(ReviewTally.status == "missed").label("missed"),
    ]


def stage_progress(session: Session, period_id: int, now: datetime) -> list[StageProgress]:
    """Per unit (of the appraisal) and review kind, every unit, ordered by unit code then stage
    order: the lines of `progress_report` over every unit (it also sums the review tally, kept
    by the database, see models/review_tally.py, instead of aggregating every review)."""
    return progress_report(session, period_id, now, scope=ALL_UNITS).lines


class ProgressReport(NamedTuple):
    """Progress over a scope of units (every unit, or one unit and the units below it): reviews
    per stage, and per unit and stage for the units shown."""

    totals: list[StageProgress]  # per stage, the unit column naming the scope
    lines: list[StageProgress]  # per unit shown and stage
    units: int  # units of the scope with reviews in the period


def find_unit_id(session: Session, code: str) -> int | None:
    """The id of the unit with this code, or None."""
    return session.execute(select(Unit.id).where(Unit.code == code)).scalar()


def unit_subtree(unit_id: int) -> Select[tuple[int]]:
    """Ids of the unit and every unit below it, to any depth. UNION, not UNION ALL: the recursion
    ends even on a parent cycle (which the roster import refuses)."""
    tree = select(Unit.id).where(Unit.id == unit_id).cte("subtree", recursive=True)
    child = aliased(Unit)
    tree = tree.union(select(child.id).join(tree, child.parent_id == tree.c.id))
    return select(tree.c.id)


def _unit_lines(period_id: int, now: datetime, unit_ids: Select[tuple[int]] | None) -> Select[Any]:
    """The tally summed per unit and kind, kinds without reviews left out: grouped in the order of
    the tally's primary key (period, unit, kind, …), so the database streams it without sorting."""
    query = (
        select(ReviewTally.unit_id, ReviewTally.kind, *_tally_sums(now))
        .where(ReviewTally.period_id == period_id)
        .group_by(ReviewTally.unit_id, ReviewTally.kind)
        .having(func.sum(ReviewTally.reviews) > 0)
    )
    return query if unit_ids is None else query.where(ReviewTally.unit_id.in_(unit_ids))


def _code_point_order(session: Session) -> ColumnElement[str]:
    """Unit codes in code-point order, as Python sorts them, on both databases (SQLite compares
    bytes; PostgreSQL's collation of the day may ignore case or punctuation)."""
    return Unit.code.collate("C") if session.get_bind().dialect.name == "postgresql" else Unit.code


def _ranked_units(session: Session, lines: CTE) -> CTE:
    """Each unit of `lines` with its code and rank, worst first: the most overdue reviews, then the
    most open ones, then by unit code."""
    worst_first = (
        func.sum(lines.c.overdue).desc(),
        func.sum(lines.c.open).desc(),
        _code_point_order(session),
    )
    return (
        select(lines.c.unit_id, Unit.code, func.row_number().over(order_by=worst_first).label("rank"))
        .join(Unit, Unit.id == lines.c.unit_id)
        .group_by(lines.c.unit_id, Unit.code)
        .cte("ranked_units")
    )


def progress_report(
    session: Session,
    period_id: int,
    now: datetime,
    *,
    scope: str,
    unit_ids: Select[tuple[int]] | None = None,
    top: int | None = None,
) -> ProgressReport:
    """Reviews per stage over the units `unit_ids` (default: every unit), the unit column saying
    `scope`; and per unit and stage: every unit in unit-code order, or, when there are more than
    `top`, the `top` units with the most overdue reviews (then the most open ones, then by unit
    code), worst first.

    One statement, so the period's tally (about a dozen rows per unit) is read once: summed per
    unit and kind, then the database sums the stages and ranks the units from those sums and
    returns only the stage totals and the lines of the units shown."""
    lines = _unit_lines(period_id, now, unit_ids).cte("unit_lines")
    ranked = _ranked_units(session, lines)
    # Both parts as a progress line, the unit's rank (none for totals), the number of units
    # (carried by totals) and the stage's rank; the database orders them, totals first.
    stage, stage_rank = case(STAGE_OF_KIND, value=lines.c.kind), case(STAGE_RANK, value=lines.c.kind)
    units = select(func.count()).select_from(ranked).scalar_subquery()
    stage_totals = select(
        literal(scope).label("unit"), stage.label("stage"),
        # a sum of sums is numeric on PostgreSQL (Decimal in Python): back to integers
        *(cast(func.sum(lines.c[count]), Integer).label(count) for count in COUNTS),
        null().label("rank"), units.label("units"), stage_rank.label("stage_rank"),
    ).group_by(lines.c.kind)  # fmt: skip
    shown = select(
        ranked.c.code, stage, *(lines.c[count] for count in COUNTS), ranked.c.rank, null(), stage_rank
    ).join_from(lines, ranked, ranked.c.unit_id == lines.c.unit_id)  # fmt: skip
    if top is not None:
        shown = shown.where(ranked.c.rank <= top)
    report = union_all(stage_totals, shown).subquery()
    query = select(*(report.c[key] for key in PROGRESS_KEYS), report.c.units)
    rows = (
        session.connection().execute(query.order_by(report.c.rank.nulls_first(), report.c.stage_rank)).all()
    )
    # Rows read by position: named access cost a third of this function on 10,000 lines.
    totals = [StageProgress._make(row[:6]) for row in rows if row[6] is not None]
    per_unit = [StageProgress._make(row[:6]) for row in rows[len(totals) :]]
    units_with_reviews = rows[0][6] if rows else 0
    if top is None or units_with_reviews <= top:  # every unit: in unit-code order, stages kept in order
        per_unit.sort(key=itemgetter(0))
    return ProgressReport(totals, per_unit, units_with_reviews)


@dataclass(frozen=True)
class PendingReview:
    review_id: int
    period_key: str
    reviewee_nip: str
    reviewee_name: str
    reviewer_nip: str
    reviewer_name: str
    kind: str
    status: str
    due_at: datetime | None


def _review_lines(*conditions: Any, limit: int | None = None) -> Any:
    reviewee, reviewer = aliased(Employee), aliased(Employee)
    query = (
        select(Review.id, Period.key, reviewee.nip, reviewee.name, reviewer.nip, reviewer.name, Review.kind, Review.status, Review.due_at)
        .join(Appraisal, Appraisal.id == Review.appraisal_id)
        .join(Period, Period.id == Appraisal.period_id)
        .join(reviewee, reviewee.id == Appraisal.employee_id)
        .join(reviewer, reviewer.id == Review.reviewer_id)
        .where(*conditions)
        .order_by(Period.key, reviewer.nip, Review.due_at, reviewee.nip)
    )  # fmt: skip
    return query if limit is None else query.limit(limit)


def pending_reviews(session: Session, period_id: int | None = None) -> list[PendingReview]:
    """Open reviews of open periods (or of one period), by period, reviewer and due time."""
    conditions = [Review.status == "open", Period.status == "open"]
    if period_id is not None:
        conditions.append(Period.id == period_id)
    return [PendingReview(*row) for row in session.execute(_review_lines(*conditions))]


def overdue_reviews(session: Session, period_id: int, now: datetime, limit: int) -> list[PendingReview]:
    """Open reviews of one period whose deadline has passed (the next advance marks them missed)."""
    query = _review_lines(Period.id == period_id, Review.status == "open", Review.due_at < now, limit=limit)
    return [PendingReview(*row) for row in session.execute(query)]


def missed_reviews(session: Session, period_id: int, limit: int) -> list[PendingReview]:
    """Reviews of one period that were never given before their stage ended."""
    query = _review_lines(Period.id == period_id, Review.status == "missed", limit=limit)
    return [PendingReview(*row) for row in session.execute(query)]


@dataclass(frozen=True)
class PeriodLine:
    """One period as HR's list shows it, with its appraisals counted per stage."""

    key: str
    cycle_name: str
    status: str
    starts_at: datetime
    ends_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    stages: dict[str, int]

    @property
    def appraisals(self) -> int:
        return sum(self.stages.values())


def period_lines(session: Session) -> list[PeriodLine]:
    """Every period, newest window first (one query for the periods, one for all stage counts)."""
    periods = (
        session.execute(select(Period).order_by(Period.starts_at.desc(), Period.id.desc())).scalars().all()
    )
    counts: dict[int, dict[str, int]] = {}
    grouped = select(Appraisal.period_id, Appraisal.stage, func.count()).group_by(
        Appraisal.period_id, Appraisal.stage
    )
    for period_id, stage, count in session.execute(grouped):
        counts.setdefault(period_id, {})[stage] = count
    return [
        PeriodLine(
            p.key,
            p.cycle_name,
            p.status,
            p.starts_at,
            p.ends_at,
            p.opened_at,
            p.closed_at,
            counts.get(p.id or 0, {}),
        )
        for p in periods
    ]


def unit_stage_counts(session: Session, period_id: int) -> dict[str, dict[str, int]]:
    """Appraisals per unit (at opening) and stage: where each unit stands in the cycle."""
    query = (
        select(Unit.code, Appraisal.stage, func.count())
        .join(Unit, Unit.id == Appraisal.unit_id)
        .where(Appraisal.period_id == period_id)
        .group_by(Unit.code, Appraisal.stage)
    )
    counts: dict[str, dict[str, int]] = {}
    for code, stage, count in session.execute(query):
        counts.setdefault(code, {})[stage] = count
    return dict(sorted(counts.items()))

"""The IKM of every service and unit over a period: what the report shows and what closing scores.

The responses counted are those submitted inside the period's window, up to the moment the
period closed (or now, while it is open), so the figures a close used can be recomputed from the
stored rows at any time. A unit's index pools the answers of all its services, as the rule
computes a unit's IKM from all its respondents, not as a mean of service indexes.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session

from cycle.periods import cycle_of
from feedback.ikm import IkmFigures, compute_ikm
from models import Period
from models.feedback import ELEMENTS
from models.feedback_queries import RecentComment, recent_comments, service_totals

COMMENTS_SHOWN = 20
INSTANT = timedelta(microseconds=1)  # the resolution of stored instants


@dataclass(frozen=True)
class ServiceIkm:
    service_id: int
    code: str
    name: str
    figures: IkmFigures | None  # None: nobody rated it in the window


@dataclass
class UnitIkm:
    unit_code: str
    unit_name: str
    figures: IkmFigures | None
    services: list[ServiceIkm] = field(default_factory=list)

    def weakest_elements(self) -> list[tuple[str, float]]:
        """(element key, mean) from the lowest mean up: what the unit should fix first."""
        if self.figures is None:
            return []
        pairs = zip(ELEMENTS, self.figures.element_means, strict=True)
        return sorted(pairs, key=lambda pair: (pair[1], pair[0]))


@dataclass
class PeriodIkm:
    period_key: str
    starts_at: datetime
    ends_at: datetime  # exclusive: the period's end, or its close (now while open), whichever is first
    min_responses: int
    units: list[UnitIkm]
    comments: list[RecentComment]


def ikm_window(period: Period, now: datetime) -> tuple[datetime, datetime]:
    """[start, end) of the responses that count for `period`.

    The close (or `now`) is included: a response stamped at the very instant of the close, or of
    the clock a demo holds still, has been given. Instants are stored to the microsecond on both
    databases, so "up to and including `cutoff`" is exactly "before `cutoff` + 1 µs"."""
    cutoff = period.closed_at if period.status == "closed" and period.closed_at is not None else now
    return period.starts_at, max(period.starts_at, min(period.ends_at, cutoff + INSTANT))


def _figures(responses: int, sums: tuple[int, ...], min_responses: int) -> IkmFigures | None:
    return compute_ikm(sums, responses, min_responses) if responses else None


def period_ikm(session: Session, period: Period, now: datetime) -> PeriodIkm:
    """Every unit's and service's figures for `period`, units and services by code."""
    min_responses = cycle_of(period).public_satisfaction.min_responses
    starts_at, ends_at = ikm_window(period, now)
    units: dict[str, UnitIkm] = {}
    pooled: dict[str, tuple[int, list[int]]] = {}
    for totals in service_totals(session, starts_at, ends_at):
        unit = units.setdefault(totals.unit_code, UnitIkm(totals.unit_code, totals.unit_name, None))
        unit.services.append(ServiceIkm(totals.service_id, totals.service_code, totals.service_name,
                                        _figures(totals.responses, totals.sums, min_responses)))  # fmt: skip
        count, sums = pooled.get(totals.unit_code, (0, [0] * len(ELEMENTS)))
        pooled[totals.unit_code] = (
            count + totals.responses,
            [a + b for a, b in zip(sums, totals.sums, strict=True)],
        )
    for code, (count, sums) in pooled.items():
        units[code].figures = _figures(count, tuple(sums), min_responses)
    comments = recent_comments(session, starts_at, ends_at, COMMENTS_SHOWN)
    return PeriodIkm(period.key, starts_at, ends_at, min_responses, list(units.values()), comments)


def unit_indexes(session: Session, period: Period, now: datetime) -> dict[str, IkmFigures]:
    """Each unit's pooled figures (units with at least one response), keyed by unit code."""
    return {unit.unit_code: unit.figures for unit in period_ikm(session, period, now).units if unit.figures}

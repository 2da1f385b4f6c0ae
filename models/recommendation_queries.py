"""Reading recommendations back: a few examples of each kind, for the demo and summaries."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from models.cycle import Appraisal, Period, Recommendation
from models.organisation import Employee


@dataclass(frozen=True)
class RecommendationExample:
    kind: str
    nip: str
    name: str
    predikat: str | None
    reason_id: str


def examples_per_kind(session: Session, period_key: str, per_kind: int = 1) -> list[RecommendationExample]:
    """The first `per_kind` recommendations of each kind (by NIP) in the period."""
    ranked = (
        select(Recommendation.kind, Employee.nip, Employee.name, Appraisal.predikat, Recommendation.reason_id,
               func.row_number().over(partition_by=Recommendation.kind, order_by=Employee.nip).label("rank"))
        .join(Appraisal, Appraisal.id == Recommendation.appraisal_id).join(Employee, Employee.id == Appraisal.employee_id)
        .join(Period, Period.id == Appraisal.period_id).where(Period.key == period_key)
        .subquery()
    )  # fmt: skip
    query = (
        select(ranked.c.kind, ranked.c.nip, ranked.c.name, ranked.c.predikat, ranked.c.reason_id)
        .where(ranked.c.rank <= per_kind)
        .order_by(ranked.c.kind, ranked.c.nip)
    )
    return [RecommendationExample(*row) for row in session.execute(query)]

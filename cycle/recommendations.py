"""Follow-up recommendations at close (DESIGN §6), each with a reason in Indonesian and English.

Promotion reads earlier annual periods from the database; improvement plans are escalated when
the previous period of the same cycle also needed one; training maps every indicator rated below
expectation to the catalog's programmes; reward follows the predikat.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from config.cycle_indicators import TrainingProgramme
from config.cycles import CycleDefinition
from cycle.period_scores import ScoredAppraisal, cycle_of
from models import Appraisal, Employee, Period


@dataclass(frozen=True)
class Advice:
    appraisal_id: int
    kind: str
    reason_id: str
    reason_en: str
    detail: dict[str, Any]


def _earlier(session: Session, period: Period, same_cycle: bool, count: int) -> list[Period]:
    """The `count` closed periods just before `period`: of the same cycle, or annual ones."""
    closed = session.execute(
        select(Period)
        .where(Period.status == "closed", Period.starts_at < period.starts_at)
        .order_by(Period.starts_at.desc())
    ).scalars()
    matches = [
        p
        for p in closed
        if (p.cycle_name == period.cycle_name if same_cycle else cycle_of(p).cadence == "annual")
    ]
    return matches[:count]


# period id → {NIP: predikat} in that period.
History = dict[int, dict[str, str | None]]


def _history(session: Session, periods: list[Period], nips: list[str]) -> History:
    """period id → {NIP: predikat} for the given periods and NIPs."""
    history: History = {p.id: {} for p in periods}
    if not periods:
        return history
    rows = session.execute(
        select(Appraisal.period_id, Employee.nip, Appraisal.predikat).join(Employee, Employee.id == Appraisal.employee_id)
        .where(Appraisal.period_id.in_([p.id for p in periods]), Employee.nip.in_(nips))
    ).all()  # fmt: skip
    for period_id, nip, predikat in rows:
        history[period_id][nip] = predikat
    return history


class Advisor:
    """The period's rules and earlier periods, loaded once; `advise` then works on a batch of
    appraisals, reading the earlier predikat of that batch's staff only (never the whole roster)."""

    def __init__(
        self,
        session: Session,
        period: Period,
        training_for: Callable[[str], list[TrainingProgramme]],
        names: dict[str, str],
    ) -> None:
        self.period, self.training_for, self.names = period, training_for, names
        self.cycle: CycleDefinition = cycle_of(period)
        rules = self.cycle.recommendations
        self.annual = (
            _earlier(session, period, False, rules.promotion.consecutive_annual_periods - 1)
            if self.cycle.cadence == "annual"
            else []
        )
        self.previous = _earlier(session, period, True, 1)
        self.programmes: dict[str, list[dict[str, Any]]] = {}

    def advise(self, session: Session, scored: list[ScoredAppraisal]) -> list[Advice]:
        """The recommendations for `scored`, in their order."""
        history = _history(session, self.annual + self.previous, [item.nip for item in scored])
        return [advice for item in scored for advice in self._advise(item, history)]

    def _advise(self, item: ScoredAppraisal, history: History) -> list[Advice]:
        predikat = item.predikat
        if predikat is None:
            return []
        advice = [
            a
            for a in (
                self._promotion(item, predikat, history),
                self._improvement(item, predikat, history),
                self._reward(item, predikat),
            )
            if a
        ]
        training = self._training(item)
        return advice + ([training] if training else [])

    def _promotion(self, item: ScoredAppraisal, predikat: str, history: History) -> Advice | None:
        rule = self.cycle.recommendations.promotion
        needed = rule.consecutive_annual_periods - 1
        if (
            not rule.enabled
            or self.cycle.cadence != "annual"
            or not rule.qualifies(predikat)
            or len(self.annual) < needed
        ):
            return None
        if not self._consecutive():
            return None
        earlier = [(p.key, history[p.id].get(item.nip)) for p in self.annual]
        if not all(value is not None and rule.qualifies(value) for _, value in earlier):
            return None
        trail = [(self.period.key, predikat), *earlier]
        listed = ", ".join(f"{value} ({key})" for key, value in trail)
        return Advice(item.appraisal_id, "promotion",
                      f"Kandidat promosi: predikat {listed}; syarat minimal {rule.min_predikat} dalam {rule.consecutive_annual_periods} periode tahunan berturut-turut.",
                      f"Promotion candidate: predikat {listed}; the rule asks at least {rule.min_predikat} in {rule.consecutive_annual_periods} consecutive annual periods.",
                      {"periods": [{"period": k, "predikat": v} for k, v in trail]})  # fmt: skip

    def _consecutive(self) -> bool:
        """The earlier annual periods follow each other without a gap (2027, 2026, … not 2027, 2025)."""
        chain = [self.period, *self.annual]
        return all(older.ends_at == newer.starts_at for newer, older in zip(chain, chain[1:], strict=False))

    def _improvement(self, item: ScoredAppraisal, predikat: str, history: History) -> Advice | None:
        rule = self.cycle.recommendations.improvement_plan
        if not rule.enabled or predikat not in rule.predikat:
            return None
        before = history[self.previous[0].id].get(item.nip) if self.previous else None
        escalated = rule.escalate_when_repeated and before in rule.predikat
        reason_id = f"Predikat {predikat} pada {self.period.key}: perlu rencana perbaikan kinerja."
        reason_en = f"Predikat {predikat} in {self.period.key}: a performance improvement plan is needed."
        if escalated:
            reason_id += (
                f" Berulang (sebelumnya {before} pada {self.previous[0].key}): diteruskan ke BKPSDM/HR."
            )
            reason_en += f" Repeated (previously {before} in {self.previous[0].key}): escalated to HR."
        return Advice(item.appraisal_id, "improvement_plan", reason_id, reason_en,
                      {"escalated": escalated, "previous": {"period": self.previous[0].key, "predikat": before} if escalated else None})  # fmt: skip

    def _reward(self, item: ScoredAppraisal, predikat: str) -> Advice | None:
        rule = self.cycle.recommendations.reward
        if not rule.enabled or predikat not in rule.predikat:
            return None
        return Advice(item.appraisal_id, "reward", f"Predikat {predikat} pada {self.period.key}: diusulkan untuk penghargaan.",
                      f"Predikat {predikat} in {self.period.key}: proposed for a reward.", {})  # fmt: skip

    def _programmes(self, code: str) -> list[dict[str, Any]]:
        """The catalog's programmes for indicator `code`, as stored: dumped once per close, as the
        same few indicators come up for thousands of staff (a third of advising, profiled)."""
        if code not in self.programmes:
            self.programmes[code] = [p.model_dump(mode="json") for p in self.training_for(code)]
        return self.programmes[code]

    def _training(self, item: ScoredAppraisal) -> Advice | None:
        if not self.cycle.recommendations.training.enabled:
            return None
        weak = [f for f in item.score.indicators if f.rating == "below"]
        if not weak:
            return None
        entries = [{"indicator": f.code, "name": self.names.get(f.code, f.code), "score": f.combined_score,
                    "programmes": self._programmes(f.code)} for f in weak]  # fmt: skip
        listed = "; ".join(
            f"{e['name']} ({e['score']:.2f}): " + (", ".join(p["name"] for p in e["programmes"]) or "—")
            for e in entries
        )
        return Advice(item.appraisal_id, "training", f"Indikator di bawah ekspektasi — {listed}.",
                      f"Indicators below expectation — {listed}.", {"indicators": entries})  # fmt: skip

"""How a cycle turns scores into ratings and a predikat, checks the distribution, and follows up.

Only the configurable parts live here (weights, thresholds, the curve, which predikat trigger
which follow-up). The predikat matrix and the PP 46/2011 categories are fixed by the rules and
belong to the scoring code, not to a file HR can edit.
"""

import math
from functools import cached_property
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, field_validator, model_validator

from config.fields import PREDIKAT, ConfigModel, Fraction, PredikatName, ScoreValue, Weight, whole_number
from config.problems import raise_problems

Scheme = Literal["permenpanrb-6-2022", "pp46-2011"]
Rating = Literal["above", "meets", "below"]
WEIGHT_TOLERANCE = 1e-9


def _check_sum(group: ConfigModel, *, what: str = "weights") -> None:
    values = group.model_dump()
    total = math.fsum(values.values())
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        terms = " + ".join(f"{name} {value:g}" for name, value in values.items())
        raise_problems([((), f"{what} must sum to 1 (got {total:g} = {terms})")])


class Thresholds(ConfigModel):
    """Cut-offs on the weighted mean: below < `below` ≤ meets < `above` ≤ above."""

    below: ScoreValue = 2.5
    above: ScoreValue = 3.5

    @field_validator("above")
    @classmethod
    def _above_exceeds_below(cls, value: float, info: ValidationInfo) -> float:
        below = info.data.get("below")
        if below is not None and value <= below:
            raise ValueError(f"must be greater than below ({below:g}) (got {value:g})")
        return value

    def rating(self, mean: float) -> Rating:
        """The rating of a weighted mean, by the thresholds' half-open intervals."""
        if mean < self.below:
            return "below"
        if mean >= self.above:
            return "above"
        return "meets"


class BehaviourWeights(ConfigModel):
    """Shares of each reviewer kind in the behaviour rating (PermenPANRB default 60/40/0)."""

    supervisor: Weight = 0.6
    peer: Weight = 0.4
    self: Weight = 0.0

    @model_validator(mode="after")
    def _sum_to_one(self) -> "BehaviourWeights":
        _check_sum(self)
        return self


class ResultWeights(ConfigModel):
    """Shares in the work-result rating; by the rule the supervisor decides (1.0)."""

    supervisor: Weight = 1.0
    self: Weight = 0.0

    @model_validator(mode="after")
    def _sum_to_one(self) -> "ResultWeights":
        _check_sum(self)
        return self


class Pp46Weights(ConfigModel):
    """PP 46/2011 final score = skp_weight × SKP + behaviour_weight × behaviour (60/40 by the rule)."""

    skp_weight: Weight = 0.6
    behaviour_weight: Weight = 0.4

    @model_validator(mode="after")
    def _sum_to_one(self) -> "Pp46Weights":
        _check_sum(self, what="skp_weight + behaviour_weight")
        return self


class ScoringConfig(ConfigModel):
    """Which scheme scores the cycle and its parameters."""

    scheme: Scheme = "permenpanrb-6-2022"
    thresholds: Thresholds = Field(default_factory=Thresholds)
    behaviour_weights: BehaviourWeights = Field(default_factory=BehaviourWeights)
    result_weights: ResultWeights = Field(default_factory=ResultWeights)
    pp46: Pp46Weights = Field(default_factory=Pp46Weights)

    @cached_property
    def kind_weights(self) -> dict[str, dict[str, float]]:
        """Each aspect's reviewer-kind weights as a plain mapping, built once (scoring reads them
        for every appraisal of a period)."""
        return {"result": self.result_weights.model_dump(), "behaviour": self.behaviour_weights.model_dump()}


class CurveBand(ConfigModel):
    """The allowed share (0–1) of one predikat within a unit: a minimum, a maximum, or both."""

    min: Fraction | None = None
    max: Fraction | None = None

    @model_validator(mode="after")
    def _check_band(self) -> "CurveBand":
        if self.min is None and self.max is None:
            raise_problems([((), "give min, max or both (a share from 0 to 1)")])
        if self.min is not None and self.max is not None and self.min > self.max:
            raise_problems([(("max",), f"must not be less than min ({self.min:g}) (got {self.max:g})")])
        return self

    def allows(self, share: float) -> bool:
        """Whether a unit's share of this predikat is inside the band."""
        return (self.min is None or share >= self.min) and (self.max is None or share <= self.max)


def _default_curve() -> dict[str, CurveBand]:
    return {
        "Sangat Baik": CurveBand(max=0.20),
        "Baik": CurveBand(min=0.50),
        "Butuh Perbaikan": CurveBand(max=0.20),
        "Kurang/Misconduct": CurveBand(max=0.10),
        "Sangat Kurang": CurveBand(max=0.10),
    }


class CalibrationConfig(ConfigModel):
    """The distribution curve HR checks each unit against before closing a period."""

    curve: dict[PredikatName, CurveBand] = Field(default_factory=_default_curve)
    min_unit_size: Annotated[int, BeforeValidator(whole_number(1, None, "employees"))] = 5
    # Working days HR has to calibrate once every appraisal reached calibration; after that the
    # scheduled close runs (and refuses, alerting HR, while a unit is outside the curve).
    days: Annotated[int, BeforeValidator(whole_number(0, 60, "working days"))] = 5

    @model_validator(mode="after")
    def _reachable(self) -> "CalibrationConfig":
        minimum = math.fsum(band.min or 0.0 for band in self.curve.values())
        if minimum > 1.0 + WEIGHT_TOLERANCE:
            raise_problems([(("curve",), f"the minimum shares add up to {minimum:g}, more than 1 (100 %)")])
        return self

    def ordered_curve(self) -> list[tuple[str, CurveBand]]:
        """The curve's bands in predikat order, best first."""
        return [(name, self.curve[name]) for name in PREDIKAT if name in self.curve]


def _unique_predikat(names: list[str]) -> list[str]:
    if not names:
        raise ValueError("must list at least one predikat")
    repeated = sorted({name for name in names if names.count(name) > 1}, key=PREDIKAT.index)
    if repeated:
        raise ValueError(f"predikat listed twice: {', '.join(repeated)}")
    return names


PredikatList = Annotated[list[PredikatName], AfterValidator(_unique_predikat)]


class PromotionRule(ConfigModel):
    """Promotion candidate: at least `min_predikat` in this and the previous annual period(s)."""

    enabled: bool = True
    min_predikat: PredikatName = "Baik"
    consecutive_annual_periods: Annotated[int, BeforeValidator(whole_number(1, 10, "periods"))] = 2

    def qualifies(self, predikat: str) -> bool:
        """Whether one period's predikat is at least `min_predikat`."""
        return predikat in PREDIKAT and PREDIKAT.index(predikat) <= PREDIKAT.index(self.min_predikat)


class TrainingRule(ConfigModel):
    """Training: programmes of the catalog for every indicator rated below expectation."""

    enabled: bool = True


class ImprovementPlanRule(ConfigModel):
    """An improvement plan for the listed predikat, escalated to HR when it happens again."""

    enabled: bool = True
    predikat: PredikatList = Field(
        default_factory=lambda: ["Butuh Perbaikan", "Kurang/Misconduct", "Sangat Kurang"]
    )
    escalate_when_repeated: bool = True


class RewardRule(ConfigModel):
    """A reward recommendation for the listed predikat."""

    enabled: bool = True
    predikat: PredikatList = Field(default_factory=lambda: ["Sangat Baik"])


class RecommendationRules(ConfigModel):
    """Which follow-ups closing a period recommends (DESIGN §6)."""

    promotion: PromotionRule = Field(default_factory=PromotionRule)
    training: TrainingRule = Field(default_factory=TrainingRule)
    improvement_plan: ImprovementPlanRule = Field(default_factory=ImprovementPlanRule)
    reward: RewardRule = Field(default_factory=RewardRule)

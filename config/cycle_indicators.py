"""Indicator sets (what each review scores) and the training catalog (what weak scores lead to).

A set has default indicators for everyone plus per-unit additions (a service office adds
`kepuasan_masyarakat`, the planning agency adds `inovasi`). Codes are checked per unit over the
defaults and every addition that unit receives, because that combined list is what one
employee's review form shows and what their scores are keyed by.
"""

from collections import defaultdict
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from config.fields import (
    ConfigModel,
    IndicatorCode,
    PositiveWeight,
    ProgrammeCode,
    Text,
    UnitCode,
    whole_number,
)
from config.problems import Problem, format_path, raise_problems

Aspect = Literal["result", "behaviour"]
ASPECTS: tuple[str, ...] = ("result", "behaviour")
# Who scores an indicator: the reviewers on their forms, or the unit's public satisfaction
# index (IKM) at close (models/indicators.py INDICATOR_SOURCES, the same two words).
Source = Literal["reviews", "public_satisfaction"]

ScaleEnd = Annotated[int, BeforeValidator(whole_number(0, 100, "points"))]
TrainingHours = Annotated[int, BeforeValidator(whole_number(1, 1000, "hours"))]


def _not_empty(items: list) -> list:  # type: ignore[type-arg]
    if not items:
        raise ValueError("must list at least one entry")
    return items


class IndicatorDefinition(ConfigModel):
    """One thing a review scores; `aspect` decides whether it counts towards results or behaviour."""

    code: IndicatorCode
    name: Text
    aspect: Aspect
    weight: PositiveWeight = 1.0
    description: str = ""
    source: Source = "reviews"


class ScaleDefinition(ConfigModel):
    """The score range of every indicator in a set (1–5 by default), with optional labels."""

    min: ScaleEnd = 1
    max: ScaleEnd = 5
    labels: dict[int, Text] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_range(self) -> "ScaleDefinition":
        problems: list[Problem] = []
        if self.min >= self.max:
            problems.append((("max",), f"must be greater than min ({self.min}) (got {self.max})"))
        for score in self.labels:
            if not self.min <= score <= self.max:
                problems.append(
                    (("labels", score), f"score {score} is outside the scale {self.min}–{self.max}")
                )
        raise_problems(problems)
        return self

    def contains(self, value: float) -> bool:
        """Whether a score or threshold lies on this scale."""
        return self.min <= value <= self.max


class UnitAddition(ConfigModel):
    """Extra indicators for the listed units (codes as in the roster's `unit_code`)."""

    units: Annotated[list[UnitCode], AfterValidator(_not_empty)]
    indicators: Annotated[list[IndicatorDefinition], AfterValidator(_not_empty)]


class IndicatorSetDefinition(ConfigModel):
    """A named set of indicators; a cycle scores against one set."""

    description: str = ""
    indicators: Annotated[list[IndicatorDefinition], AfterValidator(_not_empty)]
    scale: ScaleDefinition = Field(default_factory=ScaleDefinition)
    unit_additions: list[UnitAddition] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_codes(self) -> "IndicatorSetDefinition":
        problems: list[Problem] = []
        defaults: dict[str, int] = {}
        for index, indicator in enumerate(self.indicators):
            if indicator.code in defaults:
                problems.append(
                    (
                        ("indicators", index, "code"),
                        f"duplicate indicator code {indicator.code!r} (also at indicators[{defaults[indicator.code]}])",
                    )
                )
            defaults.setdefault(indicator.code, index)
        present = {indicator.aspect for indicator in self.indicators}
        for aspect in ASPECTS:
            if aspect not in present:
                problems.append(
                    (
                        ("indicators",),
                        f"needs at least one {aspect!r} indicator (every appraisal rates both aspects)",
                    )
                )
        problems += self._check_additions(set(defaults))
        raise_problems(problems)
        return self

    def _check_additions(self, defaults: set[str]) -> list[Problem]:
        problems: list[Problem] = []
        per_unit: dict[str, dict[str, tuple[int | str, ...]]] = defaultdict(dict)
        for a_index, addition in enumerate(self.unit_additions):
            listed: set[str] = set()
            for u_index, unit in enumerate(addition.units):
                if unit in listed:
                    problems.append(
                        (("unit_additions", a_index, "units", u_index), f"unit {unit!r} is listed twice")
                    )
                listed.add(unit)
            for i_index, indicator in enumerate(addition.indicators):
                loc = ("unit_additions", a_index, "indicators", i_index, "code")
                if indicator.code in defaults:
                    problems.append((loc, f"{indicator.code!r} is already a default indicator of this set"))
                    continue
                for unit in sorted(listed):
                    earlier = per_unit[unit].get(indicator.code)
                    if earlier is not None:
                        problems.append(
                            (
                                loc,
                                f"{indicator.code!r} is added twice for unit {unit!r} (also at {format_path(earlier)})",
                            )
                        )
                        break
                    per_unit[unit][indicator.code] = loc[:-1]
        return problems

    def for_unit(self, unit_code: str) -> list[IndicatorDefinition]:
        """The defaults followed by every addition for `unit_code`, in file order."""
        extra = [
            indicator
            for addition in self.unit_additions
            if unit_code in addition.units
            for indicator in addition.indicators
        ]
        return [*self.indicators, *extra]

    def all_codes(self) -> set[str]:
        """Every indicator code the set can show, defaults and additions."""
        codes = {indicator.code for indicator in self.indicators}
        codes.update(indicator.code for addition in self.unit_additions for indicator in addition.indicators)
        return codes


class TrainingProgramme(ConfigModel):
    """A programme recommended when the indicator it is listed under is rated below expectation."""

    code: ProgrammeCode
    name: Text
    hours: TrainingHours
    provider: str = ""


def _unique_programmes(programmes: list[TrainingProgramme]) -> list[TrainingProgramme]:
    _not_empty(programmes)
    codes = [programme.code for programme in programmes]
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        raise ValueError(f"programme code listed twice: {', '.join(repeated)}")
    return programmes


ProgrammeList = Annotated[list[TrainingProgramme], AfterValidator(_unique_programmes)]
TrainingCatalog = dict[IndicatorCode, ProgrammeList]

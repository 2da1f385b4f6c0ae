"""The cycle definitions of `cycles.yaml`: organisation, indicator sets, training, cycles.

`load_cycles` reads the file and validates everything at once, so one run lists every mistake
as `{file}: {dotted.path}: {reason}`. Checks within a section come first; references between
sections (a cycle's indicator set, training for unknown codes, thresholds on the set's scale)
are checked once every section is valid on its own, so a message never blames a reference for a
mistake in what it points to.

Nothing here imports Prefect or SQLAlchemy: the CLI loads this on every command.
"""

import re
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from config.cycle_indicators import (
    ASPECTS,
    Aspect,
    IndicatorDefinition,
    IndicatorSetDefinition,
    ScaleDefinition,
    TrainingCatalog,
    TrainingProgramme,
    UnitAddition,
)
from config.cycle_scoring import (
    BehaviourWeights,
    CalibrationConfig,
    CurveBand,
    ImprovementPlanRule,
    Pp46Weights,
    PromotionRule,
    Rating,
    RecommendationRules,
    ResultWeights,
    RewardRule,
    Scheme,
    ScoringConfig,
    Thresholds,
    TrainingRule,
)
from config.errors import ConfigError
from config.fields import (
    PREDIKAT,
    ConfigModel,
    CountryCode,
    CronExpression,
    Name,
    Text,
    TimeZoneName,
    WorkingDays,
    suggestion,
    whole_number,
)
from config.problems import Problem, format_problems, iter_problems, raise_problems
from config.public_satisfaction import PublicSatisfactionRule, ScoreBand
from config.yaml_loader import load_yaml_file

__all__ = [
    "ASPECTS",
    "PREDIKAT",
    "REVIEW_STAGES",
    "Aspect",
    "BehaviourWeights",
    "CalibrationConfig",
    "Cadence",
    "CurveBand",
    "CycleDefinition",
    "CyclesConfig",
    "FallbackReviewer",
    "ImprovementPlanRule",
    "IndicatorDefinition",
    "IndicatorSetDefinition",
    "OfficeHours",
    "OrganisationConfig",
    "PeerPolicy",
    "Pp46Weights",
    "PromotionRule",
    "PublicSatisfactionRule",
    "Rating",
    "RecommendationRules",
    "ReminderPolicy",
    "ResultWeights",
    "RewardRule",
    "ScaleDefinition",
    "Scheme",
    "ScoreBand",
    "ScoringConfig",
    "StageDurations",
    "Thresholds",
    "TrainingProgramme",
    "TrainingRule",
    "UnitAddition",
    "load_cycles",
]

Cadence = Literal["annual", "quarterly", "monthly", "custom"]
FallbackReviewer = Literal["parent_head", "hr"]
# The stages that collect reviews, in order; calibration and closing follow (models/cycle.py STAGES).
REVIEW_STAGES: tuple[str, ...] = ("self_assessment", "supervisor_review", "peer_review")
# HH:MM as written in the YAML; ":00" seconds as stored in a period's snapshot (JSON dump).
_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])(?::00)?$")


def _clock_time(value: Any) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 16:00 as the base-60 number 960.
        raise ValueError(f'write the time in quotes, e.g. "16:00" (YAML read it as the number {value})')
    match = _CLOCK.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f'must be a time of day "HH:MM", e.g. "08:00" (got {value!r})')
    return time(int(match.group(1)), int(match.group(2)))


ClockTime = Annotated[time, BeforeValidator(_clock_time)]


class OfficeHours(ConfigModel):
    """Reminders are only sent inside these hours, in the recipient's own time zone."""

    start: ClockTime = time(8, 0)
    end: ClockTime = time(16, 0)

    @field_validator("end")
    @classmethod
    def _after_start(cls, value: time, info: ValidationInfo) -> time:
        start = info.data.get("start")
        if start is not None and value <= start:
            raise ValueError(f"must be later than start ({start:%H:%M}) (got {value:%H:%M})")
        return value

    def contains(self, moment: time) -> bool:
        """Whether a local time of day is inside office hours (end excluded)."""
        return self.start <= moment < self.end


class OrganisationConfig(ConfigModel):
    """Who runs the cycles, in which time zone and holiday calendar, and who HR is."""

    name: Text
    timezone: TimeZoneName = "Asia/Jakarta"
    holidays_country: CountryCode = "ID"
    office_hours: OfficeHours = Field(default_factory=OfficeHours)
    hr_name: Text = "BKPSDM"
    # Roster unit code of HR; its head reviews staff who have no supervisor when a cycle's
    # fallback_reviewer is `hr` (or when there is no parent head).
    hr_unit_code: Text = "BKPSDM"


class StageDurations(ConfigModel):
    """Working days each review stage stays open; `peer_review` only when the cycle has peers."""

    self_assessment: WorkingDays
    supervisor_review: WorkingDays
    peer_review: WorkingDays | None = None


class PeerPolicy(ConfigModel):
    """How many peers review each appraisal; 0 skips the peer stage."""

    count: Annotated[int, BeforeValidator(whole_number(0, 10, "peer reviewers"))] = 3


def _distinct_descending(days: list[int]) -> list[int]:
    if len(set(days)) != len(days):
        raise ValueError(f"each day may be listed once (got {days})")
    return sorted(days, reverse=True)


ReminderDay = Annotated[int, BeforeValidator(whole_number(1, 30, "working days"))]


class ReminderPolicy(ConfigModel):
    """When an open review is reminded (DESIGN §7); invitations are always sent on opening."""

    before_due_working_days: Annotated[list[ReminderDay], AfterValidator(_distinct_descending)] = Field(
        default_factory=lambda: [3, 1]
    )
    on_due_day: bool = True
    overdue_daily_limit: Annotated[int, BeforeValidator(whole_number(0, 30, "reminders"))] = 3
    escalate_after_overdue_days: (
        Annotated[int, BeforeValidator(whole_number(1, 60, "working days"))] | None
    ) = 3
    hr_digest: bool = True


class CycleDefinition(ConfigModel):
    """One appraisal cycle: when it opens, how long stages last, how it scores and follows up."""

    label: Text
    cadence: Cadence
    open_cron: CronExpression
    timezone: TimeZoneName | None = None  # None: the organisation's; always set after loading
    custom_period_days: Annotated[int, BeforeValidator(whole_number(1, 3660, "days"))] | None = Field(
        default=None, validate_default=True
    )
    indicator_set: Name = "default"
    stages: StageDurations
    peers: PeerPolicy = Field(default_factory=PeerPolicy)
    fallback_reviewer: FallbackReviewer = "parent_head"
    reminders: ReminderPolicy = Field(default_factory=ReminderPolicy)
    scoring: ScoringConfig = Field(default_factory=ScoringConfig)
    calibration: CalibrationConfig = Field(default_factory=CalibrationConfig)
    recommendations: RecommendationRules = Field(default_factory=RecommendationRules)
    public_satisfaction: PublicSatisfactionRule = Field(default_factory=PublicSatisfactionRule)

    @field_validator("custom_period_days")
    @classmethod
    def _custom_only(cls, value: int | None, info: ValidationInfo) -> int | None:
        cadence = info.data.get("cadence")
        if cadence == "custom" and value is None:
            raise ValueError("required for cadence custom: the length of one period in days")
        if cadence not in (None, "custom") and value is not None:
            raise ValueError(f"only allowed with cadence custom (this cycle is {cadence}); remove it")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "CycleDefinition":
        problems: list[Problem] = []
        count = self.peers.count
        if count and self.stages.peer_review is None:
            problems.append((("stages", "peer_review"), f"required because peers.count is {count}"))
        if not count and self.stages.peer_review is not None:
            problems.append(
                (
                    ("stages", "peer_review"),
                    "peers.count is 0, so there is no peer stage; remove this or set peers.count",
                )
            )
        if not count and self.scoring.behaviour_weights.peer > 0:
            problems.append(
                (
                    ("scoring", "behaviour_weights", "peer"),
                    f"must be 0 when peers.count is 0 (got {self.scoring.behaviour_weights.peer:g})",
                )
            )
        raise_problems(problems)
        return self

    def review_stages(self) -> list[tuple[str, int]]:
        """The review stages this cycle runs, in order, with their working days."""
        days = self.stages.model_dump()
        return [(stage, days[stage]) for stage in REVIEW_STAGES if days[stage] is not None]

    @property
    def zone(self) -> ZoneInfo:
        """The cycle's time zone (schedule and period boundaries)."""
        if self.timezone is None:
            raise ConfigError("cycle time zone not resolved; load the cycle through CyclesConfig")
        return ZoneInfo(self.timezone)


def _not_empty_mapping(what: str) -> Any:
    def check(value: dict[str, Any]) -> dict[str, Any]:
        if not value:
            raise ValueError(f"define at least one {what}")
        return value

    return AfterValidator(check)


class CyclesConfig(ConfigModel):
    """The whole of `cycles.yaml`."""

    organisation: OrganisationConfig
    indicator_sets: Annotated[dict[Name, IndicatorSetDefinition], _not_empty_mapping("indicator set")]
    training_catalog: TrainingCatalog = Field(default_factory=dict)
    cycles: Annotated[dict[Name, CycleDefinition], _not_empty_mapping("cycle")]

    @model_validator(mode="after")
    def _references(self) -> "CyclesConfig":
        problems: list[Problem] = []
        for name, cycle in self.cycles.items():
            problems += self._cycle_references(name, cycle)
        known = self.known_indicator_codes()
        for code in self.training_catalog:
            if code not in known:
                problems.append(
                    (
                        ("training_catalog", code),
                        f"unknown indicator code {code!r}{suggestion(code, known)} "
                        "(keys must be indicator codes of an indicator set or a unit addition)",
                    )
                )
        raise_problems(problems)
        for name, cycle in list(self.cycles.items()):  # resolve the default time zone once, here
            if cycle.timezone is None:
                self.cycles[name] = cycle.model_copy(update={"timezone": self.organisation.timezone})
        return self

    def _cycle_references(self, name: str, cycle: CycleDefinition) -> list[Problem]:
        indicator_set = self.indicator_sets.get(cycle.indicator_set)
        if indicator_set is None:
            defined = ", ".join(sorted(self.indicator_sets))
            return [
                (
                    ("cycles", name, "indicator_set"),
                    f"unknown indicator set {cycle.indicator_set!r}{suggestion(cycle.indicator_set, self.indicator_sets)} "
                    f"(defined: {defined})",
                )
            ]
        scale = indicator_set.scale
        problems: list[Problem] = []
        for key in ("below", "above"):
            value = getattr(cycle.scoring.thresholds, key)
            if not scale.contains(value):
                problems.append(
                    (
                        ("cycles", name, "scoring", "thresholds", key),
                        f"must lie on the scale of indicator set {cycle.indicator_set!r} "
                        f"({scale.min}–{scale.max}) (got {value:g})",
                    )
                )
        problems += _bands_on_scale(name, cycle, scale)
        return problems

    def known_indicator_codes(self) -> set[str]:
        """Every indicator code of every set, defaults and unit additions."""
        return {code for indicator_set in self.indicator_sets.values() for code in indicator_set.all_codes()}

    def cycle(self, name: str) -> CycleDefinition:
        """The named cycle; ConfigError listing the defined cycles when unknown."""
        try:
            return self.cycles[name]
        except KeyError:
            defined = ", ".join(self.cycles)
            raise ConfigError(
                f"unknown cycle {name!r}{suggestion(name, self.cycles)} (defined: {defined})"
            ) from None

    def indicator_set(self, name: str) -> IndicatorSetDefinition:
        """The named indicator set; ConfigError listing the defined sets when unknown."""
        try:
            return self.indicator_sets[name]
        except KeyError:
            defined = ", ".join(self.indicator_sets)
            raise ConfigError(f"unknown indicator set {name!r} (defined: {defined})") from None

    def indicators_for(self, set_name: str, unit_code: str) -> list[IndicatorDefinition]:
        """What one unit's reviews score: the set's defaults followed by the unit's additions."""
        return self.indicator_set(set_name).for_unit(unit_code)

    def training_for(self, indicator_code: str) -> list[TrainingProgramme]:
        """Programmes for an indicator rated below expectation (empty when the catalog has none)."""
        return list(self.training_catalog.get(indicator_code, []))


def _bands_on_scale(name: str, cycle: CycleDefinition, scale: ScaleDefinition) -> list[Problem]:
    return [
        (
            ("cycles", name, "public_satisfaction", "score_bands", index, "score"),
            f"must lie on the scale of indicator set {cycle.indicator_set!r} ({scale.min}–{scale.max}) "
            f"(got {band.score:g})",
        )
        for index, band in enumerate(cycle.public_satisfaction.score_bands)
        if not scale.contains(band.score)
    ]


def load_cycles(path: Path) -> CyclesConfig:
    """Read and validate a cycles YAML file; ConfigError lists every problem, one per line."""
    path = Path(path)
    data, lines = load_yaml_file(path)
    if data is None:
        raise ConfigError(
            f"{path}: the file is empty; it must define organisation, indicator_sets and cycles"
        )
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: expected a mapping with the keys organisation, indicator_sets, training_catalog and "
            f"cycles at the top level (got {type(data).__name__})"
        )
    try:
        return CyclesConfig.model_validate(data)
    except ValidationError as exc:
        problems = list(iter_problems(exc))
        count = f"{len(problems)} problems" if len(problems) != 1 else "1 problem"
        raise ConfigError(
            f"{path}: invalid cycle configuration ({count}):\n"
            + format_problems(str(path), problems, data, lines)
        ) from None

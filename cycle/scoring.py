"""The national scoring rules as pure functions (DESIGN §5), and the documented missing-review rules.

PermenPANRB 6/2022 (default): per indicator, the scores of each reviewer kind are averaged (peers
among themselves) and combined with the cycle's weights; each aspect's weighted mean (indicator
weights) becomes `above`/`meets`/`below` by the thresholds; the predikat comes from the matrix.
PP 46/2011: final = 60 % SKP (work results) + 40 % behaviour on 0–100, in five categories.

Missing reviews:
- no submitted supervisor review (missed, or nobody to review) → the appraisal is *incomplete*:
  no ratings and no predikat, never a silent guess; HR decides in calibration;
- a kind without submissions (peers all missed, self missed) drops out of the combination and
  the remaining weights are scaled up to 1 (supervisor alone when no peer submitted);
An indicator whose source is the public satisfaction survey (kepuasan_masyarakat) takes the
unit's IKM mapped onto the scale as its combined score, with no reviewer scores; below the
cycle's minimum sample it has none and drops out of its aspect's mean like any unscored indicator.
Every figure is rounded to 6 decimals before it is compared with a threshold, so float noise
(supervisor 3 and peers 4/3 at 0.7/0.3 give 2.4999999999999996) never changes a rating.
PP 46/2011 categories are read by their lower bounds ("91 ke atas", 76–90, …) on the final
score rounded to 2 decimals, so 90.5 is Baik and 50.5 Kurang is not reached (Buruk).
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from config.cycle_scoring import ScoringConfig

PREDIKAT_MATRIX: dict[tuple[str, str], str] = {
    # (work-result rating, behaviour rating) → predikat
    ("above", "above"): "Sangat Baik",
    ("above", "meets"): "Baik",
    ("above", "below"): "Kurang/Misconduct",
    ("meets", "above"): "Baik",
    ("meets", "meets"): "Baik",
    ("meets", "below"): "Kurang/Misconduct",
    ("below", "above"): "Butuh Perbaikan",
    ("below", "meets"): "Butuh Perbaikan",
    ("below", "below"): "Sangat Kurang",
}
# PP 46/2011 categories by their lower bound on the 0–100 final score (rounded to 2 decimals).
PP46_CATEGORIES: tuple[tuple[float, str], ...] = (
    (91, "Sangat Baik"),
    (76, "Baik"),
    (61, "Cukup"),
    (51, "Kurang"),
    (-math.inf, "Buruk"),
)
PP46_PREDIKAT: tuple[str, ...] = tuple(name for _, name in PP46_CATEGORIES)
DECIMALS = 6


@dataclass(frozen=True)
class IndicatorInput:
    code: str
    aspect: str
    weight: float
    source: str = "reviews"  # or "public_satisfaction": scored from the unit's IKM, not by reviewers


class KindMeans(NamedTuple):
    """One indicator's submitted scores of one appraisal: the mean each reviewer kind gave (None:
    no submitted score of that kind) and how many peers scored it."""

    self_score: float | None
    supervisor_score: float | None
    peer_score: float | None
    peer_count: int


NOT_SCORED = KindMeans(None, None, None, 0)


@dataclass(frozen=True)
class PublicScore:
    """The unit's public satisfaction index for an IKM-sourced indicator; `score` is None below the
    minimum sample (the indicator is then left out of the appraisal, never guessed)."""

    index: float | None
    responses: int
    score: float | None


@dataclass
class IndicatorFigures:
    code: str
    aspect: str
    self_score: float | None
    supervisor_score: float | None
    peer_score: float | None
    peer_count: int
    combined_score: float | None = None
    rating: str | None = None
    source: str = "reviews"
    public_index: float | None = None
    public_responses: int | None = None


@dataclass
class AppraisalScore:
    appraisal_id: int
    indicators: list[IndicatorFigures] = field(default_factory=list)
    result_score: float | None = None
    behaviour_score: float | None = None
    result_rating: str | None = None
    behaviour_rating: str | None = None
    predikat: str | None = None
    final_score: float | None = None
    incomplete_reason: str | None = None


def combine(means: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    """Weighted combination over the kinds that have a mean and a positive weight, rescaled to 1."""
    present = [
        (weight, mean)
        for kind, weight in weights.items()
        if weight > 0 and (mean := means.get(kind)) is not None
    ]
    if not present:
        return None
    total = math.fsum(weight for weight, _ in present)
    return round(math.fsum(weight * mean for weight, mean in present) / total, DECIMALS)


def weighted_mean(values: list[tuple[float, float]]) -> float | None:
    """Mean of (value, weight) pairs."""
    total = math.fsum(weight for _, weight in values)
    return None if total == 0 else round(math.fsum(v * w for v, w in values) / total, DECIMALS)


def pp46_category(final_score: float) -> str:
    """The PP 46/2011 category: Sangat Baik ≥ 91, Baik 76–90, Cukup 61–75, Kurang 51–60, Buruk ≤ 50."""
    return next(name for bound, name in PP46_CATEGORIES if round(final_score, 2) >= bound)


def to_hundred(value: float, scale_max: int) -> float:
    """A mean on the indicator scale as 0–100 (score ÷ maximum × 100); a 0–100 scale is kept."""
    return value if scale_max == 100 else value / scale_max * 100


def score_appraisal(
    appraisal_id: int,
    indicators: list[IndicatorInput],
    means: Mapping[str, KindMeans],
    supervisor_submitted: bool,
    scoring: ScoringConfig,
    scale_max: int,
    public: PublicScore | None = None,
) -> AppraisalScore:
    """All figures of one appraisal from its submitted scores per indicator code, and, for
    IKM-sourced indicators, the unit's public satisfaction score (None: no responses)."""
    result = AppraisalScore(appraisal_id)
    for indicator in indicators:
        if indicator.source == "public_satisfaction":
            result.indicators.append(_public_figures(indicator, public))
            continue
        own = means.get(indicator.code, NOT_SCORED)
        result.indicators.append(IndicatorFigures(
            indicator.code, indicator.aspect, _rounded(own.self_score), _rounded(own.supervisor_score),
            _rounded(own.peer_score), own.peer_count,
        ))  # fmt: skip
    if not supervisor_submitted:
        result.incomplete_reason = (
            "supervisor review not submitted (missed or no reviewer): HR decides the predikat"
        )
        return result
    weights = scoring.kind_weights
    by_code = {indicator.code: indicator for indicator in indicators}
    for figures in result.indicators:
        if figures.source == "public_satisfaction":
            figures.rating = (
                None if figures.combined_score is None else scoring.thresholds.rating(figures.combined_score)
            )
            continue
        kinds = {
            "self": figures.self_score,
            "supervisor": figures.supervisor_score,
            "peer": figures.peer_score,
        }
        figures.combined_score = combine(kinds, weights[figures.aspect])
        if figures.combined_score is not None:
            figures.rating = scoring.thresholds.rating(figures.combined_score)
    for aspect in ("result", "behaviour"):
        pairs = [
            (f.combined_score, by_code[f.code].weight)
            for f in result.indicators
            if f.aspect == aspect and f.combined_score is not None
        ]
        mean = weighted_mean(pairs)  # type: ignore[arg-type]
        setattr(result, f"{aspect}_score", mean)
        setattr(result, f"{aspect}_rating", None if mean is None else scoring.thresholds.rating(mean))
    if result.result_rating is None or result.behaviour_rating is None:
        result.incomplete_reason = "no scored indicator for one of the aspects"
        return result
    if scoring.scheme == "pp46-2011":
        skp, behaviour = (
            to_hundred(result.result_score, scale_max),
            to_hundred(result.behaviour_score, scale_max),
        )  # type: ignore[arg-type]
        result.final_score = round(
            scoring.pp46.skp_weight * skp + scoring.pp46.behaviour_weight * behaviour, 2
        )
        result.predikat = pp46_category(result.final_score)
    else:
        result.predikat = PREDIKAT_MATRIX[(result.result_rating, result.behaviour_rating)]
    return result


def _public_figures(indicator: IndicatorInput, public: PublicScore | None) -> IndicatorFigures:
    """An IKM-sourced indicator: no reviewer scores, the unit's index (if any) as its combined score."""
    return IndicatorFigures(
        indicator.code, indicator.aspect, None, None, None, 0,
        combined_score=public.score if public else None, source=indicator.source,
        public_index=public.index if public else None, public_responses=public.responses if public else 0,
    )  # fmt: skip


def _rounded(mean: float | None) -> float | None:
    return None if mean is None else round(mean, DECIMALS)

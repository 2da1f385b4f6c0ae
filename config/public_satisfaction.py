"""How a cycle turns a unit's public satisfaction index (IKM, 25–100) into an indicator score.

The IKM formula and its categories are fixed by PermenPANRB 14/2017 and live in `feedback/ikm.py`;
what HR configures per cycle is the minimum number of responses below which the index is not
used (the indicator is left out of the appraisal, never guessed) and the bands that map the
index onto the review scale. Bands are read by their lower bound, best first, and the last one
must start at 25 so every possible index maps to a score.
"""

from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

from config.fields import ConfigModel, ScoreValue, number, whole_number
from config.problems import Problem, raise_problems

IKM_MIN, IKM_MAX = 25.0, 100.0

IndexValue = Annotated[float, BeforeValidator(number(IKM_MIN, IKM_MAX, "an index value"))]


class ScoreBand(ConfigModel):
    """An index from `min_index` (inclusive, on the 2-decimal index) up to the next band scores `score`."""

    min_index: IndexValue
    score: ScoreValue


def _ordered_bands(bands: list[ScoreBand]) -> list[ScoreBand]:
    problems: list[Problem] = []
    if not bands:
        raise ValueError("must list at least one band")
    for index in range(1, len(bands)):
        if bands[index].min_index >= bands[index - 1].min_index:
            problems.append(
                (
                    (index, "min_index"),
                    f"bands go from the highest index down: must be below {bands[index - 1].min_index:g} "
                    f"(got {bands[index].min_index:g})",
                )
            )
        if bands[index].score > bands[index - 1].score:
            problems.append(
                (
                    (index, "score"),
                    f"a lower index must not score higher: at most {bands[index - 1].score:g} (got {bands[index].score:g})",
                )
            )
    if bands[-1].min_index != IKM_MIN:
        problems.append(
            (
                (len(bands) - 1, "min_index"),
                f"the last band must start at {IKM_MIN:g}, the lowest possible index, so every index maps "
                f"to a score (got {bands[-1].min_index:g})",
            )
        )
    raise_problems(problems)
    return bands


def _default_bands() -> list[ScoreBand]:
    # B (Baik, 76.61) is the service quality every unit is expected to reach: "as expected" (3);
    # A (Sangat Baik, 88.31) is above; C (Kurang Baik) and D (Tidak Baik) are below.
    return [
        ScoreBand(min_index=95.0, score=5),
        ScoreBand(min_index=88.31, score=4),
        ScoreBand(min_index=76.61, score=3),
        ScoreBand(min_index=65.0, score=2),
        ScoreBand(min_index=25.0, score=1),
    ]


class PublicSatisfactionRule(ConfigModel):
    """Minimum sample and index-to-score bands for indicators whose `source` is public_satisfaction."""

    min_responses: Annotated[int, BeforeValidator(whole_number(1, None, "responses"))] = 50
    score_bands: Annotated[list[ScoreBand], AfterValidator(_ordered_bands)] = Field(
        default_factory=_default_bands
    )

    def score_for(self, index: float) -> float:
        """The review-scale score of an IKM value as the rule states it (2 decimals, `feedback.ikm`)."""
        return next(band.score for band in self.score_bands if index >= band.min_index)

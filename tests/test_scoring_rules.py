"""The national scoring rules as pure functions (DESIGN §5): the predikat matrix cell by cell, the
rating thresholds at their edges and under float noise, PP 46/2011 categories at every boundary,
and the documented missing-review rules. No database."""

from collections.abc import Mapping

import pytest

from config.cycle_scoring import BehaviourWeights, CalibrationConfig, ResultWeights, ScoringConfig, Thresholds
from cycle.calibration import distributions
from cycle.period_scores import ScoredAppraisal
from cycle.scoring import (
    PP46_PREDIKAT,
    PREDIKAT_MATRIX,
    AppraisalScore,
    IndicatorInput,
    KindMeans,
    combine,
    pp46_category,
    score_appraisal,
    to_hundred,
    weighted_mean,
)

RESULT = ("kuantitas", "kualitas", "waktu")
BEHAVIOUR = ("berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif")
DEFAULT_INDICATORS = [IndicatorInput(c, "result", 1) for c in RESULT] + [
    IndicatorInput(c, "behaviour", 1) for c in BEHAVIOUR
]
DEFAULT = ScoringConfig()
PP46 = ScoringConfig(scheme="pp46-2011")
Means = dict[tuple[str, str], tuple[float, int]]

# DESIGN §5, written out again here (not copied from the code): result rating × behaviour rating.
DESIGN_MATRIX = {
    ("above", "above"): "Sangat Baik", ("above", "meets"): "Baik", ("above", "below"): "Kurang/Misconduct",
    ("meets", "above"): "Baik", ("meets", "meets"): "Baik", ("meets", "below"): "Kurang/Misconduct",
    ("below", "above"): "Butuh Perbaikan", ("below", "meets"): "Butuh Perbaikan", ("below", "below"): "Sangat Kurang",
}  # fmt: skip
# A supervisor mean that lands in each rating with the default thresholds (2.5 / 3.5).
MEAN_FOR = {"above": 4.0, "meets": 3.0, "below": 2.0}


def means_for(
    result: float | None,
    behaviour: float | None,
    peer: float | None = None,
    peers: int = 3,
    self_score: float | None = None,
) -> Means:
    """Per-indicator means: supervisor on every indicator, peers on behaviour, optional self."""
    means: Means = {}
    for code in RESULT:
        if result is not None:
            means[("supervisor", code)] = (result, 1)
    for code in BEHAVIOUR:
        if behaviour is not None:
            means[("supervisor", code)] = (behaviour, 1)
        if peer is not None:
            means[("peer", code)] = (peer, peers)
    if self_score is not None:
        for code in RESULT + BEHAVIOUR:
            means[("self", code)] = (self_score, 1)
    return means


def score(
    means: Mapping[tuple[str, str], tuple[float, int]],
    scoring: ScoringConfig = DEFAULT,
    *,
    indicators: list[IndicatorInput] | None = None,
    supervisor_submitted: bool = True,
    scale_max: int = 5,
) -> AppraisalScore:
    """score_appraisal with the default indicators and scheme unless told otherwise."""
    return score_appraisal(
        7, indicators or DEFAULT_INDICATORS, per_indicator(means), supervisor_submitted, scoring, scale_max
    )


def per_indicator(means: Mapping[tuple[str, str], tuple[float, int]]) -> dict[str, KindMeans]:
    """The tests' (kind, code) → (mean, count), as score_appraisal takes them: per indicator code."""

    def mean(kind: str, code: str) -> float | None:
        return means[(kind, code)][0] if (kind, code) in means else None

    return {
        code: KindMeans(
            mean("self", code),
            mean("supervisor", code),
            mean("peer", code),
            means.get(("peer", code), (0, 0))[1],
        )
        for code in {code for _, code in means}
    }


# --- the predikat matrix ------------------------------------------------------------------------


def test_matrix_is_the_one_of_the_rule() -> None:
    """PREDIKAT_MATRIX has exactly the nine cells of DESIGN §5."""
    assert PREDIKAT_MATRIX == DESIGN_MATRIX


@pytest.mark.parametrize(("ratings", "predikat"), list(DESIGN_MATRIX.items()), ids="-".join)
def test_every_matrix_cell_through_score_appraisal(ratings: tuple[str, str], predikat: str) -> None:
    """Means built for each (result, behaviour) rating pair give the cell's predikat, spelled in full."""
    result_rating, behaviour_rating = ratings
    behaviour = MEAN_FOR[behaviour_rating]
    figures = score(means_for(MEAN_FOR[result_rating], behaviour, peer=behaviour))
    assert (figures.result_rating, figures.behaviour_rating) == ratings
    assert figures.predikat == predikat
    assert figures.incomplete_reason is None and figures.final_score is None


def test_misconduct_label_is_shown_in_full() -> None:
    """Good results with behaviour below expectation: "Kurang/Misconduct", never shortened."""
    figures = score(means_for(5, 2, peer=2))
    assert figures.predikat == "Kurang/Misconduct"
    assert PREDIKAT_MATRIX[("meets", "below")] == "Kurang/Misconduct"


# --- rating thresholds --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mean", "rating"),
    [(1.0, "below"), (2.4999, "below"), (2.5, "meets"), (3.0, "meets"), (3.4999, "meets"), (3.5, "above"), (5.0, "above")],
)  # fmt: skip
def test_threshold_edges(mean: float, rating: str) -> None:
    """Default thresholds: below < 2.5 ≤ meets < 3.5 ≤ above, directly and through score_appraisal."""
    assert Thresholds().rating(mean) == rating
    figures = score(means_for(mean, mean, peer=mean))
    assert figures.result_score == mean and figures.behaviour_score == mean
    assert (figures.result_rating, figures.behaviour_rating) == (rating, rating)
    assert {f.rating for f in figures.indicators} == {rating}


def test_default_thresholds_and_weights_are_the_designed_ones() -> None:
    """2.5 / 3.5 on the 1–5 scale; behaviour 60 % supervisor, 40 % peers, self 0; results by the supervisor."""
    assert (DEFAULT.thresholds.below, DEFAULT.thresholds.above) == (2.5, 3.5)
    assert DEFAULT.behaviour_weights.model_dump() == {"supervisor": 0.6, "peer": 0.4, "self": 0.0}
    assert DEFAULT.result_weights.model_dump() == {"supervisor": 1.0, "self": 0.0}
    assert DEFAULT.scheme == "permenpanrb-6-2022"


def test_supervisor_3_and_peers_4_is_exactly_3_4_and_meets() -> None:
    """0.6 × 3 + 0.4 × 4 is stored as 3.4 (no float tail) and rated meets."""
    assert combine({"supervisor": 3, "peer": 4, "self": None}, DEFAULT.behaviour_weights.model_dump()) == 3.4
    figures = score(means_for(3, 3, peer=4))
    assert {f.combined_score for f in figures.indicators if f.aspect == "behaviour"} == {3.4}
    assert figures.behaviour_score == 3.4
    assert figures.behaviour_rating == "meets" and figures.predikat == "Baik"


def test_exact_3_5_from_supervisor_3_and_peers_4_25_is_above() -> None:
    """0.6 × 3 + 0.4 × 4.25 (four peers: 4, 4, 4, 5) is 3.5: above, so meets × above = Baik."""
    figures = score(means_for(3, 3, peer=4.25, peers=4))
    assert figures.behaviour_score == 3.5
    assert figures.behaviour_rating == "above"
    assert figures.predikat == "Baik"


def test_float_noise_at_3_5_over_several_indicators_does_not_lower_the_rating() -> None:
    """Combined 1.0, 3.8, 4.6, 4.6 average to 3.5; the naive float sum gives 3.4999999999999996."""
    pairs = [(1, 1), (3, 5), (5, 4), (5, 4)]  # (supervisor, peer) per behaviour indicator
    assert sum(0.6 * s + 0.4 * p for s, p in pairs) / 4 < 3.5  # the noise the rounding must absorb
    codes = BEHAVIOUR[: len(pairs)]
    indicators = [IndicatorInput("kuantitas", "result", 1)] + [
        IndicatorInput(c, "behaviour", 1) for c in codes
    ]
    means: Means = {("supervisor", "kuantitas"): (3, 1)}
    for code, (supervisor, peer) in zip(codes, pairs, strict=True):
        means[("supervisor", code)], means[("peer", code)] = (supervisor, 1), (peer, 3)
    figures = score(means, indicators=indicators)
    assert figures.behaviour_score == 3.5 and figures.behaviour_rating == "above"


def test_float_noise_at_2_5_does_not_lower_the_rating() -> None:
    """Weights 0.7 / 0.3, supervisor 3, peers 1, 1, 2 (mean 4/3): 2.5 exactly, meets (naively 2.4999…)."""
    assert 0.7 * 3 + 0.3 * (4 / 3) < 2.5
    scoring = ScoringConfig(behaviour_weights=BehaviourWeights(supervisor=0.7, peer=0.3))
    figures = score(means_for(3, 3, peer=4 / 3), scoring)
    assert figures.behaviour_score == 2.5
    assert figures.behaviour_rating == "meets"


# --- PP 46/2011 ---------------------------------------------------------------------------------

PP46_BOUNDARIES = [
    (0, "Buruk"), (50, "Buruk"), (51, "Kurang"), (60, "Kurang"), (61, "Cukup"),
    (75, "Cukup"), (76, "Baik"), (90, "Baik"), (91, "Sangat Baik"), (100, "Sangat Baik"),
]  # fmt: skip


@pytest.mark.parametrize(("final", "category"), PP46_BOUNDARIES)
def test_pp46_category_boundaries(final: float, category: str) -> None:
    """Buruk ≤ 50 < Kurang 51–60 < Cukup 61–75 < Baik 76–90 < Sangat Baik ≥ 91."""
    assert pp46_category(final) == category


@pytest.mark.parametrize(
    ("final", "category"), [(50.99, "Buruk"), (60.5, "Kurang"), (75.99, "Cukup"), (90.99, "Baik"), (90.995, "Sangat Baik")]
)  # fmt: skip
def test_pp46_fractions_between_bands_stay_in_the_lower_one(final: float, category: str) -> None:
    """Categories go by their lower bound on the score rounded to 2 decimals (the code's documented reading)."""
    assert pp46_category(final) == category


def test_pp46_categories_are_the_five_of_the_rule() -> None:
    """Best first, spelled as PP 46/2011 does."""
    assert PP46_PREDIKAT == ("Sangat Baik", "Baik", "Cukup", "Kurang", "Buruk")


@pytest.mark.parametrize(
    ("result", "behaviour", "final", "category"),
    [(80, 70, 76.0, "Baik"), (75, 76, 75.4, "Cukup"), (90, 92.5, 91.0, "Sangat Baik"), (60, 30, 48.0, "Buruk"),
     (51, 51, 51.0, "Kurang"), (50, 50, 50.0, "Buruk"), (61, 61, 61.0, "Cukup"), (100, 0, 60.0, "Kurang")],
)  # fmt: skip
def test_pp46_sixty_forty_on_a_0_to_100_scale(
    result: float, behaviour: float, final: float, category: str
) -> None:
    """final = 0.6 × SKP + 0.4 × behaviour, kept on 0–100 when the scale is 0–100."""
    figures = score(means_for(result, behaviour, peer=behaviour), PP46, scale_max=100)
    assert figures.final_score == final
    assert figures.predikat == category


@pytest.mark.parametrize(
    ("result", "behaviour", "final", "category"),
    [(4.5, 4.0, 86.0, "Baik"), (4.55, 4.55, 91.0, "Sangat Baik"), (4.5, 4.5, 90.0, "Baik"), (3.8, 3.8, 76.0, "Baik"),
     (3.75, 3.75, 75.0, "Cukup"), (3.05, 3.05, 61.0, "Cukup"), (3.0, 3.0, 60.0, "Kurang"), (2.55, 2.55, 51.0, "Kurang"),
     (2.5, 2.5, 50.0, "Buruk"), (5, 1, 68.0, "Cukup")],
)  # fmt: skip
def test_pp46_sixty_forty_on_a_1_to_5_scale(
    result: float, behaviour: float, final: float, category: str
) -> None:
    """On a 1–5 scale each mean becomes score ÷ 5 × 100 before the 60/40 combination."""
    figures = score(means_for(result, behaviour, peer=behaviour), PP46, scale_max=5)
    assert figures.final_score == final
    assert figures.predikat == category


def test_to_hundred() -> None:
    """score ÷ maximum × 100; a 0–100 scale is kept as it is."""
    assert to_hundred(4, 5) == 80
    assert to_hundred(3, 4) == 75
    assert to_hundred(87.5, 100) == 87.5


def test_pp46_behaviour_still_combines_supervisor_and_peers() -> None:
    """The behaviour half of PP 46 is the 60/40 supervisor/peer combination: 0.6 × 80 + 0.4 × 60 = 72."""
    figures = score(means_for(80, 80, peer=60), PP46, scale_max=100)
    assert figures.behaviour_score == 72
    assert figures.final_score == round(0.6 * 80 + 0.4 * 72, 2) == 76.8
    assert figures.predikat == "Baik"


# --- missing reviews ----------------------------------------------------------------------------


def test_no_supervisor_review_is_incomplete_without_ratings() -> None:
    """No submitted supervisor review: incomplete_reason set, no ratings, no predikat, no final score."""
    for scoring in (DEFAULT, PP46):
        figures = score(means_for(None, None, peer=5, self_score=5), scoring, supervisor_submitted=False)
        assert figures.incomplete_reason is not None and "supervisor" in figures.incomplete_reason
        assert (figures.result_rating, figures.behaviour_rating, figures.predikat) == (None, None, None)
        assert (figures.result_score, figures.behaviour_score, figures.final_score) == (None, None, None)
        assert all(f.rating is None and f.combined_score is None for f in figures.indicators)
        # The submitted scores are still shown, for HR to decide in calibration.
        assert {f.peer_score for f in figures.indicators if f.aspect == "behaviour"} == {5}


def test_no_submitted_peer_leaves_behaviour_to_the_supervisor_alone() -> None:
    """Without peer scores the supervisor's weight is scaled up to 1: behaviour 4 stays 4 (above)."""
    alone = score(means_for(3, 4))
    assert alone.behaviour_score == 4.0 and alone.behaviour_rating == "above"
    assert all(f.peer_count == 0 and f.peer_score is None for f in alone.indicators)
    with_peers = score(means_for(3, 4, peer=2))
    assert with_peers.behaviour_score == 3.2 and with_peers.behaviour_rating == "meets"
    assert combine({"supervisor": 4, "peer": None}, {"supervisor": 0.6, "peer": 0.4}) == 4.0


def test_self_weight_zero_ignores_self_scores() -> None:
    """Default self weight 0: a self-assessment of 1 changes nothing; with a self weight it counts."""
    without = score(means_for(4, 4, peer=4))
    ignored = score(means_for(4, 4, peer=4, self_score=1))
    assert (ignored.result_score, ignored.behaviour_score, ignored.predikat) == (4.0, 4.0, "Sangat Baik")
    assert ignored.predikat == without.predikat
    assert {f.self_score for f in ignored.indicators} == {1.0}
    counted = ScoringConfig(
        result_weights=ResultWeights(supervisor=0.5, self=0.5),
        behaviour_weights=BehaviourWeights(supervisor=0.5, peer=0.3, self=0.2),
    )
    figures = score(means_for(4, 4, peer=4, self_score=1), counted)
    assert figures.result_score == 2.5 and figures.behaviour_score == 3.4
    assert figures.predikat == "Baik"


def test_missing_self_with_a_self_weight_rescales_the_others() -> None:
    """A kind without submissions drops out: supervisor 0.5 alone becomes the whole result."""
    scoring = ScoringConfig(result_weights=ResultWeights(supervisor=0.5, self=0.5))
    assert score(means_for(4, 4, peer=4), scoring).result_score == 4.0


def test_indicator_weights_are_respected() -> None:
    """kuantitas 5 (weight 3) and kualitas 1 (weight 1): (15 + 1) / 4 = 4, above; equal weights give 3."""
    means: Means = {("supervisor", "kuantitas"): (5, 1), ("supervisor", "kualitas"): (1, 1),
                    ("supervisor", "akuntabel"): (3, 1), ("peer", "akuntabel"): (3, 3)}  # fmt: skip
    weighted = [IndicatorInput("kuantitas", "result", 3), IndicatorInput("kualitas", "result", 1),
                IndicatorInput("akuntabel", "behaviour", 1)]  # fmt: skip
    figures = score(means, indicators=weighted)
    assert figures.result_score == 4.0 and figures.result_rating == "above"
    assert figures.predikat == "Baik"
    equal = [IndicatorInput(i.code, i.aspect, 1) for i in weighted]
    assert score(means, indicators=equal).result_score == 3.0
    assert [f.rating for f in figures.indicators] == ["above", "below", "meets"]
    assert weighted_mean([(5, 3), (1, 1)]) == 4.0
    assert weighted_mean([]) is None


def test_an_aspect_without_any_score_is_incomplete() -> None:
    """A submitted supervisor review that scored no behaviour indicator gives no predikat."""
    figures = score(means_for(4, None))
    assert figures.result_rating == "above" and figures.behaviour_rating is None
    assert figures.predikat is None
    assert figures.incomplete_reason == "no scored indicator for one of the aspects"


def test_peer_mean_and_count_are_kept_per_indicator() -> None:
    """The peers' mean (rounded to 6 decimals) and how many peers scored each behaviour indicator."""
    figures = score(means_for(3, 3, peer=10 / 3, peers=3))
    behaviour = [f for f in figures.indicators if f.aspect == "behaviour"]
    assert {(f.peer_score, f.peer_count) for f in behaviour} == {(3.333333, 3)}
    assert {(f.peer_score, f.peer_count) for f in figures.indicators if f.aspect == "result"} == {(None, 0)}


# --- the calibration curve (pure) ---------------------------------------------------------------


def unit(
    *predikat: str | None, code: str = "PKM-01", overrides: Mapping[int, str] | None = None
) -> list[ScoredAppraisal]:
    """Scored appraisals of one unit with the given predikat (None: incomplete) and overrides by index."""
    overrides = overrides or {}
    return [
        ScoredAppraisal(i, f"{i:018d}", f"Pegawai {i}", code, "calibration", AppraisalScore(i, predikat=p), overrides.get(i))
        for i, p in enumerate(predikat)
    ]  # fmt: skip


def test_curve_edges_are_inside() -> None:
    """Ten rated: 20 % Sangat Baik, 50 % Baik, 20 % Butuh Perbaikan, 10 % Kurang/Misconduct is exactly allowed."""
    scored = unit(*["Sangat Baik"] * 2, *["Baik"] * 5, *["Butuh Perbaikan"] * 2, "Kurang/Misconduct")
    [found] = distributions(scored, CalibrationConfig())
    assert (found.checked, found.rated, found.outside) == (True, 10, [])


def test_curve_bands_broken_are_listed() -> None:
    """40 % Baik is under the 50 % minimum; 20 % Sangat Kurang is over its 10 % maximum."""
    scored = unit(*["Sangat Baik"] * 2, *["Baik"] * 4, *["Butuh Perbaikan"] * 2, *["Sangat Kurang"] * 2)
    [found] = distributions(scored, CalibrationConfig())
    assert found.outside == ["Baik 40% (curve ≥ 50%)", "Sangat Kurang 20% (curve ≤ 10%)"]


def test_min_unit_size_counts_rated_appraisals_only() -> None:
    """Four rated and one incomplete: not checked; five rated: checked (shares of the rated ones)."""
    [small] = distributions(unit(*["Sangat Baik"] * 4, None), CalibrationConfig())
    assert (small.checked, small.rated, small.incomplete, small.outside) == (False, 4, 1, [])
    [five] = distributions(unit(*["Sangat Baik"] * 2, *["Baik"] * 3, None), CalibrationConfig())
    assert (five.checked, five.incomplete) == (True, 1)
    assert five.outside == ["Sangat Baik 40% (curve ≤ 20%)"]


def test_overrides_count_in_the_distribution() -> None:
    """HR's predikat replaces the computed one, also for an incomplete appraisal."""
    scored = unit(*["Sangat Baik"] * 2, *["Baik"] * 3, None, overrides={0: "Baik", 5: "Baik"})
    [found] = distributions(scored, CalibrationConfig())
    assert found.counts == {"Sangat Baik": 1, "Baik": 5} and found.incomplete == 0 and found.outside == []

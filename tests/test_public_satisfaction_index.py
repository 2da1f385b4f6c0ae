"""The public satisfaction index (IKM, PermenPANRB 14/2017): the formula, every category boundary,
the minimum sample, the mapping onto the review scale, and the figures computed from stored rows."""

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, insert

from config.errors import ConfigError
from config.public_satisfaction import PublicSatisfactionRule, ScoreBand
from cycle.calibration import period_by_key
from feedback.ikm import compute_ikm
from feedback.period_ikm import INSTANT, ikm_window, period_ikm
from feedback.services import register_service
from models import FeedbackResponse
from models.db import read_session, write_session
from tests.builders import DINKES, PKM
from tests.cycle_builders import edited_cycles, open_cycle, roster_with_hr, seeded_engine, wib

KEY = "annual-2027"


def sums_for(total: int) -> list[int]:
    """Nine element sums adding up to `total`, as even as possible."""
    base, extra = divmod(total, 9)
    return [base + (1 if n < extra else 0) for n in range(9)]


@pytest.mark.parametrize(
    ("total", "responses", "index", "letter", "label"),
    [
        (90000, 2500, 100.00, "A", "Sangat Baik"),  # every answer 4
        (79479, 2500, 88.31, "A", "Sangat Baik"),  # lowest A
        (79470, 2500, 88.30, "B", "Baik"),  # highest B
        (68949, 2500, 76.61, "B", "Baik"),  # lowest B
        (68940, 2500, 76.60, "C", "Kurang Baik"),  # highest C
        (58500, 2500, 65.00, "C", "Kurang Baik"),  # lowest C
        (58491, 2500, 64.99, "D", "Tidak Baik"),  # highest D
        (22500, 2500, 25.00, "D", "Tidak Baik"),  # every answer 1
        (158949, 5000, 88.31, "A", "Sangat Baik"),  # exactly 88.305: half up, not float's 88.30
        (158948, 5000, 88.30, "B", "Baik"),  # 88.3044…
    ],
)
def test_index_and_category_at_every_boundary(
    total: int, responses: int, index: float, letter: str, label: str
) -> None:
    figures = compute_ikm(sums_for(total), responses, min_responses=1)
    assert figures.index == index
    assert (figures.category.letter, figures.category.label("id")) == (letter, label)


def test_index_is_the_equally_weighted_mean_of_the_element_means_times_25() -> None:
    # Three responses; element means 4, 3, 2, 1, 4, 3, 2, 1, 4 → mean of means 24/9 → 66.666… → 66.67.
    sums = [12, 9, 6, 3, 12, 9, 6, 3, 12]
    figures = compute_ikm(sums, 3, min_responses=3)
    assert figures.element_means == (4.0, 3.0, 2.0, 1.0, 4.0, 3.0, 2.0, 1.0, 4.0)
    assert figures.index == 66.67 and figures.category.letter == "C"
    assert figures.meets_min_sample
    assert not compute_ikm(sums, 3, min_responses=4).meets_min_sample


def test_an_index_needs_a_response_and_nine_sums() -> None:
    with pytest.raises(ValueError, match="at least one response"):
        compute_ikm([0] * 9, 0, 1)
    with pytest.raises(ValueError, match="expected 9 element sums"):
        compute_ikm([3] * 8, 1, 1)


@pytest.mark.parametrize(
    ("index", "score"),
    [
        (100.0, 5),
        (95.0, 5),
        (94.99, 4),
        (88.31, 4),
        (88.30, 3),
        (76.61, 3),
        (76.60, 2),
        (65.0, 2),
        (64.99, 1),
        (25.0, 1),
    ],
)
def test_default_bands_map_the_index_onto_the_review_scale(index: float, score: int) -> None:
    assert PublicSatisfactionRule().score_for(index) == score


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        ([{"min_index": 80, "score": 4}, {"min_index": 90, "score": 5}, {"min_index": 25, "score": 1}],
         "bands go from the highest index down"),
        ([{"min_index": 90, "score": 3}, {"min_index": 25, "score": 4}], "a lower index must not score higher"),
        ([{"min_index": 90, "score": 5}, {"min_index": 30, "score": 1}], "the last band must start at 25"),
        ([{"min_index": 101, "score": 5}, {"min_index": 25, "score": 1}], "an index value from 25 to 100"),
        ([], "at least one band"),
    ],
)  # fmt: skip
def test_score_bands_are_refused_unless_ordered_and_complete(
    bands: list[dict[str, float]], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        PublicSatisfactionRule(score_bands=[ScoreBand(**band) for band in bands] if bands else [])


def test_a_band_off_the_scale_is_a_config_error_naming_the_cycle(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError,
        match=r"cycles\.annual\.public_satisfaction\.score_bands\[0\]\.score: must lie on the scale.*\(line \d+\)",
    ):
        edited_cycles(tmp_path, ("- {min_index: 95.00, score: 5}", "- {min_index: 95.00, score: 6}"))


def test_min_responses_must_be_a_positive_whole_number(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"min_responses.*whole number of responses"):
        edited_cycles(tmp_path, ("min_responses: 100", "min_responses: 0"))


@pytest.fixture
def engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    with seeded_engine(database_url, tmp_path, roster_with_hr()) as seeded:
        config = edited_cycles(tmp_path, ("min_responses: 100", "min_responses: 4"))
        open_cycle(seeded, wib(2027, 1, 4, 8), config=config)
        yield seeded


def _respond(
    engine: Engine, unit: tuple[str, str, str], code: str, answers: list[list[int]], at: list[datetime]
) -> None:
    with write_session(engine) as session:
        service = register_service(session, unit[0], code, f"Layanan {code}")
        session.execute(insert(FeedbackResponse), [
            {"service_id": service.id, "submitted_at": moment, "channel": "kiosk",
             **{f"u{n + 1}": value for n, value in enumerate(row)}}
            for row, moment in zip(answers, at, strict=True)
        ])  # fmt: skip


def test_period_figures_pool_a_units_services_and_count_only_the_window(engine: Engine) -> None:
    inside = [wib(2027, 1, 5, 9), wib(2027, 1, 6, 10), wib(2027, 1, 7, 11)]
    _respond(engine, PKM, "RJ", [[4] * 9, [4] * 9, [4] * 9], inside)
    _respond(engine, PKM, "IMUN", [[1] * 9], [wib(2027, 1, 8, 9)])
    _respond(engine, DINKES, "SIP", [[3] * 9, [2] * 9], [wib(2026, 12, 31, 23, 59), wib(2027, 2, 1, 9)])
    with read_session(engine) as session:
        report = period_ikm(session, period_by_key(session, KEY), now=wib(2027, 1, 20, 12))
    units = {unit.unit_code: unit for unit in report.units}
    pkm = units["PKM-01"]
    # Pooled: 3 × 36 + 9 = 117 over 4 responses → 25 × 117 / 36 = 81.25, not the mean of 100 and 25.
    assert pkm.figures is not None and (pkm.figures.responses, pkm.figures.index) == (4, 81.25)
    assert pkm.figures.category.letter == "B" and pkm.figures.meets_min_sample
    services = {service.code: service.figures for service in pkm.services}
    assert services["RJ"] is not None and services["RJ"].index == 100.0
    assert services["IMUN"] is not None and services["IMUN"].index == 25.0
    # DINKES: one response before the period started (31 Dec WIB), one after "now": none counts.
    assert units["DINKES"].figures is None and units["DINKES"].services[0].figures is None


def test_figures_of_a_closed_period_stop_at_its_close(engine: Engine) -> None:
    with read_session(engine) as session:
        period = period_by_key(session, KEY)
    closed = period.model_copy(update={"status": "closed", "closed_at": wib(2027, 2, 10, 9)})
    assert ikm_window(closed, now=wib(2027, 6, 1)) == (period.starts_at, wib(2027, 2, 10, 9) + INSTANT)
    assert ikm_window(period, now=wib(2027, 6, 1)) == (period.starts_at, wib(2027, 6, 1) + INSTANT)
    assert ikm_window(period, now=wib(2028, 3, 1)) == (period.starts_at, period.ends_at)


def test_a_response_at_the_very_instant_of_now_counts(engine: Engine) -> None:
    """A web submission is stamped with the app's clock; the page read at that same instant shows it."""
    _respond(engine, PKM, "RJ", [[4] * 9], [wib(2027, 1, 20, 12)])
    with read_session(engine) as session:
        report = period_ikm(session, period_by_key(session, KEY), now=wib(2027, 1, 20, 12))
    pkm = next(unit for unit in report.units if unit.unit_code == "PKM-01")
    assert pkm.figures is not None and pkm.figures.responses == 1


def test_weakest_elements_come_first_and_comments_newest_first(engine: Engine) -> None:
    answers = [[4, 3, 2, 4, 4, 4, 4, 1, 3], [4, 3, 2, 4, 4, 4, 4, 2, 3]]
    _respond(engine, PKM, "RJ", answers, [wib(2027, 1, 5, 9), wib(2027, 1, 5, 10)])
    with read_session(engine) as session:
        report = period_ikm(session, period_by_key(session, KEY), now=wib(2027, 1, 20))
    pkm = next(unit for unit in report.units if unit.unit_code == "PKM-01")
    assert [key for key, _ in pkm.weakest_elements()[:3]] == ["u8", "u3", "u2"]
    assert not pkm.figures.meets_min_sample  # type: ignore[union-attr]  # 2 < 4

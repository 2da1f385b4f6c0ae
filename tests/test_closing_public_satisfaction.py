"""The kepuasan_masyarakat indicator at close: scored from the unit's IKM, left out below the minimum
sample, never asked of reviewers, shown with its source in results and the export."""

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select

from config.cycles import CyclesConfig
from cycle.submissions import Submission, SubmissionRefused, record_submission
from exports.results_csv import period_export, results_csv
from feedback.services import register_service
from models import Appraisal, Employee, FeedbackResponse, IndicatorResult, Period
from models.db import read_session, write_session
from models.results_queries import employee_result
from tests.builders import AGUS, ANDI, DEWI, PKM, PUTRI
from tests.closing_builders import (
    P1,
    P2,
    P3,
    P4,
    city_roster,
    close,
    flat,
    open_reviews,
    reopen,
    run_to_calibration,
    stored,
)
from tests.cycle_builders import edited_cycles, open_cycle, seeded_engine, wib

KEY = "annual-2027"
OPENED = wib(2027, 1, 4, 8)
WORKING = wib(2027, 1, 6, 10)
CLOSING = wib(2027, 1, 20, 9)
PKM_STAFF = (DEWI, AGUS, PUTRI, P1, P2, P3, P4)
# The supervisor rates results "as expected" (3) and behaviour above (4): without the indicator
# the predikat is Baik; an IKM of 95 or more adds a 5 to the results and makes it Sangat Baik.
SCORES = dict.fromkeys(PKM_STAFF, flat(3, 4)) | {ANDI: flat(3, 4)}


@pytest.fixture
def config(tmp_path: Path) -> CyclesConfig:
    """The shipped cycles with Puskesmas PKM-01 scored on kepuasan_masyarakat, minimum sample 5."""
    return edited_cycles(
        tmp_path, ("units: [DISDUKCAPIL, DPMPTSP]", "units: [DISDUKCAPIL, DPMPTSP, PKM-01]"),
        ("min_responses: 100", "min_responses: 5"),
    )  # fmt: skip


@pytest.fixture
def engine(database_url: str, tmp_path: Path, config: CyclesConfig) -> Iterator[Engine]:
    with seeded_engine(database_url, tmp_path, city_roster()) as seeded:
        open_cycle(seeded, OPENED, config=config)
        yield seeded


def respond(engine: Engine, answer: int, count: int, at: datetime, unit: str = PKM[0]) -> None:
    """`count` responses to a PKM-01 service, every element answered `answer`."""
    with write_session(engine) as session:
        service = register_service(session, unit, "RJ", "Rawat Jalan")
        row = {
            "service_id": service.id,
            "submitted_at": at,
            "channel": "web",
            **{f"u{n}": answer for n in range(1, 10)},
        }
        session.execute(insert(FeedbackResponse), [row] * count)


def public_rows(engine: Engine) -> dict[str, tuple[object, ...]]:
    """NIP → (source, index, responses, combined score, rating) of its kepuasan_masyarakat figures."""
    query = (
        select(Employee.nip, IndicatorResult.source, IndicatorResult.public_index, IndicatorResult.public_responses,
               IndicatorResult.combined_score, IndicatorResult.rating, IndicatorResult.supervisor_score)
        .join(Appraisal, Appraisal.id == IndicatorResult.appraisal_id).join(Employee, Employee.id == Appraisal.employee_id)
        .join(Period, Period.id == Appraisal.period_id)
        .where(Period.key == KEY, IndicatorResult.indicator_code == "kepuasan_masyarakat")
    )  # fmt: skip
    with read_session(engine) as session:
        return {nip: tuple(rest) for nip, *rest in session.execute(query)}


def test_enough_responses_score_the_indicator_from_the_unit_ikm(engine: Engine, config: CyclesConfig) -> None:
    respond(engine, 4, 6, wib(2027, 1, 5, 9))  # IKM 100 → 5 on the default bands
    run_to_calibration(engine, KEY, WORKING, SCORES)
    close(engine, KEY, CLOSING, config, accept_distribution=True)
    rows = public_rows(engine)
    assert set(rows) == set(PKM_STAFF), "only the unit with the addition has the indicator"
    assert all(row == ("public_satisfaction", 100.0, 6, 5.0, "above", None) for row in rows.values())
    figures = stored(engine, KEY)
    assert figures[DEWI].result_score == pytest.approx((3 + 3 + 3 + 5) / 4)
    assert figures[DEWI].predikat == "Sangat Baik" and figures[ANDI].predikat == "Baik"


def test_below_the_minimum_sample_the_indicator_is_left_out_not_guessed(
    engine: Engine, config: CyclesConfig
) -> None:
    respond(engine, 4, 4, wib(2027, 1, 5, 9))  # 4 responses < 5
    run_to_calibration(engine, KEY, WORKING, SCORES)
    close(engine, KEY, CLOSING, config, accept_distribution=True)
    assert public_rows(engine)[DEWI] == ("public_satisfaction", 100.0, 4, None, None, None)
    figures = stored(engine, KEY)
    assert figures[DEWI].result_score == 3.0 and figures[DEWI].predikat == "Baik"


def test_responses_outside_the_period_or_after_close_do_not_count(
    engine: Engine, config: CyclesConfig
) -> None:
    respond(engine, 4, 5, wib(2026, 12, 20, 9))  # before the period
    respond(engine, 4, 5, wib(2027, 1, 21, 9))  # after the close below
    respond(engine, 1, 2, wib(2027, 1, 5, 9))
    run_to_calibration(engine, KEY, WORKING, SCORES)
    close(engine, KEY, CLOSING, config, accept_distribution=True)
    assert public_rows(engine)[DEWI] == ("public_satisfaction", 25.0, 2, None, None, None)


def test_reopen_and_close_again_counts_the_responses_since(engine: Engine, config: CyclesConfig) -> None:
    respond(engine, 3, 5, wib(2027, 1, 5, 9))  # IKM 75.00 (C) → 2
    run_to_calibration(engine, KEY, WORKING, SCORES)
    close(engine, KEY, CLOSING, config, accept_distribution=True)
    assert public_rows(engine)[DEWI][1:4] == (75.0, 5, 2.0)
    reopen(engine, KEY, "IKM survei Januari belum lengkap", wib(2027, 1, 25, 9))
    respond(engine, 4, 15, wib(2027, 1, 26, 9))  # 5 × 27 + 15 × 36 = 675 of 20 → 93.75 (A) → 4
    close(engine, KEY, wib(2027, 1, 27, 9), config, accept_distribution=True)
    assert public_rows(engine)[DEWI][1:4] == (93.75, 20, 4.0)


def test_reviewers_are_never_asked_for_the_indicator(engine: Engine) -> None:
    reviewee, reviewer = next(pair for pair in open_reviews(engine, KEY, "self") if pair[0] == DEWI)
    scores = dict.fromkeys(("kuantitas", "kualitas", "waktu", "berorientasi_pelayanan", "akuntabel", "kompeten",
                            "harmonis", "loyal", "adaptif", "kolaboratif"), 3)  # fmt: skip
    with pytest.raises(
        SubmissionRefused, match="kepuasan_masyarakat' is scored from the public satisfaction survey"
    ):
        with write_session(engine) as session:
            submission = Submission(KEY, reviewee, reviewer, "self", {**scores, "kepuasan_masyarakat": 3})
            record_submission(session, submission, WORKING, actor="test")
    with write_session(engine) as session:  # without it, the same review is complete
        assert (
            record_submission(
                session, Submission(KEY, reviewee, reviewer, "self", scores), WORKING, actor="test"
            )
            == "submitted"
        )


def test_results_show_and_export_name_the_source(engine: Engine, config: CyclesConfig) -> None:
    respond(engine, 4, 6, wib(2027, 1, 5, 9))
    run_to_calibration(engine, KEY, WORKING, SCORES)
    close(engine, KEY, CLOSING, config, accept_distribution=True)
    with read_session(engine) as session:
        result = employee_result(session, DEWI, KEY)
        csv_text = results_csv(period_export(session, KEY).rows)
    line = next(line for line in result.indicators if line.code == "kepuasan_masyarakat")
    assert (line.source, line.public_index, line.public_responses, line.combined_score) == (
        "public_satisfaction",
        100.0,
        6,
        5.0,
    )
    rows = {row.split(",")[0]: row.split(",") for row in csv_text.splitlines()[1:]}
    assert rows[DEWI][-3:] == ["100.00", "6", "5.00"]
    assert rows[ANDI][-3:] == ["", "", ""]

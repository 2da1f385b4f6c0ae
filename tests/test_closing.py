"""Closing a period on both databases: what is refused and why, forced and accepted closes, HR's
calibration overrides, idempotence, immutability until an audited reopen, and the follow-up
recommendations (DESIGN §5 calibration, §6). Reviews go through `record_submission`."""

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from config.cycle_scoring import PromotionRule
from cycle.calibration import calibration_time_over, period_by_key
from cycle.submissions import Submission, SubmissionRefused, record_submission
from models import CalibrationOverride
from models.db import read_session, write_session
from tests.builders import AGUS, ANDI, BUDI, DEWI, JOKO, PUTRI, RINA, SITI
from tests.closing_builders import (
    ACTOR,
    ALL_CODES,
    P1,
    P2,
    P3,
    P4,
    appraisal_ids,
    city_roster,
    close,
    flat,
    indicator_results,
    kinds,
    marks,
    open_reviews,
    override,
    period_row,
    programmes,
    recommendations,
    refusal,
    reopen,
    review_statuses,
    run_to_calibration,
    snapshot,
    stored,
)
from tests.cycle_builders import (
    HENDRA,
    audit,
    edited_cycles,
    open_cycle,
    run_together,
    seeded_engine,
    shipped_cycles,
    wib,
)

KEY = "annual-2027"
OPENED = wib(2027, 1, 4, 8)  # Monday; every review below is submitted the next day
RUN = wib(2027, 1, 5, 9)
CLOSE = wib(2027, 1, 6, 10)
EVERYONE = 13  # city_roster: the small roster, Hendra (HR) and four more staff in PKM-01
# PKM-01 (seven rated) with two Sangat Baik is outside the curve; DINKES (three) is never checked.
TWO_STARS = {DEWI: marks("Sangat Baik"), AGUS: marks("Sangat Baik")} | dict.fromkeys(
    (ANDI, RINA, JOKO), marks("Sangat Baik")
)
PKM_OUTSIDE = "PKM-01: Sangat Baik 29% (curve ≤ 20%)"


@pytest.fixture
def seeded(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """The city roster, no period yet."""
    with seeded_engine(database_url, tmp_path, city_roster()) as engine:
        yield engine


@pytest.fixture
def engine(seeded: Engine) -> Engine:
    """The city roster with annual-2027 opened on OPENED."""
    open_cycle(seeded, OPENED)
    return seeded


# --- refusals, forced and accepted closes -------------------------------------------------------


def test_close_before_calibration_is_refused_and_force_moves_on(engine: Engine, database_url: str) -> None:
    """Siti never self-assessed, Joko's supervisor never reviewed, Rina's peers never answered."""
    skipped = {"skip_self": {SITI}, "skip_supervisor": {JOKO}, "skip_peers": {RINA}}
    run_to_calibration(engine, KEY, RUN, {RINA: marks("Sangat Baik")}, **skipped)
    rina_peers = len(open_reviews(engine, KEY, "peer"))
    assert rina_peers >= 1
    with read_session(engine) as session:
        assert not calibration_time_over(session, period_by_key(session, KEY), wib(2027, 12, 31))
    before = snapshot(engine, database_url)
    message = refusal(close, engine, KEY, CLOSE)
    assert message.startswith(f"{KEY}: 3 appraisals have not reached calibration "
                              "(1 in peer_review, 1 in self_assessment, 1 in supervisor_review)")  # fmt: skip
    assert "--force" in message
    assert snapshot(engine, database_url) == before

    result = close(engine, KEY, CLOSE, force=True)
    assert (result.closed_now, result.forced, result.appraisals, result.incomplete) == (True, 6, EVERYONE, 2)
    ids = appraisal_ids(engine, KEY)
    moves: dict[str, list[tuple[str, str]]] = {}
    for entity_id, was, now in audit(engine, "appraisal.stage.forced"):
        moves.setdefault(entity_id, []).append((was["stage"], now["stage"]))
    assert moves == {
        ids[SITI]: [("self_assessment", "supervisor_review"), ("supervisor_review", "peer_review"), ("peer_review", "calibration")],
        ids[JOKO]: [("supervisor_review", "peer_review"), ("peer_review", "calibration")],
        ids[RINA]: [("peer_review", "calibration")],
    }  # fmt: skip
    assert review_statuses(engine, KEY, SITI) == {"self": {"missed"}}
    assert review_statuses(engine, KEY, JOKO) == {"self": {"submitted"}, "supervisor": {"missed"}}
    assert review_statuses(engine, KEY, RINA)["peer"] == {"missed"}
    assert len(audit(engine, "review.missed.forced")) == 2 + rina_peers
    figures = stored(engine, KEY)
    assert {f.stage for f in figures.values()} == {"closed"}
    for nip in (SITI, JOKO):
        assert figures[nip].predikat is None and figures[nip].result_rating is None
        assert "supervisor review not submitted" in (figures[nip].incomplete_reason or "")
    # Rina's peers all missed: her behaviour is her supervisor's 4 alone.
    assert (figures[RINA].behaviour_score, figures[RINA].predikat) == (4.0, "Sangat Baik")
    assert result.predikat == Counter({"Baik": EVERYONE - 3, "Sangat Baik": 1})
    assert set(recommendations(engine, KEY)) == {RINA}  # incomplete appraisals get none


def test_unit_outside_the_curve_is_refused_then_accepted(engine: Engine, database_url: str) -> None:
    """Two Sangat Baik of seven in PKM-01 break the 20 % band; DINKES (three rated) is not checked."""
    run_to_calibration(engine, KEY, RUN, TWO_STARS)
    before = snapshot(engine, database_url)
    message = refusal(close, engine, KEY, CLOSE)
    assert f"{KEY}: 1 unit(s) outside the distribution curve:\n  {PKM_OUTSIDE}\n" in message
    assert "DINKES" not in message and "--accept-distribution" in message
    assert snapshot(engine, database_url) == before

    result = close(engine, KEY, CLOSE, accept_distribution=True)
    assert result.closed_now and result.accepted_outside == [PKM_OUTSIDE]
    units = {d.unit_code: d for d in result.distribution}
    assert (units["PKM-01"].checked, units["PKM-01"].counts) == (True, {"Sangat Baik": 2, "Baik": 5})
    assert (units["DINKES"].checked, units["DINKES"].outside) == (False, [])
    period = period_row(engine, KEY)
    assert (period.status, period.closed_by, period.distribution_accepted_by) == ("closed", ACTOR, ACTOR)
    assert period.distribution_accepted_at == CLOSE and period.closed_at == CLOSE
    [(_, was, after)] = audit(engine, "period.close")
    assert was == {"status": "open"} and after["accepted_outside_curve"] == [PKM_OUTSIDE]
    assert stored(engine, KEY)[AGUS].predikat == "Sangat Baik"


def test_override_changes_the_distribution_and_the_stored_result(engine: Engine) -> None:
    """HR sets Agus to Baik with a reason: PKM-01 fits the curve, closing needs no acceptance."""
    run_to_calibration(engine, KEY, RUN, TWO_STARS)
    with read_session(engine) as session:
        period = period_by_key(session, KEY)
        assert not calibration_time_over(session, period, wib(2027, 1, 12, 23))
        assert calibration_time_over(session, period, wib(2027, 1, 13, 0, 0, 1))  # 5 working days on
    override(engine, KEY, AGUS, "Sangat Kurang", "salah pilih", RUN)
    override(engine, KEY, AGUS, "Baik", "Kalibrasi: target SKP belum terverifikasi", RUN)
    agus = appraisal_ids(engine, KEY)[AGUS]
    assert audit(engine, "calibration.override") == [
        (agus, None, {"predikat": "Sangat Kurang", "reason": "salah pilih"}),
        (agus, {"predikat": "Sangat Kurang", "reason": "salah pilih"},
         {"predikat": "Baik", "reason": "Kalibrasi: target SKP belum terverifikasi"}),
    ]  # fmt: skip
    with read_session(engine) as session:
        row = session.execute(select(CalibrationOverride)).scalar_one()
    assert (row.computed_predikat, row.predikat, row.actor) == ("Sangat Baik", "Baik", ACTOR)

    result = close(engine, KEY, CLOSE)
    units = {d.unit_code: d for d in result.distribution}
    assert units["PKM-01"].counts == {"Sangat Baik": 1, "Baik": 6} and units["PKM-01"].outside == []
    assert result.accepted_outside == [] and period_row(engine, KEY).distribution_accepted_by is None
    figures = stored(engine, KEY)
    assert figures[AGUS].predikat == "Baik"
    assert figures[AGUS].result_rating == figures[AGUS].behaviour_rating == "above"  # computed, kept
    advice = recommendations(engine, KEY)
    assert AGUS not in advice and set(advice[DEWI]) == {"reward"}


OVERRIDE_REFUSALS = [
    ("other-scheme", RINA, "Cukup", "alasan", "PREDIKAT: expected one of Sangat Baik, Baik, Butuh Perbaikan, Kurang/Misconduct, Sangat Kurang, got 'Cukup'"),
    ("label-not-in-full", RINA, "Kurang", "alasan", "got 'Kurang'"),
    ("no-reason", RINA, "Baik", "   ", "--reason: HR must say why"),
    ("not-in-calibration", RINA, "Baik", "alasan", f"the appraisal of {RINA} is in self_assessment; predikat can be set only in calibration"),
    ("unknown-nip", "199901012022031007", "Baik", "alasan", f"NIP 199901012022031007 has no appraisal in {KEY}"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("nip", "predikat", "reason", "words"),
    [r[1:] for r in OVERRIDE_REFUSALS],
    ids=[r[0] for r in OVERRIDE_REFUSALS],
)
def test_override_refusals_write_nothing(
    engine: Engine, database_url: str, nip: str, predikat: str, reason: str, words: str
) -> None:
    """A predikat of another scheme, no reason, an appraisal not in calibration: refused, nothing written."""
    before = snapshot(engine, database_url)
    assert words in refusal(override, engine, KEY, nip, predikat, reason, RUN)
    assert snapshot(engine, database_url) == before


# --- idempotence, immutability, reopening -------------------------------------------------------


def test_second_close_changes_nothing_and_closed_is_immutable(engine: Engine, database_url: str) -> None:
    """closed_now=False the second time; submissions and overrides are refused once closed."""
    run_to_calibration(engine, KEY, RUN)
    assert close(engine, KEY, CLOSE).closed_now
    before = snapshot(engine, database_url)
    again = close(engine, KEY, wib(2027, 1, 7, 10), force=True, accept_distribution=True)
    assert (again.closed_now, again.appraisals, again.predikat + again.recommendations) == (
        False,
        0,
        Counter(),
    )
    late = Submission(KEY, SITI, BUDI, "supervisor", dict.fromkeys(ALL_CODES, 5))
    with pytest.raises(SubmissionRefused, match=f"period {KEY} is closed"):
        with write_session(engine) as session:
            record_submission(session, late, CLOSE, actor="test")
    assert f"period {KEY} is closed" in refusal(override, engine, KEY, SITI, "Sangat Baik", "alasan", CLOSE)
    assert snapshot(engine, database_url) == before


def test_two_closes_at_once_close_exactly_once(engine: Engine, database_url: str) -> None:
    """Racing closes queue on the period: one closes, the other finds it closed and writes nothing."""
    run_to_calibration(engine, KEY, RUN)
    engine.dispose()
    outcomes = run_together(database_url, *[lambda e: close(e, KEY, CLOSE).closed_now] * 2)
    assert sorted(outcomes) == [False, True]
    assert len(audit(engine, "period.close")) == 1
    assert indicator_results(engine, KEY) == EVERYONE * len(ALL_CODES)


def test_reopen_needs_a_reason_and_a_second_close_works(engine: Engine, database_url: str) -> None:
    """Reopen: audited, appraisals back in calibration, recommendations and figures removed; close again."""
    scores = {DEWI: marks("Sangat Baik"), JOKO: marks("Butuh Perbaikan"), RINA: marks("Sangat Baik", kuantitas=1)}  # fmt: skip
    run_to_calibration(engine, KEY, RUN, scores)
    first = close(engine, KEY, CLOSE)
    assert kinds(engine, KEY) == {DEWI: {"reward"}, JOKO: {"improvement_plan", "training"}, RINA: {"training"}}  # fmt: skip
    before = snapshot(engine, database_url)
    assert "--reason" in refusal(reopen, engine, KEY, " ", CLOSE)
    assert snapshot(engine, database_url) == before

    reopened = wib(2027, 1, 8, 9)
    assert reopen(engine, KEY, "Nilai Joko salah input", reopened) == EVERYONE
    assert {f.stage for f in stored(engine, KEY).values()} == {"calibration"}
    assert recommendations(engine, KEY) == {} and indicator_results(engine, KEY) == 0
    period = period_row(engine, KEY)
    assert (period.status, period.closed_at, period.closed_by) == ("open", None, None)
    [(_, was, after)] = audit(engine, "period.reopen")
    assert was == {"status": "closed"}
    assert after == {"status": "open", "reason": "Nilai Joko salah input", "recommendations_removed": 4}
    assert len(audit(engine, "appraisal.stage.reopen")) == EVERYONE
    assert "is open, not closed" in refusal(reopen, engine, KEY, "lagi", reopened)

    override(engine, KEY, JOKO, "Baik", "Bukti kinerja susulan", reopened)
    second = close(engine, KEY, wib(2027, 1, 11, 9))
    assert second.closed_now and second.appraisals == first.appraisals == EVERYONE
    assert stored(engine, KEY)[JOKO].predikat == "Baik"
    assert kinds(engine, KEY) == {DEWI: {"reward"}, JOKO: {"training"}, RINA: {"training"}}
    assert indicator_results(engine, KEY) == EVERYONE * len(ALL_CODES)
    assert len(audit(engine, "period.close")) == 2


# --- recommendations ----------------------------------------------------------------------------


def test_recommendations_of_one_period(engine: Engine) -> None:
    """Reward, improvement plans, training from the catalog; no promotion without an earlier year; none when incomplete."""
    scores = {DEWI: marks("Sangat Baik"), RINA: marks("Sangat Baik", kuantitas=1, akuntabel=1),
              JOKO: marks("Butuh Perbaikan"), AGUS: marks("Kurang/Misconduct"), PUTRI: marks("Sangat Kurang")}  # fmt: skip
    run_to_calibration(engine, KEY, RUN, scores, skip_supervisor={SITI})
    close(engine, KEY, CLOSE, force=True, accept_distribution=True)
    figures = stored(engine, KEY)
    assert {nip: figures[nip].predikat for nip in scores} == {
        DEWI: "Sangat Baik", RINA: "Baik", JOKO: "Butuh Perbaikan", AGUS: "Kurang/Misconduct", PUTRI: "Sangat Kurang"}  # fmt: skip
    advice = recommendations(engine, KEY)
    assert {nip: set(given) for nip, given in advice.items()} == {
        DEWI: {"reward"}, RINA: {"training"}, JOKO: {"improvement_plan", "training"},
        AGUS: {"improvement_plan", "training"}, PUTRI: {"improvement_plan", "training"},
    }  # fmt: skip
    assert SITI not in advice and figures[SITI].predikat is None

    reward = advice[DEWI]["reward"]
    assert reward.reason_id == f"Predikat Sangat Baik pada {KEY}: diusulkan untuk penghargaan."
    assert reward.reason_en == f"Predikat Sangat Baik in {KEY}: proposed for a reward."
    plan = advice[JOKO]["improvement_plan"]
    assert plan.reason_id == f"Predikat Butuh Perbaikan pada {KEY}: perlu rencana perbaikan kinerja."
    assert plan.reason_en == f"Predikat Butuh Perbaikan in {KEY}: a performance improvement plan is needed."
    assert plan.detail == {"escalated": False, "previous": None}
    assert advice[AGUS]["improvement_plan"].reason_en.startswith("Predikat Kurang/Misconduct in")

    training = advice[RINA]["training"]
    assert training.detail == {"indicators": [
        {"indicator": "kuantitas", "name": "Kuantitas", "score": 1.0, "programmes": programmes("kuantitas")},
        {"indicator": "akuntabel", "name": "Akuntabel", "score": 1.0, "programmes": programmes("akuntabel")},
    ]}  # fmt: skip
    listed = [p["code"] for e in training.detail["indicators"] for p in e["programmes"]]
    assert listed == ["PLT-001", "PLT-002", "PLT-007", "PLT-008"]
    assert training.reason_id == (
        "Indikator di bawah ekspektasi — Kuantitas (1.00): Pelatihan Manajemen Waktu dan Beban Kerja, "
        "Penyusunan dan Pengendalian Target Kinerja (SKP); Akuntabel (1.00): Pelatihan Integritas dan Antikorupsi, "
        "Akuntabilitas Kinerja Instansi Pemerintah (SAKIP)."
    )
    assert training.reason_en.startswith("Indicators below expectation — Kuantitas (1.00): Pelatihan")
    weak = {nip: [e["indicator"] for e in advice[nip]["training"].detail["indicators"]] for nip in (JOKO, AGUS, PUTRI)}  # fmt: skip
    assert weak == {JOKO: list(ALL_CODES[:3]), AGUS: list(ALL_CODES[3:]), PUTRI: list(ALL_CODES)}
    for given in advice.values():
        for item in given.values():
            assert item.reason_id and item.reason_en and item.reason_id != item.reason_en


def test_promotion_reads_the_earlier_annual_period_and_plans_escalate(seeded: Engine) -> None:
    """annual-2026 then annual-2027: promotion only when both ≥ Baik; a repeated plan is escalated to HR."""
    assert PromotionRule().consecutive_annual_periods == 2
    assert shipped_cycles().cycle("annual").recommendations.promotion.consecutive_annual_periods == 2
    year_2026 = {RINA: marks("Sangat Baik"), JOKO: marks("Butuh Perbaikan"), PUTRI: marks("Butuh Perbaikan"),
                 P1: marks("Sangat Kurang")}  # fmt: skip
    year_2027 = {DEWI: marks("Sangat Baik"), AGUS: marks("Butuh Perbaikan"), PUTRI: marks("Kurang/Misconduct"),
                 P1: marks("Sangat Kurang"), ANDI: marks("Sangat Baik")}  # fmt: skip
    assert open_cycle(seeded, wib(2026, 1, 5, 8)).key == "annual-2026"
    run_to_calibration(seeded, "annual-2026", wib(2026, 1, 6, 9), year_2026, skip_supervisor={ANDI})
    close(seeded, "annual-2026", wib(2026, 1, 7, 9), force=True, accept_distribution=True)
    first = recommendations(seeded, "annual-2026")
    assert not any("promotion" in given for given in first.values())  # no earlier annual period
    assert first[P1]["improvement_plan"].detail == {"escalated": False, "previous": None}

    assert open_cycle(seeded, OPENED).key == KEY
    run_to_calibration(seeded, KEY, RUN, year_2027)
    close(seeded, KEY, CLOSE, accept_distribution=True)
    advice = recommendations(seeded, KEY)
    promoted = {nip for nip, given in advice.items() if "promotion" in given}
    # Joko (Butuh Perbaikan in 2026), Andi (incomplete in 2026), Agus/Putri/P1 (below Baik now): not candidates.
    assert promoted == {nip for nip in stored(seeded, KEY)} - {JOKO, ANDI, AGUS, PUTRI, P1}
    assert {BUDI, SITI, HENDRA, RINA, DEWI} <= promoted
    rina = advice[RINA]["promotion"]
    assert rina.detail == {"periods": [{"period": KEY, "predikat": "Baik"}, {"period": "annual-2026", "predikat": "Sangat Baik"}]}  # fmt: skip
    assert rina.reason_id == ("Kandidat promosi: predikat Baik (annual-2027), Sangat Baik (annual-2026); "
                              "syarat minimal Baik dalam 2 periode tahunan berturut-turut.")  # fmt: skip
    assert rina.reason_en == ("Promotion candidate: predikat Baik (annual-2027), Sangat Baik (annual-2026); "
                              "the rule asks at least Baik in 2 consecutive annual periods.")  # fmt: skip
    assert set(advice[DEWI]) == {"promotion", "reward"}

    assert advice[AGUS]["improvement_plan"].detail == {"escalated": False, "previous": None}
    putri = advice[PUTRI]["improvement_plan"]
    assert putri.detail == {"escalated": True, "previous": {"period": "annual-2026", "predikat": "Butuh Perbaikan"}}  # fmt: skip
    assert putri.reason_id.endswith("Berulang (sebelumnya Butuh Perbaikan pada annual-2026): diteruskan ke BKPSDM/HR.")  # fmt: skip
    assert putri.reason_en.endswith("Repeated (previously Butuh Perbaikan in annual-2026): escalated to HR.")
    assert advice[P1]["improvement_plan"].detail["escalated"] is True
    assert "improvement_plan" not in advice.get(JOKO, {})  # Baik now: nothing to escalate


def test_promotion_rule_counts_the_configured_number_of_periods(seeded: Engine, tmp_path: Path) -> None:
    """consecutive_annual_periods: 1 makes a single annual period enough."""
    config = edited_cycles(tmp_path, ("consecutive_annual_periods: 2", "consecutive_annual_periods: 1"))
    open_cycle(seeded, OPENED, config=config)
    run_to_calibration(seeded, KEY, RUN, {JOKO: marks("Butuh Perbaikan")})
    close(seeded, KEY, CLOSE, config)
    advice = recommendations(seeded, KEY)
    assert {nip for nip, given in advice.items() if "promotion" in given} == set(stored(seeded, KEY)) - {JOKO}
    assert advice[SITI]["promotion"].detail == {"periods": [{"period": KEY, "predikat": "Baik"}]}
    assert "dalam 1 periode tahunan" in advice[SITI]["promotion"].reason_id


def test_pp46_period_stores_final_scores_and_its_own_categories(seeded: Engine, tmp_path: Path) -> None:
    """Scheme pp46-2011: 60 % SKP + 40 % behaviour on 0–100; overrides take PP 46 categories only."""
    config = edited_cycles(tmp_path, ("scheme: permenpanrb-6-2022", "scheme: pp46-2011"))
    open_cycle(seeded, OPENED, config=config)
    scores = {DEWI: flat(5, 5), AGUS: flat(4, 4), PUTRI: flat(3, 3), JOKO: flat(2, 2), RINA: flat(5, 3)}
    pkm_baik = dict.fromkeys((P1, P2, P3, P4), flat(4, 4))  # PKM-01 keeps Baik ≥ 50 %
    run_to_calibration(seeded, KEY, RUN, scores | pkm_baik)
    assert "got 'Butuh Perbaikan'" in refusal(override, seeded, KEY, AGUS, "Butuh Perbaikan", "alasan", RUN)
    override(seeded, KEY, AGUS, "Cukup", "Kalibrasi PP 46", RUN)
    close(seeded, KEY, CLOSE, config)
    figures = stored(seeded, KEY)
    found = {nip: (figures[nip].final_score, figures[nip].predikat) for nip in scores}
    assert found == {DEWI: (100.0, "Sangat Baik"), AGUS: (80.0, "Cukup"), PUTRI: (60.0, "Kurang"),
                     JOKO: (40.0, "Buruk"), RINA: (84.0, "Baik")}  # fmt: skip
    assert figures[SITI].final_score == 60.0  # everyone else 3 everywhere: 0.6 × 60 + 0.4 × 60

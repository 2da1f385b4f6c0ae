"""An employee's results page by signed link, on both databases: predikat, ratings, final score,
recommendations (Indonesian reasons, English with ?lang=en) and training programmes; peer feedback
only aggregated and only from PEER_FEEDBACK_MINIMUM submitted peers on, peers never named; and no
results while the period is open or reopened, or for a forged link.

The scenario (shipped cycles.yaml, peers.count 3, city roster): Agus has three peers (Pegawai 3,
Pegawai 4, Putri) who all answer with comments; Rina has only two peers (Hendra, Joko), both
answer; Dewi has three peers of whom two answer (Agus leaves his review open, so the close is
forced and it becomes missed).
"""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from config.cycles import CyclesConfig
from cycle.submissions import Submission, record_submission
from models import Employee
from models.db import write_session
from models.results_queries import PEER_FEEDBACK_MINIMUM
from tests.builders import AGUS, ANDI, DEWI, JOKO, PUTRI, RINA
from tests.closing_builders import (
    BEHAVIOUR,
    P2,
    P3,
    P4,
    city_roster,
    close,
    marks,
    open_reviews,
    recommendations,
    reopen,
    stored,
    submit_open,
)
from tests.conftest import TEST_SECRET
from tests.cycle_builders import (
    HENDRA,
    advance,
    edited_cycles,
    open_cycle,
    reviews,
    seeded_engine,
    shipped_cycles,
    wib,
)
from tests.web_builders import Clock, heading, results_path, text_of, web_client
from web.links import results_token

KEY = "annual-2027"
OPENED = wib(2027, 1, 4, 8)  # Monday
NOW = wib(2027, 1, 5, 9)  # every review is given then
CLOSE = wib(2027, 1, 6, 10)
NAMES = {row["nip"]: row["name"] for row in city_roster()}
# Peer → (behaviour score on every indicator, comment), in the order they answer. For Agus neither
# this order nor his reviews' id order (Putri, Pegawai 4, Pegawai 3) is alphabetical.
AGUS_PEERS = {
    P3: (4, "Komunikasi dengan pasien sangat baik."),
    P4: (4, "Akan lebih baik bila laporan dikirim tepat waktu."),
    PUTRI: (3, "Sigap saat jadwal imunisasi padat."),
}
RINA_PEERS = {HENDRA: (4, "Rina teliti mencatat obat."), JOKO: (4, "Rina selalu hadir tepat waktu.")}
DEWI_PEERS = {P2: (3, "Dewi memimpin rapat dengan baik."), P4: (3, "Dewi terbuka pada masukan.")}
SUPERVISOR_SCORES = {AGUS: marks("Baik", kuantitas=1), RINA: marks("Sangat Baik")}
PEER_HEADER = "<th>Rekan kerja</th>"


def table(page: str) -> list[list[str]]:
    """The indicator table: its header, then one row per indicator, as cell texts."""
    found = re.search(r'<table class="grid">(.*?)</table>', page, re.DOTALL)
    assert found
    rows = re.findall(r"<tr>(.*?)</tr>", found.group(1), re.DOTALL)
    return [[cell.strip() for cell in re.findall(r"<t[hd]>(.*?)</t[hd]>", row, re.DOTALL)] for row in rows]


def fact(page: str, label: str) -> str:
    """The value next to `label` in the facts list."""
    found = re.search(rf"<dt>{re.escape(label)}</dt><dd[^>]*>(.*?)</dd>", page, re.DOTALL)
    assert found, label
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def comments(page: str) -> list[str]:
    found = re.search(r'<ul class="comments">(.*?)</ul>', page, re.DOTALL)
    return re.findall(r"<li>(.*?)</li>", found.group(1), re.DOTALL) if found else []


def peer_note(page: str) -> str:
    found = re.search(r'<p class="note" id="peer-note">(.*?)</p>', page, re.DOTALL)
    assert found
    return found.group(1).strip()


def answer_as_peers(engine: Engine, reviewee: str, peers: dict[str, tuple[int, str]]) -> None:
    """Each peer's behaviour scores and comment, through the rule set."""
    with write_session(engine) as session:
        for peer, (score, comment) in peers.items():
            submission = Submission(KEY, reviewee, peer, "peer", dict.fromkeys(BEHAVIOUR, score), comment)
            record_submission(session, submission, NOW, actor="test")


def set_locale(engine: Engine, nip: str, locale: str) -> None:
    """The roster CSV has no locale column: HR sets it on the employee row."""
    with write_session(engine) as session:
        session.execute(update(Employee).where(Employee.nip == nip).values(locale=locale))


# --- fixtures -----------------------------------------------------------------------------------


def play_scenario(engine: Engine, config: CyclesConfig | None = None) -> None:
    """annual-2027 opened; self and supervisor reviews in; peer reviews given as the module says."""
    open_cycle(engine, OPENED, config=config)
    submit_open(engine, KEY, "self", NOW, {})
    advance(engine, NOW, KEY)
    submit_open(engine, KEY, "supervisor", NOW, SUPERVISOR_SCORES)
    advance(engine, NOW, KEY)
    for reviewee, peers in ((AGUS, AGUS_PEERS), (RINA, RINA_PEERS), (DEWI, DEWI_PEERS)):
        answer_as_peers(engine, reviewee, peers)
    submit_open(engine, KEY, "peer", NOW, {}, skip={DEWI})
    assert open_reviews(engine, KEY, "peer") == [(DEWI, AGUS)]
    advance(engine, NOW, KEY)


@pytest.fixture
def seeded(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """The city roster, no period yet."""
    with seeded_engine(database_url, tmp_path, city_roster()) as engine:
        yield engine


@pytest.fixture
def engine(seeded: Engine) -> Engine:
    """The scenario played on the shipped cycles.yaml; the period still open."""
    play_scenario(seeded)
    return seeded


@pytest.fixture
def closed(engine: Engine) -> Engine:
    """The period closed (forced: Dewi's last peer review becomes missed)."""
    close(engine, KEY, CLOSE, force=True, accept_distribution=True)
    return engine


@pytest.fixture
def client(database_url: str, seeded: Engine) -> Iterator[TestClient]:
    client = web_client(database_url, Clock(CLOSE))
    yield client
    client.app.state.engine.dispose()  # type: ignore[attr-defined]


def test_peer_scenario_matches_the_shipped_configuration(engine: Engine) -> None:
    """Guards the scenario: three peers per appraisal where the roster allows, Rina only two."""
    assert shipped_cycles().cycles["annual"].peers.count == PEER_FEEDBACK_MINIMUM == 3
    assigned = {nip: sorted(r.reviewer for r in reviews(engine, "peer") if r.reviewee == nip) for nip in (AGUS, RINA, DEWI)}  # fmt: skip
    assert assigned == {AGUS: sorted(AGUS_PEERS), RINA: sorted(RINA_PEERS), DEWI: sorted([*DEWI_PEERS, AGUS])}


# --- what the page shows ------------------------------------------------------------------------


def test_results_show_predikat_ratings_score_and_recommendations(closed: Engine, client: TestClient) -> None:
    """Agus: kuantitas 1 from his supervisor → Butuh Perbaikan, an improvement plan and training."""
    response = client.get(results_path(closed, AGUS, KEY))
    assert response.status_code == 200
    page = text_of(response)
    assert heading(response) == "Hasil penilaian kinerja annual-2027"
    figures = stored(closed, KEY)[AGUS]
    assert (
        figures.predikat == "Butuh Perbaikan" and figures.final_score is None
    )  # PermenPANRB: no 0–100 score
    assert fact(page, "Pegawai yang dinilai") == f"Agus Salim ({AGUS})"
    assert fact(page, "Predikat") == "Butuh Perbaikan"
    assert fact(page, "Hasil kerja") == "di bawah ekspektasi (2.33)"
    assert fact(page, "Perilaku kerja") == "sesuai ekspektasi (3.27)"
    assert fact(page, "Nilai akhir") == "–"
    rows = table(page)
    assert rows[0] == ["Indikator", "Mandiri", "Atasan", "Rekan kerja", "Gabungan", "Kategori"]
    lines = {row[0]: row[1:] for row in rows[1:]}
    assert lines["Kuantitas"] == ["3.0", "1.0", "–", "1.00", "di bawah ekspektasi"]
    assert lines["Harmonis"] == ["3.0", "3.0", "3.7", "3.27", "sesuai ekspektasi"]  # peers 4, 4, 3
    advice = recommendations(closed, KEY)[AGUS]
    assert set(advice) == {"improvement_plan", "training"}
    assert f"<strong>Rencana perbaikan kinerja</strong>: {advice['improvement_plan'].reason_id}" in page
    assert f"<strong>Pelatihan</strong>: {advice['training'].reason_id}" in page
    assert "Kuantitas: PLT-001 Pelatihan Manajemen Waktu dan Beban Kerja (16 jam, BKPSDM)" in page
    assert "Kuantitas: PLT-002 Penyusunan dan Pengendalian Target Kinerja (SKP) (12 jam, BKPSDM)" in page
    for item in advice.values():
        assert item.reason_en not in page


def test_pp46_results_show_the_final_score(seeded: Engine, client: TestClient, tmp_path: Path) -> None:
    """Scheme pp46-2011: Agus's 0–100 final score, 0.6 × 46.67 (results) + 0.4 × 65.33 (behaviour)."""
    config = edited_cycles(tmp_path, ("scheme: permenpanrb-6-2022", "scheme: pp46-2011"))
    play_scenario(seeded, config)
    close(seeded, KEY, CLOSE, config, force=True, accept_distribution=True)
    assert stored(seeded, KEY)[AGUS].final_score == 54.13
    page = text_of(client.get(results_path(seeded, AGUS, KEY)))
    assert fact(page, "Nilai akhir") == "54.13"
    assert fact(page, "Predikat") == "Kurang"


def test_results_in_english_with_lang_en(closed: Engine, client: TestClient) -> None:
    response = client.get(results_path(closed, AGUS, KEY) + "?lang=en")
    page = text_of(response)
    assert '<html lang="en">' in page and heading(response) == "Performance appraisal result annual-2027"
    assert fact(page, "Work results") == "below expectations (2.33)"
    assert table(page)[0] == ["Indicator", "Self", "Supervisor", "Peers", "Combined", "Rating"]
    advice = recommendations(closed, KEY)[AGUS]
    assert f"<strong>Improvement plan</strong>: {advice['improvement_plan'].reason_en}" in page
    assert f"<strong>Training</strong>: {advice['training'].reason_en}" in page
    assert "Kuantitas: PLT-001 Pelatihan Manajemen Waktu dan Beban Kerja (16 hours, BKPSDM)" in page
    for item in advice.values():
        assert item.reason_id not in page
    assert client.cookies.get("lang") == "en"


def test_employee_with_english_locale_reads_results_in_english(closed: Engine, client: TestClient) -> None:
    set_locale(closed, AGUS, "en")
    path = results_path(closed, AGUS, KEY)
    assert '<html lang="en">' in text_of(client.get(path))
    assert '<html lang="id">' in text_of(client.get(path + "?lang=id"))


def test_results_without_training_show_no_programmes(closed: Engine, client: TestClient) -> None:
    """Rina (Sangat Baik): a reward with its reason, no training programme."""
    page = text_of(client.get(results_path(closed, RINA, KEY)))
    advice = recommendations(closed, KEY)[RINA]
    assert set(advice) == {"reward"}
    assert fact(page, "Predikat") == "Sangat Baik"
    assert f"<strong>Penghargaan</strong>: {advice['reward'].reason_id}" in page
    assert "PLT-" not in page and " jam" not in page


def test_results_without_recommendations_say_so(closed: Engine, client: TestClient) -> None:
    """Andi (Baik, nothing below expectation): no follow-up."""
    assert ANDI not in recommendations(closed, KEY)
    page = text_of(client.get(results_path(closed, ANDI, KEY)))
    assert "Tidak ada tindak lanjut khusus." in page


# --- peer anonymity -----------------------------------------------------------------------------


def test_three_submitted_peers_show_the_peer_column_and_sorted_comments(
    closed: Engine, client: TestClient
) -> None:
    """Agus's three peers: the aggregated column, their comments alphabetically, never who they are."""
    page = text_of(client.get(results_path(closed, AGUS, KEY)))
    assert PEER_HEADER in page
    assert all(len(row) == 6 for row in table(page))
    assert peer_note(page) == "3 rekan kerja mengisi; identitas mereka tidak ditampilkan."
    assert "<h2>Catatan rekan kerja</h2>" in page
    given = [comment for _, comment in AGUS_PEERS.values()]
    assert comments(page) == sorted(given) != given
    for peer in AGUS_PEERS:
        assert NAMES[peer] not in page and peer not in page


@pytest.mark.parametrize(
    ("nip", "peers", "submitted"),
    [(RINA, RINA_PEERS, 2), (DEWI, {**DEWI_PEERS, AGUS: (0, "")}, 2)],
    ids=["two-peers-assigned", "two-of-three-submitted"],
)
def test_fewer_than_three_submitted_peers_show_nothing_of_them(
    closed: Engine, client: TestClient, nip: str, peers: dict[str, tuple[int, str]], submitted: int
) -> None:
    """No peer column, no comments, the note on the minimum — also when a third peer was assigned but missed."""
    page = text_of(client.get(results_path(closed, nip, KEY)))
    assert PEER_HEADER not in page
    assert all(len(row) == 5 for row in table(page))
    assert peer_note(page) == (
        f"Umpan balik rekan kerja ditampilkan bila sedikitnya 3 rekan mengisi (kali ini {submitted}); "
        "nilai rekan tetap dihitung."
    )
    assert comments(page) == [] and "Catatan rekan kerja" not in page
    # Combined behaviour scores (and the behaviour mean) would give away the peers' average
    # next to the supervisor's score: with 1–2 peers only the rating is shown.
    rows = table(page)[1:]
    behaviour_rows = rows[-len(BEHAVIOUR) :]
    assert all(row[3] == "–" for row in behaviour_rows), behaviour_rows
    assert "(" not in fact(page, "Perilaku kerja")
    for peer, (_, comment) in peers.items():
        assert NAMES[peer] not in page and peer not in page
        assert not comment or comment not in page


def test_fewer_than_three_peers_in_english(closed: Engine, client: TestClient) -> None:
    page = text_of(client.get(results_path(closed, RINA, KEY) + "?lang=en"))
    assert "<th>Peers</th>" not in page
    assert peer_note(page) == (
        "Peer feedback is shown when at least 3 peers responded (this time 2); peer scores still count."
    )


# --- when there are no results ------------------------------------------------------------------


def test_no_results_while_the_period_is_open(engine: Engine, client: TestClient) -> None:
    response = client.get(results_path(engine, AGUS, KEY))
    assert (response.status_code, heading(response)) == (410, "Hasil belum tersedia")
    assert "Butuh Perbaikan" not in response.text and "Sigap" not in response.text


def test_no_results_after_reopening(closed: Engine, client: TestClient) -> None:
    path = results_path(closed, AGUS, KEY)
    assert client.get(path).status_code == 200
    reopen(closed, KEY, "Koreksi nilai atasan", wib(2027, 1, 7, 9))
    response = client.get(path)
    assert (response.status_code, heading(response)) == (410, "Hasil belum tersedia")
    assert "Sigap" not in response.text
    english = client.get(path + "?lang=en")
    assert (english.status_code, heading(english)) == (410, "Results not available")


@pytest.mark.parametrize("link", ["forged", "altered", "unknown-appraisal"])
def test_a_forged_results_link_is_not_found(closed: Engine, client: TestClient, link: str) -> None:
    genuine = results_path(closed, AGUS, KEY).rsplit("/", 1)[1]
    payload, signature = genuine.split(".")
    middle = len(signature) // 2
    altered = (
        f"{payload}.{signature[:middle]}{'A' if signature[middle] != 'A' else 'B'}{signature[middle + 1 :]}"
    )
    token = {"forged": "MQ.made-up-signature", "altered": altered,
             "unknown-appraisal": results_token(TEST_SECRET, 987654)}[link]  # fmt: skip
    response = client.get(f"/results/{token}")
    assert (response.status_code, heading(response)) == (404, "Tautan tidak sah")
    assert "Agus" not in response.text

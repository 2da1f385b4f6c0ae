"""The JSON API on both databases: bearer-token authentication on every /api/v1 route, periods,
progress and results as the queries give them, review submissions through the same rule set as
the forms (every refusal named by field, nothing stored), and the OpenAPI document."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from models import AuditEvent, Period
from models.db import read_session, write_session
from models.progress_queries import stage_counts, stage_progress
from models.results_queries import period_results
from tests.builders import AGUS, BUDI, JOKO, SITI, database_snapshot
from tests.closing_builders import ALL_CODES, city_roster, close, run_to_calibration, submit_open
from tests.cycle_builders import advance, open_cycle, reviews, seeded_engine, wib
from tests.web_builders import Clock, api_token, web_client
from web.accounts import revoke_api_token

KEY = "annual-2027"
OPENED = wib(2027, 1, 4, 8)  # Monday
RUN = wib(2027, 1, 5, 9)  # self-assessments given, the period advanced
CLOSE = wib(2027, 1, 6, 10)
TOKEN_NAME = "sipd"
PATH_SAMPLES = {"key": KEY}


@dataclass
class Api:
    """The city roster with annual-2027 open; everyone but Siti and Joko has self-assessed and
    moved on to supervisor review. A client of the app and a valid bearer token."""

    url: str
    engine: Engine
    clock: Clock
    client: TestClient
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def fingerprint(self) -> str:
        """The whole database, once every connection is closed (SQLite's WAL checkpointed)."""
        self.client.app.state.engine.dispose()
        self.engine.dispose()
        return database_snapshot(self.url)


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    with seeded_engine(database_url, tmp_path, city_roster()) as engine:
        open_cycle(engine, OPENED)
        submit_open(engine, KEY, "self", RUN, {}, skip={SITI, JOKO})
        advance(engine, RUN)
        clock = Clock(RUN)
        client = web_client(database_url, clock)
        try:
            yield Api(database_url, engine, clock, client, api_token(engine, OPENED, TOKEN_NAME))
        finally:
            client.close()
            client.app.state.engine.dispose()


@pytest.fixture
def closed(api: Api) -> Api:
    """annual-2027 run to calibration and closed, Siti and Joko forced on without a self-assessment."""
    run_to_calibration(api.engine, KEY, RUN, skip_self={SITI, JOKO})
    close(api.engine, KEY, CLOSE, accept_distribution=True, force=True)
    api.clock.now = CLOSE
    return api


def period_id(engine: Engine, key: str = KEY) -> int:
    with read_session(engine) as session:
        return session.execute(select(Period.id).where(Period.key == key)).scalar_one()


def self_review(nip: str = SITI, score: int = 3, **changes: Any) -> dict[str, Any]:
    """A valid self-assessment of `nip` (by `nip`), every indicator `score`, with `changes`."""
    body = {"period_key": KEY, "reviewee_nip": nip, "reviewer_nip": nip, "kind": "self",
            "scores": dict.fromkeys(ALL_CODES, score), "comment": "Target SKP tercapai."}  # fmt: skip
    return body | changes


def fields_of(response: Any) -> list[str]:
    return [problem["field"] for problem in response.json()["problems"]]


def review_audit(engine: Engine) -> list[tuple[str, str]]:
    """(action, actor) of every review audit event, in order."""
    query = (
        select(AuditEvent.action, AuditEvent.actor)
        .where(AuditEvent.entity == "review", AuditEvent.action.in_(("review.submitted", "review.replaced")))
        .order_by(AuditEvent.id)
    )
    with read_session(engine) as session:
        return [tuple(row) for row in session.execute(query)]


# --- authentication -----------------------------------------------------------------------------


def api_routes(client: TestClient) -> list[tuple[str, str]]:
    """(method, path with sample parameters) of every route the app serves under /api/v1."""
    found = []
    for route in iter_route_contexts(client.app.routes):  # flattens the included routers
        path = getattr(route, "path", None) or ""
        if not path.startswith("/api/v1/"):
            continue
        concrete = path
        for name, value in PATH_SAMPLES.items():
            concrete = concrete.replace(f"{{{name}}}", value)
        found += [(method, concrete) for method in sorted(route.methods or ()) if method != "HEAD"]
    return sorted(found)


def revoked_token(api: Api) -> str:
    token = api_token(api.engine, OPENED, "old-sync")
    with write_session(api.engine) as session:
        assert revoke_api_token(session, "old-sync", OPENED, actor="test")
    return token


CREDENTIALS = {
    "none": lambda api: {},
    "wrong-token": lambda api: {"Authorization": "Bearer not-a-token-we-issued"},
    "revoked-token": lambda api: {"Authorization": f"Bearer {revoked_token(api)}"},
    "empty-bearer": lambda api: {"Authorization": "Bearer "},
    "basic-scheme": lambda api: {"Authorization": f"Basic {api.token}"},
}


@pytest.mark.parametrize("credentials", list(CREDENTIALS))
def test_every_api_route_refuses_a_missing_wrong_or_revoked_token(api: Api, credentials: str) -> None:
    """Each /api/v1 route (found in the app's routing, so a new one is covered) answers 401 with
    `WWW-Authenticate: Bearer` and writes nothing, even for a submission that would be accepted."""
    headers = CREDENTIALS[credentials](api)
    routes = api_routes(api.client)
    assert {("GET", "/api/v1/periods"), ("GET", f"/api/v1/periods/{KEY}/progress"),
            ("GET", f"/api/v1/periods/{KEY}/results"), ("POST", "/api/v1/reviews")} <= set(routes)  # fmt: skip
    before = api.fingerprint()
    for method, path in routes:
        body = self_review() if method != "GET" else None
        response = api.client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json() == {"detail": "a valid bearer token is required"}
    assert api.fingerprint() == before
    assert api.client.get("/api/v1/periods", headers=api.auth).status_code == 200  # the valid token works


def test_revoking_a_token_ends_its_access(api: Api) -> None:
    assert api.client.get("/api/v1/periods", headers=api.auth).status_code == 200
    with write_session(api.engine) as session:
        assert revoke_api_token(session, TOKEN_NAME, RUN, actor="test")
    response = api.client.get("/api/v1/periods", headers=api.auth)
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"


# --- periods, progress, results -----------------------------------------------------------------


def test_periods_lists_each_period_with_its_stage_counts(api: Api) -> None:
    open_cycle(api.engine, OPENED, "quarterly")
    response = api.client.get("/api/v1/periods", headers=api.auth)
    assert response.status_code == 200
    periods = {p["key"]: p for p in response.json()}
    assert set(periods) == {KEY, "quarterly-2027-Q1"}
    annual = periods[KEY]
    assert (annual["cycle_name"], annual["status"], annual["appraisals"]) == ("annual", "open", 13)
    assert annual["stages"] == {"self_assessment": 2, "supervisor_review": 11}
    assert annual["opened_at"] == "2027-01-04T01:00:00Z" and annual["closed_at"] is None
    assert periods["quarterly-2027-Q1"]["stages"] == {"self_assessment": 13}


def test_progress_agrees_with_the_progress_queries(api: Api) -> None:
    """Past the self-assessment deadline: Siti's and Joko's reviews are overdue, the others
    submitted; the figures per unit and stage are those of models.progress_queries."""
    api.clock.now = max(r.due_at for r in reviews(api.engine, "self") if r.due_at) + timedelta(minutes=1)
    response = api.client.get(f"/api/v1/periods/{KEY}/progress", headers=api.auth)
    assert response.status_code == 200
    body = response.json()
    with read_session(api.engine) as session:
        rows = [row.as_dict() for row in stage_progress(session, period_id(api.engine), api.clock.now)]
        stages = stage_counts(session, period_id(api.engine))
    assert body["rows"] == rows
    assert (body["period"], body["status"], body["stages"]) == (KEY, "open", stages)
    assert body["now"] == api.clock.now.isoformat().replace("+00:00", "Z")
    by_key = {(row["unit"], row["stage"]): row for row in body["rows"]}
    assert by_key["SETDA", "self_assessment"] == {
        "unit": "SETDA", "stage": "self_assessment", "open": 1, "overdue": 1, "submitted": 1, "missed": 0,
    }  # fmt: skip
    assert (
        by_key["DINKES", "self_assessment"]["overdue"],
        by_key["DINKES", "self_assessment"]["submitted"],
    ) == (1, 2)
    assert sum(row["overdue"] for row in body["rows"] if row["stage"] == "self_assessment") == 2


def test_progress_of_an_unknown_period_is_404(api: Api) -> None:
    response = api.client.get("/api/v1/periods/annual-1999/progress", headers=api.auth)
    assert response.status_code == 404 and "annual-1999" in response.json()["detail"]


def test_results_of_a_closed_period_are_the_stored_results(closed: Api) -> None:
    response = closed.client.get(f"/api/v1/periods/{KEY}/results", headers=closed.auth)
    assert response.status_code == 200
    with read_session(closed.engine) as session:
        expected = [vars(row) for row in period_results(session, period_id(closed.engine))]
    assert response.json() == expected
    assert len(expected) == 13
    incomplete = {row["nip"] for row in response.json() if row["incomplete_reason"]}
    assert incomplete == {SITI, JOKO}


def test_results_of_an_open_period_are_refused_with_409(api: Api) -> None:
    response = api.client.get(f"/api/v1/periods/{KEY}/results", headers=api.auth)
    assert response.status_code == 409
    assert f"period {KEY} is open" in response.json()["detail"]


def test_results_of_an_unknown_period_are_404(api: Api) -> None:
    response = api.client.get("/api/v1/periods/annual-1999/results", headers=api.auth)
    assert response.status_code == 404


# --- submitting reviews -------------------------------------------------------------------------


def test_review_is_submitted_then_unchanged_then_replaced(api: Api) -> None:
    """The outcome says what happened; each change is audited as `api:<token name>`."""
    post = api.client.post
    assert post("/api/v1/reviews", json=self_review(), headers=api.auth).json() == {"outcome": "submitted"}
    assert post("/api/v1/reviews", json=self_review(), headers=api.auth).json() == {"outcome": "unchanged"}
    changed = self_review(score=4)
    response = post("/api/v1/reviews", json=changed, headers=api.auth)
    assert response.status_code == 200 and response.json() == {"outcome": "replaced"}
    audited = review_audit(api.engine)
    assert audited[-2:] == [
        ("review.submitted", f"api:{TOKEN_NAME}"),
        ("review.replaced", f"api:{TOKEN_NAME}"),
    ]
    assert sum(actor.startswith("api:") for _, actor in audited) == 2
    siti = [r for r in reviews(api.engine, "self") if r.reviewee == SITI]
    assert [r.status for r in siti] == ["submitted"]


SCORES = dict.fromkeys(ALL_CODES, 3)
REFUSALS = [
    # id, changes to Siti's valid self-assessment, the fields named (in order), words of the first message
    ("wrong-reviewer", {"reviewer_nip": BUDI}, ["reviewer_nip"], f"{BUDI} is not an assigned self reviewer"),
    ("stage-not-open", {"kind": "supervisor", "reviewer_nip": BUDI}, ["reviewer_nip"], "the supervisor_review stage has not opened"),
    ("stage-over", {"reviewee_nip": AGUS, "reviewer_nip": AGUS}, ["kind"], "the self_assessment stage has closed"),
    ("score-out-of-scale", {"scores": SCORES | {"kuantitas": 9}}, ["score"], "expected a whole number from"),
    ("score-below-scale", {"scores": SCORES | {"kualitas": 0}}, ["score"], "expected a whole number from"),
    ("unknown-indicator", {"scores": SCORES | {"bogus": 3}}, ["indicator_code"], "'bogus' is not an indicator"),
    ("missing-scores", {"scores": {c: 3 for c in ALL_CODES if c != "waktu"}}, ["score"], "missing scores for 1 indicator(s): waktu"),
    ("no-scores", {"scores": {}}, ["score"], "missing scores for 10 indicator(s)"),
    ("several-problems", {"scores": {c: 3 for c in ALL_CODES if c != "waktu"} | {"kuantitas": 7, "bogus": 2}},
     ["score", "indicator_code", "score"], "expected a whole number from"),
    ("string-score", {"scores": SCORES | {"kuantitas": "4"}}, ["scores.kuantitas"], "valid integer"),
    ("float-score", {"scores": SCORES | {"kuantitas": 4.0}}, ["scores.kuantitas"], "valid integer"),
    ("boolean-score", {"scores": SCORES | {"kuantitas": True}}, ["scores.kuantitas"], "valid integer"),
    ("bad-reviewee-nip", {"reviewee_nip": "19800202200501200"}, ["reviewee_nip"], "pattern"),
    ("bad-reviewer-nip", {"reviewer_nip": "1980-02-02"}, ["reviewer_nip"], "pattern"),
    ("unknown-kind", {"kind": "boss"}, ["kind"], "'self', 'supervisor' or 'peer'"),
    ("unknown-period", {"period_key": "annual-1999"}, ["period"], "no period 'annual-1999'"),
    ("unknown-reviewee", {"reviewee_nip": "199901012022031007", "reviewer_nip": "199901012022031007"},
     ["reviewee_nip"], "has no appraisal in annual-2027"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "fields", "message"), [case[1:] for case in REFUSALS], ids=[case[0] for case in REFUSALS]
)
def test_refused_submissions_name_each_problem_and_store_nothing(
    api: Api, changes: dict[str, Any], fields: list[str], message: str
) -> None:
    before = api.fingerprint()
    response = api.client.post("/api/v1/reviews", json=self_review(**changes), headers=api.auth)
    assert response.status_code == 422, response.text
    assert fields_of(response) == fields
    assert message in response.json()["problems"][0]["message"]
    assert api.fingerprint() == before


def test_score_problems_name_their_indicator(api: Api) -> None:
    scores = {c: 3 for c in ALL_CODES if c != "waktu"} | {"kuantitas": 7, "bogus": 2}
    response = api.client.post("/api/v1/reviews", json=self_review(scores=scores), headers=api.auth)
    assert response.status_code == 422
    named = [(p["field"], p["indicator_code"]) for p in response.json()["problems"]]
    assert named == [("score", "kuantitas"), ("indicator_code", "bogus"), ("score", None)]


def test_submission_to_a_closed_period_is_refused(closed: Api) -> None:
    before = closed.fingerprint()
    response = closed.client.post("/api/v1/reviews", json=self_review(), headers=closed.auth)
    assert response.status_code == 422
    assert fields_of(response) == ["period"]
    assert f"period {KEY} is closed" in response.json()["problems"][0]["message"]
    assert closed.fingerprint() == before


# --- OpenAPI ------------------------------------------------------------------------------------


def test_openapi_lists_the_api_with_bearer_security_and_no_html_pages(api: Api) -> None:
    response = api.client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    paths = document["paths"]
    assert set(paths) == {"/api/v1/periods", "/api/v1/periods/{key}/progress",
                          "/api/v1/periods/{key}/results", "/api/v1/reviews"}  # fmt: skip
    assert {path for path in paths if not path.startswith("/api/v1/")} == set()
    assert not any(path.startswith(("/review", "/hr", "/results")) for path in paths)
    schemes = document["components"]["securitySchemes"]
    [(scheme_name, scheme)] = schemes.items()
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert operation["security"] == [{scheme_name: []}], (method, path)
    refused = paths["/api/v1/reviews"]["post"]["responses"]["422"]["content"]["application/json"]
    assert refused["schema"]["$ref"].endswith("/Refused")

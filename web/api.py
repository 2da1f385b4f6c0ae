"""The JSON API for integration (periods, progress, results, review submissions), bearer-token auth.

Tokens are created with `appraisal hr add-token NAME`; only their hash is stored. A submission
goes through `record_submission`, the same rule set as the web forms and `reviews import`, and a
refusal names every problem by field. OpenAPI docs: /api/docs.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, StrictInt, field_validator

from config.errors import AppraisalError
from cycle.submissions import Submission, SubmissionRefused, record_submission
from models.db import read_session, write_session
from models.progress_queries import period_lines, stage_counts, stage_progress
from models.results_queries import ResultRow, closed_period, period_results
from web.accounts import token_owner
from web.hr_dashboard import period_or_404

bearer = HTTPBearer(auto_error=False, description="A token from `appraisal hr add-token NAME`.")


def api_client(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> str:
    """The name of the token presented; 401 for none, a revoked one or a wrong one."""
    owner = None
    if credentials is not None and credentials.scheme.lower() == "bearer":
        with read_session(request.app.state.engine) as session:
            owner = token_owner(session, credentials.credentials)
    if owner is None:
        raise HTTPException(
            status_code=401, detail="a valid bearer token is required", headers={"WWW-Authenticate": "Bearer"}
        )
    return owner


router = APIRouter(prefix="/api/v1", tags=["appraisal"], dependencies=[Depends(api_client)])


class PeriodOut(BaseModel):
    key: str
    cycle_name: str
    status: Literal["scheduled", "open", "closed"]
    starts_at: datetime
    ends_at: datetime = Field(description="Exclusive end of the window.")
    opened_at: datetime | None
    closed_at: datetime | None
    appraisals: int
    stages: dict[str, int] = Field(description="Appraisals per stage.")


class StageProgressOut(BaseModel):
    unit: str
    stage: str
    open: int
    overdue: int
    submitted: int
    missed: int


class ProgressOut(BaseModel):
    period: str
    status: str
    now: datetime
    stages: dict[str, int]
    rows: list[StageProgressOut]


class ReviewIn(BaseModel):
    period_key: str = Field(max_length=64)
    reviewee_nip: str = Field(pattern=r"^\d{18}$")
    reviewer_nip: str = Field(pattern=r"^\d{18}$")
    kind: Literal["self", "supervisor", "peer"]
    scores: dict[str, StrictInt] = Field(
        description="Indicator code → whole-number score on the period's scale."
    )
    comment: str | None = Field(default=None, max_length=4000)

    @field_validator("period_key", "reviewee_nip", "reviewer_nip", "comment", "scores")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        """PostgreSQL text cannot hold NUL: refuse it as the field's problem, not as a 500."""
        texts = [value] if isinstance(value, str) else list(value) if isinstance(value, dict) else []
        if any("\x00" in text for text in texts):
            raise ValueError("contains a NUL character (0x00)")
        return value


class ReviewAccepted(BaseModel):
    outcome: Literal["submitted", "replaced", "unchanged"]


class Problem(BaseModel):
    field: str
    message: str
    indicator_code: str | None = None


class Refused(BaseModel):
    detail: str
    problems: list[Problem]


@router.get("/periods", response_model=list[PeriodOut])
def list_periods(request: Request) -> list[PeriodOut]:
    with read_session(request.app.state.engine) as session:
        lines = period_lines(session)
    return [PeriodOut(**vars(line), appraisals=line.appraisals) for line in lines]


@router.get("/periods/{key}/progress", response_model=ProgressOut)
def period_progress(request: Request, key: str) -> ProgressOut:
    now = request.app.state.clock()
    with read_session(request.app.state.engine) as session:
        period = period_or_404(session, key)
        assert period.id is not None
        rows = [StageProgressOut(**row.as_dict()) for row in stage_progress(session, period.id, now)]  # type: ignore[arg-type]
        return ProgressOut(
            period=period.key,
            status=period.status,
            now=now,
            stages=stage_counts(session, period.id),
            rows=rows,
        )


@router.get(
    "/periods/{key}/results",
    response_model=list[ResultRow],
    responses={409: {"description": "The period is not closed."}},
)
def period_results_json(request: Request, key: str) -> list[ResultRow]:
    with read_session(request.app.state.engine) as session:
        period_or_404(session, key)
        try:
            period = closed_period(session, key)
        except AppraisalError as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from None
        assert period.id is not None
        return period_results(session, period.id)


@router.post("/reviews", response_model=ReviewAccepted, responses={422: {"model": Refused}})
def submit_review(
    request: Request, review: ReviewIn, client: Annotated[str, Depends(api_client)]
) -> ReviewAccepted | JSONResponse:
    """Submit (or, while its stage is open, change) one review, with the rules of the web form."""
    submission = Submission(
        review.period_key,
        review.reviewee_nip,
        review.reviewer_nip,
        review.kind,
        review.scores,
        review.comment,
    )
    try:
        with write_session(request.app.state.engine) as session:
            outcome = record_submission(session, submission, request.app.state.clock(), actor=f"api:{client}")
    except SubmissionRefused as refused:
        problems = [
            Problem(field=p.field, message=p.message, indicator_code=p.indicator_code)
            for p in refused.problems
        ]
        return JSONResponse(Refused(detail="refused", problems=problems).model_dump(), status_code=422)
    return ReviewAccepted(outcome=outcome)  # type: ignore[arg-type]

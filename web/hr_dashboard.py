"""The HR dashboard: periods, progress per unit and stage, overdue and missed reviews, failed
deliveries (with retry), recent Prefect flow runs, and the results exports.

Every route depends on `require_hr` (anonymous requests go to the sign-in page); every form
carries the CSRF token.
"""

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from exports.results_csv import period_export, results_csv
from exports.results_xlsx import write_results_workbook
from flows.runner import prefect_api_url
from models.cycle import STAGES, Period
from models.db import read_session, write_session
from models.outbox_queries import outbox_lines, retry_failed
from models.progress_queries import (
    find_period,
    missed_reviews,
    overdue_reviews,
    period_lines,
    stage_progress,
    unit_stage_counts,
)
from models.results_queries import RESULT_COLUMNS, ResultsUnavailable
from web.charts import stacked_chart
from web.csrf import checked_form
from web.flow_runs import recent_flow_runs
from web.hr_login import HrUser, require_hr
from web.pages import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_hr)])
LIST_LIMIT = 200
FAILED_LIMIT = 500
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def period_or_404(session: Session, key: str) -> Period:
    """The period named `key`; a 404 page when there is none."""
    period = find_period(session, key)
    if period is None:
        raise HTTPException(status_code=404, detail=f"no period {key}")
    return period


@router.get("/hr")
def periods_page(request: Request) -> Response:
    with read_session(request.app.state.engine) as session:
        periods = period_lines(session)
    return render(request, "hr_periods.html", {"periods": periods, "stages": STAGES})


@router.get("/hr/periods/{key}")
def period_page(request: Request, key: str) -> Response:
    now = request.app.state.clock()
    with read_session(request.app.state.engine) as session:
        period = period_or_404(session, key)
        assert period.id is not None
        progress = stage_progress(session, period.id, now)
        chart = stacked_chart(unit_stage_counts(session, period.id), STAGES)
        overdue = overdue_reviews(session, period.id, now, LIST_LIMIT + 1)
        missed = missed_reviews(session, period.id, LIST_LIMIT + 1)
    context = {"period": period, "progress": progress, "chart": chart, "limit": LIST_LIMIT,
               "overdue": overdue, "missed": missed, "stages": STAGES}  # fmt: skip
    return render(request, "hr_period.html", context)


@router.get("/hr/periods/{key}/results.{extension}")
def export_results(request: Request, key: str, extension: str) -> Response:
    """The results of a closed period as CSV (DESIGN §9) or the XLSX workbook."""
    if extension not in ("csv", "xlsx"):
        raise HTTPException(status_code=404, detail="csv or xlsx")
    with read_session(request.app.state.engine) as session:
        period_or_404(session, key)
        try:
            results = period_export(session, key)
        except ResultsUnavailable as exc:  # not closed: its figures are not results yet
            raise HTTPException(status_code=409, detail=str(exc)) from None
    filename = f"results-{results.key}.{extension}"
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if extension == "csv":
        return Response(results_csv(results.rows), media_type="text/csv; charset=utf-8", headers=disposition)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / filename
        write_results_workbook(path, results.title, RESULT_COLUMNS, results.rows, results.predikat_order)
        return Response(path.read_bytes(), media_type=XLSX_TYPE, headers=disposition)


@router.get("/hr/deliveries")
def deliveries_page(request: Request, retried: int | None = None) -> Response:
    with read_session(request.app.state.engine) as session:
        failed = outbox_lines(session, "failed", FAILED_LIMIT)
    return render(request, "hr_deliveries.html", {"failed": failed, "retried": retried})


@router.post("/hr/deliveries/retry")
def retry_deliveries(
    request: Request, user: HrUser, form: Annotated[FormData, Depends(checked_form)]
) -> Response:
    """Every failed message back to pending; the next dispatch run sends them (audited)."""
    with write_session(request.app.state.engine) as session:
        count = retry_failed(session, request.app.state.clock(), f"hr:{user}")
    return RedirectResponse(f"/hr/deliveries?retried={count}", status_code=303)


@router.get("/hr/flow-runs")
def flow_runs_page(request: Request) -> Response:
    api_url = prefect_api_url()
    return render(request, "hr_flow_runs.html", {"runs": recent_flow_runs(api_url), "api_url": api_url})

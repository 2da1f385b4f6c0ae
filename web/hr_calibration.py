"""The calibration page: each unit's predikat distribution against the curve, and HR's overrides.

The same figures and rule set as `appraisal calibration show|set` (cycle/calibration.py): an
override needs a reason, is refused outside calibration or in a closed period, and is audited.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from config.errors import AppraisalError
from cycle.calibration import allowed_predikat, distributions, set_override
from cycle.period_scores import cycle_of, score_period
from models.db import read_session, write_session
from web.charts import stacked_chart
from web.csrf import checked_form
from web.hr_dashboard import period_or_404
from web.hr_login import HrUser, require_hr
from web.pages import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_hr)])
INCOMPLETE = "incomplete"


def _page(request: Request, key: str, *, problem: str | None = None, saved: str | None = None) -> Response:
    with read_session(request.app.state.engine) as session:
        period = period_or_404(session, key)
        scored = score_period(session, period, now=request.app.state.clock())
        cycle = cycle_of(period)
        names = list(allowed_predikat(period))
    units = distributions(scored, cycle.calibration)
    chart = stacked_chart(
        {u.unit_code: {**u.counts, INCOMPLETE: u.incomplete} for u in units}, [*names, INCOMPLETE]
    )
    context = {"period": period, "units": units, "names": names, "chart": chart, "curve": dict(cycle.calibration.ordered_curve()),
               "minimum": cycle.calibration.min_unit_size, "overrides": [s for s in scored if s.override],
               "problem": problem, "saved": saved}  # fmt: skip
    return render(request, "hr_calibration.html", context, status_code=422 if problem else 200)


@router.get("/hr/periods/{key}/calibration")
def calibration_page(request: Request, key: str, saved: str | None = None) -> Response:
    return _page(request, key, saved=saved)


@router.post("/hr/periods/{key}/calibration")
def set_predikat(
    request: Request, key: str, user: HrUser, form: Annotated[FormData, Depends(checked_form)]
) -> Response:
    nip = str(form.get("nip", "")).strip()
    predikat = str(form.get("predikat", ""))
    reason = str(form.get("reason", "")).strip()
    try:
        with write_session(request.app.state.engine) as session:
            period = period_or_404(session, key)
            set_override(session, period, nip, predikat, reason, request.app.state.clock(), f"hr:{user}")
    except AppraisalError as refused:
        return _page(request, key, problem=str(refused))
    return RedirectResponse(f"/hr/periods/{key}/calibration?saved={nip}", status_code=303)

"""The HR page of the public satisfaction index (IKM) of a period: per unit and service, with a chart.

Every figure comes from `feedback.period_ikm`, the same computation the close and the report use,
so the page never disagrees with what an appraisal counted. Units are listed with their index,
category and response count against the cycle's minimum sample (a unit below it is marked: its
index is not used in the appraisal), then each unit's services, its elements lowest first (what
to fix), the recent comments, and links to each service's public form and printable poster.
"""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from feedback.elements import SURVEY_ELEMENTS
from feedback.ikm import CATEGORIES
from feedback.period_ikm import PeriodIkm, period_ikm
from models.db import read_session
from web.charts import StackedChart, stacked_chart, x_of
from web.hr_dashboard import period_or_404
from web.hr_login import require_hr
from web.pages import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_hr)])
INDEX_SCALE = 100.0  # bars on the index's own range, so units are compared with the rule's bounds
CATEGORY_LETTERS = tuple(category.letter for category in CATEGORIES)


def ikm_chart(figures: PeriodIkm) -> StackedChart:
    """One bar per unit with responses: its index, coloured by its category."""
    rows = {unit.unit_code: {unit.figures.category.letter: unit.figures.index}
            for unit in figures.units if unit.figures is not None}  # fmt: skip
    return stacked_chart(rows, CATEGORY_LETTERS, scale=INDEX_SCALE)


@router.get("/hr/periods/{key}/feedback")
def feedback_page(request: Request, key: str) -> Response:
    now = request.app.state.clock()
    with read_session(request.app.state.engine) as session:
        period = period_or_404(session, key)
        figures = period_ikm(session, period, now)
    below = {unit.unit_code for unit in figures.units if unit.figures and not unit.figures.meets_min_sample}
    bounds = [(category, x_of(float(category.lower_bound), INDEX_SCALE)) for category in CATEGORIES[:-1]]
    context = {"period": period, "ikm": figures, "chart": ikm_chart(figures), "below": below,
               "bounds": bounds, "categories": CATEGORIES,
               "elements": {element.key: element for element in SURVEY_ELEMENTS}}  # fmt: skip
    return render(request, "hr_feedback.html", context)

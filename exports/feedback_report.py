"""The public satisfaction (IKM) report of a period as CSV and as a workbook with a chart.

One line per unit (service_code `*`, the unit's pooled figures) followed by one line per
service: responses, whether the minimum sample is reached, the nine element means, the index and
its category. The workbook adds a bar chart of the units' IKM and a sheet of recent comments.
Figures come from `feedback.period_ikm`, the same as the dashboard and the close.
"""

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from exports.results_xlsx import write_table
from feedback.ikm import IkmFigures
from feedback.period_ikm import PeriodIkm
from models.feedback import ELEMENTS

REPORT_COLUMNS: tuple[str, ...] = (
    "unit_code", "unit_name", "service_code", "service_name", "responses", "min_sample_met",
    *(f"{element}_mean" for element in ELEMENTS), "ikm", "category",
)  # fmt: skip
ALL_SERVICES = "*"


def _figures(figures: IkmFigures | None) -> list[object]:
    if figures is None:
        return [0, "no", *([""] * len(ELEMENTS)), "", ""]
    return [figures.responses, "yes" if figures.meets_min_sample else "no", *figures.element_means,
            figures.index, f"{figures.category.letter} {figures.category.label_id}"]  # fmt: skip


def report_rows(report: PeriodIkm) -> Iterator[list[object]]:
    """The report's lines in REPORT_COLUMNS order: each unit, then its services."""
    for unit in report.units:
        yield [unit.unit_code, unit.unit_name, ALL_SERVICES, "", *_figures(unit.figures)]
        for service in unit.services:
            yield [unit.unit_code, unit.unit_name, service.code, service.name, *_figures(service.figures)]


def report_csv(report: PeriodIkm) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(REPORT_COLUMNS)
    writer.writerows(report_rows(report))
    return buffer.getvalue()


def write_report_workbook(path: Path, report: PeriodIkm) -> None:
    """Sheet "IKM" (the CSV's lines), "Unit" (the units' index with a chart), "Komentar" (recent comments).

    Citizens' comments and service names are written as text, never as formulas (`write_table`)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "IKM"
    write_table(sheet, 1, REPORT_COLUMNS, report_rows(report))
    rated = [(unit.unit_code, unit.figures.index) for unit in report.units if unit.figures is not None]
    units = workbook.create_sheet("Unit")
    write_table(units, 1, ("unit_code", "ikm"), rated)
    if rated:
        chart = BarChart()
        chart.title = f"IKM per unit — {report.period_key}"
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 25, 100
        chart.add_data(Reference(units, min_col=2, min_row=1, max_row=len(rated) + 1), titles_from_data=True)
        chart.set_categories(Reference(units, min_col=1, min_row=2, max_row=len(rated) + 1))
        units.add_chart(chart, "D2")
    comments = workbook.create_sheet("Komentar")
    write_table(comments, 1, ("unit_code", "service_name", "submitted_at", "comment"),
                ((c.unit_code, c.service_name, c.submitted_at.isoformat(), c.comment) for c in report.comments))  # fmt: skip
    workbook.save(path)

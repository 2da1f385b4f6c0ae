"""The results workbook: a "Ringkasan" summary sheet with a chart, then one sheet per unit.

HR forwards each unit's sheet to its head and puts the summary in the report to the
Sekda/BKPSDM, so the summary counts every predikat overall and per unit (incomplete appraisals
counted apart, never hidden), and each unit sheet carries the same columns as the CSV export.
NIPs are written as text: 18 digits do not survive as an Excel number.
"""

import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from models.results_queries import ResultRow

SUMMARY_SHEET = "Ringkasan"
INCOMPLETE = "Tidak lengkap"  # appraisals without a predikat (e.g. the supervisor review was missed)
MAX_SHEET_NAME = 31  # Excel's limit
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_RESERVED = {"history"}  # Excel reserves this name
BOLD = Font(bold=True)


def sheet_names(unit_codes: Iterable[str], taken: Iterable[str] = (SUMMARY_SHEET,)) -> dict[str, str]:
    """unit code → a valid sheet name: at most 31 characters, no forbidden characters, unique
    ignoring case (as Excel compares them), never one of `taken`."""
    used = {name.lower() for name in taken} | _RESERVED
    names: dict[str, str] = {}
    for code in unit_codes:
        base = _FORBIDDEN.sub("_", code).strip("'") or "Unit"
        name, counter = base[:MAX_SHEET_NAME], 1
        while name.lower() in used:
            counter += 1
            suffix = f"~{counter}"
            name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
        used.add(name.lower())
        names[code] = name
    return names


def write_table(sheet: Worksheet, top: int, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write a header (bold) and rows from row `top`; returns the last row written."""
    for column, title in enumerate(header, start=1):
        sheet.cell(top, column, title).font = BOLD
    last = top
    for last, values in enumerate(rows, start=top + 1):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(last, column, value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # a name is text, never a formula Excel would run
    return last


def _fit_columns(sheet: Worksheet, widths: dict[int, int]) -> None:
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), 60)


def _widths(rows: Iterable[Sequence[object]]) -> dict[int, int]:
    widths: dict[int, int] = {}
    for values in rows:
        for column, value in enumerate(values, start=1):
            widths[column] = max(widths.get(column, 0), len("" if value is None else str(value)))
    return widths


def _summary(sheet: Worksheet, title: str, rows: list[ResultRow], predikat_order: Sequence[str]) -> None:
    """Overall counts (with the chart) and per-unit counts, predikat in the scheme's order."""
    seen = [p for p in dict.fromkeys(r.predikat for r in rows if r.predikat) if p not in predikat_order]
    order = [*predikat_order, *seen]  # a predikat the scheme does not list is still counted
    overall = Counter(r.predikat or INCOMPLETE for r in rows)
    sheet["A1"] = title
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = f"{len(rows)} penilaian (appraisals), {overall[INCOMPLETE]} tidak lengkap (incomplete)"
    first = 4
    overall_rows = [[name, overall[name]] for name in order]
    last = write_table(
        sheet, first, ["Predikat", "Jumlah"], [*overall_rows, [INCOMPLETE, overall[INCOMPLETE]]]
    )
    sheet.cell(last + 1, 1, "Jumlah").font = BOLD
    sheet.cell(last + 1, 2, len(rows)).font = BOLD

    chart = BarChart()
    chart.type = "col"
    chart.title = "Distribusi predikat"
    chart.y_axis.title = "Jumlah pegawai"
    chart.x_axis.title = "Predikat"
    chart.legend = None
    chart.add_data(
        Reference(sheet, min_col=2, min_row=first, max_row=first + len(order)), titles_from_data=True
    )
    chart.set_categories(Reference(sheet, min_col=1, min_row=first + 1, max_row=first + len(order)))
    chart.width, chart.height = 18, 9
    sheet.add_chart(chart, "E4")

    units: dict[str, Counter[str]] = {}
    for row in rows:
        units.setdefault(row.unit_code, Counter())[row.predikat or INCOMPLETE] += 1
    header = ["Unit", *order, INCOMPLETE, "Jumlah"]
    unit_rows = [
        [code, *(counts[name] for name in [*order, INCOMPLETE]), counts.total()]
        for code, counts in units.items()
    ]
    total_row = ["Semua unit", *(overall[name] for name in [*order, INCOMPLETE]), len(rows)]
    top = max(last + 3, first + 20)  # below the chart
    sheet.cell(top - 1, 1, "Per unit").font = BOLD
    end = write_table(sheet, top, header, [*unit_rows, total_row])
    for column in range(1, len(header) + 1):
        sheet.cell(end, column).font = BOLD
    _fit_columns(sheet, _widths([header, *unit_rows, total_row, *overall_rows]))


def write_results_workbook(
    path: Path,
    title: str,
    columns: Sequence[str],
    rows: list[ResultRow],
    predikat_order: Sequence[str],
) -> dict[str, str]:
    """Write the workbook to `path` (via a temporary file, so a failure leaves no half file);
    returns unit code → sheet name."""
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = SUMMARY_SHEET
    _summary(summary, title, rows, predikat_order)
    by_unit: dict[str, list[ResultRow]] = {}
    for row in rows:
        by_unit.setdefault(row.unit_code, []).append(row)
    names = sheet_names(by_unit)
    for code, unit_rows in by_unit.items():
        sheet = workbook.create_sheet(names[code])
        values = [
            [r.nip, r.name, r.unit_code, r.result_rating, r.behaviour_rating, r.predikat, r.final_score,
             ";".join(r.recommendations)]
            for r in unit_rows
        ]  # fmt: skip
        write_table(sheet, 1, columns, values)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(values) + 1}"
        _fit_columns(sheet, _widths([columns, *values]))
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        workbook.save(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return names

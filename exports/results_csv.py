"""The results CSV of DESIGN §9, shared by `appraisal results export` and the HR dashboard."""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from cycle.calibration import allowed_predikat
from models.results_queries import RESULT_COLUMNS, ResultRow, closed_period, period_results


@dataclass(frozen=True)
class PeriodResults:
    """What an export of one closed period needs: its rows, a title, and the predikat order."""

    key: str
    title: str
    rows: list[ResultRow]
    predikat_order: tuple[str, ...]


def period_export(session: Session, key: str) -> PeriodResults:
    """The rows of closed period `key`; refuses a period that is not closed (ResultsUnavailable)."""
    period = closed_period(session, key)
    label = period.cycle_snapshot.get("cycle", {}).get("label") or period.cycle_name
    rows = period_results(session, period.id)
    return PeriodResults(
        period.key, f"Hasil penilaian {period.key} — {label}", rows, allowed_predikat(period)
    )


def results_csv(rows: Sequence[ResultRow]) -> str:
    """The results CSV (DESIGN §9): header row, one line per appraisal, kinds joined with ';'."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(RESULT_COLUMNS)
    writer.writerows(row.export_fields().values() for row in rows)
    return buffer.getvalue()

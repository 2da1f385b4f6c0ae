"""`appraisal results …`: what a closed period produced, exported for HR or shown for one employee.

Read-only and fast: nothing here imports Prefect (DESIGN §2), and every figure is read as it was
stored at closing. Results of a period that is not closed are refused with the command that
closes it, so provisional figures are never mistaken for final ones.
"""

from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from cli import context
from config.errors import AppraisalError
from exports.results_csv import period_export, results_csv
from exports.results_xlsx import write_results_workbook
from feedback.source_words import public_source_words
from models.db import read_session
from models.results_queries import (
    RESULT_COLUMNS,
    EmployeeResult,
    IndicatorLine,
    RecommendationLine,
    employee_result,
)
from notifications.formatting import rating_words, recommendation_words

app = typer.Typer(help="Results of closed periods: export them, show one employee's.", no_args_is_help=True)


def _score(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _write_text(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise AppraisalError(f"--output: cannot write {path}: {exc.strerror or exc}") from None


@app.command("export")
def export_command(
    period: Annotated[str, typer.Option("--period", help="Key of a closed period, e.g. annual-2027.")],
    format: Annotated[
        Literal["csv", "xlsx"],
        typer.Option(
            "--format", help="csv (DESIGN §9 columns) or xlsx (summary sheet with a chart, a sheet per unit)."
        ),
    ] = "csv",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="File to write; csv default: standard output, xlsx default: results-KEY.xlsx.",
        ),
    ] = None,
) -> None:
    """Export every appraisal of a closed period: ratings, predikat, final score, recommendations."""
    engine = context.engine(context.settings())
    with read_session(engine) as session:
        found = period_export(session, period)
    engine.dispose()
    rows = found.rows
    if format == "csv":
        text = results_csv(rows)
        if output is None:
            typer.echo(text, nl=False)
            return
        _write_text(output, text)
    else:
        output = output or Path(f"results-{found.key}.xlsx")
        try:
            write_results_workbook(output, found.title, RESULT_COLUMNS, rows, found.predikat_order)
        except OSError as exc:
            raise AppraisalError(f"--output: cannot write {output}: {exc.strerror or exc}") from None
    units = len({r.unit_code for r in rows})
    context.console.print(
        f"Wrote {len(rows)} appraisals of {found.key} ({units} units) to {escape(str(output))}."
    )


def _rating(rating: str | None, score: float | None) -> str:
    if rating is None:
        return "-"
    figure = f", {score:.2f}" if score is not None else ""
    return f"{rating} ({rating_words(rating, 'id')}{figure})"


def _figures(result: EmployeeResult) -> Text:
    lines = Text()
    zone = result.timezone
    window = f"{context.local_date(result.period_starts_at, zone)} – {context.local_date(result.period_ends_at, zone, inclusive_end=True)}"
    lines.append(f"{result.name}", style="bold").append(f"  NIP {result.nip}\n")
    lines.append(f"Unit: {result.unit_code} — {result.unit_name}\n")
    lines.append(
        f"Periode: {result.period_key} ({window}), ditutup {context.local_time(result.period_closed_at, zone)}\n"
    )
    lines.append(f"Hasil kerja (result): {_rating(result.result_rating, result.result_score)}\n")
    lines.append(f"Perilaku kerja (behaviour): {_rating(result.behaviour_rating, result.behaviour_score)}\n")
    lines.append("Predikat: ")
    if result.predikat:
        lines.append(result.predikat, style="bold")
    else:
        lines.append(
            f"- (tidak lengkap / incomplete: {result.incomplete_reason or 'no predikat'})", style="yellow"
        )
    if result.override_reason:
        computed = result.computed_predikat or "-"
        lines.append(
            f"\n  ditetapkan HR saat kalibrasi (set by HR in calibration; computed {computed}): {result.override_reason}"
        )
    lines.append(f"\nNilai akhir (final score): {_score(result.final_score) or '-'}")
    return lines


def _indicator_table(indicators: list[IndicatorLine]) -> Table:
    table = Table(title="Indikator (indicators)")
    for column in ("indicator", "aspect", "self", "supervisor", "peers (n)", "combined", "rating"):
        left = column in ("indicator", "aspect", "rating")
        table.add_column(column, justify="left" if left else "right", overflow="fold")
    for line in indicators:
        peers = f"{line.peer_score:.2f} (n={line.peer_count})" if line.peer_score is not None else "-"
        table.add_row(escape(line.name), line.aspect, _score(line.self_score) or "-", _score(line.supervisor_score) or "-",
                      peers, _score(line.combined_score) or "-", line.rating or "-")  # fmt: skip
    return table


def _source_notes(indicators: list[IndicatorLine]) -> list[str]:
    """Where IKM-sourced figures come from, one line each (printed under the indicator table)."""
    return [f"{line.name}: {public_source_words(line.public_index, line.public_responses, line.combined_score, 'id')}"
            for line in indicators if line.source == "public_satisfaction"]  # fmt: skip


def _programmes(detail: dict[str, Any]) -> list[str]:
    lines = []
    for entry in detail.get("indicators", []):
        for programme in entry.get("programmes", []):
            provider = f", {programme['provider']}" if programme.get("provider") else ""
            lines.append(f"    - {entry.get('name', entry.get('indicator'))}: {programme.get('code')} "
                         f"{programme.get('name')} ({programme.get('hours')} jam{provider})")  # fmt: skip
    return lines


def _recommendation_text(recommendations: list[RecommendationLine]) -> Text:
    text = Text("Rekomendasi (recommendations)\n", style="bold")
    if not recommendations:
        return text.append("  tidak ada (none)", style="italic")
    for index, item in enumerate(recommendations):
        text.append("\n" if index else "")
        text.append(f"• {recommendation_words(item.kind, 'id')} ({item.kind})\n", style="bold")
        text.append(f"  {item.reason_id}\n")
        text.append(f"  {item.reason_en}", style="dim")
        for line in _programmes(item.detail):
            text.append(f"\n{line}")
    return text


def _review_table(result: EmployeeResult) -> Table:
    table = Table(title="Jejak penilaian (review trail)")
    for column in ("review", "reviewer", "status", "opened", "due", "submitted"):
        table.add_column(column, overflow="fold")  # a NIP is never cut short
    zone = result.timezone
    for review in result.reviews:
        who = review.reviewer_name + (f" ({review.reviewer_nip})" if review.reviewer_nip else "")
        table.add_row(review.kind, escape(who), review.status,
                      context.local_time(review.opened_at, zone), context.local_time(review.due_at, zone),
                      context.local_time(review.submitted_at, zone))  # fmt: skip
    return table


@app.command("show")
def show_command(
    nip: Annotated[str, typer.Argument(help="The employee's NIP (18 digits).")],
    period: Annotated[
        str | None,
        typer.Option(
            "--period", help="Key of a closed period (default: the latest closed one with an appraisal)."
        ),
    ] = None,
) -> None:
    """One employee's closed appraisal: ratings, predikat, indicators, recommendations, review trail."""
    engine = context.engine(context.settings())
    with read_session(engine) as session:
        result = employee_result(session, nip.strip(), period)
    engine.dispose()
    parts: list[Any] = [_figures(result), Text()]
    if result.indicators:
        parts.append(_indicator_table(result.indicators))
        parts += [Text(note) for note in _source_notes(result.indicators)]
    parts += [_recommendation_text(result.recommendations), Text()]
    if result.reviews:
        parts.append(_review_table(result))
    context.console.print(Group(*parts))

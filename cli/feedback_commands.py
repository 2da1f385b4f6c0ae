"""`appraisal feedback …`: the public satisfaction survey (IKM) — services, imports, the report."""

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.markup import escape
from rich.table import Table

from cli import context
from cli.options import NowOption
from config.errors import AppraisalError
from cycle.calibration import period_by_key
from exports.feedback_report import report_csv, write_report_workbook
from feedback.elements import SURVEY_ELEMENTS
from feedback.ikm import IkmFigures
from feedback.importing import import_feedback
from feedback.period_ikm import PeriodIkm, period_ikm
from feedback.services import ServiceRef, list_services, register_service
from models.db import read_session, write_session

app = typer.Typer(
    help="Citizen feedback: services, imports and the public satisfaction index (IKM).", no_args_is_help=True
)
ELEMENT_NAMES = {element.key: element.name_id for element in SURVEY_ELEMENTS}
WEAKEST_SHOWN = 3


def _links(base_url: str, service: ServiceRef) -> str:
    return f"{base_url}{service.form_path}  (short: {base_url}{service.short_path}, poster: {base_url}{service.form_path}/poster)"


@app.command("add-service")
def add_service(
    unit_code: Annotated[str, typer.Argument(help="The unit delivering the service (roster unit_code).")],
    service_code: Annotated[str, typer.Argument(help="Short code, e.g. KTP-el.")],
    name: Annotated[str, typer.Argument(help="The service's name as citizens know it.")],
) -> None:
    """Register a public service so citizens can rate it (idempotent: a known one keeps its name)."""
    settings = context.settings()
    engine = context.engine(settings)
    with write_session(engine) as session:
        service = register_service(session, unit_code, service_code, name)
    context.console.print(f"{escape(service.unit_code)}/{escape(service.code)} {escape(service.name)}: "
                          f"{escape(_links(settings.base_url, service))}")  # fmt: skip


@app.command("services")
def services() -> None:
    """Every service with its public form, short link and printable poster."""
    settings = context.settings()
    with read_session(context.engine(settings)) as session:
        found = list_services(session)
    table = Table(title=f"Layanan publik (public services): {len(found)}")
    for column in ("unit", "service", "name", "form / short link / poster"):
        table.add_column(column, overflow="fold")
    for service in found:
        table.add_row(
            service.unit_code,
            escape(service.code),
            escape(service.name),
            escape(_links(settings.base_url, service)),
        )
    context.console.print(table)


@app.command("import")
def import_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="unit_code,service_code,service_name,submitted_at,u1,…,u9,ticket,comment (DESIGN §9)"
        ),
    ],
    now: NowOption = None,
) -> None:
    """Import responses collected elsewhere; refused as a whole, line by line, on any problem."""
    settings = context.settings(now=now)
    engine = context.engine(settings)
    with context.console.status(f"Importing {file} …"), write_session(engine) as session:
        summary = import_feedback(session, file, settings.current_time(), actor=context.actor())
    if summary.already_imported_at is not None:
        context.console.print(f"{escape(str(file))} was already imported on {summary.already_imported_at:%Y-%m-%d %H:%M} UTC; nothing changed.")  # fmt: skip
        return
    added = f"; new services: {', '.join(summary.new_services)}" if summary.new_services else ""
    context.console.print(f"Imported {summary.responses} responses from {escape(str(file))}{escape(added)}.")


def _ikm_text(figures: IkmFigures | None) -> str:
    return (
        "-"
        if figures is None
        else f"{figures.index:.2f} {figures.category.letter} {figures.category.label_id}"
    )


def _sample_text(figures: IkmFigures | None, minimum: int) -> str:
    responses = 0 if figures is None else figures.responses
    return f"{responses}/{minimum}" + ("" if responses >= minimum else " (di bawah minimum)")


def report_table(report: PeriodIkm, zone: str) -> Table:
    window = f"{context.local_time(report.starts_at, zone)} – {context.local_time(report.ends_at, zone)}"
    table = Table(title=f"IKM {report.period_key}: {window}")
    for column in (
        "unit / layanan",
        "IKM",
        "responden / min",
        f"{WEAKEST_SHOWN} unsur terendah (perbaiki dulu)",
    ):
        table.add_column(column, overflow="fold")
    for unit in report.units:
        weakest = ", ".join(
            f"{ELEMENT_NAMES[key]} {mean:.2f}" for key, mean in unit.weakest_elements()[:WEAKEST_SHOWN]
        )
        table.add_row(f"[bold]{escape(unit.unit_code)}[/bold] {escape(unit.unit_name)}", _ikm_text(unit.figures),
                      _sample_text(unit.figures, report.min_responses), weakest or "-")  # fmt: skip
        for service in unit.services:
            table.add_row(f"  {escape(service.code)} {escape(service.name)}", _ikm_text(service.figures),
                          str(0 if service.figures is None else service.figures.responses), "")  # fmt: skip
    return table


@app.command("report")
def report_command(
    period: Annotated[str, typer.Option("--period", help="Period key, e.g. annual-2027.")],
    format: Annotated[
        Literal["table", "csv", "xlsx"], typer.Option("--format", help="table, csv or xlsx.")
    ] = "table",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="File for csv (default: standard output) or xlsx (default: ikm-KEY.xlsx)."
        ),
    ] = None,
    now: NowOption = None,
) -> None:
    """IKM per unit and service over the period (up to its close, or now), lowest elements first, recent comments."""
    settings = context.settings(now=now)
    with read_session(context.engine(settings)) as session:
        report = period_ikm(session, period_by_key(session, period), settings.current_time())
    if format == "table":
        context.console.print(report_table(report, settings.timezone))
        for comment in report.comments[:10]:
            context.console.print(f"  {comment.submitted_at:%Y-%m-%d} {escape(comment.unit_code)} · {escape(comment.service_name)}: {escape(comment.comment)}")  # fmt: skip
        return
    try:
        if format == "csv":
            if output is None:
                typer.echo(report_csv(report), nl=False)
                return
            output.write_text(report_csv(report), encoding="utf-8", newline="")
        else:
            output = output or Path(f"ikm-{report.period_key}.xlsx")
            write_report_workbook(output, report)
    except OSError as exc:
        raise AppraisalError(f"--output: cannot write {output}: {exc.strerror or exc}") from None
    context.console.print(
        f"Wrote the IKM report of {report.period_key} ({len(report.units)} units) to {escape(str(output))}."
    )

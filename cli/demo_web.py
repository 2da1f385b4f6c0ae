"""`appraisal demo --web`: after the simulated year, a live quarter to click through in a browser.

The annual period is closed (its results pages exist); a quarterly period is opened the next
working morning, so its self-assessment forms are open. The web app is then served with the
clock held at that morning, so the printed links stay valid for as long as the demo runs, and
an HR user is created for the dashboard.
"""

import os
from datetime import datetime, time, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import aliased

from cli import context
from cycle.calendar import add_working_days
from demo.simulation import EngineCalls
from feedback.services import list_services
from models import Appraisal, Employee, Period, Review
from models.db import read_session, write_session
from web.accounts import add_user
from web.links import results_link, review_link

DEMO_HR_USER = "hr.demo"
DEMO_HR_PASSWORD = "demo-bkpsdm-2027"  # printed on the screen: a demo database only
QUARTER_CYCLE = "quarterly"
LINKS_SHOWN = 3


def _next_morning(engine: Engine, period_key: str) -> datetime:
    """09:00 on the working day after `period_key` closed, in the zone it closed in."""
    with read_session(engine) as session:
        closed_at = session.execute(select(Period.closed_at).where(Period.key == period_key)).scalar_one()
    zone = context.settings(demo=True).zone
    day = add_working_days(closed_at.astimezone(zone).date(), 1)
    return datetime.combine(day, time(9, 0), tzinfo=zone)


def _review_links(engine: Engine, period_key: str, base_url: str, secret: str) -> list[tuple[str, str]]:
    """(who reviews whom, link) for the first few open self-assessments of `period_key`."""
    reviewer = aliased(Employee)
    query = (
        select(Review.id, reviewer.name)
        .join(Appraisal, Appraisal.id == Review.appraisal_id)
        .join(Period, Period.id == Appraisal.period_id)
        .join(reviewer, reviewer.id == Review.reviewer_id)
        .where(Period.key == period_key, Review.status == "open")
        .order_by(Review.id)
        .limit(LINKS_SHOWN)
    )
    with read_session(engine) as session:
        rows = session.execute(query).all()
    return [(name, review_link(base_url, secret, review_id)) for review_id, name in rows]


def _results_links(engine: Engine, period_key: str, base_url: str, secret: str) -> list[tuple[str, str]]:
    query = (
        select(Appraisal.id, Employee.name, Appraisal.predikat)
        .join(Employee, Employee.id == Appraisal.employee_id)
        .join(Period, Period.id == Appraisal.period_id)
        .where(Period.key == period_key, Appraisal.predikat.is_not(None))
        .order_by(Appraisal.id)
        .limit(LINKS_SHOWN)
    )
    with read_session(engine) as session:
        rows = session.execute(query).all()
    return [(f"{name} ({predikat})", results_link(base_url, secret, i)) for i, name, predikat in rows]


def _print_public_survey(engine: Engine, base_url: str, open_key: str, closed_key: str) -> None:
    """Where citizens rate services, and where HR sees the IKM that feeds kepuasan_masyarakat."""
    with read_session(engine) as session:
        services = list_services(session)
    if not services:
        return
    console = context.console
    console.print("Survei kepuasan masyarakat (tanpa login; cetak poster QR untuk loket):")
    for service in services:
        console.print(f"  {service.unit_code} · {service.name}: {base_url}{service.short_path}  "
                      f"(poster: {base_url}{service.form_path}/poster)", soft_wrap=True)  # fmt: skip
    console.print(f"IKM per unit di dasbor HR: {base_url}/hr/periods/{open_key}/feedback (periode berjalan), "
                  f"{base_url}/hr/periods/{closed_key}/feedback (yang dipakai saat penutupan).", soft_wrap=True)  # fmt: skip


def serve_demo_web(engine: Engine, closed_key: str, port: int) -> None:
    """Open the next quarter, print the links and the HR sign-in, and serve until Ctrl-C."""
    import uvicorn

    from web.app import create_app

    base_url = f"http://127.0.0.1:{port}"
    os.environ["APPRAISAL_BASE_URL"] = base_url  # links queued by the flows point here too
    morning = _next_morning(engine, closed_key)
    opened = EngineCalls(str(engine.url)).open(QUARTER_CYCLE, morning - timedelta(hours=1))
    settings = context.settings(demo=True, now=morning.isoformat(), base_url=base_url)
    secret = settings.secret_key.get_secret_value()
    with write_session(engine) as session:
        add_user(session, DEMO_HR_USER, DEMO_HR_PASSWORD, morning, actor="demo")
    console = context.console
    console.print(f"\n[bold]Web demo[/] — periode {opened['period']} dibuka ({opened['appraisals']} penilaian); "
                  f"jam aplikasi ditahan pada {morning:%Y-%m-%d %H:%M}.")  # fmt: skip
    console.print(
        f"Dasbor HR: {base_url}/hr  (pengguna [bold]{DEMO_HR_USER}[/], kata sandi [bold]{DEMO_HR_PASSWORD}[/])"
    )
    console.print("Formulir penilaian mandiri (buka, isi, kirim; lalu lihat kemajuan di dasbor):")
    for who, link in _review_links(engine, opened["period"], base_url, secret):
        console.print(f"  {who}: {link}", soft_wrap=True)
    console.print(f"Hasil {closed_key} per pegawai:")
    for who, link in _results_links(engine, closed_key, base_url, secret):
        console.print(f"  {who}: {link}", soft_wrap=True)
    _print_public_survey(engine, base_url, opened["period"], closed_key)
    console.print(f"API: {base_url}/api/docs (token: `appraisal hr add-token NAMA`). Ctrl-C untuk berhenti.")
    uvicorn.run(create_app(settings), host="127.0.0.1", port=port, log_level="warning", server_header=False)

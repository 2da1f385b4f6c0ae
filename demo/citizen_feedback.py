"""Synthetic citizen feedback for the demo: a few public services and realistic survey answers.

Each service has a profile of how citizens tend to answer the nine elements (KTP-el is free, so
cost scores high; building permits take long, so completion time scores low; complaint handling
is the weak spot almost everywhere, as national IKM reports show). The civil registry gets
enough responses to reach the annual minimum sample; the licensing office does not, so the demo
shows both an indicator scored from the IKM and one left out. Deterministic for a seed.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert, select
from sqlmodel import Session

from cycle.calendar import is_working_day
from feedback.responses import ResponseDraft
from feedback.services import register_service
from models import FeedbackResponse, Unit
from models.db import write_session
from models.feedback import ELEMENTS


@dataclass(frozen=True)
class DemoService:
    unit_code: str
    code: str
    name: str
    responses: int
    # Mean answer (1–4) citizens tend to give each element, u1…u9.
    profile: tuple[float, ...]


DEMO_SERVICES: tuple[DemoService, ...] = (
    DemoService("DISDUKCAPIL", "KTP-el", "Perekaman dan Pencetakan KTP-el", 70,
                (3.3, 3.2, 2.9, 3.9, 3.3, 3.2, 3.4, 2.7, 3.0)),
    DemoService("DISDUKCAPIL", "KK", "Penerbitan Kartu Keluarga", 45, (3.4, 3.3, 3.2, 3.9, 3.4, 3.3, 3.4, 2.8, 3.1)),
    DemoService("DISDUKCAPIL", "AKTA-LAHIR", "Penerbitan Akta Kelahiran", 35,
                (3.2, 3.1, 3.0, 3.9, 3.3, 3.3, 3.5, 2.9, 3.0)),
    DemoService("DPMPTSP", "NIB", "Nomor Induk Berusaha (NIB)", 25, (3.1, 2.9, 3.0, 3.6, 3.2, 3.1, 3.2, 2.6, 3.0)),
    DemoService("DPMPTSP", "PBG", "Persetujuan Bangunan Gedung (PBG)", 15, (2.8, 2.5, 2.2, 3.0, 2.9, 3.0, 3.1, 2.4, 2.9)),
)  # fmt: skip
COMMENTS: tuple[str, ...] = (
    "Antrean pagi terlalu panjang, mohon tambah loket.",
    "Petugas ramah dan membantu, terima kasih.",
    "Pengaduan saya lewat WhatsApp belum dibalas.",
    "Ruang tunggu panas, kipas angin rusak.",
    "Prosesnya cepat, selesai di hari yang sama.",
    "Informasi persyaratan di website berbeda dengan di loket.",
    "Mohon ada layanan di hari Sabtu untuk pekerja.",
)
COMMENT_SHARE = 0.2
TICKET_SHARE = 0.6
FIRST_HOUR, LAST_HOUR = 8, 15


def _answer(rng: random.Random, mean: float) -> int:
    """A 1–4 answer around `mean`: the two nearest values, weighted by distance, with a little noise."""
    noisy = min(4.0, max(1.0, rng.gauss(mean, 0.45)))
    low = int(noisy)
    return min(4, low + (rng.random() < noisy - low))


def _moments(rng: random.Random, days: list[date], zone: ZoneInfo, count: int) -> list[datetime]:
    hours = [time(hour, minute) for hour in range(FIRST_HOUR, LAST_HOUR) for minute in (0, 15, 30, 45)]
    return sorted(datetime.combine(rng.choice(days), rng.choice(hours), tzinfo=zone) + timedelta(seconds=rng.randrange(900))
                  for _ in range(count))  # fmt: skip


def _drafts(rng: random.Random, service: DemoService) -> list[ResponseDraft]:
    drafts = []
    for number in range(service.responses):
        answers = {key: _answer(rng, mean) for key, mean in zip(ELEMENTS, service.profile, strict=True)}
        ticket = f"{service.code}-{number + 1:04d}" if rng.random() < TICKET_SHARE else None
        comment = rng.choice(COMMENTS) if rng.random() < COMMENT_SHARE else None
        drafts.append(ResponseDraft(answers, ticket, comment))
    return drafts


def add_demo_feedback(
    engine: Engine, first_day: date, last_day: date, zone: ZoneInfo, seed: int, country: str = "ID"
) -> dict[str, int]:
    """Register the demo services whose unit exists and store their responses over the working days
    from `first_day` to `last_day`; responses per unit code."""
    rng = random.Random(f"{seed}:citizen-feedback")
    days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    days = [day for day in days if is_working_day(day, country)]
    per_unit: dict[str, int] = {}
    with write_session(engine) as session:
        for service in DEMO_SERVICES:
            if not _unit_exists(session, service.unit_code):
                continue
            ref = register_service(session, service.unit_code, service.code, service.name)
            moments = _moments(rng, days, zone, service.responses)
            channels = ("kiosk", "web")
            rows = [
                draft.row(ref.id, moment, rng.choice(channels))
                for draft, moment in zip(_drafts(rng, service), moments, strict=True)
            ]
            session.execute(insert(FeedbackResponse), rows)
            per_unit[service.unit_code] = per_unit.get(service.unit_code, 0) + len(rows)
    return per_unit


def _unit_exists(session: Session, unit_code: str) -> bool:
    return session.execute(select(Unit.id).where(Unit.code == unit_code)).first() is not None

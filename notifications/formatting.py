"""Dates and words for messages, in Indonesian and English, in the recipient's own time zone.

Written out here rather than taken from a locale package (Babel, the C library's locales): the
server's installed locales differ between machines, and an HR office expects exactly
"Senin, 18 Januari 2027 23.59 WIB" (Indonesian uses a full stop between hours and minutes).
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from config.zones import TIMEZONE_ALIASES, ZONE_ABBREVIATIONS

LOCALES: tuple[str, ...] = ("id", "en")
DEFAULT_LOCALE = "id"

_DAYS = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"),
}  # fmt: skip
_KINDS = {
    "id": {"self": "penilaian mandiri", "supervisor": "penilaian atasan", "peer": "penilaian rekan kerja"},
    "en": {"self": "self-assessment", "supervisor": "supervisor review", "peer": "peer review"},
}
_RECOMMENDATIONS = {
    "id": {"promotion": "Kandidat promosi", "training": "Pelatihan", "improvement_plan": "Rencana perbaikan kinerja", "reward": "Penghargaan"},
    "en": {"promotion": "Promotion candidate", "training": "Training", "improvement_plan": "Improvement plan", "reward": "Reward"},
}  # fmt: skip
_RATINGS = {
    "id": {"above": "di atas ekspektasi", "meets": "sesuai ekspektasi", "below": "di bawah ekspektasi"},
    "en": {"above": "above expectations", "meets": "meets expectations", "below": "below expectations"},
}
_CHANNELS = {
    "id": {"email": "email", "chat": "chat", "hr": "kanal HR"},
    "en": {"email": "email", "chat": "chat", "hr": "HR channel"},
}


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone for `name` (WIB/WITA/WIT accepted); Jakarta when none is given."""
    return ZoneInfo(TIMEZONE_ALIASES.get((name or "").upper(), name or "Asia/Jakarta"))


def parse_instant(value: str | datetime) -> datetime:
    """An aware instant from the payload's ISO text; a naive value is taken as UTC (how we store)."""
    instant = (
        value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    )
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)


def _zone_label(local: datetime, tz: ZoneInfo) -> str:
    return ZONE_ABBREVIATIONS.get(tz.key) or local.tzname() or tz.key


def format_date(value: str | date, locale: str) -> str:
    """`Senin, 18 Januari 2027` / `Monday 18 January 2027` for a calendar date (YYYY-MM-DD)."""
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    names = _DAYS[locale][day.weekday()]
    month = _MONTHS[locale][day.month - 1]
    separator = ", " if locale == "id" else " "
    return f"{names}{separator}{day.day} {month} {day.year}"


def format_instant(value: str | datetime, timezone: str | None, locale: str) -> str:
    """`Senin, 18 Januari 2027 23.59 WIB` / `Monday 18 January 2027 23:59 WIB` in the recipient's zone."""
    tz = zone(timezone)
    local = parse_instant(value).astimezone(tz)
    clock = (
        f"{local.hour:02d}.{local.minute:02d}" if locale == "id" else f"{local.hour:02d}:{local.minute:02d}"
    )
    return f"{format_date(local.date(), locale)} {clock} {_zone_label(local, tz)}"


def kind_words(kind: str, locale: str) -> str:
    """The review kind in words (`penilaian atasan`), or the code itself when it is unknown."""
    return _KINDS[locale].get(kind, kind)


def recommendation_words(kind: str, locale: str) -> str:
    """A recommendation kind as a heading (`Pelatihan`)."""
    return _RECOMMENDATIONS[locale].get(kind, kind)


def rating_words(rating: str | None, locale: str) -> str:
    """A rating (`above`/`meets`/`below`) in words; a dash when there is none."""
    return _RATINGS[locale].get(rating, rating) if rating else "–"


def channel_words(channel: str, locale: str) -> str:
    """A delivery channel in words."""
    return _CHANNELS[locale].get(channel, channel)

"""A synthetic but plausible Pemerintah Kota, as roster rows (DESIGN §9).

Demos, tests and benchmarks need a city that looks like the real thing — Dinas with Bidang,
Puskesmas under the Dinas Kesehatan, Lurah reporting to their Camat, NIPs whose embedded
dates make sense — yet is reproducible: everything is drawn from one `random.Random(seed)`,
never the global generator nor the clock, so a seed names one city forever.

The output must pass the roster importer unchanged, so the rules it relies on are kept here
too: one head per unit (the only member whose supervisor sits outside the unit), one person
without a supervisor (the Sekretaris Daerah), every unit with at least two members.
"""

import calendar
import csv
import pathlib
import random
import re
import string
from collections.abc import Callable
from dataclasses import dataclass

from demo import names
from roster.columns import ROSTER_COLUMNS

MIN_EMPLOYEES = 10
STAFF_PER_UNIT = 32  # one unit per ~32 staff, as in a typical city government
YEAR = 2026  # the "now" of the synthetic city; NIP appointment months run up to June of it
LAST_APPOINTMENT_MONTH = 6
CHAT_SHARE = 0.3
# Caps keep each family realistic for a big city; schools absorb any further growth.
MAX_KECAMATAN, MAX_KELURAHAN, MAX_PUSKESMAS, MAX_SMP = 20, 150, 40, 80
# The order in which a growing city gains units; a family that cannot grow yet is skipped.
GROWTH_CYCLE: tuple[str, ...] = (
    "core", "core", "kecamatan", "puskesmas", "core", "core", "sd", "kelurahan", "core", "upt",
    "kelurahan", "sd", "core", "puskesmas", "kelurahan", "smp",
)  # fmt: skip
GRADES: tuple[str, ...] = tuple(f"{r}/{g}" for r in ("I", "II", "III", "IV") for g in "abcd") + ("IV/e",)
G = {grade: index for index, grade in enumerate(GRADES)}  # "III/a" → 8
# Career ladders: first grade of the track, highest grade, and the title level by grade.
LEVELS: dict[str, tuple[int, int, tuple[tuple[int, str], ...]]] = {
    "A": (
        G["III/a"],
        G["IV/c"],
        ((G["III/a"], "Ahli Pertama"), (G["III/c"], "Ahli Muda"), (G["IV/a"], "Ahli Madya")),
    ),
    "T": (G["II/c"], G["III/d"], ((G["II/c"], "Terampil"), (G["III/a"], "Mahir"), (G["III/c"], "Penyelia"))),
    "P": (G["II/b"], G["III/d"], ()),
}
Band = tuple[int, int]


@dataclass(frozen=True)
class _Unit:
    """One organisational unit and what its people look like."""

    code: str
    name: str
    parent: str
    head_title: str
    middle_titles: tuple[str, ...]
    field: str  # "general", "health" or "education": which degrees its people hold
    positions: tuple[names.Position, ...]
    weight: float  # relative headcount
    head_band: Band  # grade range of the head
    middle_band: Band  # grade range of the middle layer
    # Staff in office jobs (finance, HR, admin) rather than the unit's own: how many, which jobs.
    common_share: float = 0.15
    common: tuple[names.Position, ...] = names.OFFICE_POSITIONS


def _band(low: str, high: str) -> Band:
    return G[low], G[high]


class _Planner:
    """Adds units family by family, so the tree is small but complete for 50 staff and wide for 10,000."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.units: dict[str, _Unit] = {}
        self.core = iter(names.CORE_UNITS)
        places = [prefix + suffix for prefix in names.PLACE_PREFIXES for suffix in names.PLACE_SUFFIXES]
        rng.shuffle(places)
        self.places = iter(places)  # shared, so no Kecamatan, Kelurahan or Puskesmas share a name
        self.kecamatan: list[str] = []
        self.counts: dict[str, int] = {}
        self.families: dict[str, Callable[[int], _Unit | None]] = {
            "core": self._core, "kecamatan": self._kecamatan, "kelurahan": self._kelurahan,
            "puskesmas": self._puskesmas, "sd": self._sd, "smp": self._smp, "upt": self._upt,
        }  # fmt: skip

    def plan(self, count: int) -> list[_Unit]:
        """The first `count` units in growth order; parents always come before their children."""
        while len(self.units) < count:
            for family in GROWTH_CYCLE:
                number = self.counts.get(family, 0) + 1
                unit = self.families[family](number)
                if unit is None:
                    continue
                self.counts[family] = number
                self.units[unit.code] = unit
                if len(self.units) == count:
                    break
        return list(self.units.values())

    def _core(self, number: int) -> _Unit | None:
        entry = next(self.core, None)
        if entry is None:
            return None
        code, name, parent, head, middles, field, positions, weight = entry
        root = parent == ""
        return _Unit(
            code, name, parent, head, middles, field, positions, weight,
            _band("IV/d", "IV/e") if root else _band("IV/c", "IV/d"),
            _band("IV/b", "IV/c") if root else _band("IV/a", "IV/b"),
            common_share=0.35, common=names.COMMON_POSITIONS,
        )  # fmt: skip

    def _kecamatan(self, number: int) -> _Unit | None:
        if number > MAX_KECAMATAN:
            return None
        place = next(self.places)
        code = f"KEC-{number:02d}"
        self.kecamatan.append(code)
        middles = (
            f"Sekretaris Kecamatan {place}", "Kepala Seksi Pemerintahan", "Kepala Seksi Pemberdayaan Masyarakat",
            "Kepala Seksi Ketenteraman dan Ketertiban Umum", "Kepala Seksi Pelayanan Umum",
        )  # fmt: skip
        return _Unit(
            code, f"Kecamatan {place}", "SETDA", f"Camat {place}", middles, "general",
            names.REGION_POSITIONS, 0.9, _band("IV/a", "IV/b"), _band("III/c", "III/d"),
        )  # fmt: skip

    def _kelurahan(self, number: int) -> _Unit | None:
        if number > MAX_KELURAHAN or not self.kecamatan:
            return None
        place = next(self.places)
        middles = (
            f"Sekretaris Kelurahan {place}", "Kepala Seksi Pemerintahan dan Pelayanan Publik",
            "Kepala Seksi Pemberdayaan Masyarakat",
        )  # fmt: skip
        return _Unit(
            f"KEL-{number:03d}", f"Kelurahan {place}", self.kecamatan[(number - 1) % len(self.kecamatan)],
            f"Lurah {place}", middles, "general", names.REGION_POSITIONS, 0.3,
            _band("III/d", "IV/a"), _band("III/b", "III/c"),
        )  # fmt: skip

    def _puskesmas(self, number: int) -> _Unit | None:
        if number > MAX_PUSKESMAS or "DINKES" not in self.units:
            return None
        place = next(self.places)
        middles = (
            f"Kepala Subbagian Tata Usaha Puskesmas {place}", "Penanggung Jawab Upaya Kesehatan Masyarakat",
            "Penanggung Jawab Upaya Kesehatan Perseorangan",
        )  # fmt: skip
        return _Unit(
            f"PKM-{number:02d}", f"Puskesmas {place}", "DINKES", f"Kepala Puskesmas {place}", middles, "health",
            names.HEALTH_POSITIONS, 1.0, _band("III/d", "IV/a"), _band("III/c", "III/d"),
        )  # fmt: skip

    def _sd(self, number: int) -> _Unit | None:
        if "DISDIK" not in self.units:
            return None
        return _Unit(
            f"SDN-{number:03d}", f"SD Negeri {number}", "DISDIK", f"Kepala SD Negeri {number}", (), "education",
            names.SCHOOL_POSITIONS, 0.45, _band("III/d", "IV/b"), _band("III/c", "IV/a"),
        )  # fmt: skip

    def _smp(self, number: int) -> _Unit | None:
        if number > MAX_SMP or "DISDIK" not in self.units:
            return None
        school = f"SMP Negeri {number}"
        middles = (
            f"Wakil Kepala {school} Bidang Kurikulum", f"Wakil Kepala {school} Bidang Kesiswaan",
            f"Kepala Tata Usaha {school}",
        )  # fmt: skip
        return _Unit(
            f"SMPN-{number:02d}", school, "DISDIK", f"Kepala {school}", middles, "education",
            names.SCHOOL_POSITIONS, 1.1, _band("IV/a", "IV/b"), _band("III/c", "IV/a"),
        )  # fmt: skip

    def _upt(self, number: int) -> _Unit | None:
        for code, name, parent, positions in names.UPT_UNITS:
            if code not in self.units and parent in self.units:
                return _Unit(
                    code, name, parent, f"Kepala {name}", (f"Kepala Subbagian Tata Usaha {name}",),
                    self.units[parent].field, positions, 0.5, _band("III/d", "IV/a"), _band("III/b", "III/c"),
                )  # fmt: skip
        return None


def _headcounts(units: list[_Unit], employees: int, rng: random.Random) -> list[int]:
    """Two people per unit (so peer review is possible), the rest by jittered weight, summing exactly."""
    weights = [unit.weight * rng.uniform(0.75, 1.25) for unit in units]
    spare = employees - 2 * len(units)
    shares = [spare * weight / sum(weights) for weight in weights]
    counts = [2 + int(share) for share in shares]
    by_remainder = sorted(range(len(units)), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for index in by_remainder[: employees - sum(counts)]:
        counts[index] += 1
    return counts


class _People:
    """Makes one person at a time, keeping NIPs and emails unique across the city."""

    def __init__(self, rng: random.Random, domain: str, timezone: str) -> None:
        self.rng = rng
        self.domain = domain
        self.timezone = timezone
        self.next_sequence: dict[str, int] = {}
        self.emails: set[str] = set()
        alphabet = string.ascii_letters + string.digits + "_-"
        # One city Telegram bot; each person is a chat of that bot.
        self.telegram_bot = f"{rng.randint(10**8, 10**10 - 1)}:{''.join(rng.choices(alphabet, k=35))}"

    def person(
        self,
        unit: _Unit,
        role: str,
        position: str,
        track: str,
        band: Band | None,
        supervisor: str,
        field: str = "",
    ) -> dict[str, str]:
        """One roster row. `role` is "root", "head", "middle" or "staff"; `band` is None for staff.

        `field` (default: the unit's) picks the degrees: a Pranata Komputer in a Puskesmas holds
        an S.Kom., not a nursing diploma.
        """
        rng = self.rng
        female = rng.random() < self._female_share(unit, role, position)
        earliest, latest, last_appointment = {
            "root": (1968, 1973, 2000), "head": (1968, 1980, 2008), "middle": (1968, 1986, 2014),
        }.get(role, (1968, YEAR - 22, YEAR))  # fmt: skip
        while True:  # repeats only in the (practically unseen) case of 999 NIPs sharing a prefix
            birth_year, birth_month = rng.randint(earliest, latest), rng.randint(1, 12)
            birth_day = rng.randint(1, calendar.monthrange(birth_year, birth_month)[1])
            top = min(birth_year + 35, last_appointment)
            hired = rng.randint(max(birth_year + 18, min(birth_year + 21, top)), top)
            hired_month = rng.randint(1, LAST_APPOINTMENT_MONTH if hired == YEAR else 12)
            prefix = (
                f"{birth_year}{birth_month:02d}{birth_day:02d}{hired}{hired_month:02d}{2 if female else 1}"
            )
            sequence = self.next_sequence.get(prefix) or rng.randint(1, 40)
            if sequence <= 999:
                break
        self.next_sequence[prefix] = sequence + 1
        nip = f"{prefix}{sequence:03d}"
        steps = max(0, (YEAR - hired) // 4 - rng.randint(0, 1))  # roughly one grade every four years
        if band is not None:
            grade = min(max(G["III/a"] + steps, band[0]), band[1])
        else:
            first, highest, levels = LEVELS[track]
            grade = min(first + steps, highest)
            level = next((title for start, title in reversed(levels) if grade >= start), "")
            position = f"{position} {level}".strip()
        given = self._given_names(female)
        row = {
            "nip": nip,
            "name": self._with_titles(given, field or unit.field, role, position, track),
            "email": self._email(given, nip[4:8]),
            "chat_url": self._chat_url() if rng.random() < CHAT_SHARE else "",
            "unit_code": unit.code,
            "unit_name": unit.name,
            "parent_unit_code": unit.parent,
            "position": position,
            "grade": GRADES[grade],
            "supervisor_nip": supervisor,
            "timezone": self.timezone,
        }
        return {column: row[column] for column in ROSTER_COLUMNS}

    @staticmethod
    def _female_share(unit: _Unit, role: str, position: str) -> float:
        if position.startswith("Bidan"):
            return 1.0
        if role in ("root", "head", "middle"):
            return 0.3
        return 0.75 if unit.field in ("health", "education") else 0.45

    def _given_names(self, female: bool) -> str:
        """A name as Indonesians carry it: single, given + second, Christian + marga, or stacked."""
        rng, draw = self.rng, self.rng.random()
        given = rng.choice(names.FEMALE_GIVEN if female else names.MALE_GIVEN)
        second = rng.choice(names.FEMALE_SECOND if female else names.MALE_SECOND)
        if draw < 0.12:
            return rng.choice(names.FEMALE_SINGLE if female else names.MALE_SINGLE)
        if draw < 0.32:
            christian = rng.choice(names.CHRISTIAN_FEMALE_GIVEN if female else names.CHRISTIAN_MALE_GIVEN)
            return f"{christian} {rng.choice(names.FAMILY_NAMES) if draw < 0.27 else second}"
        if draw < 0.47:
            leading = rng.choice(names.FEMALE_LEADING if female else names.MALE_LEADING)
            return f"{leading} {given} {second}" if leading != given else f"{given} {second}"
        return f"{given} {second}"

    def _with_titles(self, given: str, field: str, role: str, position: str, track: str) -> str:
        """Academic titles as written on an SK: front titles before, back titles after a comma."""
        rng, front, back = self.rng, "", []
        leader = role != "staff"
        if position.startswith("Dokter Gigi"):
            front = "drg."
        elif position.startswith("Dokter"):
            front, back = "dr.", (["Sp.PD"] if "Spesialis" in position else [])
        elif position.startswith("Apoteker"):
            front, back = "apt.", ["S.Farm."]
        elif position.startswith(("Perawat", "Bidan")):
            kind = "Kep." if position.startswith("Perawat") else "Keb."
            back = [("S.Kep., Ners" if kind == "Kep." else "S.Tr.Keb.") if track == "A" else f"A.Md.{kind}"]
        elif leader and field == "health" and rng.random() < 0.5:
            front = "dr."
        elif position.startswith("Guru") or leader or track == "A":
            if rng.random() < (1.0 if leader or position.startswith("Guru") else 0.9):
                back = [rng.choice(names.BACHELOR_TITLES[field])]
        elif track == "T" and rng.random() < 0.6:
            back = [rng.choice(names.DIPLOMA_TITLES[field])]
        elif track == "P" and rng.random() < 0.3:
            back = [rng.choice(names.BACHELOR_TITLES["general"])]
        if leader and rng.random() < (0.4 if role == "middle" else 0.8):
            back.append(rng.choice(names.MASTER_TITLES[field]))
        name = f"{front} {given}" if front else given
        return f"{name}, {', '.join(back)}" if back else name

    def _email(self, given: str, digits: str) -> str:
        """first.last.MMDD@domain (birth day and month), with a counter only when that is taken."""
        words = [re.sub(r"[^a-z]", "", word.lower()) for word in given.split()]
        words = [word for word in words if word]
        local = ".".join(dict.fromkeys([words[0], words[-1]])) + f".{digits}"
        candidate, extra = local, 1
        while candidate in self.emails:
            extra += 1
            candidate = f"{local}{extra}"
        self.emails.add(candidate)
        return f"{candidate}@{self.domain}"

    def _chat_url(self) -> str:
        """Mattermost on the city's own server for most, the city's Telegram bot for the rest."""
        rng = self.rng
        if rng.random() < 0.7:
            token = "".join(rng.choices(string.ascii_lowercase + string.digits, k=26))
            return f"mmost://chat.{self.domain}/{token}"
        return f"tgram://{self.telegram_bot}/{rng.randint(10**8, 10**10 - 1)}"


def generate_city(
    employees: int = 300, seed: int = 0, timezone: str = "Asia/Jakarta"
) -> list[dict[str, str]]:
    """Roster rows (every ROSTER_COLUMNS key, all str) for a city of exactly `employees` staff.

    The same (employees, seed, timezone) always gives the same rows, so demos and benchmarks
    are repeatable and a bug report can name its city by seed. `timezone` is written verbatim
    on every row; the importer accepts IANA names and WIB/WITA/WIT.
    """
    if employees < MIN_EMPLOYEES:
        raise ValueError(f"a city needs at least {MIN_EMPLOYEES} employees, got {employees}")
    rng = random.Random(seed)
    domain = f"{rng.choice(names.CITY_NAMES).lower()}kota.go.id"
    # At least six units where possible, but never more than two people per unit allow.
    unit_count = max(min(6, employees // 2), round(employees / STAFF_PER_UNIT))
    units = _Planner(rng).plan(unit_count)
    people = _People(rng, domain, timezone)
    heads: dict[str, str] = {}
    rows: list[dict[str, str]] = []
    for unit, size in zip(units, _headcounts(units, employees, rng), strict=True):
        root = unit.parent == ""
        role = "root" if root else "head"
        head = people.person(unit, role, unit.head_title, "", unit.head_band, heads.get(unit.parent, ""))
        heads[unit.code] = head["nip"]
        middle_count = 0 if size < 8 else min(len(unit.middle_titles), max(1, (size - 1) // 10))
        middles = [
            people.person(unit, "middle", title, "", unit.middle_band, head["nip"])
            for title in unit.middle_titles[:middle_count]
        ]
        staff = []
        for index in range(size - 1 - middle_count):
            common = rng.random() < unit.common_share
            position, track = rng.choice(unit.common if common else unit.positions)
            boss = middles[index % middle_count]["nip"] if middles and rng.random() < 0.9 else head["nip"]
            staff.append(
                people.person(unit, "staff", position, track, None, boss, "general" if common else "")
            )
        rows += [head, *middles, *staff]
    return rows


def write_roster_csv(rows: list[dict[str, str]], path: pathlib.Path) -> None:
    """Write `rows` as the roster CSV of DESIGN §9: UTF-8, header row, csv-module quoting.

    Quoting matters: names such as "Siti Rahmawati, S.E." and unit names with commas must
    survive the round trip through the importer.
    """
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(ROSTER_COLUMNS))
        writer.writeheader()
        writer.writerows(rows)

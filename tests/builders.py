"""Small, readable test data: a valid eight-person roster and ways to bend it."""

import csv
import hashlib
from pathlib import Path

from sqlalchemy import MetaData, select

from models.db import create_db_engine
from roster.columns import ROSTER_COLUMNS

BUDI, SITI, ANDI, RINA, JOKO, DEWI, AGUS, PUTRI = (
    "197001011995031001",
    "198002022005012001",
    "197503032000031002",
    "198804042012012002",
    "199005052015031003",
    "198206062008012003",
    "199207072018031004",
    "199408082019032005",
)
CHAT_URL = "mmost://chat.kota.go.id/abcdefghijklmnopqrstuvwxyz"


def _row(
    nip: str, name: str, unit: tuple[str, str, str], position: str, grade: str, sup: str, tz: str = ""
) -> dict[str, str]:
    code, unit_name, parent = unit
    email = name.split(",")[0].lower().replace("dr. ", "").replace(" ", ".") + "@kota.go.id"
    return {
        "nip": nip, "name": name, "email": email, "chat_url": "", "unit_code": code, "unit_name": unit_name,
        "parent_unit_code": parent, "position": position, "grade": grade, "supervisor_nip": sup, "timezone": tz,
    }  # fmt: skip


SETDA = ("SETDA", "Sekretariat Daerah", "")
DINKES = ("DINKES", "Dinas Kesehatan", "SETDA")
PKM = ("PKM-01", "Puskesmas Kota Barat", "DINKES")


def small_roster() -> list[dict[str, str]]:
    """Three units (SETDA > DINKES > PKM-01), eight staff, one without a supervisor."""
    rows = [
        _row(BUDI, "Budi Santoso", SETDA, "Sekretaris Daerah", "IV/c", ""),
        _row(SITI, "Siti Aminah", SETDA, "Analis Kepegawaian", "III/c", BUDI),
        _row(ANDI, "dr. Andi Wijaya", DINKES, "Kepala Dinas Kesehatan", "IV/b", BUDI),
        _row(RINA, "Rina Marlina, S.Kep.", DINKES, "Perawat Ahli Muda", "III/c", ANDI),
        _row(JOKO, "Joko Susilo", DINKES, "Pengelola Keuangan", "III/a", ANDI),
        _row(DEWI, "Dewi Lestari", PKM, "Kepala Puskesmas", "IV/a", ANDI, "Asia/Makassar"),
        _row(AGUS, "Agus Salim", PKM, "Perawat Terampil", "II/c", DEWI, "WITA"),
        _row(PUTRI, "Putri Maharani", PKM, "Bidan Terampil", "IX", DEWI, "Asia/Makassar"),
    ]
    rows[7]["chat_url"] = CHAT_URL
    return rows


def write_roster(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = ROSTER_COLUMNS) -> Path:
    """Write rows as a roster CSV (csv module quoting, UTF-8)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def database_snapshot(url: str) -> str:
    """A fingerprint of the whole database: file bytes for SQLite, every row for PostgreSQL."""
    engine = create_db_engine(url)
    try:
        if engine.dialect.name == "sqlite":
            # Everything committed goes into the file, even while another engine (an in-process CLI
            # run not yet garbage-collected) still holds idle connections that would delay the
            # checkpoint closing the last connection does.
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            engine.dispose()
            return hashlib.sha256(Path(engine.url.database or "").read_bytes()).hexdigest()
        metadata = MetaData()
        metadata.reflect(engine)
        digest = hashlib.sha256()
        with engine.connect() as connection:
            for table in sorted(metadata.tables.values(), key=lambda t: t.name):
                rows = connection.execute(select(table)).all()
                digest.update(f"{table.name}:{sorted(map(repr, rows))}".encode())
        return digest.hexdigest()
    finally:
        engine.dispose()

"""NIP (Nomor Induk Pegawai) checks.

A NIP is 18 digits: birth date YYYYMMDD, appointment (TMT CPNS) YYYYMM, gender digit
(1 male, 2 female) and a 3-digit sequence number. Checking the embedded parts catches the
typical transcription errors (a dropped or swapped digit) that a length check misses.
"""

from datetime import date
from functools import lru_cache

MIN_APPOINTMENT_AGE = 18


@lru_cache(maxsize=8_192)
def nip_problem(nip: str) -> str | None:
    """What is wrong with `nip`, or None when it is valid.

    Memoised (a pure function of the string, so nothing can go stale): a roster names each
    supervisor's NIP once per member of their team, 100,000 checks on a national roster."""
    if len(nip) != 18 or not nip.isascii() or not nip.isdigit():
        return f"expected 18 digits, got {nip!r}"
    try:
        birth = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        return f"digits 1-8 must be a birth date YYYYMMDD, got {nip[0:8]!r}"
    year, month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= month <= 12:
        return f"digits 9-14 must be an appointment month YYYYMM, got {nip[8:14]!r}"
    if year < birth.year + MIN_APPOINTMENT_AGE:
        return f"appointment {nip[8:14]} is less than {MIN_APPOINTMENT_AGE} years after the birth date {nip[0:8]}"
    if nip[14] not in "12":
        return f"digit 15 must be the gender digit 1 or 2, got {nip[14]!r}"
    if nip[15:18] == "000":
        return "digits 16-18 must be a sequence number 001-999, got '000'"
    return None

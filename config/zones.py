"""Indonesia's time zones by their everyday names, in one place (roster, CLI and messages use it)."""

# WIB/WITA/WIT as staff write them → IANA names as stored.
TIMEZONE_ALIASES: dict[str, str] = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
# IANA name → the abbreviation people read next to a time.
ZONE_ABBREVIATIONS: dict[str, str] = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}

"""The roster CSV format of DESIGN §9, in one place."""

ROSTER_COLUMNS: tuple[str, ...] = (
    "nip",
    "name",
    "email",
    "chat_url",
    "unit_code",
    "unit_name",
    "parent_unit_code",
    "position",
    "grade",
    "supervisor_nip",
    "timezone",
)

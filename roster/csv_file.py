"""Reading the roster CSV (DESIGN §9) before any field is judged."""

from pathlib import Path

from ingest.csv_file import CsvRow, read_csv
from roster.columns import ROSTER_COLUMNS


def read_roster_csv(path: Path) -> list[CsvRow]:
    """Rows of a roster file; CsvRejected for an unreadable, empty or misshapen file."""
    return read_csv(path, ROSTER_COLUMNS, "employee rows")

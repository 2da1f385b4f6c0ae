"""Reading the roster CSV: encoding, header and row shape, before any field is judged."""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from roster.columns import ROSTER_COLUMNS
from roster.errors import RosterError, RosterIssue


@dataclass(frozen=True)
class RosterRow:
    """One data row with surrounding whitespace trimmed; `line` is its line in the file."""

    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values[column]


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")  # a leading BOM (Excel's "CSV UTF-8") is accepted
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RosterError(
            str(path),
            [
                RosterIssue(
                    line, "-", f"byte 0x{data[exc.start]:02x} is not UTF-8; save the file as UTF-8 CSV"
                )
            ],
        ) from None


def _check_header(path: Path, header: list[str] | None) -> list[str]:
    if not header or not any(name.strip() for name in header):
        raise RosterError(str(path), [RosterIssue(1, "-", "the file is empty; expected a header row")])
    names = [name.strip() for name in header]
    issues = [
        RosterIssue(1, column, "required column is missing")
        for column in ROSTER_COLUMNS
        if column not in names
    ]
    issues += [
        RosterIssue(1, name or "(blank)", f"unexpected column; expected only {', '.join(ROSTER_COLUMNS)}")
        for name in names
        if name not in ROSTER_COLUMNS
    ]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    issues += [RosterIssue(1, name, "column appears more than once") for name in duplicated]
    if issues:
        raise RosterError(str(path), issues)
    return names


def read_roster_csv(path: Path) -> list[RosterRow]:
    """Rows of a roster file; raises RosterError for an unreadable, empty or misshapen file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RosterError(str(path), [RosterIssue(0, "-", f"cannot read the file: {exc.strerror}")]) from None
    reader = csv.reader(io.StringIO(_decode(path, data), newline=""))
    names = _check_header(path, next(reader, None))
    rows: list[RosterRow] = []
    issues: list[RosterIssue] = []
    for fields in reader:
        line = reader.line_num
        if not any(field.strip() for field in fields):
            continue  # blank lines (often trailing) carry no data
        if len(fields) != len(names):
            issues.append(RosterIssue(line, "-", f"expected {len(names)} fields, found {len(fields)}"))
            continue
        rows.append(RosterRow(line, {name: field.strip() for name, field in zip(names, fields, strict=True)}))
    if issues:
        raise RosterError(str(path), issues)
    if not rows:
        raise RosterError(str(path), [RosterIssue(2, "-", "the file has a header but no employee rows")])
    return rows

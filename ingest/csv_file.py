"""CSV files from HR: decoding (a BOM accepted), exact header, row shape, and problems with
their line and column, so a user can fix a whole file in one go."""

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from config.errors import AppraisalError


@dataclass(frozen=True, order=True)
class CsvIssue:
    """One problem: the CSV line (1 = header), the column, and what was expected."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


class CsvRejected(AppraisalError):
    """A CSV file was refused as a whole; nothing of it was written."""

    def __init__(self, path: str, issues: list[CsvIssue]) -> None:
        self.path = path
        self.issues = sorted(issues)
        count = len(self.issues)
        noun = "problem" if count == 1 else "problems"
        lines = "\n".join(f"  {issue}" for issue in self.issues)
        super().__init__(f"{path}: {count} {noun}, nothing was imported:\n{lines}")


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One data row with surrounding whitespace trimmed; `line` is its line in the file.

    The cells are a tuple indexed through `columns`, one mapping shared by every row of a file:
    a dict per row cost ~0.7 KB, 70 MB for a 100,000-person roster held through its import.
    """

    line: int
    cells: tuple[str, ...]
    columns: Mapping[str, int]  # column name → position in `cells`

    def __getitem__(self, column: str) -> str:
        return self.cells[self.columns[column]]

    @property
    def values(self) -> dict[str, str]:
        """The row as a column → value dict."""
        return dict(zip(self.columns, self.cells, strict=True))


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")  # a leading BOM (Excel's "CSV UTF-8") is accepted
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CsvRejected(
            str(path),
            [CsvIssue(line, "-", f"byte 0x{data[exc.start]:02x} is not UTF-8; save the file as UTF-8 CSV")],
        ) from None


def _check_header(path: Path, header: list[str] | None, columns: tuple[str, ...]) -> list[str]:
    if not header or not any(name.strip() for name in header):
        raise CsvRejected(str(path), [CsvIssue(1, "-", "the file is empty; expected a header row")])
    names = [name.strip() for name in header]
    if len(names) == 1 and ";" in names[0]:
        message = "the columns are separated by ';' (a spreadsheet's regional setting); save as CSV UTF-8 (comma delimited)"
        raise CsvRejected(str(path), [CsvIssue(1, "-", message)])
    issues = [CsvIssue(1, column, "required column is missing") for column in columns if column not in names]
    issues += [
        CsvIssue(1, name or "(blank)", f"unexpected column; expected only {', '.join(columns)}")
        for name in names
        if name not in columns
    ]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    issues += [CsvIssue(1, name, "column appears more than once") for name in duplicated]
    if issues:
        raise CsvRejected(str(path), issues)
    return names


def read_csv(path: Path, columns: tuple[str, ...], rows_noun: str) -> list[CsvRow]:
    """Rows of a CSV file with exactly `columns`; CsvRejected for an unreadable, empty or misshapen file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CsvRejected(str(path), [CsvIssue(0, "-", f"cannot read the file: {exc.strerror}")]) from None
    reader = csv.reader(io.StringIO(_decode(path, data), newline=""))
    names = _check_header(path, next(reader, None), columns)
    positions = {name: index for index, name in enumerate(names)}
    rows: list[CsvRow] = []
    issues: list[CsvIssue] = []
    for fields in reader:
        line = reader.line_num
        cells = tuple(field.strip() for field in fields)
        if not any(cells):
            continue  # blank lines (often trailing) carry no data
        if len(cells) != len(names):
            issues.append(CsvIssue(line, "-", f"expected {len(names)} fields, found {len(cells)}"))
            continue
        # PostgreSQL text cannot hold NUL, and no spreadsheet cell means one: refuse it here, by cell.
        if "\x00" in "".join(cells):
            issues += [
                CsvIssue(line, name, "contains a NUL character (0x00); remove it")
                for name, value in zip(names, cells, strict=True)
                if "\x00" in value
            ]
        rows.append(CsvRow(line, cells, positions))
    if issues:
        raise CsvRejected(str(path), issues)
    if not rows:
        raise CsvRejected(str(path), [CsvIssue(2, "-", f"the file has a header but no {rows_noun}")])
    return rows

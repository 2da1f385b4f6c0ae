"""Roster problems, reported all at once with the place each one is in."""

from dataclasses import dataclass

from config.errors import AppraisalError


@dataclass(frozen=True, order=True)
class RosterIssue:
    """One problem: the CSV line (1 = header), the column, and what was expected."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


class RosterError(AppraisalError):
    """The roster file was refused; nothing was written."""

    def __init__(self, path: str, issues: list[RosterIssue]) -> None:
        self.path = path
        self.issues = sorted(issues)
        count = len(self.issues)
        noun = "problem" if count == 1 else "problems"
        lines = "\n".join(f"  {issue}" for issue in self.issues)
        super().__init__(f"{path}: {count} {noun}, nothing was imported:\n{lines}")

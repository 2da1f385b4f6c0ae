"""`appraisal reviews import FILE.csv`: many submissions from one file, all or nothing.

Rows (one per indicator score, DESIGN §9) are grouped into submissions by (period, reviewee,
reviewer, kind); each group goes through `record_submission`, the same function the web forms
use. Any refusal anywhere rolls the whole file back, and every problem is reported against the
line it came from.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from cycle.submissions import Submission, SubmissionRefused, record_submission
from ingest.csv_file import CsvIssue, CsvRejected, CsvRow, read_csv
from models.db import write_session

REVIEW_COLUMNS: tuple[str, ...] = (
    "period",
    "reviewee_nip",
    "reviewer_nip",
    "kind",
    "indicator_code",
    "score",
    "comment",
)
# ASCII digits only: `\d` and int() also take other scripts' digits ("٣" would be stored as 3).
NIP = re.compile(r"^[0-9]{18}$")
WHOLE_NUMBER = re.compile(r"^-?[0-9]+$")
GroupKey = tuple[str, str, str, str]


@dataclass
class ImportSummary:
    submitted: int = 0
    replaced: int = 0
    unchanged: int = 0
    scores: int = 0


@dataclass
class _Group:
    rows: list[CsvRow] = field(default_factory=list)
    scores: dict[str, int] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)


def _parse(rows: list[CsvRow], issues: list[CsvIssue]) -> dict[GroupKey, _Group]:
    groups: dict[GroupKey, _Group] = {}
    for row in rows:
        before = len(issues)
        for column in ("period", "reviewee_nip", "reviewer_nip", "kind", "indicator_code", "score"):
            if not row[column]:
                issues.append(CsvIssue(row.line, column, "a value is required"))
        for column in ("reviewee_nip", "reviewer_nip"):
            if row[column] and not NIP.match(row[column]):
                issues.append(CsvIssue(row.line, column, f"expected an 18-digit NIP, got {row[column]!r}"))
        score: int | None = None
        if WHOLE_NUMBER.fullmatch(row["score"]):
            score = int(row["score"])
        elif row["score"]:
            issues.append(CsvIssue(row.line, "score", f"expected a whole number, got {row['score']!r}"))
        if len(issues) > before or score is None:
            continue
        group = groups.setdefault(
            (row["period"], row["reviewee_nip"], row["reviewer_nip"], row["kind"]), _Group()
        )
        if row["indicator_code"] in group.scores:
            first = next(r.line for r in group.rows if r["indicator_code"] == row["indicator_code"])
            issues.append(
                CsvIssue(
                    row.line,
                    "indicator_code",
                    f"{row['indicator_code']} is scored twice for this review (first on line {first})",
                )
            )
            continue
        group.rows.append(row)
        group.scores[row["indicator_code"]] = score
        if row["comment"] and row["comment"] not in group.comments:
            group.comments.append(row["comment"])
    return groups


def _issues_of(refused: SubmissionRefused, group: _Group) -> list[CsvIssue]:
    line_of = {row["indicator_code"]: row.line for row in group.rows}
    first = group.rows[0].line
    return [
        CsvIssue(line_of.get(p.indicator_code or "", first), p.field, p.message) for p in refused.problems
    ]


def import_reviews(engine: Engine, path: Path, now: datetime, *, actor: str) -> ImportSummary:
    """Record every submission in `path` in one transaction; CsvRejected (nothing written) on any problem."""
    rows = read_csv(path, REVIEW_COLUMNS, "score rows")
    issues: list[CsvIssue] = []
    groups = _parse(rows, issues)
    summary = ImportSummary()
    with write_session(engine) as session:
        for (period, reviewee, reviewer, kind), group in groups.items():
            submission = Submission(
                period, reviewee, reviewer, kind, group.scores, "\n".join(group.comments) or None
            )
            try:
                outcome = record_submission(session, submission, now, actor=actor)
            except SubmissionRefused as refused:
                issues += _issues_of(refused, group)
                continue
            setattr(summary, outcome, getattr(summary, outcome) + 1)
            summary.scores += len(group.scores)
        if issues:
            raise CsvRejected(str(path), issues)  # leaving the block rolls everything back
    return summary

"""review tally kept by triggers: reviews counted per period, unit, kind, status and deadline

The database maintains `review_tally` itself, in the same transaction as every insert, update
and delete of a review (whichever code path, bulk or single, including cascades), so the counts
`appraisal status` reads can never go stale. The SQL lives here, frozen with this revision.

SQLite: one row-level trigger per event, each an upsert per changed review.
PostgreSQL: statement-level triggers over the transition tables, so a bulk statement (opening a
period inserts 100,000 reviews) costs one aggregate; their upserts run in key order, so two
transactions lock shared counter rows in the same order and cannot deadlock on them.

A later migration that rebuilds `review` on SQLite (batch mode copies the table) drops these
triggers and must create them again; tests/test_status_tally.py fails if it does not.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 23:15:47.965754
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401  (autogenerate renders SQLModel's AutoString)
from alembic import op

import models.base  # noqa: F401  (our column types, e.g. UTCDateTime)

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# models.review_tally.NO_DEADLINE as each database stores it (SQLite: SQLAlchemy's text format).
NO_DEADLINE = {
    "sqlite": "'9999-12-31 00:00:00.000000'",
    "postgresql": "'9999-12-31 00:00:00+00'::timestamptz",
}
KEY = "period_id, unit_id, kind, status, due_at"
EVENTS = ("insert", "update", "delete")
UPSERT = f"ON CONFLICT ({KEY}) DO UPDATE SET reviews = review_tally.reviews + excluded.reviews"


def _deadline(review: str, dialect: str) -> str:
    """The tally's due_at for a review: its deadline while open, otherwise (or undated) none."""
    never = NO_DEADLINE[dialect]
    return f"CASE WHEN {review}.status = 'open' THEN coalesce({review}.due_at, {never}) ELSE {never} END"


def _add(source: str, dialect: str) -> str:
    """Upsert the reviews of `source` (review-like rows with a `delta` column) counted per key, in
    key order; keys whose changes cancel out are left untouched (and unlocked)."""
    return f"""
        INSERT INTO review_tally ({KEY}, reviews)
        SELECT a.period_id, a.unit_id, r.kind, r.status, {_deadline("r", dialect)}, sum(r.delta)
        FROM ({source}) AS r JOIN appraisal AS a ON a.id = r.appraisal_id
        GROUP BY 1, 2, 3, 4, 5 HAVING sum(r.delta) <> 0 ORDER BY 1, 2, 3, 4, 5
        {UPSERT}"""


def _rows(table: str, delta: int) -> str:
    return f"SELECT appraisal_id, kind, status, due_at, {delta} AS delta FROM {table}"


def _sqlite_trigger(event: str) -> str:
    """A row-level trigger: the old row's key loses one review, the new row's key gains one."""
    changes = {"insert": [("NEW", 1)], "update": [("OLD", -1), ("NEW", 1)], "delete": [("OLD", -1)]}[event]
    upserts = "".join(
        f"INSERT INTO review_tally ({KEY}, reviews) "
        f"SELECT period_id, unit_id, {row}.kind, {row}.status, {_deadline(row, 'sqlite')}, {delta} "
        f"FROM appraisal WHERE id = {row}.appraisal_id {UPSERT}; "
        for row, delta in changes
    )
    timing = "UPDATE OF appraisal_id, kind, status, due_at" if event == "update" else event.upper()
    return f"CREATE TRIGGER review_tally_{event} AFTER {timing} ON review BEGIN {upserts}END"


def _postgres_function(event: str) -> str:
    """A statement-level trigger's function: all of the statement's changes in one upsert."""
    sources = {
        "insert": _rows("new_reviews", 1),
        "update": f"{_rows('old_reviews', -1)} UNION ALL {_rows('new_reviews', 1)}",
        "delete": _rows("old_reviews", -1),
    }[event]
    return f"""
        CREATE FUNCTION review_tally_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN {_add(sources, "postgresql")};
        RETURN NULL;
        END $$"""


def _postgres_trigger(event: str) -> str:
    tables = {
        "insert": "NEW TABLE AS new_reviews",
        "update": "OLD TABLE AS old_reviews NEW TABLE AS new_reviews",
        "delete": "OLD TABLE AS old_reviews",
    }[event]
    return (
        f"CREATE TRIGGER review_tally_{event} AFTER {event.upper()} ON review REFERENCING {tables} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION review_tally_{event}()"
    )


def upgrade() -> None:
    op.create_table(
        "review_tally",
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("due_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["period_id"], ["period.id"], name=op.f("fk_review_tally_period_id_period")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_review_tally_unit_id_unit")),
        sa.PrimaryKeyConstraint(
            "period_id", "unit_id", "kind", "status", "due_at", name=op.f("pk_review_tally")
        ),
    )
    dialect = op.get_bind().dialect.name
    op.execute(_add(_rows("review", 1), dialect))  # the reviews already there
    for event in EVENTS:
        if dialect == "postgresql":
            op.execute(_postgres_function(event))
            op.execute(_postgres_trigger(event))
        else:
            op.execute(_sqlite_trigger(event))


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for event in EVENTS:
        op.execute(f"DROP TRIGGER review_tally_{event}" + (" ON review" if dialect == "postgresql" else ""))
        if dialect == "postgresql":
            op.execute(f"DROP FUNCTION review_tally_{event}()")
    op.drop_table("review_tally")

"""closing results and calibration

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:47:31.423274
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401  (autogenerate renders SQLModel's AutoString)
from alembic import op

import models.base

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calibration_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appraisal_id", sa.Integer(), nullable=False),
        sa.Column("computed_predikat", sa.String(length=32), nullable=True),
        sa.Column("predikat", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appraisal_id"], ["appraisal.id"], name=op.f("fk_calibration_override_appraisal_id_appraisal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_override")),
        sa.UniqueConstraint("appraisal_id", name=op.f("uq_calibration_override_appraisal_id")),
    )
    op.create_table(
        "indicator_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appraisal_id", sa.Integer(), nullable=False),
        sa.Column("indicator_code", sa.String(length=64), nullable=False),
        sa.Column("aspect", sa.String(length=16), nullable=False),
        sa.Column("self_score", sa.Float(), nullable=True),
        sa.Column("supervisor_score", sa.Float(), nullable=True),
        sa.Column("peer_score", sa.Float(), nullable=True),
        sa.Column("peer_count", sa.Integer(), nullable=False),
        sa.Column("combined_score", sa.Float(), nullable=True),
        sa.Column("rating", sa.String(length=8), nullable=True),
        sa.CheckConstraint(
            "rating IS NULL OR rating IN ('above', 'meets', 'below')", name=op.f("ck_indicator_result_rating")
        ),
        sa.ForeignKeyConstraint(
            ["appraisal_id"], ["appraisal.id"], name=op.f("fk_indicator_result_appraisal_id_appraisal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_result")),
        sa.UniqueConstraint(
            "appraisal_id", "indicator_code", name=op.f("uq_indicator_result_appraisal_id_indicator_code")
        ),
    )
    with op.batch_alter_table("appraisal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("result_score", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("behaviour_score", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("incomplete_reason", sa.Text(), nullable=True))

    with op.batch_alter_table("period", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("distribution_accepted_by", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("distribution_accepted_at", models.base.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("period", schema=None) as batch_op:
        batch_op.drop_column("distribution_accepted_at")
        batch_op.drop_column("distribution_accepted_by")
        batch_op.drop_column("closed_by")

    with op.batch_alter_table("appraisal", schema=None) as batch_op:
        batch_op.drop_column("incomplete_reason")
        batch_op.drop_column("behaviour_score")
        batch_op.drop_column("result_score")

    op.drop_table("indicator_result")
    op.drop_table("calibration_override")

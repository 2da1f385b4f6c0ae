"""citizen feedback: services, survey responses, imports, rate limits; indicator sources

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 20:00:11.651177
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401  (autogenerate renders SQLModel's AutoString)
from alembic import op

import models.base  # noqa: F401  (our column types, e.g. UTCDateTime)

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feedback_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=500), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("imported_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_import")),
        sa.UniqueConstraint("sha256", name=op.f("uq_feedback_import_sha256")),
    )
    op.create_table(
        "rate_limit_hit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("window_start", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_limit_hit")),
        sa.UniqueConstraint(
            "scope",
            "client_key",
            "window_start",
            name=op.f("uq_rate_limit_hit_scope_client_key_window_start"),
        ),
    )
    with op.batch_alter_table("rate_limit_hit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_limit_hit_window_start"), ["window_start"], unique=False)

    op.create_table(
        "service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_service_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service")),
        sa.UniqueConstraint("unit_id", "code", name=op.f("uq_service_unit_id_code")),
    )
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "feedback_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("u1", sa.SmallInteger(), nullable=False),
        sa.Column("u2", sa.SmallInteger(), nullable=False),
        sa.Column("u3", sa.SmallInteger(), nullable=False),
        sa.Column("u4", sa.SmallInteger(), nullable=False),
        sa.Column("u5", sa.SmallInteger(), nullable=False),
        sa.Column("u6", sa.SmallInteger(), nullable=False),
        sa.Column("u7", sa.SmallInteger(), nullable=False),
        sa.Column("u8", sa.SmallInteger(), nullable=False),
        sa.Column("u9", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("ticket", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "channel IN ('web', 'kiosk', 'import')", name=op.f("ck_feedback_response_channel")
        ),
        sa.CheckConstraint("u1 BETWEEN 1 AND 4", name=op.f("ck_feedback_response_u1")),
        sa.CheckConstraint("u2 BETWEEN 1 AND 4", name=op.f("ck_feedback_response_u2")),
        sa.CheckConstraint("u3 BETWEEN 1 AND 4", name=op.f("ck_feedback_response_u3")),
        sa.CheckConstraint("u4 BETWEEN 1 AND 4", name=op.f("ck_feedback_response_u4")),
        sa.CheckConstraint("u5 BETWEEN 1 AND 4", name=op.f("ck_feedback_response_u5")),
        sa.CheckConstraint("u6 BETWEEN 1 AND 4", name=op.f("ck_feedback_response_u6")),
        sa.CheckConstraint("u7 BETWEEN 1 AND 4", name=op.f("ck_feedback_response_u7")),
        sa.CheckConstraint("u8 BETWEEN 1 AND 4", name=op.f("ck_feedback_response_u8")),
        sa.CheckConstraint("u9 BETWEEN 1 AND 4", name=op.f("ck_feedback_response_u9")),
        sa.ForeignKeyConstraint(
            ["import_id"], ["feedback_import.id"], name=op.f("fk_feedback_response_import_id_feedback_import")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_feedback_response_service_id_service")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_response")),
        sa.UniqueConstraint("service_id", "ticket", name=op.f("uq_feedback_response_service_id_ticket")),
    )
    with op.batch_alter_table("feedback_response", schema=None) as batch_op:
        batch_op.create_index(
            "ix_feedback_response_service_id_submitted_at", ["service_id", "submitted_at"], unique=False
        )

    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("source", sa.String(length=32), server_default="reviews", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_indicator_source"), "source IN ('reviews', 'public_satisfaction')"
        )

    with op.batch_alter_table("indicator_result", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("source", sa.String(length=32), server_default="reviews", nullable=False)
        )
        batch_op.add_column(sa.Column("public_index", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("public_responses", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_indicator_result_source"), "source IN ('reviews', 'public_satisfaction')"
        )


def downgrade() -> None:
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_indicator_source"), type_="check")
        batch_op.drop_column("source")

    with op.batch_alter_table("indicator_result", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_indicator_result_source"), type_="check")
        batch_op.drop_column("public_responses")
        batch_op.drop_column("public_index")
        batch_op.drop_column("source")

    with op.batch_alter_table("feedback_response", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_response_service_id_submitted_at")

    op.drop_table("feedback_response")
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_unit_id"))

    op.drop_table("service")
    with op.batch_alter_table("rate_limit_hit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_limit_hit_window_start"))

    op.drop_table("rate_limit_hit")
    op.drop_table("feedback_import")

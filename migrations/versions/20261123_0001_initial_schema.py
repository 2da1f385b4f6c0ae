"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 10:14:05.113551
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401  (autogenerate renders SQLModel's AutoString)
from alembic import op

import models.base

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_event_entity_entity_id", ["entity", "entity_id"], unique=False)

    op.create_table(
        "indicator_set",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("scale_min", sa.Integer(), nullable=False),
        sa.Column("scale_max", sa.Integer(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_set")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_indicator_set_fingerprint")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_indicator_set_name_version")),
    )
    op.create_table(
        "unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("head_id", sa.Integer(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["unit.id"], name=op.f("fk_unit_parent_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit")),
        sa.UniqueConstraint("code", name=op.f("uq_unit_code")),
    )
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "employee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("chat_url", sa.String(length=1000), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.String(length=200), nullable=False),
        sa.Column("grade", sa.String(length=16), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=8), server_default="id", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("locale IN ('id', 'en')", name=op.f("ck_employee_locale")),
        sa.ForeignKeyConstraint(
            ["supervisor_id"], ["employee.id"], name=op.f("fk_employee_supervisor_id_employee")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_employee_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employee")),
        sa.UniqueConstraint("nip", name=op.f("uq_employee_nip")),
    )
    with op.batch_alter_table("employee", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_employee_supervisor_id"), ["supervisor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_employee_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_set_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=True),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("aspect", sa.String(length=16), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.CheckConstraint("aspect IN ('result', 'behaviour')", name=op.f("ck_indicator_aspect")),
        sa.CheckConstraint("weight > 0", name=op.f("ck_indicator_weight_positive")),
        sa.ForeignKeyConstraint(
            ["indicator_set_id"],
            ["indicator_set.id"],
            name=op.f("fk_indicator_indicator_set_id_indicator_set"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator")),
        sa.UniqueConstraint(
            "indicator_set_id", "unit_code", "code", name=op.f("uq_indicator_indicator_set_id_unit_code_code")
        ),
    )
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_indicator_indicator_set_id"), ["indicator_set_id"], unique=False)

    op.create_table(
        "period",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("cycle_name", sa.String(length=64), nullable=False),
        sa.Column("starts_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("indicator_set_id", sa.Integer(), nullable=False),
        sa.Column("cycle_snapshot", sa.JSON(), nullable=False),
        sa.Column("opened_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('scheduled', 'open', 'closed')", name=op.f("ck_period_status")),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_period_window")),
        sa.ForeignKeyConstraint(
            ["indicator_set_id"], ["indicator_set.id"], name=op.f("fk_period_indicator_set_id_indicator_set")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_period")),
        sa.UniqueConstraint(
            "cycle_name", "starts_at", "ends_at", name=op.f("uq_period_cycle_name_starts_at_ends_at")
        ),
        sa.UniqueConstraint("key", name=op.f("uq_period_key")),
    )
    with op.batch_alter_table("period", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_period_status"), ["status"], unique=False)

    # unit.head_id and employee.unit_id refer to each other: add the head's key once both exist.
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.create_foreign_key("fk_unit_head_id_employee", "employee", ["head_id"], ["id"])

    op.create_table(
        "appraisal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("stage_started_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("result_rating", sa.String(length=8), nullable=True),
        sa.Column("behaviour_rating", sa.String(length=8), nullable=True),
        sa.Column("predikat", sa.String(length=32), nullable=True),
        sa.Column("final_score", sa.Float(), nullable=True),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "behaviour_rating IS NULL OR behaviour_rating IN ('above', 'meets', 'below')",
            name=op.f("ck_appraisal_behaviour_rating"),
        ),
        sa.CheckConstraint(
            "result_rating IS NULL OR result_rating IN ('above', 'meets', 'below')",
            name=op.f("ck_appraisal_result_rating"),
        ),
        sa.CheckConstraint(
            "stage IN ('self_assessment', 'supervisor_review', 'peer_review', 'calibration', 'closed')",
            name=op.f("ck_appraisal_stage"),
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employee.id"], name=op.f("fk_appraisal_employee_id_employee")
        ),
        sa.ForeignKeyConstraint(["period_id"], ["period.id"], name=op.f("fk_appraisal_period_id_period")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_appraisal_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appraisal")),
        sa.UniqueConstraint("period_id", "employee_id", name=op.f("uq_appraisal_period_id_employee_id")),
    )
    with op.batch_alter_table("appraisal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appraisal_employee_id"), ["employee_id"], unique=False)
        batch_op.create_index("ix_appraisal_period_id_stage", ["period_id", "stage"], unique=False)
        batch_op.create_index(batch_op.f("ix_appraisal_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=255), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("channel IN ('email', 'chat', 'hr')", name=op.f("ck_notification_channel")),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name=op.f("ck_notification_status")),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["employee.id"], name=op.f("fk_notification_recipient_id_employee")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_notification_dedupe_key")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_recipient_id"), ["recipient_id"], unique=False)
        batch_op.create_index(
            "ix_notification_status_next_attempt_at", ["status", "next_attempt_at"], unique=False
        )

    op.create_table(
        "recommendation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appraisal_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reason_id", sa.Text(), nullable=False),
        sa.Column("reason_en", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('promotion', 'training', 'improvement_plan', 'reward')",
            name=op.f("ck_recommendation_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["appraisal_id"], ["appraisal.id"], name=op.f("fk_recommendation_appraisal_id_appraisal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation")),
        sa.UniqueConstraint("appraisal_id", "kind", name=op.f("uq_recommendation_appraisal_id_kind")),
    )
    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appraisal_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("due_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.CheckConstraint("kind IN ('self', 'supervisor', 'peer')", name=op.f("ck_review_kind")),
        sa.CheckConstraint(
            "status IN ('waiting', 'open', 'submitted', 'missed')", name=op.f("ck_review_status")
        ),
        sa.ForeignKeyConstraint(
            ["appraisal_id"], ["appraisal.id"], name=op.f("fk_review_appraisal_id_appraisal")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["employee.id"], name=op.f("fk_review_reviewer_id_employee")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review")),
        sa.UniqueConstraint(
            "appraisal_id", "reviewer_id", "kind", name=op.f("uq_review_appraisal_id_reviewer_id_kind")
        ),
    )
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.create_index("ix_review_reviewer_id_status", ["reviewer_id", "status"], unique=False)
        batch_op.create_index("ix_review_status_due_at", ["status", "due_at"], unique=False)

    op.create_table(
        "review_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("indicator_code", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"], ["review.id"], name=op.f("fk_review_score_review_id_review"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_score")),
        sa.UniqueConstraint(
            "review_id", "indicator_code", name=op.f("uq_review_score_review_id_indicator_code")
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_constraint("fk_unit_head_id_employee", type_="foreignkey")

    op.drop_table("review_score")
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_index("ix_review_status_due_at")
        batch_op.drop_index("ix_review_reviewer_id_status")

    op.drop_table("review")
    op.drop_table("recommendation")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_status_next_attempt_at")
        batch_op.drop_index(batch_op.f("ix_notification_recipient_id"))

    op.drop_table("notification")
    with op.batch_alter_table("appraisal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appraisal_unit_id"))
        batch_op.drop_index("ix_appraisal_period_id_stage")
        batch_op.drop_index(batch_op.f("ix_appraisal_employee_id"))

    op.drop_table("appraisal")
    with op.batch_alter_table("period", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_period_status"))

    op.drop_table("period")
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_indicator_set_id"))

    op.drop_table("indicator")
    with op.batch_alter_table("employee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_employee_unit_id"))
        batch_op.drop_index(batch_op.f("ix_employee_supervisor_id"))

    op.drop_table("employee")
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_parent_id"))

    op.drop_table("unit")
    op.drop_table("indicator_set")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_entity_entity_id")
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))

    op.drop_table("audit_event")

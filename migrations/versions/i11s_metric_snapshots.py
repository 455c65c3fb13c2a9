"""metric snapshots of posted deliverables (platform readings and creator reports)

Revision ID: i11s_metric_snapshots
Revises: i11d_deal_deliverables
Create Date: 2026-11-29 07:25:00

"""
import sqlalchemy as sa
from alembic import op

import marketplace.database

revision = "i11s_metric_snapshots"
down_revision = "i11d_deal_deliverables"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "metric_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deliverable_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("slot", sa.String(length=8), nullable=True),
        sa.Column("taken_at", marketplace.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("views", sa.BigInteger(), nullable=True),
        sa.Column("likes", sa.BigInteger(), nullable=True),
        sa.Column("comments", sa.BigInteger(), nullable=True),
        sa.Column("shares", sa.BigInteger(), nullable=True),
        sa.Column("saves", sa.BigInteger(), nullable=True),
        sa.Column("watch_time_seconds", sa.BigInteger(), nullable=True),
        sa.Column("evidence_file", sa.String(length=255), nullable=True),
        sa.Column("reported_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["deliverable_id"], ["deal_deliverables.id"],
                                name=op.f("fk_metric_snapshots_deliverable_id_deal_deliverables"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reported_by_user_id"], ["users.id"],
                                name=op.f("fk_metric_snapshots_reported_by_user_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_snapshots")),
        sa.UniqueConstraint("deliverable_id", "slot",
                            name=op.f("uq_metric_snapshots_deliverable_id_slot")),
    )
    with op.batch_alter_table("metric_snapshots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_metric_snapshots_deliverable_id"),
                              ["deliverable_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_metric_snapshots_taken_at"), ["taken_at"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("metric_snapshots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_metric_snapshots_taken_at"))
        batch_op.drop_index(batch_op.f("ix_metric_snapshots_deliverable_id"))
    op.drop_table("metric_snapshots")

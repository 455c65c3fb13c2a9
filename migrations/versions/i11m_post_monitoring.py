"""post monitoring: platform checks with backoff, the snapshot schedule, campaign live period

Revision ID: i11m_post_monitoring
Revises: i11r_report_shares
Create Date: 2026-11-29 07:35:00

"""
import sqlalchemy as sa
from alembic import op

import marketplace.database

revision = "i11m_post_monitoring"
down_revision = "i11r_report_shares"
branch_labels = None
depends_on = None

UTC = marketplace.database.UTCDateTime(timezone=True)


def upgrade():
    with op.batch_alter_table("deal_deliverables", schema=None) as batch_op:
        batch_op.add_column(sa.Column("platform_media_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("last_checked_at", UTC, nullable=True))
        batch_op.add_column(sa.Column("next_check_at", UTC, nullable=True))
        batch_op.add_column(sa.Column("check_attempts", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("check_error", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("check_problem", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("next_snapshot_at", UTC, nullable=True))
        batch_op.create_index(batch_op.f("ix_deal_deliverables_next_snapshot_at"),
                              ["next_snapshot_at"], unique=False)
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("live_days", sa.Integer(), nullable=False,
                                      server_default="30"))


def downgrade():
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("live_days")
    with op.batch_alter_table("deal_deliverables", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_deliverables_next_snapshot_at"))
        for name in ("next_snapshot_at", "check_problem", "check_error", "check_attempts",
                     "next_check_at", "last_checked_at", "platform_media_id"):
            batch_op.drop_column(name)

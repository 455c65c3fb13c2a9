"""read-only share links of campaign reports

Revision ID: i11r_report_shares
Revises: i10q_job_queue
Create Date: 2026-11-29 07:40:00

"""
import sqlalchemy as sa
from alembic import op

import marketplace.database

revision = "i11r_report_shares"
down_revision = "i10q_job_queue"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.String(length=32), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", marketplace.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", marketplace.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", marketplace.database.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"],
                                name=op.f("fk_report_shares_campaign_id_campaigns"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_user_id"], ["users.id"],
                                name=op.f("fk_report_shares_created_by_user_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_shares")),
        sa.UniqueConstraint("token_id", name=op.f("uq_report_shares_token_id")),
    )
    with op.batch_alter_table("report_shares", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_shares_campaign_id"), ["campaign_id"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("report_shares", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_shares_campaign_id"))
    op.drop_table("report_shares")

"""paid-usage codes (TikTok Spark Ads codes, Instagram partnership-ad permissions)

Revision ID: i11u_usage_codes
Revises: i12m_creator_in_country
Create Date: 2026-11-29 07:35:00

"""
import sqlalchemy as sa
from alembic import op

import marketplace.database

revision = "i11u_usage_codes"
down_revision = "i12m_creator_in_country"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "deal_usage_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=200), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("added_at", marketplace.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["deal_id"], ["deals.id"],
                                name=op.f("fk_deal_usage_codes_deal_id_deals"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_usage_codes")),
        sa.UniqueConstraint("deal_id", "platform",
                            name=op.f("uq_deal_usage_codes_deal_id_platform")),
    )
    with op.batch_alter_table("deal_usage_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deal_usage_codes_deal_id"), ["deal_id"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("deal_usage_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_usage_codes_deal_id"))
    op.drop_table("deal_usage_codes")

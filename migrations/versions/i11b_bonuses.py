"""thank-you bonuses: a charge and a transfer of their own on the deal's ledger

Revision ID: i11b_bonuses
Revises: i11u_usage_codes
Create Date: 2026-11-29 07:45:00

"""
import sqlalchemy as sa
from alembic import op

import marketplace.database

revision = "i11b_bonuses"
down_revision = "i11u_usage_codes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "deal_bonuses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("request_token", sa.String(length=64), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("brand_total_cents", sa.Integer(), nullable=False),
        sa.Column("brand_fee_cents", sa.Integer(), nullable=False),
        sa.Column("tax_cents", sa.Integer(), nullable=False),
        sa.Column("creator_fee_cents", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("status", sa.Enum("PENDING", "HELD", "PAID", "FAILED", name="bonusstatus",
                                    native_enum=False, length=16), nullable=False),
        sa.Column("payment_intent_id", sa.String(length=64), nullable=True),
        sa.Column("charge_id", sa.String(length=64), nullable=True),
        sa.Column("transfer_id", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", marketplace.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("paid_at", marketplace.database.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_deal_bonuses_bonus_positive")),
        sa.ForeignKeyConstraint(["deal_id"], ["deals.id"],
                                name=op.f("fk_deal_bonuses_deal_id_deals"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["created_by_user_id"], ["users.id"],
                                name=op.f("fk_deal_bonuses_created_by_user_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_bonuses")),
        sa.UniqueConstraint("deal_id", "request_token",
                            name=op.f("uq_deal_bonuses_deal_id_request_token")),
        sa.UniqueConstraint("transfer_id", name=op.f("uq_deal_bonuses_transfer_id")),
    )
    with op.batch_alter_table("deal_bonuses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deal_bonuses_deal_id"), ["deal_id"], unique=False)


def downgrade():
    with op.batch_alter_table("deal_bonuses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_bonuses_deal_id"))
    op.drop_table("deal_bonuses")

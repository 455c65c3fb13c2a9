"""deal deliverables as rows; the posted step (posts required, linked, posted)

Revision ID: i11d_deal_deliverables
Revises: i11p_social_accounts
Create Date: 2026-11-29 07:00:00

Deals made before this revision get no rows and keep `posts_required` false: they pay out at
approval, as they were agreed to.
"""
import sqlalchemy as sa
from alembic import op

import marketplace.database

revision = "i11d_deal_deliverables"
down_revision = "i11p_social_accounts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "deal_deliverables",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("deliverable_type", sa.String(length=24), nullable=False),
        sa.Column("is_posted", sa.Boolean(), nullable=False),
        sa.Column("live_url", sa.String(length=500), nullable=True),
        sa.Column("post_id", sa.String(length=64), nullable=True),
        sa.Column("post_handle", sa.String(length=64), nullable=True),
        sa.Column("linked_at", marketplace.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("verified_at", marketplace.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("verified_via", sa.String(length=16), nullable=True),
        sa.Column("removed_at", marketplace.database.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["deal_id"], ["deals.id"],
                                name=op.f("fk_deal_deliverables_deal_id_deals"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_deliverables")),
        sa.UniqueConstraint("deal_id", "position", name=op.f("uq_deal_deliverables_deal_id_position")),
    )
    with op.batch_alter_table("deal_deliverables", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deal_deliverables_deal_id"), ["deal_id"],
                              unique=False)
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("posts_required", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("posts_linked_at",
                                      marketplace.database.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column("posted_at",
                                      marketplace.database.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.drop_column("posted_at")
        batch_op.drop_column("posts_linked_at")
        batch_op.drop_column("posts_required")
    with op.batch_alter_table("deal_deliverables", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_deliverables_deal_id"))
    op.drop_table("deal_deliverables")

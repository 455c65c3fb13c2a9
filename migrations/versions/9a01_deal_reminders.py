"""deal reminders: each reminder of the deadline job is recorded once

Revision ID: 9a01_deal_reminders
Revises: 9d01_library_hire_again
Create Date: 2026-12-01 09:00:00

"""
import sqlalchemy as sa
from alembic import op

import marketplace.database

revision = "9a01_deal_reminders"
down_revision = "9d01_library_hire_again"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "deal_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("deadline", marketplace.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", marketplace.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["deal_id"], ["deals.id"],
                                name=op.f("fk_deal_reminders_deal_id_deals"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_reminders")),
        sa.UniqueConstraint("deal_id", "kind", "deadline",
                            name="uq_deal_reminders_deal_kind_deadline"),
    )
    with op.batch_alter_table("deal_reminders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deal_reminders_deal_id"), ["deal_id"], unique=False)


def downgrade():
    with op.batch_alter_table("deal_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_reminders_deal_id"))
    op.drop_table("deal_reminders")

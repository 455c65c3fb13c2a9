"""library and hire again: one active deal per campaign and creator, usage notice sent

A completed, cancelled or expired deal no longer blocks a new deal for the same campaign and
creator; the partial unique index keeps at most one deal in progress. `usage_notice_sent_at`
records that the brand was told paid usage ends soon (so the job never sends it twice).

Revision ID: 9d01_library_hire_again
Revises: 39dd40a2d0a5
Create Date: 2026-11-26 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import marketplace.database


revision = '9d01_library_hire_again'
down_revision = '39dd40a2d0a5'
branch_labels = None
depends_on = None

ACTIVE = "state NOT IN ('COMPLETED', 'CANCELLED', 'EXPIRED')"


def upgrade():
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('usage_notice_sent_at',
                                      marketplace.database.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.create_index('uq_deals_one_active', ['campaign_id', 'creator_id'], unique=True,
                              postgresql_where=sa.text(ACTIVE), sqlite_where=sa.text(ACTIVE))


def downgrade():
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.drop_index('uq_deals_one_active', postgresql_where=sa.text(ACTIVE),
                            sqlite_where=sa.text(ACTIVE))
        batch_op.drop_column('usage_notice_sent_at')

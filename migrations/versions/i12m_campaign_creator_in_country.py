"""Issue 12 (matching): a campaign can require creators based in its target countries;
impressions keep the raw model score.

Revision ID: i12m_creator_in_country
Revises: i11s_metric_snapshots
Create Date: 2026-11-29 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "i12m_creator_in_country"
down_revision = "i11s_metric_snapshots"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("creator_in_country", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table("match_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("score", sa.Float(), nullable=True))


def downgrade():
    with op.batch_alter_table("match_events", schema=None) as batch_op:
        batch_op.drop_column("score")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("creator_in_country")

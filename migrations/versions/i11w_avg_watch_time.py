"""metric snapshots: the platform's average watch time per view, in milliseconds

`watch_time_seconds` was never filled, and its name promised a total in seconds; Instagram
gives an average per view in milliseconds (`ig_reels_avg_watch_time`), stored as such.

Revision ID: i11w_avg_watch_time
Revises: i11m_post_monitoring
Create Date: 2026-11-30 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "i11w_avg_watch_time"
down_revision = "i11m_post_monitoring"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("metric_snapshots", schema=None) as batch_op:
        batch_op.drop_column("watch_time_seconds")
        batch_op.add_column(sa.Column("avg_watch_time_ms", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("metric_snapshots", schema=None) as batch_op:
        batch_op.drop_column("avg_watch_time_ms")
        batch_op.add_column(sa.Column("watch_time_seconds", sa.BigInteger(), nullable=True))

"""drop matcher_rebuild_requests: pages no longer ask for a model fit

A page with no saved model used to record a request on a session of its own (a write on a
GET); the periodic job now finds out by itself that no model can be loaded, and nothing else
wrote these rows.

Revision ID: i11x_drop_rebuild_requests
Revises: i11w_avg_watch_time
Create Date: 2026-11-30 10:00:00

"""
import sqlalchemy as sa
from alembic import op

import marketplace.database

revision = "i11x_drop_rebuild_requests"
down_revision = "i11w_avg_watch_time"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("matcher_rebuild_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_matcher_rebuild_requests_done_at"))
    op.drop_table("matcher_rebuild_requests")


def downgrade():
    op.create_table(
        "matcher_rebuild_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=80), nullable=False),
        sa.Column("requested_at", marketplace.database.UTCDateTime(timezone=True),
                  nullable=False),
        sa.Column("done_at", marketplace.database.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matcher_rebuild_requests")),
    )
    with op.batch_alter_table("matcher_rebuild_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_matcher_rebuild_requests_done_at"), ["done_at"],
                              unique=False)

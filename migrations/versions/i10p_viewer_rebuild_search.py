"""fast pages: impression viewer, matcher rebuild requests, full-text search indexes

`match_events.viewer_id` lets a reload within the impression window count once;
`matcher_rebuild_requests` records that a page found no saved model (the fit runs off the
request path); on PostgreSQL, GIN indexes over the same `to_tsvector` expressions the
directory search queries (`marketplace/models/search.py`). SQLite has no such index: its
search is a plain word match.

Revision ID: i10p_viewer_rebuild_search
Revises: i11b_bonuses
Create Date: 2026-11-29 07:00:00

"""
from alembic import op
import sqlalchemy as sa

import marketplace.database


revision = 'i10p_viewer_rebuild_search'
down_revision = 'i11b_bonuses'
branch_labels = None
depends_on = None

CREATOR_DOC = ("to_tsvector('english'::regconfig, coalesce(display_name, '') || ' ' || "
               "coalesce(handle, '') || ' ' || coalesce(bio, ''))")
CAMPAIGN_DOC = ("to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || "
                "coalesce(brief, ''))")


def upgrade():
    with op.batch_alter_table('match_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('viewer_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_match_events_viewer_id_users'), 'users',
                                    ['viewer_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index('ix_match_events_viewer', ['viewer_id', 'surface', 'created_at'],
                              unique=False)
    op.create_table(
        'matcher_rebuild_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=80), nullable=False),
        sa.Column('requested_at', marketplace.database.UTCDateTime(timezone=True),
                  nullable=False),
        sa.Column('done_at', marketplace.database.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_matcher_rebuild_requests')),
    )
    with op.batch_alter_table('matcher_rebuild_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matcher_rebuild_requests_done_at'), ['done_at'],
                              unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"CREATE INDEX ix_creator_profiles_search ON creator_profiles "
                   f"USING gin ({CREATOR_DOC})")
        op.execute(f"CREATE INDEX ix_campaigns_search ON campaigns USING gin ({CAMPAIGN_DOC})")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_campaigns_search")
        op.execute("DROP INDEX IF EXISTS ix_creator_profiles_search")
    with op.batch_alter_table('matcher_rebuild_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matcher_rebuild_requests_done_at'))
    op.drop_table('matcher_rebuild_requests')
    with op.batch_alter_table('match_events', schema=None) as batch_op:
        batch_op.drop_index('ix_match_events_viewer')
        batch_op.drop_constraint(batch_op.f('fk_match_events_viewer_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('viewer_id')

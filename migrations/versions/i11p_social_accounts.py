"""Issue 11 (platforms): creators' platform accounts connected by OAuth, tokens encrypted.

Revision ID: i11p_social_accounts
Revises: 9c4e1d7a20b1
Create Date: 2026-11-29 07:00:00

"""
from alembic import op
import sqlalchemy as sa

import marketplace.database


# revision identifiers, used by Alembic.
revision = 'i11p_social_accounts'
down_revision = "9c4e1d7a20b1"
branch_labels = None
depends_on = None


def upgrade():
    when = marketplace.database.UTCDateTime(timezone=True)
    op.create_table('social_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('creator_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('platform_user_id', sa.String(length=128), nullable=False),
    sa.Column('handle', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('followers', sa.Integer(), nullable=True),
    sa.Column('access_token_enc', sa.Text(), nullable=True),
    sa.Column('refresh_token_enc', sa.Text(), nullable=True),
    sa.Column('access_expires_at', when, nullable=True),
    sa.Column('refresh_expires_at', when, nullable=True),
    sa.Column('scopes', sa.String(length=500), nullable=False),
    sa.Column('connected_at', when, nullable=False),
    sa.Column('refreshed_at', when, nullable=True),
    sa.Column('revoked_at', when, nullable=True),
    sa.Column('needs_reconnect_at', when, nullable=True),
    sa.ForeignKeyConstraint(['creator_id'], ['creator_profiles.id'], name=op.f('fk_social_accounts_creator_id_creator_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_social_accounts')),
    sa.UniqueConstraint('creator_id', 'platform', name=op.f('uq_social_accounts_creator_id_platform'))
    )
    with op.batch_alter_table('social_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_social_accounts_creator_id'), ['creator_id'], unique=False)
        batch_op.create_index('ix_social_accounts_platform_user', ['platform', 'platform_user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('social_accounts', schema=None) as batch_op:
        batch_op.drop_index('ix_social_accounts_platform_user')
        batch_op.drop_index(batch_op.f('ix_social_accounts_creator_id'))
    op.drop_table('social_accounts')

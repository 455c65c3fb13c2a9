"""deal submission checks: the brief checklist stored with each version, with the creator's
acknowledgements

Revision ID: 9b1d3c5e7f20
Revises: 9a01_deal_reminders
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9b1d3c5e7f20'
down_revision = "9a01_deal_reminders"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('deal_submission_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=320), nullable=False),
    sa.Column('label', sa.String(length=320), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('detail', sa.String(length=400), nullable=False),
    sa.Column('acknowledgement', sa.String(length=300), nullable=False),
    sa.CheckConstraint("passed OR acknowledgement <> ''", name=op.f('ck_deal_submission_checks_failing_item_acknowledged')),
    sa.ForeignKeyConstraint(['submission_id'], ['deal_submissions.id'], name=op.f('fk_deal_submission_checks_submission_id_deal_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_submission_checks')),
    sa.UniqueConstraint('submission_id', 'key', name=op.f('uq_deal_submission_checks_submission_id_key'))
    )
    with op.batch_alter_table('deal_submission_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_submission_checks_submission_id'), ['submission_id'], unique=False)


def downgrade():
    with op.batch_alter_table('deal_submission_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deal_submission_checks_submission_id'))

    op.drop_table('deal_submission_checks')

"""Issue 9 area C (payments): invoices with yearly counters, brand billing details, tax on
payments, expected arrival of payouts.

Revision ID: 9c4e1d7a20b1
Revises: 9b1d3c5e7f20
Create Date: 2026-11-29 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import marketplace.database


# revision identifiers, used by Alembic.
revision = '9c4e1d7a20b1'
down_revision = "9b1d3c5e7f20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('invoice_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_invoice_counters'))
    )
    op.create_table('invoices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('issued_at', marketplace.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('price_cents', sa.Integer(), nullable=False),
    sa.Column('brand_fee_cents', sa.Integer(), nullable=False),
    sa.Column('tax_rate_bps', sa.Integer(), nullable=False),
    sa.Column('tax_cents', sa.Integer(), nullable=False),
    sa.Column('total_cents', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('billing_name', sa.String(length=120), nullable=False),
    sa.Column('billing_address', sa.Text(), nullable=False),
    sa.Column('tax_id', sa.String(length=40), nullable=False),
    sa.Column('billing_email', sa.String(length=254), nullable=False),
    sa.Column('card_label', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brand_profiles.id'], name=op.f('fk_invoices_brand_id_brand_profiles'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_invoices_deal_id_deals'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_invoices_payment_id_payments'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoices')),
    sa.UniqueConstraint('deal_id', name=op.f('uq_invoices_deal_id')),
    sa.UniqueConstraint('number', name=op.f('uq_invoices_number')),
    sa.UniqueConstraint('payment_id', name=op.f('uq_invoices_payment_id'))
    )
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoices_brand_id'), ['brand_id'], unique=False)

    with op.batch_alter_table('brand_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('billing_name', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('billing_address', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('tax_id', sa.String(length=40), server_default='', nullable=False))

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tax_cents', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('payment_transfers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expected_arrival_at', marketplace.database.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('payment_transfers', schema=None) as batch_op:
        batch_op.drop_column('expected_arrival_at')

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_column('tax_cents')

    with op.batch_alter_table('brand_profiles', schema=None) as batch_op:
        batch_op.drop_column('tax_id')
        batch_op.drop_column('billing_address')
        batch_op.drop_column('billing_name')

    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoices_brand_id'))

    op.drop_table('invoices')
    op.drop_table('invoice_counters')

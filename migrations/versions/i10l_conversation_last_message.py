"""conversations: the newest message's id, so the inbox joins it instead of looking it up

Filled from the messages already there.

Revision ID: i10l_conversation_last_message
Revises: i11d_generated_documents
Create Date: 2026-11-29 12:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "i10l_conversation_last_message"
down_revision = "i11d_generated_documents"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_message_id", sa.Integer(), nullable=True))
    op.execute("UPDATE conversations SET last_message_id = (SELECT max(messages.id) "
               "FROM messages WHERE messages.conversation_id = conversations.id)")


def downgrade():
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("last_message_id")

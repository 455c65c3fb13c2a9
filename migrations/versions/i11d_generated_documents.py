"""generated documents: PDFs printed by the job queue, one row per owner, document and content

Revision ID: i11d_generated_documents
Revises: i11m_post_monitoring
Create Date: 2026-11-29 09:00:00

"""
import sqlalchemy as sa
from alembic import op

import marketplace.database

revision = "i11d_generated_documents"
down_revision = "i11x_drop_rebuild_requests"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "generated_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("CAMPAIGN_REPORT", "INVOICE", "PAYOUT_STATEMENT",
                                  "EARNINGS_YEAR", name="documentkind", native_enum=False,
                                  length=32), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("status", sa.Enum("QUEUED", "READY", "FAILED", name="documentstatus",
                                    native_enum=False, length=16), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", marketplace.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("queued_at", marketplace.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", marketplace.database.UTCDateTime(timezone=True),
                  nullable=True),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"],
                                name=op.f("fk_generated_documents_owner_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_generated_documents")),
        sa.UniqueConstraint("owner_id", "kind", "subject_id", "fingerprint",
                            name=op.f("uq_generated_documents_owner_id_kind_subject_id_"
                                      "fingerprint")),
    )


def downgrade():
    op.drop_table("generated_documents")

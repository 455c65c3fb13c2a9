"""A PDF printed for someone (campaign report, invoice, payout statement, yearly summary).

Asked for by a POST, printed by the job queue, kept as a file under the instance folder and
handed out by a GET. One row per owner, document and content: `fingerprint` is the SHA-256 of
the HTML that was printed, so asking again for an unchanged document finds this row (and its
file) instead of printing again, while a changed one (new numbers, new billing name) gets a
row of its own."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import UTCDateTime, utcnow
from marketplace.extensions import db


class DocumentKind(enum.StrEnum):
    CAMPAIGN_REPORT = "campaign_report"  # subject: the campaign's id
    INVOICE = "invoice"  # subject: the deal's id
    PAYOUT_STATEMENT = "payout_statement"  # subject: the deal's id
    EARNINGS_YEAR = "earnings_year"  # subject: the year


class DocumentStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for (or being printed by) the job
    READY = "ready"  # the file is written
    FAILED = "failed"  # the job could not print it; the owner may try again


class GeneratedDocument(db.Model):
    __tablename__ = "generated_documents"
    __table_args__ = (UniqueConstraint("owner_id", "kind", "subject_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[DocumentKind] = mapped_column(Enum(DocumentKind, native_enum=False, length=32))
    subject_id: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))  # what the status page calls it
    filename: Mapped[str] = mapped_column(String(200))  # the name the browser saves it under
    status: Mapped[DocumentStatus] = mapped_column(
        Enum(DocumentStatus, native_enum=False, length=16), default=DocumentStatus.QUEUED)
    # The page as the owner asked for it; the job prints exactly this (large: loaded only
    # when printing).
    html: Mapped[str] = mapped_column(Text, deferred=True)
    # Name of the PDF inside the documents folder (DOCUMENTS_DIR); "" until printed.
    file_name: Mapped[str] = mapped_column(String(200), default="")
    error: Mapped[str] = mapped_column(String(500), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

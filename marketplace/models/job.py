"""The job queue's own rows: dead letters (jobs whose retries ran out, shown to admins) and
leases (a named lock with an expiry that works on SQLite and PostgreSQL alike)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import UTCDateTime, utcnow
from marketplace.extensions import db


class FailedJob(db.Model):
    """A job that failed after its last retry (or could not be queued at all). An admin can
    re-enqueue it with the same arguments: the task's own guards (payment claims, ledger
    uniqueness, idempotency keys) make a second run harmless."""

    __tablename__ = "failed_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_name: Mapped[str] = mapped_column(String(120))
    task_id: Mapped[str] = mapped_column(String(64), default="")
    args: Mapped[list] = mapped_column(JSON, default=list)
    kwargs: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    retried_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class JobLease(db.Model):
    """Who holds the named lock (`beat`, `sweeper`) until when. Taken with one conditional
    UPDATE (or the INSERT of the first row), so two processes never both hold it."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

"""A read-only link to a campaign report that a brand sends to someone without an account.
The link carries a signed token naming this row; the row decides whether it still opens
(until `expires_at`, unless revoked)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import UTCDateTime, utcnow
from marketplace.extensions import db


class ReportShare(db.Model):
    __tablename__ = "report_shares"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random, never shown alone: the link is this id signed with the app's secret key.
    token_id: Mapped[str] = mapped_column(String(32), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"),
                                             index=True)
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def is_open(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

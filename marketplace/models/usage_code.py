"""Paid-usage codes: what lets a brand run a creator's post as an ad. TikTok's Spark Ads
authorization code, or Instagram's partnership-ad permission (granted in the app, so it has no
code, only an expiry). The brand sees each with a countdown and is reminded before it ends."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import UTCDateTime, utcnow
from marketplace.extensions import db

USAGE_CODE_KINDS: dict[str, str] = {
    "tiktok": "TikTok Spark Ads code",
    "instagram": "Instagram partnership-ad permission",
}


class UsageCode(db.Model):
    __tablename__ = "deal_usage_codes"
    __table_args__ = (UniqueConstraint("deal_id", "platform"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(200), default="")
    expires_on: Mapped[date] = mapped_column(Date)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def label(self) -> str:
        return USAGE_CODE_KINDS.get(self.platform, self.platform)

"""In-app notifications and each user's e-mail choices per kind."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import UTCDateTime, utcnow
from marketplace.extensions import db

# kind -> label shown on the settings page; the deal_event subscriber uses these kinds.
KINDS: dict[str, str] = {
    "application_received": "A creator applied to my campaign",
    "application_update": "My application was shortlisted or declined",
    "offer_received": "I received an offer or counter-offer",
    "offer_accepted": "My offer was accepted",
    "offer_closed": "An offer was declined or expired",
    "payment_received": "My payment went through (with the receipt)",
    "deal_funded": "A deal was funded",
    "deal_submitted": "Content was submitted for my review",
    "revision_requested": "The brand asked for a revision",
    "deal_approved": "My content was approved",
    "deal_posts": "Posts were linked or confirmed live",
    "post_problem": "A linked post has a problem to fix (wrong account, missing disclosure)",
    "post_removed": "A post was taken down before its required live period ended",
    "deal_paid": "I was paid out",
    "deal_closed": "A deal was cancelled or expired",
    "dispute": "A dispute was opened or resolved",
    "deal_late": "A deal is running late, or its due date moved",
    "deadline_reminder": "A deadline is coming up (content due, review time ending)",
    "review": "Reviews (window open, closing soon, reviews revealed)",
    "usage_rights": "Paid usage rights on delivered content end soon",
    "results": "The results of my posted deals are in",
}


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(db.Model):
    """Absent row = e-mail on (the default); a row records the user's explicit choice."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind", name="uq_notification_preferences_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    email_enabled: Mapped[bool] = mapped_column(Boolean, default=True)

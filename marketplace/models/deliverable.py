"""A deal's deliverables as rows the tracker follows: one row per piece of content owed
(a "2 x TikTok video" term makes two rows). A posted deliverable is published by the
creator on their own account, and the payout waits until it is live; a content-only one (UGC)
is handed over as files for the brand to post, and is done at approval."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import UTCDateTime
from marketplace.extensions import db
from marketplace.taxonomy import DELIVERABLE_TYPES, PLATFORMS

if TYPE_CHECKING:
    from marketplace.models.deal import Deal

# Deliverable types handed over as files for the brand to post (every other type is published
# by the creator on their own account; the brief checklist uses the same rule).
UNPOSTED_TYPES = frozenset({"ugc"})


class VerifiedVia:
    """How a post was confirmed live: by the platform, by the brand, or by the brand's silence
    for POST_CONFIRM_DAYS."""

    PLATFORM = "platform"
    BRAND = "brand"
    SILENCE = "silence"


class DealDeliverable(db.Model):
    __tablename__ = "deal_deliverables"
    __table_args__ = (UniqueConstraint("deal_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    platform: Mapped[str] = mapped_column(String(16))
    deliverable_type: Mapped[str] = mapped_column(String(24))
    is_posted: Mapped[bool] = mapped_column(default=True)
    # The live post, once the creator gives its address.
    live_url: Mapped[str | None] = mapped_column(String(500))
    post_id: Mapped[str | None] = mapped_column(String(64))
    post_handle: Mapped[str | None] = mapped_column(String(64))
    linked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_via: Mapped[str | None] = mapped_column(String(16))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    deal: Mapped[Deal] = relationship(back_populates="deliverable_items")

    @property
    def label(self) -> str:
        return (f"{PLATFORMS.get(self.platform, self.platform)} · "
                f"{DELIVERABLE_TYPES.get(self.deliverable_type, self.deliverable_type)}")

    @property
    def status(self) -> str:
        """'content' (nothing to post), 'waiting' (no link yet), 'linked' (link given, not yet
        confirmed), 'live' (confirmed) or 'removed' (taken down)."""
        if not self.is_posted:
            return "content"
        if self.removed_at is not None:
            return "removed"
        if self.verified_at is not None:
            return "live"
        return "linked" if self.live_url else "waiting"

    def __repr__(self) -> str:
        return f"<DealDeliverable {self.deal_id}#{self.position} {self.status}>"

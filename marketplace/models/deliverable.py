"""A deal's deliverables as rows the tracker follows: one row per piece of content owed
(a "2 x TikTok video" term makes two rows). A posted deliverable is published by the
creator on their own account, and the payout waits until it is live; a content-only one (UGC)
is handed over as files for the brand to post, and is done at approval."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import UTCDateTime
from marketplace.extensions import db
from marketplace.taxonomy import DELIVERABLE_TYPES, PLATFORMS

if TYPE_CHECKING:
    from marketplace.models.deal import Deal

# Deliverable types handed over as files for the brand to post (every other type is published
# by the creator on their own account; the brief checklist uses the same rule).
UNPOSTED_TYPES = frozenset({"ugc"})
# Posted, but they leave no lasting post to link (a Story is gone after a day, a live stream
# may not be kept): the creator marks them posted, with a link when there is one.
UNLINKABLE_TYPES = frozenset({"story", "live"})


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
    # Monitoring (services/deals/monitoring.py): Instagram's numeric media id once looked up,
    # the platform check's retries (next attempt from the attempt count), what the last check
    # found wrong with the post (shown to both parties), and when the next snapshot is due.
    platform_media_id: Mapped[str | None] = mapped_column(String(64))
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    check_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    check_error: Mapped[str | None] = mapped_column(String(300))
    check_problem: Mapped[str | None] = mapped_column(String(300))
    next_snapshot_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    deal: Mapped[Deal] = relationship(back_populates="deliverable_items")
    snapshots: Mapped[list[MetricSnapshot]] = relationship(
        back_populates="deliverable", cascade="all, delete-orphan",
        order_by="MetricSnapshot.taken_at")

    @property
    def label(self) -> str:
        return (f"{PLATFORMS.get(self.platform, self.platform)} · "
                f"{DELIVERABLE_TYPES.get(self.deliverable_type, self.deliverable_type)}")

    @property
    def status(self) -> str:
        """'content' (nothing to post), 'waiting' (no link yet), 'linked' (linked or marked
        posted, not yet confirmed), 'live' (confirmed) or 'removed' (taken down)."""
        if not self.is_posted:
            return "content"
        if self.removed_at is not None:
            return "removed"
        if self.verified_at is not None:
            return "live"
        return "linked" if self.linked_at else "waiting"

    @property
    def needs_link(self) -> bool:
        return self.deliverable_type not in UNLINKABLE_TYPES

    def __repr__(self) -> str:
        return f"<DealDeliverable {self.deal_id}#{self.position} {self.status}>"


class SnapshotSource:
    PLATFORM = "platform"  # read from the platform's API
    CREATOR = "creator"  # typed in by the creator, with a screenshot: always labelled so


class MetricSnapshot(db.Model):
    """One reading of a post's numbers. A number the source did not give is NULL (shown as
    missing, never as zero). Platform readings are taken on a schedule (`slot`: "1h", "24h",
    "72h", "7d", "14d", "30d"), at most once per slot; creator reports have no slot and carry
    the screenshot they were read from."""

    __tablename__ = "metric_snapshots"
    __table_args__ = (UniqueConstraint("deliverable_id", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deliverable_id: Mapped[int] = mapped_column(
        ForeignKey("deal_deliverables.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    slot: Mapped[str | None] = mapped_column(String(8))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    views: Mapped[int | None] = mapped_column(BigInteger)
    likes: Mapped[int | None] = mapped_column(BigInteger)
    comments: Mapped[int | None] = mapped_column(BigInteger)
    shares: Mapped[int | None] = mapped_column(BigInteger)
    saves: Mapped[int | None] = mapped_column(BigInteger)
    # The platform's average watch time per view (Instagram Reels only; TikTok's and
    # YouTube's APIs give none): milliseconds, as the platform reports it.
    avg_watch_time_ms: Mapped[int | None] = mapped_column(Integer)
    evidence_file: Mapped[str | None] = mapped_column(String(255))
    reported_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))

    deliverable: Mapped[DealDeliverable] = relationship(back_populates="snapshots")

    @property
    def engagements(self) -> int | None:
        """Likes + comments + shares + saves, counting only the numbers given (None if none)."""
        parts = [n for n in (self.likes, self.comments, self.shares, self.saves)
                 if n is not None]
        return sum(parts) if parts else None

"""A deal: the frozen terms of an accepted offer, moving through the states in
services/deals.py, with its audit trail, the creator's submissions and an optional dispute."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import UTCDateTime, utcnow
from marketplace.extensions import db

if TYPE_CHECKING:
    from marketplace.models.brand import BrandProfile
    from marketplace.models.campaign import Campaign
    from marketplace.models.creator import CreatorProfile
    from marketplace.models.deliverable import DealDeliverable
    from marketplace.models.offer import OfferThread
    from marketplace.models.user import User


class DealState(enum.StrEnum):
    AGREED = "agreed"
    FUNDED = "funded"
    SUBMITTED = "submitted"
    REVISION_REQUESTED = "revision_requested"
    APPROVED = "approved"
    POSTED = "posted"
    PAID_OUT = "paid_out"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    DISPUTED = "disputed"
    EXPIRED = "expired"


STATE_LABELS: dict[str, str] = {
    "agreed": "Agreed, awaiting funding", "funded": "Funded, in production",
    "submitted": "Submitted for review", "revision_requested": "Revision requested",
    "approved": "Approved", "posted": "Posted, live", "paid_out": "Paid out",
    "completed": "Completed", "cancelled": "Cancelled", "disputed": "In dispute",
    "expired": "Expired (never funded)",
}

STATE_BADGES: dict[str, str] = {
    "agreed": "secondary", "funded": "primary", "submitted": "info",
    "revision_requested": "warning", "approved": "success", "posted": "success",
    "paid_out": "success",
    "completed": "success", "cancelled": "dark", "disputed": "danger", "expired": "dark",
}


# Deals in these states are over: they no longer block a new deal with the same creator.
CLOSED_STATES = frozenset({DealState.COMPLETED, DealState.CANCELLED, DealState.EXPIRED})
ACTIVE_DEAL_SQL = "state NOT IN ('COMPLETED', 'CANCELLED', 'EXPIRED')"


class Deal(db.Model):
    __tablename__ = "deals"
    __table_args__ = (
        CheckConstraint("price_cents > 0", name="price_positive"),
        CheckConstraint("revisions_used >= 0 AND revisions_used <= revisions_included",
                        name="revisions_within_terms"),
        # At most one deal in progress per (campaign, creator); completed, cancelled and
        # expired deals do not count, so a brand can hire the same creator again.
        Index("uq_deals_one_active", "campaign_id", "creator_id", unique=True,
              postgresql_where=text(ACTIVE_DEAL_SQL), sqlite_where=text(ACTIVE_DEAL_SQL)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # UNIQUE: two simultaneous accepts of one offer can only ever make one deal.
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("offer_threads.id", ondelete="RESTRICT"), unique=True
    )
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="RESTRICT"), index=True
    )
    brand_id: Mapped[int] = mapped_column(
        ForeignKey("brand_profiles.id", ondelete="RESTRICT"), index=True
    )
    creator_id: Mapped[int] = mapped_column(
        ForeignKey("creator_profiles.id", ondelete="RESTRICT"), index=True
    )
    state: Mapped[DealState] = mapped_column(
        Enum(DealState, native_enum=False, length=24), default=DealState.AGREED, index=True
    )
    # Frozen terms, copied from the accepted offer version.
    price_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    deliverables: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    content_due: Mapped[date] = mapped_column(Date)
    usage_rights: Mapped[str] = mapped_column(String(16))
    revisions_included: Mapped[int] = mapped_column(Integer, default=0)
    revisions_used: Mapped[int] = mapped_column(Integer, default=0)
    # Timeline.
    agreed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    funded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    auto_approve_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # Posting (deals with posted deliverables): the payout waits until every post is live.
    posts_required: Mapped[bool] = mapped_column(Boolean, default=False)
    posts_linked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paid_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disputed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Cancellation by agreement after funding: one side proposes, the other accepts.
    cancel_proposed_by: Mapped[str | None] = mapped_column(String(8))
    cancel_proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    # The state a dispute interrupted (kept for the admin and the record).
    state_before_dispute: Mapped[DealState | None] = mapped_column(
        Enum(DealState, native_enum=False, length=24)
    )
    is_late: Mapped[bool] = mapped_column(Boolean, default=False)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the brand was told that paid use of the content ends soon (sent once).
    usage_notice_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    thread: Mapped[OfferThread] = relationship(back_populates="deal")
    campaign: Mapped[Campaign] = relationship()
    brand: Mapped[BrandProfile] = relationship()
    creator: Mapped[CreatorProfile] = relationship()
    events: Mapped[list[DealEvent]] = relationship(
        back_populates="deal", cascade="all, delete-orphan", order_by="DealEvent.id"
    )
    submissions: Mapped[list[Submission]] = relationship(
        back_populates="deal", cascade="all, delete-orphan", order_by="Submission.number"
    )
    dispute: Mapped[Dispute | None] = relationship(
        back_populates="deal", cascade="all, delete-orphan", uselist=False
    )
    deliverable_items: Mapped[list[DealDeliverable]] = relationship(
        back_populates="deal", cascade="all, delete-orphan", order_by="DealDeliverable.position"
    )

    @property
    def latest_submission(self) -> Submission | None:
        return self.submissions[-1] if self.submissions else None

    @property
    def auto_approval_paused(self) -> bool:
        """A submitted deal whose latest version misses a brief item (acknowledged by the
        creator) waits for the brand: `auto_approve_at` stays empty until it passes."""
        latest = self.latest_submission
        return (self.state == DealState.SUBMITTED and self.auto_approve_at is None
                and latest is not None and bool(latest.failing_checks))

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def state_badge(self) -> str:
        return STATE_BADGES.get(self.state, "secondary")

    @property
    def revisions_left(self) -> int:
        return self.revisions_included - self.revisions_used

    @property
    def reviews_open(self) -> bool:
        """Reviews (a later issue) open once a deal is completed; that code should check this."""
        return self.state == DealState.COMPLETED

    def __repr__(self) -> str:
        return f"<Deal {self.id} {self.state}>"


class DealEvent(db.Model):
    """Audit row for every move of the state machine (also the deal page's timeline)."""

    __tablename__ = "deal_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_side: Mapped[str] = mapped_column(String(8))
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    deal: Mapped[Deal] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class Submission(db.Model):
    """One delivery of the content (the first, or one after a revision request)."""

    __tablename__ = "deal_submissions"
    __table_args__ = (UniqueConstraint("deal_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    post_links: Mapped[list[str]] = mapped_column(JSON, default=list)
    caption: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # Random file name under UPLOAD_DIR/deals/; served only to the parties (and admins).
    draft_file: Mapped[str | None] = mapped_column(String(80))
    draft_mimetype: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    deal: Mapped[Deal] = relationship(back_populates="submissions")
    checks: Mapped[list[SubmissionCheck]] = relationship(
        back_populates="submission", cascade="all, delete-orphan",
        order_by="SubmissionCheck.position")

    @property
    def failing_checks(self) -> list[SubmissionCheck]:
        return [check for check in self.checks if not check.passed]


class SubmissionCheck(db.Model):
    """One brief item as it was checked when the version was submitted (frozen, like the
    deal's terms: a later edit of the campaign does not rewrite what was delivered). A failing
    item is only ever stored with the creator's acknowledgement and reason."""

    __tablename__ = "deal_submission_checks"
    __table_args__ = (
        UniqueConstraint("submission_id", "key"),
        CheckConstraint("passed OR acknowledgement <> ''", name="failing_item_acknowledged"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("deal_submissions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    # Stable name of the requirement, e.g. "disclosure", "hashtag:#glow", "platform:tiktok".
    key: Mapped[str] = mapped_column(String(320))
    label: Mapped[str] = mapped_column(String(320))
    passed: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str] = mapped_column(String(400), default="")
    # The creator's reason for submitting without this item ("" when it passed).
    acknowledgement: Mapped[str] = mapped_column(String(300), default="")

    submission: Mapped[Submission] = relationship(back_populates="checks")


class DisputeOutcome(enum.StrEnum):
    RELEASE = "release"
    REFUND = "refund"
    SPLIT = "split"


class Dispute(db.Model):
    """Both sides' statements and the admin's decision; one per deal."""

    __tablename__ = "deal_disputes"
    __table_args__ = (
        CheckConstraint("creator_amount_cents IS NULL OR creator_amount_cents >= 0",
                        name="creator_amount_nonnegative"),
        CheckConstraint("brand_refund_cents IS NULL OR brand_refund_cents >= 0",
                        name="brand_refund_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), unique=True)
    opened_by_side: Mapped[str] = mapped_column(String(8))
    opened_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    statement: Mapped[str] = mapped_column(Text)
    response: Mapped[str] = mapped_column(Text, default="")
    response_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[DisputeOutcome | None] = mapped_column(
        Enum(DisputeOutcome, native_enum=False, length=8)
    )
    creator_amount_cents: Mapped[int | None] = mapped_column(Integer)
    brand_refund_cents: Mapped[int | None] = mapped_column(Integer)
    resolution_note: Mapped[str] = mapped_column(Text, default="")
    resolved_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    deal: Mapped[Deal] = relationship(back_populates="dispute")

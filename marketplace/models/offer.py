"""Negotiation: an offer thread between one brand and one creator for one campaign, made of
numbered, immutable versions. Accepting the latest version freezes it into a Deal."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
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
from marketplace.models.application import DECLINE_REASON_LABELS, DeclineReason

if TYPE_CHECKING:
    from marketplace.models.application import Application
    from marketplace.models.brand import BrandProfile
    from marketplace.models.campaign import Campaign
    from marketplace.models.creator import CreatorProfile
    from marketplace.models.deal import Deal


class ThreadStatus(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class Side(enum.StrEnum):
    """Who acts: the two parties, an admin, or the system (jobs, payments)."""

    BRAND = "brand"
    CREATOR = "creator"
    ADMIN = "admin"
    SYSTEM = "system"


class OfferThread(db.Model):
    __tablename__ = "offer_threads"
    __table_args__ = (
        # At most one open negotiation per (campaign, creator), even under concurrent invites.
        Index("uq_offer_threads_one_open", "campaign_id", "creator_id", unique=True,
              postgresql_where=text("status = 'OPEN'"), sqlite_where=text("status = 'OPEN'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    brand_id: Mapped[int] = mapped_column(
        ForeignKey("brand_profiles.id", ondelete="CASCADE"), index=True
    )
    creator_id: Mapped[int] = mapped_column(
        ForeignKey("creator_profiles.id", ondelete="CASCADE"), index=True
    )
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[ThreadStatus] = mapped_column(
        Enum(ThreadStatus, native_enum=False, length=16), default=ThreadStatus.OPEN, index=True
    )
    # Copied from the latest version so lists and the expiry job need no per-thread subquery.
    latest_number: Mapped[int] = mapped_column(Integer, default=0)
    latest_author_side: Mapped[str] = mapped_column(String(8), default="brand")
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    decline_reason: Mapped[DeclineReason | None] = mapped_column(
        Enum(DeclineReason, native_enum=False, length=24)
    )
    decline_note: Mapped[str] = mapped_column(String(500), default="")
    declined_by_side: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    campaign: Mapped[Campaign] = relationship()
    brand: Mapped[BrandProfile] = relationship()
    creator: Mapped[CreatorProfile] = relationship()
    application: Mapped[Application | None] = relationship()
    versions: Mapped[list[OfferVersion]] = relationship(
        back_populates="thread", cascade="all, delete-orphan", order_by="OfferVersion.number"
    )
    deal: Mapped[Deal | None] = relationship(back_populates="thread", uselist=False,
                                             viewonly=True)

    @property
    def latest(self) -> OfferVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def decline_reason_label(self) -> str:
        return DECLINE_REASON_LABELS.get(self.decline_reason or "", "")

    def __repr__(self) -> str:
        return f"<OfferThread {self.id} {self.status} v{self.latest_number}>"


class OfferVersion(db.Model):
    """One proposal; never edited, a counter-offer is a new version."""

    __tablename__ = "offer_versions"
    __table_args__ = (
        UniqueConstraint("thread_id", "number"),
        CheckConstraint("price_cents > 0", name="price_positive"),
        CheckConstraint("revisions_included >= 0 AND revisions_included <= 10",
                        name="revisions_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("offer_threads.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    author_side: Mapped[str] = mapped_column(String(8))
    author_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    price_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    deliverables: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    content_due: Mapped[date] = mapped_column(Date)
    usage_rights: Mapped[str] = mapped_column(String(16))
    revisions_included: Mapped[int] = mapped_column(Integer, default=1)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

    thread: Mapped[OfferThread] = relationship(back_populates="versions")

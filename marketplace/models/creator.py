"""A creator's public profile: identity, niches, platform accounts, audience, samples, rate card."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import UTCDateTime, utcnow
from marketplace.extensions import db

if TYPE_CHECKING:
    from marketplace.models.payment import PayoutAccount
    from marketplace.models.user import User


class CreatorProfile(db.Model):
    __tablename__ = "creator_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    handle: Mapped[str] = mapped_column(String(40), unique=True, index=True)
    display_name: Mapped[str] = mapped_column(String(80))
    bio: Mapped[str] = mapped_column(Text, default="")
    avatar: Mapped[str | None] = mapped_column(String(80))
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    audience_ages: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    audience_gender: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Denormalised by services.profiles after every change, so discovery filters and sorts
    # with plain indexed columns instead of aggregating children per row.
    total_followers: Mapped[int] = mapped_column(Integer, default=0, index=True)
    top_engagement: Mapped[float] = mapped_column(Float, default=0.0)
    min_price_cents: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(back_populates="creator")
    niche_links: Mapped[list[CreatorNiche]] = relationship(
        cascade="all, delete-orphan", order_by="CreatorNiche.niche"
    )
    niches: AssociationProxy[list[str]] = association_proxy(
        "niche_links", "niche", creator=lambda niche: CreatorNiche(niche=niche)
    )
    accounts: Mapped[list[PlatformAccount]] = relationship(
        back_populates="creator", cascade="all, delete-orphan", order_by="PlatformAccount.platform"
    )
    audience_countries: Mapped[list[AudienceCountry]] = relationship(
        cascade="all, delete-orphan", order_by="AudienceCountry.share.desc()"
    )
    samples: Mapped[list[SamplePost]] = relationship(
        cascade="all, delete-orphan", order_by="SamplePost.position"
    )
    packages: Mapped[list[Package]] = relationship(
        back_populates="creator", cascade="all, delete-orphan", order_by="Package.price_cents"
    )
    # Read-only: pages eager-load it with the profile; payouts.py owns the row.
    payout_account: Mapped[PayoutAccount | None] = relationship(viewonly=True, uselist=False)

    def account(self, platform: str) -> PlatformAccount | None:
        return next((a for a in self.accounts if a.platform == platform), None)

    def __repr__(self) -> str:
        return f"<CreatorProfile @{self.handle}>"


class CreatorNiche(db.Model):
    __tablename__ = "creator_niches"

    creator_id: Mapped[int] = mapped_column(
        ForeignKey("creator_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    niche: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class PlatformAccount(db.Model):
    """Self-reported metrics for one platform; the UI always labels them as such."""

    __tablename__ = "platform_accounts"
    __table_args__ = (
        UniqueConstraint("creator_id", "platform"),
        CheckConstraint("followers >= 0", name="followers_nonnegative"),
        CheckConstraint("engagement_rate >= 0 AND engagement_rate <= 100", name="engagement_pct"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    creator_id: Mapped[int] = mapped_column(
        ForeignKey("creator_profiles.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(16), index=True)
    handle: Mapped[str] = mapped_column(String(64))
    followers: Mapped[int] = mapped_column(Integer, default=0)
    avg_views: Mapped[int] = mapped_column(Integer, default=0)
    engagement_rate: Mapped[float] = mapped_column(Float, default=0.0)  # percent, 0-100

    creator: Mapped[CreatorProfile] = relationship(back_populates="accounts")


class AudienceCountry(db.Model):
    __tablename__ = "audience_countries"
    __table_args__ = (UniqueConstraint("creator_id", "country"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    creator_id: Mapped[int] = mapped_column(
        ForeignKey("creator_profiles.id", ondelete="CASCADE"), index=True
    )
    country: Mapped[str] = mapped_column(String(2))
    share: Mapped[float] = mapped_column(Float)  # percent, 0-100


class SamplePost(db.Model):
    __tablename__ = "sample_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    creator_id: Mapped[int] = mapped_column(
        ForeignKey("creator_profiles.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    url: Mapped[str] = mapped_column(String(500))
    caption: Mapped[str] = mapped_column(String(300), default="")


class Package(db.Model):
    """One rate-card line, e.g. "1 TikTok video, 30-60 s" for $400."""

    __tablename__ = "packages"
    __table_args__ = (
        CheckConstraint("price_cents > 0", name="price_positive"),
        CheckConstraint("turnaround_days > 0", name="turnaround_positive"),
        CheckConstraint("revisions >= 0", name="revisions_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    creator_id: Mapped[int] = mapped_column(
        ForeignKey("creator_profiles.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(120))
    platform: Mapped[str] = mapped_column(String(16))
    deliverable_type: Mapped[str] = mapped_column(String(24))
    price_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    turnaround_days: Mapped[int] = mapped_column(Integer, default=7)
    revisions: Mapped[int] = mapped_column(Integer, default=1)
    usage_rights: Mapped[str] = mapped_column(String(16), default="organic")
    description: Mapped[str] = mapped_column(String(500), default="")

    creator: Mapped[CreatorProfile] = relationship(back_populates="packages")

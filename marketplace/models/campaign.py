"""Campaigns a brand posts; targeting lives in small link tables so filters can use indexes."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    false,
)
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import UTCDateTime, utcnow
from marketplace.extensions import db

if TYPE_CHECKING:
    from marketplace.models.brand import BrandProfile


class CampaignStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


class Campaign(db.Model):
    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("budget_min_cents > 0", name="budget_min_positive"),
        CheckConstraint("budget_min_cents <= budget_max_cents", name="budget_ordered"),
        CheckConstraint("creators_wanted > 0", name="creators_wanted_positive"),
        CheckConstraint("min_followers >= 0", name="min_followers_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(
        ForeignKey("brand_profiles.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(120))
    brief: Mapped[str] = mapped_column(Text)
    status: Mapped[CampaignStatus] = mapped_column(
        Enum(CampaignStatus, native_enum=False, length=16), default=CampaignStatus.DRAFT, index=True
    )
    min_followers: Mapped[int] = mapped_column(Integer, default=0)
    # False: a creator qualifies by being based in a target country *or* by having enough
    # of their audience there; True: only creators based in a target country.
    creator_in_country: Mapped[bool] = mapped_column(Boolean, default=False,
                                                     server_default=false())
    budget_min_cents: Mapped[int] = mapped_column(Integer)
    budget_max_cents: Mapped[int] = mapped_column(Integer, index=True)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    creators_wanted: Mapped[int] = mapped_column(Integer, default=1)
    application_deadline: Mapped[date] = mapped_column(Date)
    content_due: Mapped[date] = mapped_column(Date)
    # Applications still undecided after this date are declined by `flask deals run-jobs`.
    decision_date: Mapped[date | None] = mapped_column(Date)
    usage_rights: Mapped[str] = mapped_column(String(16), default="organic")
    # What the submitted caption must carry (checked in the deal's brief checklist).
    required_disclosure: Mapped[str] = mapped_column(String(32), default="#ad")
    required_hashtags: Mapped[str] = mapped_column(String(300), default="")
    # Days a creator's post must stay up after it is verified live (a takedown before is flagged).
    live_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    required_mentions: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    brand: Mapped[BrandProfile] = relationship(back_populates="campaigns")
    deliverables: Mapped[list[CampaignDeliverable]] = relationship(
        cascade="all, delete-orphan", order_by="CampaignDeliverable.id"
    )
    niche_links: Mapped[list[CampaignNiche]] = relationship(cascade="all, delete-orphan")
    country_links: Mapped[list[CampaignCountry]] = relationship(cascade="all, delete-orphan")
    platform_links: Mapped[list[CampaignPlatform]] = relationship(cascade="all, delete-orphan")
    niches: AssociationProxy[list[str]] = association_proxy(
        "niche_links", "niche", creator=lambda v: CampaignNiche(niche=v)
    )
    countries: AssociationProxy[list[str]] = association_proxy(
        "country_links", "country", creator=lambda v: CampaignCountry(country=v)
    )
    platforms: AssociationProxy[list[str]] = association_proxy(
        "platform_links", "platform", creator=lambda v: CampaignPlatform(platform=v)
    )

    @property
    def is_public(self) -> bool:
        return self.status in (CampaignStatus.OPEN, CampaignStatus.PAUSED, CampaignStatus.CLOSED)

    def __repr__(self) -> str:
        return f"<Campaign {self.id} {self.status}>"


class CampaignDeliverable(db.Model):
    __tablename__ = "campaign_deliverables"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    deliverable_type: Mapped[str] = mapped_column(String(24))
    quantity: Mapped[int] = mapped_column(Integer, default=1)


class CampaignNiche(db.Model):
    __tablename__ = "campaign_niches"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    niche: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class CampaignCountry(db.Model):
    __tablename__ = "campaign_countries"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    country: Mapped[str] = mapped_column(String(2), primary_key=True, index=True)


class CampaignPlatform(db.Model):
    __tablename__ = "campaign_platforms"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    platform: Mapped[str] = mapped_column(String(16), primary_key=True, index=True)

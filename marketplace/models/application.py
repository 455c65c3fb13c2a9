"""A creator's application to an open campaign, and the reasons a brand can give for a no."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import UTCDateTime, utcnow
from marketplace.extensions import db

if TYPE_CHECKING:
    from marketplace.models.campaign import Campaign
    from marketplace.models.creator import CreatorProfile


class ApplicationStatus(enum.StrEnum):
    PENDING = "pending"
    SHORTLISTED = "shortlisted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    OFFERED = "offered"


class DeclineReason(enum.StrEnum):
    """Why an application or an offer was turned down; shown to the other side."""

    BUDGET = "budget"
    NICHE_FIT = "niche_fit"
    AUDIENCE = "audience"
    TIMING = "timing"
    TERMS = "terms"
    OTHER = "other"
    DECISION_DATE_PASSED = "decision_date_passed"


DECLINE_REASON_LABELS: dict[str, str] = {
    "budget": "Budget does not fit",
    "niche_fit": "Not the right niche for this campaign",
    "audience": "Audience does not match",
    "timing": "Timing does not work",
    "terms": "Terms do not work",
    "other": "Other",
    "decision_date_passed": "The brand did not decide before the campaign's decision date",
}

# Statuses in which the brand still has to decide (and the creator may withdraw).
UNDECIDED = (ApplicationStatus.PENDING, ApplicationStatus.SHORTLISTED)


class Application(db.Model):
    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("campaign_id", "creator_id"),
        CheckConstraint("proposed_price_cents > 0", name="price_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    creator_id: Mapped[int] = mapped_column(
        ForeignKey("creator_profiles.id", ondelete="CASCADE"), index=True
    )
    pitch: Mapped[str] = mapped_column(Text)
    package_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    proposed_price_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[ApplicationStatus] = mapped_column(
        Enum(ApplicationStatus, native_enum=False, length=16),
        default=ApplicationStatus.PENDING, index=True,
    )
    decline_reason: Mapped[DeclineReason | None] = mapped_column(
        Enum(DeclineReason, native_enum=False, length=24)
    )
    decline_note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    campaign: Mapped[Campaign] = relationship()
    creator: Mapped[CreatorProfile] = relationship()

    @property
    def decline_reason_label(self) -> str:
        return DECLINE_REASON_LABELS.get(self.decline_reason or "", "")

    @property
    def is_undecided(self) -> bool:
        return self.status in UNDECIDED

    def __repr__(self) -> str:
        return f"<Application {self.id} {self.status}>"

"""Two-sided reviews after a completed deal, hidden until both are written or the window ends
(so neither side can answer the other's review in kind)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import UTCDateTime, utcnow
from marketplace.extensions import db
from marketplace.models.brand import BrandProfile
from marketplace.models.creator import CreatorProfile
from marketplace.models.deal import Deal
from marketplace.models.user import User

MAX_COMMENT = 2000


class ReviewSide(enum.StrEnum):
    BRAND = "brand"
    CREATOR = "creator"


class Review(db.Model):
    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("deal_id", "author_side", name="uq_reviews_deal_side"),
        CheckConstraint("rating >= 1 AND rating <= 5", name="rating_range"),
        CheckConstraint(f"length(comment) <= {MAX_COMMENT}", name="comment_length"),
        CheckConstraint("(subject_brand_id IS NULL) <> (subject_creator_id IS NULL)",
                        name="one_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    author_side: Mapped[ReviewSide] = mapped_column(Enum(ReviewSide, native_enum=False, length=8))
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The profile being reviewed: the brand (by the creator) or the creator (by the brand).
    subject_brand_id: Mapped[int | None] = mapped_column(
        ForeignKey("brand_profiles.id", ondelete="CASCADE"), index=True)
    subject_creator_id: Mapped[int | None] = mapped_column(
        ForeignKey("creator_profiles.id", ondelete="CASCADE"), index=True)
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Copied from the deal (completed_at + REVIEW_WINDOW_DAYS) so reveal rules need no join.
    window_closes_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    revealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    deal: Mapped[Deal] = relationship()
    author: Mapped[User | None] = relationship()
    subject_brand: Mapped[BrandProfile | None] = relationship()
    subject_creator: Mapped[CreatorProfile | None] = relationship()

    def __repr__(self) -> str:
        return f"<Review {self.id} deal={self.deal_id} by {self.author_side} {self.rating}*>"

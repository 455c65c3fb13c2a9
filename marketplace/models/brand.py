"""A brand's public profile."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import UTCDateTime, utcnow
from marketplace.extensions import db

if TYPE_CHECKING:
    from marketplace.models.campaign import Campaign
    from marketplace.models.user import User


class BrandProfile(db.Model):
    __tablename__ = "brand_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    handle: Mapped[str] = mapped_column(String(40), unique=True, index=True)
    company_name: Mapped[str] = mapped_column(String(120))
    website: Mapped[str] = mapped_column(String(300), default="")
    industry: Mapped[str] = mapped_column(String(32), default="other")
    logo: Mapped[str | None] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    country: Mapped[str | None] = mapped_column(String(2))
    # Billing details printed on invoices (services/payments/invoices.py); blank = company name.
    billing_name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    billing_address: Mapped[str] = mapped_column(Text, default="", server_default="")
    tax_id: Mapped[str] = mapped_column(String(40), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(back_populates="brand")
    campaigns: Mapped[list[Campaign]] = relationship(back_populates="brand")

    def __repr__(self) -> str:
        return f"<BrandProfile @{self.handle}>"

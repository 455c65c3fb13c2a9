"""A thank-you bonus: after a deal is paid out the brand can send the creator more. It is a
charge of its own (bonus + brand fee + tax on the brand's card) and a transfer of its own
(bonus - creator fee), with ledger rows tied to both Stripe objects, on the deal's ledger."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import UTCDateTime, utcnow
from marketplace.extensions import db


class BonusStatus(enum.StrEnum):
    PENDING = "pending"  # row written, card not charged yet
    HELD = "held"  # charged; the transfer waits for the creator's payout account
    PAID = "paid"  # transferred to the creator
    FAILED = "failed"  # the card was declined: nothing was charged


class Bonus(db.Model):
    __tablename__ = "deal_bonuses"
    __table_args__ = (UniqueConstraint("deal_id", "request_token"),
                      CheckConstraint("amount_cents > 0", name="bonus_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="RESTRICT"), index=True)
    # One per form shown: a double-click or a replayed POST finds the same row.
    request_token: Mapped[str] = mapped_column(String(64))
    amount_cents: Mapped[int] = mapped_column(Integer)  # the bonus (what the creator is given)
    currency: Mapped[str] = mapped_column(String(3))
    brand_total_cents: Mapped[int] = mapped_column(Integer)
    brand_fee_cents: Mapped[int] = mapped_column(Integer)
    tax_cents: Mapped[int] = mapped_column(Integer)
    creator_fee_cents: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[BonusStatus] = mapped_column(
        Enum(BonusStatus, native_enum=False, length=16), default=BonusStatus.PENDING)
    payment_intent_id: Mapped[str | None] = mapped_column(String(64))
    charge_id: Mapped[str | None] = mapped_column(String(64))
    transfer_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def creator_net_cents(self) -> int:
        return self.amount_cents - self.creator_fee_cents

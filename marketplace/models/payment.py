"""Money for deals, with separate charges and transfers: the brand's card is charged into the
platform's balance when a deal is funded; the creator's share is transferred to their Stripe
Express account when the work is approved. Every Stripe money movement is mirrored by one
LedgerEntry whose `stripe_object_id` is UNIQUE, so no movement can be recorded twice."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import UTCDateTime, utcnow
from marketplace.extensions import db


class PayoutAccount(db.Model):
    """A creator's Stripe Express account; `ready` once `account.updated` says transfers work."""

    __tablename__ = "payout_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    creator_id: Mapped[int] = mapped_column(
        ForeignKey("creator_profiles.id", ondelete="CASCADE"), unique=True)
    stripe_account_id: Mapped[str] = mapped_column(String(64), unique=True)
    ready: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class StripeCustomer(db.Model):
    """The Stripe Customer that holds a brand user's saved cards."""

    __tablename__ = "stripe_customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    stripe_customer_id: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PaymentStatus(enum.StrEnum):
    REQUIRES_PAYMENT = "requires_payment"  # no card yet, or the last one was declined
    REQUIRES_ACTION = "requires_action"  # 3-D Secure is waiting in the brand's browser
    HELD = "held"  # charged; the money waits in the platform balance
    RELEASING = "releasing"  # a transfer is being made (claimed by one worker)
    PAYOUT_PENDING = "payout_pending"  # approved, waiting for the creator's payout account
    PAID_OUT = "paid_out"  # transferred to the creator
    REFUNDING = "refunding"  # a refund is being made (claimed by one worker)
    REFUNDED = "refunded"  # everything went back to the brand
    SPLIT = "split"  # a dispute split: part refunded, part transferred


SETTLED = frozenset({PaymentStatus.PAID_OUT, PaymentStatus.REFUNDED, PaymentStatus.SPLIT})
FUNDED = frozenset({PaymentStatus.HELD, PaymentStatus.RELEASING, PaymentStatus.PAYOUT_PENDING,
                    PaymentStatus.REFUNDING, *SETTLED})


class Payment(db.Model):
    """The one PaymentIntent of a deal (amount = price + brand fee, fixed when created)."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="RESTRICT"), unique=True)
    payment_intent_id: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[PaymentStatus] = mapped_column(
        Enum(PaymentStatus, native_enum=False, length=24), default=PaymentStatus.REQUIRES_PAYMENT)
    amount_cents: Mapped[int] = mapped_column(Integer)
    price_cents: Mapped[int] = mapped_column(Integer)
    brand_fee_cents: Mapped[int] = mapped_column(Integer, default=0)
    # Tax on price + brand fee (TAX_RATE_BPS, zero unless configured); part of amount_cents.
    tax_cents: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    currency: Mapped[str] = mapped_column(String(3))
    charge_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # What the creator's side is worth (the price, or a dispute's creator share) and what
    # went back to the brand; `held` in ledger_balance_ok is payout_cents until settled.
    payout_cents: Mapped[int] = mapped_column(Integer)
    refunded_cents: Mapped[int] = mapped_column(Integer, default=0)
    card_label: Mapped[str] = mapped_column(String(64), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # When RELEASING / REFUNDING was claimed: a claim older than a few minutes is abandoned.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disputed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    deal = relationship("Deal")

    @property
    def funded(self) -> bool:
        return self.status in FUNDED


class Transfer(db.Model):
    """The creator's payout for a deal (at most one per deal; a reversal never re-sends)."""

    __tablename__ = "payment_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="RESTRICT"), unique=True)
    stripe_transfer_id: Mapped[str] = mapped_column(String(64), unique=True)
    destination: Mapped[str] = mapped_column(String(64))
    amount_cents: Mapped[int] = mapped_column(Integer)
    creator_fee_cents: Mapped[int] = mapped_column(Integer, default=0)
    reversed_cents: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When the money should reach the creator's bank (set once, by payouts.record_transfer).
    expected_arrival_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LedgerKind(enum.StrEnum):
    CHARGE = "charge"
    BRAND_FEE = "brand_fee"
    TRANSFER = "transfer"
    CREATOR_FEE = "creator_fee"
    REFUND = "refund"
    REVERSAL = "reversal"
    TAX = "tax"  # collected with the charge, given back with a full refund


class LedgerEntry(db.Model):
    """One money movement, signed from the platform balance's point of view (see
    services.payments.ledger_balance_ok for the equation these rows must keep)."""

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[LedgerKind] = mapped_column(Enum(LedgerKind, native_enum=False, length=16))
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    stripe_object_id: Mapped[str] = mapped_column(String(96), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StripeEvent(db.Model):
    """A processed webhook event, stored in the same transaction as its effect."""

    __tablename__ = "stripe_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    type: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


__all__ = ["LedgerEntry", "LedgerKind", "Payment", "PaymentStatus", "PayoutAccount",
           "StripeCustomer", "StripeEvent", "Transfer"]

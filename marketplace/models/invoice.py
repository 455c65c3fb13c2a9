"""Invoices: the brand's record of a paid deal, numbered without gaps per year
(DUET-2026-000123). An issued invoice is a snapshot (amounts, billing details, card): editing
the brand's billing details later changes the next invoice, never an issued one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import UTCDateTime, utcnow
from marketplace.extensions import db


class InvoiceCounter(db.Model):
    """The last number used in a year; locked (SELECT ... FOR UPDATE) while a number is taken,
    so concurrent payments get consecutive, distinct numbers."""

    __tablename__ = "invoice_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Invoice(db.Model):
    """One per funded deal, issued when the charge is recorded."""

    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="RESTRICT"), unique=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="RESTRICT"),
                                            unique=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand_profiles.id", ondelete="RESTRICT"),
                                          index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    currency: Mapped[str] = mapped_column(String(3))
    price_cents: Mapped[int] = mapped_column(Integer)
    brand_fee_cents: Mapped[int] = mapped_column(Integer, default=0)
    tax_rate_bps: Mapped[int] = mapped_column(Integer, default=0)
    tax_cents: Mapped[int] = mapped_column(Integer, default=0)
    total_cents: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(300), default="")
    billing_name: Mapped[str] = mapped_column(String(120), default="")
    billing_address: Mapped[str] = mapped_column(Text, default="")
    tax_id: Mapped[str] = mapped_column(String(40), default="")
    billing_email: Mapped[str] = mapped_column(String(254), default="")
    card_label: Mapped[str] = mapped_column(String(64), default="")

    deal = relationship("Deal")
    payment = relationship("Payment")


__all__ = ["Invoice", "InvoiceCounter"]

"""Invoices: one per funded deal, numbered DUET-<year>-<6 digits> without gaps or repeats.

The number is taken from `InvoiceCounter`'s row for the year, locked with SELECT ... FOR
UPDATE until the invoice commits (a rolled-back invoice gives its number back), and the
number column is UNIQUE as a last guard. An invoice is a snapshot of the amounts, the brand's
billing details and the card at the time of payment. The brand edits billing details here."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace import taxonomy
from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import BrandProfile, Deal
from marketplace.models.invoice import Invoice, InvoiceCounter
from marketplace.models.payment import FUNDED, Payment
from marketplace.services.errors import DomainError

BILLING_NAME_MAX = 120
BILLING_ADDRESS_MAX = 500
TAX_ID_MAX = 40
_TAX_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .\-/]*")


def invoice_number(year: int, sequence: int) -> str:
    prefix = current_app.config.get("INVOICE_PREFIX", "DUET")
    return f"{prefix}-{year}-{sequence:06d}"


def _counter(year: int) -> InvoiceCounter:
    """The year's counter row, locked for this transaction (created on first use; when two
    transactions create it at once, the loser re-reads the winner's row)."""
    query = (select(InvoiceCounter).where(InvoiceCounter.year == year).with_for_update()
             .execution_options(populate_existing=True))
    row = db.session.execute(query).scalar()
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(InvoiceCounter(year=year, last_number=0))
        except IntegrityError:
            pass
        row = db.session.execute(query).scalar_one()
    return row


def add_invoice(payment: Payment) -> Invoice:
    """Add the invoice for a just-recorded charge to the session (the caller commits it
    together with the charge). Takes the next number of the payment's year."""
    deal = db.session.get(Deal, payment.deal_id)
    brand = deal.brand
    issued_at = payment.paid_at or utcnow()
    counter = _counter(issued_at.year)
    counter.last_number += 1
    creator = deal.creator.display_name if deal.creator else ""
    campaign = deal.campaign.title if deal.campaign else ""
    invoice = Invoice(
        number=invoice_number(issued_at.year, counter.last_number), deal_id=deal.id,
        payment_id=payment.id, brand_id=brand.id, issued_at=issued_at,
        currency=payment.currency, price_cents=payment.price_cents,
        brand_fee_cents=payment.brand_fee_cents,
        tax_rate_bps=current_app.config.get("TAX_RATE_BPS", 0) if payment.tax_cents else 0,
        tax_cents=payment.tax_cents, total_cents=payment.amount_cents,
        description=f"Short-video content by {creator} for “{campaign}” (deal #{deal.id})"[:300],
        billing_name=brand.billing_name or brand.company_name,
        billing_address=brand.billing_address or taxonomy.COUNTRIES.get(brand.country or "", ""),
        tax_id=brand.tax_id, billing_email=brand.user.email, card_label=payment.card_label)
    db.session.add(invoice)
    return invoice


def issue(payment: Payment) -> Invoice:
    """Issue the invoice of a funded payment that has none (e.g. recorded before invoices
    existed); returns the deal's invoice either way."""
    existing = invoice_for(payment.deal_id)
    if existing is not None:
        return existing
    invoice = add_invoice(payment)
    try:
        db.session.commit()
    except IntegrityError:  # issued concurrently: the number went back with the rollback
        db.session.rollback()
        return invoice_for(payment.deal_id)
    return invoice


def invoice_for(deal_id: int) -> Invoice | None:
    return db.session.execute(select(Invoice).where(Invoice.deal_id == deal_id)).scalar()


def missing_invoices() -> list[Payment]:
    """Funded payments without an invoice (for `flask payments retry`)."""
    return list(db.session.execute(
        select(Payment).outerjoin(Invoice, Invoice.payment_id == Payment.id)
        .where(Invoice.id.is_(None), Payment.status.in_(FUNDED))
        .order_by(Payment.paid_at, Payment.id)).scalars())


# --- Billing details -------------------------------------------------------------------------

@dataclass(frozen=True)
class BillingDetails:
    name: str
    address: str
    tax_id: str


def save_billing_details(brand: BrandProfile, details: BillingDetails) -> None:
    """Check and store what the brand's next invoices print. DomainError names the field."""
    name = " ".join((details.name or "").split())
    address = "\n".join(line.strip() for line in (details.address or "").strip().splitlines()
                        if line.strip())
    tax_id = " ".join((details.tax_id or "").split())
    if len(name) > BILLING_NAME_MAX:
        raise DomainError(f"Keep the billing name under {BILLING_NAME_MAX} characters.",
                          field="billing_name")
    if len(address) > BILLING_ADDRESS_MAX or address.count("\n") > 7:
        raise DomainError(f"Keep the address to 8 lines and {BILLING_ADDRESS_MAX} characters.",
                          field="billing_address")
    if tax_id and (len(tax_id) > TAX_ID_MAX or not _TAX_ID.fullmatch(tax_id)):
        raise DomainError("A tax id has letters, digits, spaces, dots, dashes or slashes "
                          f"(at most {TAX_ID_MAX}).", field="tax_id")
    brand.billing_name = name
    brand.billing_address = address
    brand.tax_id = tax_id
    db.session.commit()

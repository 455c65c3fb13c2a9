"""Refunds: full refunds (reversing the creator's transfer first when it went out) and dispute
splits (refund the brand's part, pay the creator's)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from marketplace.models import Deal
from marketplace.models.payment import (
    LedgerKind,
    Payment,
    PaymentStatus,
    Transfer,
)
from marketplace.services.errors import DomainError
from marketplace.services.payments import stripe_gateway as gateway
from marketplace.services.payments.ledger import add_entry, claim, payment_for, unclaim
from marketplace.services.payments.payouts import release


def refund(deal: Deal, *, amount_cents: int | None = None, reason: str = "") -> str:
    """Give money back to the brand. Without `amount_cents` (or with the full price) it is a
    full refund of everything charged, brand fee included, reversing the creator's transfer
    first if it had gone out. A partial amount (a dispute split) refunds that part of the
    price and leaves the rest as the creator's payout. Returns "refunded", "split" or
    "skipped"."""
    payment = payment_for(deal.id)
    if payment is None or not payment.funded:
        return "skipped"
    full = amount_cents is None or amount_cents >= payment.price_cents
    if not full and amount_cents <= 0:
        raise DomainError("A refund must be more than zero.", field="amount")
    if not full and payment.status == PaymentStatus.PAID_OUT:
        raise DomainError("A partial refund is not possible once the creator was paid.")
    allowed = {PaymentStatus.HELD, PaymentStatus.PAYOUT_PENDING}
    if full:
        allowed.add(PaymentStatus.PAID_OUT)
    before = claim(deal.id, allowed, PaymentStatus.REFUNDING)
    if before is None:
        return "skipped"
    payment = payment_for(deal.id)
    try:
        if full and before == PaymentStatus.PAID_OUT:
            _reverse_transfer(deal, payment)
        amount = payment.amount_cents if full else amount_cents
        stripe_refund = gateway.refund(deal_id=deal.id, charge_id=payment.charge_id,
                                       amount=amount, step="refund" if full else "split-refund")
    except DomainError as exc:
        unclaim(deal.id, before, exc.message)
        raise
    add_entry(deal.id, LedgerKind.REFUND, -amount, payment.currency, stripe_refund.id)
    if full:
        add_entry(deal.id, LedgerKind.BRAND_FEE, -payment.brand_fee_cents, payment.currency,
                  f"{stripe_refund.id}:brand_fee")
        add_entry(deal.id, LedgerKind.TAX, -payment.tax_cents, payment.currency,
                  f"{stripe_refund.id}:tax")
    payment.refunded_cents += amount
    try:
        db.session.commit()
    except IntegrityError:  # the charge.refunded webhook recorded the movement first
        db.session.rollback()
        payment = payment_for(deal.id)
    payment.status = PaymentStatus.REFUNDED if full else before
    payment.payout_cents = 0 if full else payment.price_cents - amount
    payment.claimed_at = None
    payment.last_error = reason
    db.session.commit()
    return "refunded" if full else "split"


def _reverse_transfer(deal: Deal, payment: Payment) -> None:
    transfer = db.session.execute(select(Transfer).where(Transfer.deal_id == deal.id)).scalar()
    left = transfer.amount_cents - transfer.reversed_cents
    if left <= 0:
        return
    reversal = gateway.reverse_transfer(deal_id=deal.id, transfer_id=transfer.stripe_transfer_id,
                                        amount=left, step="reversal")
    transfer.reversed_cents += reversal.amount
    add_entry(deal.id, LedgerKind.REVERSAL, reversal.amount, payment.currency, reversal.id)
    add_entry(deal.id, LedgerKind.CREATOR_FEE, -transfer.creator_fee_cents, payment.currency,
              f"{reversal.id}:creator_fee")
    db.session.commit()  # the reversal is real now: keep it even if the refund fails


def settle_dispute(deal: Deal, *, creator_cents: int, brand_refund_cents: int) -> str:
    """Carry out an admin's dispute decision: refund the brand's part, pay the creator's."""
    payment = payment_for(deal.id)
    if payment is None or not payment.funded:
        return "skipped"
    if creator_cents < 0 or brand_refund_cents < 0 or (
            creator_cents + brand_refund_cents != payment.price_cents):
        raise DomainError("The creator's and the brand's shares must add up to the price.")
    if brand_refund_cents:
        outcome = refund(deal, amount_cents=brand_refund_cents, reason="Dispute resolved.")
        if outcome == "refunded":
            return outcome
    if creator_cents:
        return release(deal)
    return "skipped"

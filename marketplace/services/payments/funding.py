"""Funding: the brand pays `price + brand fee + tax` into the platform balance, with a saved
card or a card typed on the pay page (Stripe.js creates the PaymentMethod; the server puts it
on the deal's PaymentIntent and confirms it; 3-D Secure, when the bank asks, is one prompt in
the browser). A succeeded charge is recorded once, whether the answer or the webhook comes
first, and the invoice is issued with it.

One PaymentIntent per deal, reused across attempts: an abandoned 3-D Secure prompt leaves it
in `requires_action`; the next attempt with another card replaces the card and confirms again,
with the same card it simply asks again. Every attempt has its own idempotency keys (the
attempt counter is committed even when Stripe fails), so a failed call is never replayed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import Deal, DealState, User
from marketplace.models.payment import (
    LedgerKind,
    Payment,
    PaymentStatus,
    StripeCustomer,
)
from marketplace.services.errors import Conflict, DomainError, NotAllowed
from marketplace.services.payments import invoices
from marketplace.services.payments import stripe_gateway as gateway
from marketplace.services.payments.ledger import (
    add_entry,
    fee_breakdown,
    payment_for,
    perform_deal,
)
from marketplace.services.payments.refunds import refund

OPEN_INTENT = ("requires_payment_method", "requires_confirmation", "requires_action")


def customer_id_for(user: User, *, create: bool = True) -> str | None:
    row = db.session.execute(
        select(StripeCustomer).where(StripeCustomer.user_id == user.id)).scalar()
    if row is not None or not create:
        return row.stripe_customer_id if row else None
    customer = gateway.create_customer(user.id, user.email)
    db.session.add(StripeCustomer(user_id=user.id, stripe_customer_id=customer))
    try:
        db.session.commit()
    except IntegrityError:  # a concurrent request saved one first: use theirs
        db.session.rollback()
        return customer_id_for(user, create=False)
    return customer


def saved_cards(user: User) -> list[gateway.Card]:
    """The brand's saved cards, one per card number. Reads only (no customer is created for
    a brand who never paid), so the pay page's GET changes nothing."""
    customer = customer_id_for(user, create=False)
    return gateway.saved_cards(customer) if customer else []


@dataclass(frozen=True)
class FundResult:
    status: str  # "funded" | "requires_action" | "processing"
    client_secret: str | None = None


def _check_brand(deal: Deal, user: User) -> None:
    if deal.brand.user_id != user.id:
        raise NotAllowed("Only the deal's brand can pay for it.")


def _chosen_card(customer: str, payment_method: str) -> tuple[gateway.Card, bool]:
    """The card to charge and whether to save it: a saved card of this customer, or a card
    just typed (not attached to anyone), saved unless the same number is saved already."""
    chosen = gateway.card(payment_method)
    if chosen.customer not in (None, customer):
        raise DomainError(gateway.NO_SUCH_CARD, field="card")
    if chosen.customer == customer:
        return chosen, False
    known = {card.fingerprint for card in gateway.saved_cards(customer)}
    return chosen, chosen.fingerprint not in known


def fund(deal: Deal, user: User, payment_method: str) -> FundResult:
    """Charge the brand for `deal` with the card they chose (`payment_method`: a saved card or
    one just typed). The amount comes from the deal, never from the browser. Declined ->
    CardDeclined and the deal stays agreed."""
    _check_brand(deal, user)
    payment = payment_for(deal.id)
    if payment is not None and payment.funded:
        raise Conflict("This deal is already funded.")
    if deal.state != DealState.AGREED:
        raise DomainError("Only an agreed deal can be funded.")
    customer = customer_id_for(user)
    card, save_card = _chosen_card(customer, payment_method)
    if payment is None:
        payment = _open_payment(deal, customer)
    payment = payment_for(deal.id, lock=True)  # one confirmation at a time per deal
    if payment.funded:
        db.session.commit()
        return FundResult("funded")
    payment.attempts += 1
    attempt = payment.attempts
    try:
        intent = gateway.retrieve_payment_intent(payment.payment_intent_id)
        if intent.status == "requires_action" and intent.payment_method == card.id:
            # The same card's 3-D Secure prompt was left open: ask again, nothing else.
            payment.status = PaymentStatus.REQUIRES_ACTION
            db.session.commit()
            return FundResult("requires_action", intent.client_secret)
        if intent.status == "canceled":  # cancelled on Stripe's side: start a fresh one
            intent = gateway.create_payment_intent(
                deal_id=deal.id, amount=payment.amount_cents, currency=payment.currency,
                customer_id=customer, step=f"payment-intent-{attempt}")
            payment.payment_intent_id = intent.id
        if intent.status in OPEN_INTENT:
            gateway.set_payment_method(intent.id, deal_id=deal.id, attempt=attempt,
                                       payment_method=card.id, save_card=save_card)
            intent = gateway.confirm_payment_intent(intent.id, deal_id=deal.id,
                                                    attempt=attempt)
    except gateway.CardDeclined as exc:
        payment.status = PaymentStatus.REQUIRES_PAYMENT
        payment.last_error = exc.message
        db.session.commit()
        raise
    except gateway.PaymentFailed:
        db.session.commit()  # keep the attempt count: the next try uses fresh keys
        raise
    return _after_confirm(deal, payment, intent)


def _open_payment(deal: Deal, customer: str) -> Payment:
    breakdown = fee_breakdown(deal.price_cents, deal.currency)
    intent = gateway.create_payment_intent(
        deal_id=deal.id, amount=breakdown.brand_total, currency=deal.currency,
        customer_id=customer)
    payment = Payment(deal_id=deal.id, payment_intent_id=intent.id,
                      amount_cents=breakdown.brand_total, price_cents=deal.price_cents,
                      brand_fee_cents=breakdown.brand_fee, tax_cents=breakdown.tax,
                      payout_cents=deal.price_cents, currency=deal.currency)
    db.session.add(payment)
    try:
        db.session.commit()
    except IntegrityError:  # a concurrent click opened it first
        db.session.rollback()
        payment = payment_for(deal.id)
    return payment


def _after_confirm(deal: Deal, payment: Payment, intent) -> FundResult:
    if intent.status == "succeeded":
        record_charge(payment, intent)
        return FundResult("funded")
    if intent.status == "requires_action":
        payment.status = PaymentStatus.REQUIRES_ACTION
        db.session.commit()
        return FundResult("requires_action", intent.client_secret)
    if intent.status == "requires_payment_method":
        payment.status = PaymentStatus.REQUIRES_PAYMENT
        payment.last_error = gateway.decline_message(intent)
        db.session.commit()
        raise gateway.CardDeclined(payment.last_error, field="card")
    db.session.commit()
    return FundResult("processing")


def finish_authentication(deal: Deal, user: User) -> FundResult:
    """The browser finished 3-D Secure: re-read the intent from Stripe and record it."""
    _check_brand(deal, user)
    payment = payment_for(deal.id)
    if payment is None:
        raise DomainError("There is no payment to finish for this deal.")
    if payment.funded:
        return FundResult("funded")
    intent = gateway.retrieve_payment_intent(payment.payment_intent_id)
    return _after_confirm(deal, payment, intent)


def record_charge(payment: Payment, intent) -> bool:
    """Record a succeeded PaymentIntent once (sync answer or webhook, whichever is first),
    fund the deal and issue its invoice. Returns False when it had been recorded already."""
    label = gateway.intent_card_label(intent)  # before the lock: a Stripe call
    payment = payment_for(payment.deal_id, lock=True)
    if payment.funded:
        db.session.commit()
        return False
    charge_id = gateway.charge_id_of(intent)
    payment.status = PaymentStatus.HELD
    payment.charge_id = charge_id
    payment.paid_at = utcnow()
    payment.last_error = ""
    payment.card_label = label
    add_entry(payment.deal_id, LedgerKind.CHARGE, payment.amount_cents, payment.currency, charge_id)
    add_entry(payment.deal_id, LedgerKind.BRAND_FEE, payment.brand_fee_cents, payment.currency,
              f"{charge_id}:brand_fee")
    add_entry(payment.deal_id, LedgerKind.TAX, payment.tax_cents, payment.currency,
              f"{charge_id}:tax")
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return False
    # The invoice (its number taken under the counter's row lock) commits with the charge and
    # the deal's move, so the "deal funded" step always finds it.
    invoices.add_invoice(payment)
    deal = db.session.get(Deal, payment.deal_id)
    if deal.state == DealState.AGREED:
        perform_deal(deal, "fund", "Payment received.")
    else:
        db.session.commit()
        if deal.state in (DealState.CANCELLED, DealState.EXPIRED):
            refund(deal, reason="The deal ended before the payment arrived.")
    return True

"""Stripe webhooks: each verified event is applied once (a StripeEvent row committed with its
effect); objects are re-read from Stripe, so late or out-of-order events never move anything
backwards."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from marketplace.jobs.queue import enqueue
from marketplace.models import Deal
from marketplace.models.payment import (
    LedgerEntry,
    LedgerKind,
    Payment,
    PaymentStatus,
    StripeEvent,
    Transfer,
)
from marketplace.services.payments import stripe_gateway as gateway
from marketplace.services.payments.funding import record_charge
from marketplace.services.payments.ledger import add_entry
from marketplace.services.payments.payouts import (
    pending_payout_deal_ids,
    record_transfer,
    refresh_payout_account,
)


def _store_event(event_id: str, event_type: str) -> bool:
    db.session.add(StripeEvent(event_id=event_id, type=event_type))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def handle_event(event) -> str:
    """Apply one verified webhook event once. The StripeEvent row is committed together with
    the event's effect; a repeat is a no-op. Objects are re-read from Stripe, so events that
    arrive late or out of order cannot move anything backwards."""
    handler = _HANDLERS.get(event.type)
    obj = event.data.object
    if handler is not None:
        _check_object(event.type, obj)
    if not _store_event(event.id, event.type):
        return "duplicate"
    try:
        done = handler(obj) if handler else None
    except Exception:
        db.session.rollback()  # the event stays unrecorded, so Stripe's retry re-applies it
        raise
    # The effect may have committed already (with the event row) or been a no-op after a
    # rollback (someone else did it): make sure the event row is stored either way.
    if db.session.execute(select(StripeEvent.id).where(
            StripeEvent.event_id == event.id)).scalar() is None and not _store_event(
            event.id, event.type):
        return "duplicate"
    db.session.commit()
    return "ignored" if handler is None else (done or "ok")


def _check_object(event_type: str, obj) -> None:
    """The fields a handler reads must be plain ids (InvalidWebhook otherwise, before anything
    is stored)."""
    fields = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
    for name in _OBJECT_FIELDS.get(event_type, ("id",)):
        value = fields.get(name)
        if not isinstance(value, str) or not value or len(value) > gateway.MAX_ID_LENGTH:
            raise gateway.InvalidWebhook(f"the {event_type} event's object has no valid {name!r}")


def _payment_by_intent(intent_id: str) -> Payment | None:
    return db.session.execute(
        select(Payment).where(Payment.payment_intent_id == intent_id)).scalar()


def _on_intent(obj) -> str | None:
    payment = _payment_by_intent(obj["id"])
    if payment is None:
        return "unknown"
    intent = gateway.retrieve_payment_intent(obj["id"])
    if intent.status == "succeeded":
        record_charge(payment, intent)
    elif intent.status == "requires_payment_method" and not payment.funded:
        payment.status = PaymentStatus.REQUIRES_PAYMENT
        payment.last_error = gateway.decline_message(intent)
    return None


def _on_account(obj) -> str | None:
    account = refresh_payout_account(obj["id"])
    if account is not None and account.ready:  # the payouts go once this event is recorded
        for deal_id in pending_payout_deal_ids(account.creator_id):
            enqueue("duet.release_payout", deal_id)
    return None


def _on_charge_refunded(obj) -> str | None:
    payment = db.session.execute(
        select(Payment).where(Payment.charge_id == obj["id"])).scalar()
    if payment is None:
        return "unknown"
    charge = gateway.retrieve_charge(obj["id"])
    known = set(db.session.execute(select(LedgerEntry.stripe_object_id).where(
        LedgerEntry.deal_id == payment.deal_id)).scalars())
    for item in charge.refunds.data:
        if item.id not in known:  # our refund call succeeded but its commit did not
            add_entry(payment.deal_id, LedgerKind.REFUND, -item.amount, payment.currency, item.id)
            payment.refunded_cents += item.amount
    if charge.amount_refunded >= payment.amount_cents and payment.status != (
            PaymentStatus.REFUNDED):
        last = charge.refunds.data[0].id if charge.refunds.data else obj["id"]
        if f"{last}:brand_fee" not in known:
            add_entry(payment.deal_id, LedgerKind.BRAND_FEE, -payment.brand_fee_cents,
                      payment.currency, f"{last}:brand_fee")
        if f"{last}:tax" not in known:
            add_entry(payment.deal_id, LedgerKind.TAX, -payment.tax_cents, payment.currency,
                      f"{last}:tax")
        payment.status = PaymentStatus.REFUNDED
        payment.payout_cents = 0
    return None


def _on_dispute(obj) -> str | None:
    payment = db.session.execute(
        select(Payment).where(Payment.charge_id == obj["charge"])).scalar()
    if payment is None:
        return "unknown"
    payment.disputed = True
    payment.last_error = "The brand's bank opened a chargeback: an admin must review this deal."
    current_app.logger.warning("Chargeback opened on deal %s", payment.deal_id)
    return None


def _on_transfer(obj) -> str | None:
    transfer = gateway.retrieve_transfer(obj["id"])
    metadata = transfer.metadata.to_dict() if transfer.metadata else {}
    deal_id = int(metadata.get("deal_id") or 0)
    deal = db.session.get(Deal, deal_id) if deal_id else None
    if deal is None:
        return "unknown"
    row = db.session.execute(select(Transfer).where(
        Transfer.stripe_transfer_id == transfer.id)).scalar()
    if row is None:
        record_transfer(deal, transfer)
        return None
    if transfer.amount_reversed > row.reversed_cents:
        known = set(db.session.execute(select(LedgerEntry.stripe_object_id).where(
            LedgerEntry.deal_id == deal_id)).scalars())
        for item in transfer.reversals.data:
            if item.id not in known:
                add_entry(deal_id, LedgerKind.REVERSAL, item.amount, row.currency, item.id)
                add_entry(deal_id, LedgerKind.CREATOR_FEE, -row.creator_fee_cents, row.currency,
                          f"{item.id}:creator_fee")
        row.reversed_cents = transfer.amount_reversed
    return None


_HANDLERS = {
    "payment_intent.succeeded": _on_intent,
    "payment_intent.payment_failed": _on_intent,
    "payment_intent.processing": _on_intent,
    "account.updated": _on_account,
    "charge.refunded": _on_charge_refunded,
    "charge.dispute.created": _on_dispute,
    "transfer.created": _on_transfer,
    "transfer.updated": _on_transfer,
    "transfer.reversed": _on_transfer,
}

_OBJECT_FIELDS = {"charge.dispute.created": ("id", "charge")}  # others need only "id"

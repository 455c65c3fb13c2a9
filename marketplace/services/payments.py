"""Payments for deals: separate charges and transfers through Stripe (services.stripe_gateway).

Funding charges the brand `price + brand fee` into the platform balance; approval transfers
`payout - creator fee` to the creator's Express account; cancellations and disputes refund
(reversing a transfer first when the money had already gone out). Each step is guarded twice:
an atomic status claim on the Payment row (only one worker moves money) and a UNIQUE
`stripe_object_id` on every LedgerEntry (no Stripe object is ever recorded twice).
Deal states move only through `services.deals.perform`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import CreatorProfile, Deal, DealState, User
from marketplace.models.payment import (
    SETTLED,
    LedgerEntry,
    LedgerKind,
    Payment,
    PaymentStatus,
    PayoutAccount,
    StripeCustomer,
    StripeEvent,
    Transfer,
)
from marketplace.services import stripe_gateway as gateway
from marketplace.services.errors import Conflict, DomainError, NotAllowed

CLAIM_TIMEOUT = timedelta(minutes=5)
HOLDING = frozenset({PaymentStatus.HELD, PaymentStatus.PAYOUT_PENDING, PaymentStatus.RELEASING,
                     PaymentStatus.REFUNDING})


# --- Fees ----------------------------------------------------------------------------------

class FeeBreakdown(NamedTuple):
    brand_total: int
    brand_fee: int
    creator_fee: int
    creator_net: int


def _bps(amount: int, bps: int) -> int:
    return (amount * bps + 5000) // 10000  # half up, in cents


def fee_breakdown(price_cents: int, currency: str = "USD") -> FeeBreakdown:
    """What the brand pays and what the creator receives for a price (fees from config)."""
    brand_fee = _bps(price_cents, current_app.config.get("BRAND_FEE_BPS", 0))
    creator_fee = _bps(price_cents, current_app.config.get("CREATOR_FEE_BPS", 1000))
    return FeeBreakdown(price_cents + brand_fee, brand_fee, creator_fee,
                        price_cents - creator_fee)


# --- Ledger --------------------------------------------------------------------------------

def ledger_totals(deal_id: int) -> dict[LedgerKind, int]:
    rows = db.session.execute(
        select(LedgerEntry.kind, func.sum(LedgerEntry.amount_cents))
        .where(LedgerEntry.deal_id == deal_id).group_by(LedgerEntry.kind)).all()
    totals = {kind: 0 for kind in LedgerKind}
    totals.update({LedgerKind(kind): int(total or 0) for kind, total in rows})
    return totals


def held_cents(payment: Payment | None) -> int:
    """What the platform still holds for the creator's side of a funded, unsettled deal."""
    if payment is None or payment.status not in HOLDING:
        return 0
    return payment.payout_cents


def ledger_balance_ok(deal_id: int) -> bool:
    """The money equation of one deal. Ledger rows are signed from the platform balance's
    point of view: charge +, refund -, transfer -, reversal +, and fee rows + when a fee is
    kept, - when it is given back. With the absolute totals

        charged - refunded == (transferred - reversed) + fees_kept + held

    where held = the creator's share still in escrow (Payment.payout_cents while the deal is
    funded and unsettled, 0 otherwise). Every part must also be non-negative, and no more can
    be reversed than was transferred nor refunded than was charged."""
    totals = ledger_totals(deal_id)
    payment = payment_for(deal_id)
    charged, refunded = totals[LedgerKind.CHARGE], -totals[LedgerKind.REFUND]
    transferred, reversed_ = -totals[LedgerKind.TRANSFER], totals[LedgerKind.REVERSAL]
    fees_kept = totals[LedgerKind.BRAND_FEE] + totals[LedgerKind.CREATOR_FEE]
    parts_ok = (min(charged, refunded, transferred, reversed_, fees_kept) >= 0
                and refunded <= charged and reversed_ <= transferred)
    return parts_ok and charged - refunded == (transferred - reversed_) + fees_kept + held_cents(
        payment)


def _ledger(deal_id: int, kind: LedgerKind, amount: int, currency: str, object_id: str) -> None:
    if amount:
        db.session.add(LedgerEntry(deal_id=deal_id, kind=kind, amount_cents=amount,
                                   currency=currency, stripe_object_id=object_id))


# --- Deal state (through the deals service only) -------------------------------------------

def _perform(deal: Deal, action: str, note: str = "") -> None:
    from marketplace.services import deals

    deals.perform(deal, action, None, note=note)


def _advance_after_payout(deal: Deal) -> None:
    if deal.state == DealState.APPROVED:
        _perform(deal, "release", "Payout sent to the creator's Stripe account.")
    if deal.state == DealState.PAID_OUT:
        _perform(deal, "complete")


# --- Cards and customers --------------------------------------------------------------------

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


@dataclass(frozen=True)
class CardSetup:
    client_secret: str
    cards: list[gateway.Card]


def card_setup(user: User) -> CardSetup:
    """A SetupIntent for a new card plus the cards already saved (one-click next time)."""
    customer = customer_id_for(user)
    _, secret = gateway.create_setup_intent(customer)
    return CardSetup(secret, gateway.saved_cards(customer))


# --- Funding --------------------------------------------------------------------------------

@dataclass(frozen=True)
class FundResult:
    status: str  # "funded" | "requires_action" | "processing"
    client_secret: str | None = None


def payment_for(deal_id: int, *, lock: bool = False) -> Payment | None:
    """Always re-read from the database (pending changes are flushed first): a concurrent
    request or webhook may have moved it since this session last looked."""
    query = select(Payment).where(Payment.deal_id == deal_id).execution_options(
        populate_existing=True)
    if lock:
        query = query.with_for_update()
    return db.session.execute(query).scalar()


def _check_brand(deal: Deal, user: User) -> None:
    if deal.brand.user_id != user.id:
        raise NotAllowed("Only the deal's brand can pay for it.")


def fund(deal: Deal, user: User, payment_method: str) -> FundResult:
    """Charge the brand for `deal` with one of their saved cards. The amount comes from the
    deal, never from the browser. Declined -> CardDeclined and the deal stays agreed."""
    _check_brand(deal, user)
    payment = payment_for(deal.id)
    if payment is not None and payment.funded:
        raise Conflict("This deal is already funded.")
    if deal.state != DealState.AGREED:
        raise DomainError("Only an agreed deal can be funded.")
    customer = customer_id_for(user)
    cards = {card.id for card in gateway.saved_cards(customer)}
    if payment_method not in cards:
        raise DomainError("Choose one of your saved cards or add a new one.", field="card")
    if payment is None:
        payment = _open_payment(deal, customer, payment_method)
    payment = payment_for(deal.id, lock=True)  # one confirmation at a time per deal
    if payment.funded:
        db.session.commit()
        return FundResult("funded")
    payment.attempts += 1
    attempt = payment.attempts
    try:
        intent = gateway.retrieve_payment_intent(payment.payment_intent_id)
        if intent.status in ("requires_payment_method", "requires_confirmation",
                             "requires_action"):
            if intent.payment_method != payment_method or intent.status == "requires_action":
                gateway.set_payment_method(payment.payment_intent_id, deal_id=deal.id,
                                           attempt=attempt, payment_method=payment_method)
            intent = gateway.confirm_payment_intent(payment.payment_intent_id,
                                                    deal_id=deal.id, attempt=attempt)
    except gateway.CardDeclined as exc:
        payment.status = PaymentStatus.REQUIRES_PAYMENT
        payment.last_error = exc.message
        db.session.commit()
        raise
    except gateway.PaymentFailed:
        db.session.rollback()
        raise
    return _after_confirm(deal, payment, intent)


def _open_payment(deal: Deal, customer: str, payment_method: str) -> Payment:
    breakdown = fee_breakdown(deal.price_cents, deal.currency)
    intent = gateway.create_payment_intent(
        deal_id=deal.id, amount=breakdown.brand_total, currency=deal.currency,
        customer_id=customer, payment_method=payment_method)
    payment = Payment(deal_id=deal.id, payment_intent_id=intent.id,
                      amount_cents=breakdown.brand_total, price_cents=deal.price_cents,
                      brand_fee_cents=breakdown.brand_fee, payout_cents=deal.price_cents,
                      currency=deal.currency)
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
    """Record a succeeded PaymentIntent once (sync answer or webhook, whichever is first)
    and fund the deal. Returns False when it had been recorded already."""
    payment = payment_for(payment.deal_id, lock=True)
    if payment.funded:
        db.session.commit()
        return False
    charge_id = gateway.charge_id_of(intent)
    payment.status = PaymentStatus.HELD
    payment.charge_id = charge_id
    payment.paid_at = utcnow()
    payment.last_error = ""
    _ledger(payment.deal_id, LedgerKind.CHARGE, payment.amount_cents, payment.currency, charge_id)
    _ledger(payment.deal_id, LedgerKind.BRAND_FEE, payment.brand_fee_cents, payment.currency,
            f"{charge_id}:brand_fee")
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return False
    deal = db.session.get(Deal, payment.deal_id)
    if deal.state == DealState.AGREED:
        _perform(deal, "fund", "Payment received.")
    else:
        db.session.commit()
        if deal.state in (DealState.CANCELLED, DealState.EXPIRED):
            refund(deal, reason="The deal ended before the payment arrived.")
    return True


# --- Payouts --------------------------------------------------------------------------------

def payout_account(creator: CreatorProfile) -> PayoutAccount | None:
    return db.session.execute(
        select(PayoutAccount).where(PayoutAccount.creator_id == creator.id)).scalar()


def onboarding_url(creator: CreatorProfile, *, return_url: str, refresh_url: str) -> str:
    """Create the creator's Express account (once) and an Account Link to finish it."""
    account = payout_account(creator)
    if account is None:
        account_id = gateway.create_express_account(creator.id, creator.user.email)
        account = PayoutAccount(creator_id=creator.id, stripe_account_id=account_id)
        db.session.add(account)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            account = payout_account(creator)
    return gateway.account_link(account.stripe_account_id, return_url=return_url,
                                refresh_url=refresh_url)


def refresh_payout_account(stripe_account_id: str, *, commit: bool = True) -> PayoutAccount | None:
    """Re-read the account from Stripe (never trust an event's copy: it may be stale)."""
    account = db.session.execute(select(PayoutAccount).where(
        PayoutAccount.stripe_account_id == stripe_account_id)).scalar()
    if account is None:
        return None
    account.ready = gateway.account_ready(gateway.retrieve_account(stripe_account_id))
    account.updated_at = utcnow()
    if commit:
        db.session.commit()
    return account


def send_pending_payouts(creator_id: int) -> int:
    """Release every payout that waited for this creator's account; returns how many went."""
    deal_ids = db.session.execute(
        select(Payment.deal_id).join(Deal, Deal.id == Payment.deal_id)
        .where(Deal.creator_id == creator_id,
               Payment.status == PaymentStatus.PAYOUT_PENDING)).scalars().all()
    sent = 0
    for deal_id in deal_ids:
        try:
            sent += release(db.session.get(Deal, deal_id)) == "paid_out"
        except DomainError as exc:
            current_app.logger.warning("Payout for deal %s failed: %s", deal_id, exc.message)
    return sent


def _claim(deal_id: int, allowed: set[PaymentStatus], to: PaymentStatus) -> PaymentStatus | None:
    """Atomically move the payment from one of `allowed` to `to`; the previous status, or None
    when another worker holds it (or it is already past that step)."""
    payment = payment_for(deal_id)
    if payment is None:
        return None
    before = payment.status
    stale = utcnow() - CLAIM_TIMEOUT
    result = db.session.execute(
        update(Payment)
        .where(Payment.id == payment.id, Payment.status == before,
               or_(Payment.status.in_(allowed),
                   (Payment.status == to) & (Payment.claimed_at < stale)))
        .values(status=to, claimed_at=utcnow()))
    db.session.commit()
    if result.rowcount != 1:
        return None
    db.session.refresh(payment)
    return PaymentStatus.HELD if before == to else before


def _unclaim(deal_id: int, status: PaymentStatus, error: str = "") -> None:
    db.session.rollback()
    db.session.execute(update(Payment).where(Payment.deal_id == deal_id)
                       .values(status=status, claimed_at=None, last_error=error))
    db.session.commit()


def release(deal: Deal) -> str:
    """Transfer the creator's share (payout - creator fee) for an approved deal, exactly once.
    Returns "paid_out", "pending" (no ready payout account yet) or "skipped"."""
    before = _claim(deal.id, {PaymentStatus.HELD, PaymentStatus.PAYOUT_PENDING},
                    PaymentStatus.RELEASING)
    if before is None:
        return "skipped"
    payment = payment_for(deal.id)
    account = db.session.execute(
        select(PayoutAccount).where(PayoutAccount.creator_id == deal.creator_id)).scalar()
    if account is None or not account.ready:
        _unclaim(deal.id, PaymentStatus.PAYOUT_PENDING,
                 "Payout pending: the creator has not finished setting up payouts.")
        return "pending"
    fee = _bps(payment.payout_cents, current_app.config.get("CREATOR_FEE_BPS", 1000))
    try:
        transfer = gateway.create_transfer(
            deal_id=deal.id, amount=payment.payout_cents - fee, currency=payment.currency,
            destination=account.stripe_account_id, charge_id=payment.charge_id)
    except DomainError as exc:
        _unclaim(deal.id, before, exc.message)
        raise
    record_transfer(deal, transfer, fee)
    return "paid_out"


def record_transfer(deal: Deal, transfer, creator_fee: int | None = None) -> bool:
    """Store a transfer (from our own call or from a `transfer.created` event) once."""
    payment = payment_for(deal.id)
    if creator_fee is None:
        creator_fee = payment.payout_cents - transfer.amount
    db.session.add(Transfer(deal_id=deal.id, stripe_transfer_id=transfer.id,
                            destination=transfer.destination, amount_cents=transfer.amount,
                            creator_fee_cents=creator_fee, currency=payment.currency))
    _ledger(deal.id, LedgerKind.TRANSFER, -transfer.amount, payment.currency, transfer.id)
    _ledger(deal.id, LedgerKind.CREATOR_FEE, creator_fee, payment.currency,
            f"{transfer.id}:creator_fee")
    payment.status = (PaymentStatus.SPLIT if payment.refunded_cents else PaymentStatus.PAID_OUT)
    payment.claimed_at = None
    payment.last_error = ""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    _advance_after_payout(deal)
    return True


# --- Refunds ---------------------------------------------------------------------------------

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
    before = _claim(deal.id, allowed, PaymentStatus.REFUNDING)
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
        _unclaim(deal.id, before, exc.message)
        raise
    _ledger(deal.id, LedgerKind.REFUND, -amount, payment.currency, stripe_refund.id)
    if full:
        _ledger(deal.id, LedgerKind.BRAND_FEE, -payment.brand_fee_cents, payment.currency,
                f"{stripe_refund.id}:brand_fee")
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
    _ledger(deal.id, LedgerKind.REVERSAL, reversal.amount, payment.currency, reversal.id)
    _ledger(deal.id, LedgerKind.CREATOR_FEE, -transfer.creator_fee_cents, payment.currency,
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


# --- Webhooks --------------------------------------------------------------------------------

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
    if not _store_event(event.id, event.type):
        return "duplicate"
    obj = event.data.object
    handler = _HANDLERS.get(event.type)
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
    if account is not None and account.ready:
        send_pending_payouts(account.creator_id)
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
            _ledger(payment.deal_id, LedgerKind.REFUND, -item.amount, payment.currency, item.id)
            payment.refunded_cents += item.amount
    if charge.amount_refunded >= payment.amount_cents and payment.status != (
            PaymentStatus.REFUNDED):
        last = charge.refunds.data[0].id if charge.refunds.data else obj["id"]
        if f"{last}:brand_fee" not in known:
            _ledger(payment.deal_id, LedgerKind.BRAND_FEE, -payment.brand_fee_cents,
                    payment.currency, f"{last}:brand_fee")
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
                _ledger(deal_id, LedgerKind.REVERSAL, item.amount, row.currency, item.id)
                _ledger(deal_id, LedgerKind.CREATOR_FEE, -row.creator_fee_cents, row.currency,
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


# --- Reconciliation --------------------------------------------------------------------------

def reconcile() -> list[str]:
    """Compare every payment's ledger with the objects on Stripe; one line per mismatch."""
    problems: list[str] = []
    for payment in db.session.execute(select(Payment).order_by(Payment.deal_id)).scalars():
        deal_id = payment.deal_id
        totals = ledger_totals(deal_id)
        if not ledger_balance_ok(deal_id):
            problems.append(f"deal {deal_id}: ledger does not balance {dict(totals)}")
        try:
            intent = gateway.retrieve_payment_intent(payment.payment_intent_id)
            if (intent.status == "succeeded") != payment.funded:
                problems.append(f"deal {deal_id}: intent {intent.id} is {intent.status} but "
                                f"payment is {payment.status}")
            if payment.charge_id:
                charge = gateway.retrieve_charge(payment.charge_id)
                if charge.amount != totals[LedgerKind.CHARGE]:
                    problems.append(f"deal {deal_id}: charged {charge.amount} on Stripe, "
                                    f"{totals[LedgerKind.CHARGE]} in ledger")
                if charge.amount_refunded != -totals[LedgerKind.REFUND]:
                    problems.append(f"deal {deal_id}: refunded {charge.amount_refunded} on "
                                    f"Stripe, {-totals[LedgerKind.REFUND]} in ledger")
            remote = gateway.transfers_for(deal_id)
            sent = sum(t.amount for t in remote)
            back = sum(t.amount_reversed for t in remote)
            if sent != -totals[LedgerKind.TRANSFER] or back != totals[LedgerKind.REVERSAL]:
                problems.append(f"deal {deal_id}: transfers {sent}-{back} on Stripe, "
                                f"{-totals[LedgerKind.TRANSFER]}-{totals[LedgerKind.REVERSAL]} "
                                "in ledger")
        except gateway.PaymentFailed as exc:
            problems.append(f"deal {deal_id}: could not reach Stripe ({exc.message})")
        if payment.disputed:
            problems.append(f"deal {deal_id}: chargeback opened, needs an admin")
        if payment.status in (PaymentStatus.RELEASING, PaymentStatus.REFUNDING):
            problems.append(f"deal {deal_id}: stuck in {payment.status} since "
                            f"{payment.claimed_at}")
    return problems


__all__ = ["FeeBreakdown", "FundResult", "SETTLED", "card_setup", "fee_breakdown", "fund",
           "finish_authentication", "handle_event", "ledger_balance_ok", "onboarding_url",
           "reconcile", "record_charge", "refund", "release", "settle_dispute"]

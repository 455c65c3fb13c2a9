"""Payouts: the creator's Express account (onboarding) and the transfer of `payout - creator
fee` after approval, exactly once (atomic claim + unique ledger rows). A payout waits as
"pending" until the creator's account is ready, then goes out on `account.updated`."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import CreatorProfile, Deal
from marketplace.models.payment import (
    LedgerKind,
    Payment,
    PaymentStatus,
    PayoutAccount,
    Transfer,
)
from marketplace.services.deals import posts, schedule
from marketplace.services.errors import DomainError
from marketplace.services.payments import stripe_gateway as gateway
from marketplace.services.payments.ledger import (
    add_entry,
    advance_after_payout,
    claim,
    creator_fee,
    payment_for,
    unclaim,
)


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
    from marketplace.services.payments import bonuses  # cycle: bonuses uses funding and ledger
    return sent + bonuses.send_held(creator_id)


def expected_arrival(sent_at: datetime) -> datetime:
    """When a transfer sent at `sent_at` should reach the creator's bank: Stripe pays connected
    accounts out on a schedule, see `schedule.arrival_after`). Stored on the Transfer once;
    pages read the column, never recompute it."""
    return schedule.arrival_after(sent_at)


def release(deal: Deal) -> str:
    """Transfer the creator's share (payout - creator fee) for an approved deal, exactly once.
    Returns "paid_out", "pending" (no ready payout account yet) or "skipped" (nothing to pay,
    or the posts are not confirmed live yet)."""
    if not posts.ready_for_payout(deal):
        return "skipped"
    before = claim(deal.id, {PaymentStatus.HELD, PaymentStatus.PAYOUT_PENDING},
                   PaymentStatus.RELEASING)
    if before is None:
        return "skipped"
    payment = payment_for(deal.id)
    account = db.session.execute(
        select(PayoutAccount).where(PayoutAccount.creator_id == deal.creator_id)).scalar()
    if account is None or not account.ready:
        unclaim(deal.id, PaymentStatus.PAYOUT_PENDING,
                "Payout pending: the creator has not finished setting up payouts.")
        return "pending"
    fee = creator_fee(payment.payout_cents)
    try:
        transfer = gateway.create_transfer(
            deal_id=deal.id, amount=payment.payout_cents - fee, currency=payment.currency,
            destination=account.stripe_account_id, charge_id=payment.charge_id)
    except DomainError as exc:
        unclaim(deal.id, before, exc.message)
        raise
    record_transfer(deal, transfer, fee)
    return "paid_out"


def record_transfer(deal: Deal, transfer, creator_fee: int | None = None) -> bool:
    """Store a transfer (from our own call or from a `transfer.created` event) once."""
    payment = payment_for(deal.id)
    if creator_fee is None:
        creator_fee = payment.payout_cents - transfer.amount
    sent_at = utcnow()
    db.session.add(Transfer(deal_id=deal.id, stripe_transfer_id=transfer.id,
                            destination=transfer.destination, amount_cents=transfer.amount,
                            creator_fee_cents=creator_fee, currency=payment.currency,
                            created_at=sent_at, expected_arrival_at=expected_arrival(sent_at)))
    add_entry(deal.id, LedgerKind.TRANSFER, -transfer.amount, payment.currency, transfer.id)
    add_entry(deal.id, LedgerKind.CREATOR_FEE, creator_fee, payment.currency,
              f"{transfer.id}:creator_fee")
    payment.status = (PaymentStatus.SPLIT if payment.refunded_cents else PaymentStatus.PAID_OUT)
    payment.claimed_at = None
    payment.last_error = ""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    advance_after_payout(deal)
    return True

"""The ledger: fees, one signed row per money movement (tied to its Stripe object), the
money equation per deal, the atomic claim that lets only one worker move a payment, and
reconciliation against Stripe. Deal states move only through the deal state machine."""

from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import func, or_, select, update

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import Deal, DealState
from marketplace.models.payment import (
    LedgerEntry,
    LedgerKind,
    Payment,
    PaymentStatus,
)
from marketplace.services.deals import state_machine as deals
from marketplace.services.payments import stripe_gateway as gateway

CLAIM_TIMEOUT = timedelta(minutes=5)


HOLDING = frozenset({PaymentStatus.HELD, PaymentStatus.PAYOUT_PENDING, PaymentStatus.RELEASING,
                     PaymentStatus.REFUNDING})


class FeeBreakdown(NamedTuple):
    brand_total: int  # price + brand fee + tax: what the card is charged
    brand_fee: int
    creator_fee: int
    creator_net: int  # price - creator fee: what the creator's bank receives
    tax: int = 0  # on price + brand fee (TAX_RATE_BPS); zero unless configured

    @property
    def price(self) -> int:
        return self.brand_total - self.brand_fee - self.tax


def bps(amount: int, bps: int) -> int:
    return (amount * bps + 5000) // 10000  # half up, in cents


def creator_fee(amount_cents: int) -> int:
    """The platform's fee on the creator's side of `amount_cents` (CREATOR_FEE_BPS)."""
    return bps(amount_cents, current_app.config.get("CREATOR_FEE_BPS", 1000))


def fee_breakdown(price_cents: int, currency: str = "USD") -> FeeBreakdown:
    """What the brand pays and what the creator receives for a price (fees from config)."""
    brand_fee = bps(price_cents, current_app.config.get("BRAND_FEE_BPS", 0))
    tax = bps(price_cents + brand_fee, current_app.config.get("TAX_RATE_BPS", 0))
    fee = creator_fee(price_cents)
    return FeeBreakdown(price_cents + brand_fee + tax, brand_fee, fee, price_cents - fee, tax)


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
    point of view: charge +, refund -, transfer -, reversal +, and fee and tax rows + when
    kept, - when given back. With the absolute totals

        charged - refunded == (transferred - reversed) + fees_kept + held

    where held = the creator's share still in escrow (Payment.payout_cents while the deal is
    funded and unsettled, 0 otherwise). Every part must also be non-negative, and no more can
    be reversed than was transferred nor refunded than was charged."""
    totals = ledger_totals(deal_id)
    payment = payment_for(deal_id)
    charged, refunded = totals[LedgerKind.CHARGE], -totals[LedgerKind.REFUND]
    transferred, reversed_ = -totals[LedgerKind.TRANSFER], totals[LedgerKind.REVERSAL]
    fees_kept = (totals[LedgerKind.BRAND_FEE] + totals[LedgerKind.CREATOR_FEE]
                 + totals[LedgerKind.TAX])
    parts_ok = (min(charged, refunded, transferred, reversed_, fees_kept) >= 0
                and refunded <= charged and reversed_ <= transferred)
    from marketplace.services.payments import bonuses  # cycle: bonuses uses the ledger's rows
    held = held_cents(payment) + bonuses.held_cents(deal_id)
    return parts_ok and charged - refunded == (transferred - reversed_) + fees_kept + held


def add_entry(deal_id: int, kind: LedgerKind, amount: int, currency: str, object_id: str) -> None:
    if amount:
        db.session.add(LedgerEntry(deal_id=deal_id, kind=kind, amount_cents=amount,
                                   currency=currency, stripe_object_id=object_id))


def payment_for(deal_id: int, *, lock: bool = False) -> Payment | None:
    """Always re-read from the database (pending changes are flushed first): a concurrent
    request or webhook may have moved it since this session last looked."""
    query = select(Payment).where(Payment.deal_id == deal_id).execution_options(
        populate_existing=True)
    if lock:
        query = query.with_for_update()
    return db.session.execute(query).scalar()


def claim(deal_id: int, allowed: set[PaymentStatus], to: PaymentStatus) -> PaymentStatus | None:
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


def unclaim(deal_id: int, status: PaymentStatus, error: str = "") -> None:
    db.session.rollback()
    db.session.execute(update(Payment).where(Payment.deal_id == deal_id)
                       .values(status=status, claimed_at=None, last_error=error))
    db.session.commit()


def perform_deal(deal: Deal, action: str, note: str = "") -> None:
    deals.perform(deal, action, None, note=note)


def advance_after_payout(deal: Deal) -> None:
    if deal.state in (DealState.APPROVED, DealState.POSTED):
        perform_deal(deal, "release", "Payout sent to the creator's Stripe account.")
    if deal.state == DealState.PAID_OUT:
        perform_deal(deal, "complete")


def reconcile() -> list[str]:
    """Compare every payment's ledger with the objects on Stripe; one line per mismatch."""
    from marketplace.services.payments import bonuses  # cycle: bonuses uses the ledger's rows
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
                bonus_charges = [gateway.retrieve_charge(c) for c in bonuses.charge_ids(deal_id)]
                amount = charge.amount + sum(c.amount for c in bonus_charges)
                if amount != totals[LedgerKind.CHARGE]:
                    problems.append(f"deal {deal_id}: charged {amount} on Stripe, "
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

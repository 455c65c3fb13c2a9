"""Thank-you bonuses: after the creator is paid, the brand can send more. Each bonus is its
own charge on one of the brand's saved cards (bonus + brand fee + tax) and its own transfer to
the creator (bonus - creator fee), on the deal's ledger, under the same rules as the deal's
money: one idempotency key per Stripe call and bonus, a ledger row per movement tied to its
Stripe object, the money equation kept (a charged bonus waiting for the creator's payout
account counts as held), and one row per form shown (`request_token`), so a double click or
a replayed POST never charges twice."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import Deal, DealState, User
from marketplace.models.bonus import Bonus, BonusStatus
from marketplace.models.payment import LedgerKind, PayoutAccount
from marketplace.money import format_money
from marketplace.services.deals import state_machine as deals
from marketplace.services.errors import DomainError, NotAllowed
from marketplace.services.payments import stripe_gateway as gateway
from marketplace.services.payments.funding import customer_id_for
from marketplace.services.payments.ledger import add_entry, fee_breakdown

BONUS_STATES = frozenset({DealState.PAID_OUT, DealState.COMPLETED})
MIN_CENTS = 100
MAX_PRICE_MULTIPLE = 5  # a bonus above 5x the deal's price is almost surely a typo
NOTE_MAX = 500
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def new_token() -> str:
    """A token for one bonus form (the form carries it; the row is unique on it)."""
    return secrets.token_urlsafe(16)


def can_give(deal: Deal) -> bool:
    return deal.state in BONUS_STATES


def bonuses_of(deal_id: int) -> list[Bonus]:
    return list(db.session.scalars(select(Bonus).where(
        Bonus.deal_id == deal_id, Bonus.status != BonusStatus.PENDING).order_by(Bonus.id)))


def held_cents(deal_id: int) -> int:
    """Charged bonuses not yet transferred: the platform holds them for the creator."""
    return int(db.session.scalar(select(func.coalesce(func.sum(Bonus.amount_cents), 0)).where(
        Bonus.deal_id == deal_id, Bonus.status == BonusStatus.HELD)))


def charge_ids(deal_id: int) -> list[str]:
    return list(db.session.scalars(select(Bonus.charge_id).where(
        Bonus.deal_id == deal_id, Bonus.charge_id.is_not(None))))


def _check(deal: Deal, user: User, amount_cents: object, note: object, token: object) -> str:
    if deal.brand.user_id != user.id:
        raise NotAllowed("Only the deal's brand can send a bonus.")
    if not can_give(deal):
        raise DomainError("A bonus can be sent once the creator has been paid for the deal.")
    limit = deal.price_cents * MAX_PRICE_MULTIPLE
    if (not isinstance(amount_cents, int) or isinstance(amount_cents, bool)
            or not MIN_CENTS <= amount_cents <= limit):
        raise DomainError(f"Enter a bonus between {format_money(MIN_CENTS, deal.currency)} and "
                          f"{format_money(limit, deal.currency)}.", field="amount")
    text = str(note or "").strip()
    if len(text) > NOTE_MAX:
        raise DomainError(f"Keep the note under {NOTE_MAX} characters.", field="note")
    if not isinstance(token, str) or not TOKEN_RE.match(token):
        raise DomainError("This form has expired: reload the page and try again.")
    return text


def give(deal: Deal, user: User, *, amount_cents: int, note: str, payment_method: str,
         token: str) -> Bonus:
    """Charge the brand's saved card and send the bonus to the creator (or hold it until
    their payout account is ready). Declined -> CardDeclined and nothing is charged."""
    text = _check(deal, user, amount_cents, note, token)
    existing = db.session.scalar(select(Bonus).where(Bonus.deal_id == deal.id,
                                                     Bonus.request_token == token))
    if existing is not None and existing.status != BonusStatus.PENDING:
        return existing  # the same form sent twice
    customer = customer_id_for(user, create=False)
    card = gateway.card(str(payment_method or "")) if payment_method else None
    if customer is None or card is None or card.customer != customer:
        raise DomainError(gateway.NO_SUCH_CARD, field="card")
    bonus = existing
    if bonus is None:
        fees = fee_breakdown(amount_cents, deal.currency)
        bonus = Bonus(deal_id=deal.id, request_token=token, amount_cents=amount_cents,
                      currency=deal.currency, brand_total_cents=fees.brand_total,
                      brand_fee_cents=fees.brand_fee, tax_cents=fees.tax,
                      creator_fee_cents=fees.creator_fee, note=text,
                      created_by_user_id=user.id, created_at=utcnow())
        db.session.add(bonus)
        try:
            db.session.commit()
        except IntegrityError:  # the same form, sent twice at once: one row wins
            db.session.rollback()
            raise DomainError("This bonus is already being sent.") from None
    _charge(deal, bonus, customer, card.id)
    send_if_ready(bonus)
    deals.perform(deal, "record_bonus", None,
                  note=f"Bonus of {format_money(bonus.amount_cents, bonus.currency)} from "
                       f"{deal.brand.company_name}" + (f": “{text}”" if text else "."))
    return bonus


def _charge(deal: Deal, bonus: Bonus, customer: str, payment_method: str) -> None:
    try:
        intent = gateway.create_bonus_intent(
            deal_id=deal.id, bonus_id=bonus.id, amount=bonus.brand_total_cents,
            currency=bonus.currency, customer_id=customer, payment_method=payment_method)
    except gateway.CardDeclined as exc:
        bonus.status, bonus.last_error = BonusStatus.FAILED, exc.message[:300]
        db.session.commit()
        raise
    if intent.status != "succeeded":  # e.g. the bank wants 3-D Secure: not off the pay page
        bonus.status = BonusStatus.FAILED
        bonus.last_error = "The bank asked to confirm this payment; choose another card."
        db.session.commit()
        raise DomainError(bonus.last_error, field="card")
    charge = gateway.charge_id_of(intent) or intent.id
    bonus.payment_intent_id, bonus.charge_id = intent.id, charge
    add_entry(deal.id, LedgerKind.CHARGE, bonus.brand_total_cents, bonus.currency, charge)
    add_entry(deal.id, LedgerKind.BRAND_FEE, bonus.brand_fee_cents, bonus.currency,
              f"{charge}:brand_fee")
    add_entry(deal.id, LedgerKind.TAX, bonus.tax_cents, bonus.currency, f"{charge}:tax")
    bonus.status = BonusStatus.HELD
    db.session.commit()


def send_if_ready(bonus: Bonus) -> bool:
    """Transfer a held bonus once; the row lock makes a concurrent caller find it paid."""
    row = db.session.execute(select(Bonus).where(Bonus.id == bonus.id).with_for_update()
                             .execution_options(populate_existing=True)).scalar_one()
    deal = db.session.get(Deal, row.deal_id)
    account = db.session.scalar(select(PayoutAccount).where(
        PayoutAccount.creator_id == deal.creator_id))
    if row.status != BonusStatus.HELD or account is None or not account.ready:
        db.session.rollback()
        return False
    try:
        transfer = gateway.create_bonus_transfer(
            deal_id=deal.id, bonus_id=row.id, amount=row.creator_net_cents,
            currency=row.currency, destination=account.stripe_account_id,
            charge_id=row.charge_id)
    except DomainError as exc:
        row.last_error = exc.message[:300]
        db.session.commit()
        return False
    add_entry(deal.id, LedgerKind.TRANSFER, -transfer.amount, row.currency, transfer.id)
    add_entry(deal.id, LedgerKind.CREATOR_FEE, row.creator_fee_cents, row.currency,
              f"{transfer.id}:creator_fee")
    row.transfer_id, row.status, row.paid_at, row.last_error = (
        transfer.id, BonusStatus.PAID, utcnow(), "")
    db.session.commit()
    return True


def send_held(creator_id: int) -> int:
    """Every bonus that waited for this creator's payout account; how many went."""
    ids = db.session.scalars(select(Bonus.id).join(Deal, Deal.id == Bonus.deal_id).where(
        Deal.creator_id == creator_id, Bonus.status == BonusStatus.HELD)).all()
    return sum(send_if_ready(db.session.get(Bonus, i)) for i in ids)

"""Thank-you bonuses against the local Stripe: a charge and a transfer of their own, on the
deal's ledger, never doubled, held while the creator cannot be paid, refused cleanly."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Bonus, DealEvent, DealState, Notification
from marketplace.models.payment import LedgerEntry, LedgerKind, Transfer
from marketplace.services import payments
from marketplace.services.deals import state_machine as deals
from marketplace.services.errors import DomainError
from marketplace.services.payments import bonuses
from marketplace.services.payments import stripe_gateway as gateway
from tests.conftest import _logged_in
from tests.payments.test_payments import PRICE, fund_now
from tests.support import factories
from tests.support.payments import make_deal, ready_payout_account, refresh, saved_card


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def completed(app_ctx, brand, creator, brand_client):
    """A content-only deal funded, approved and paid out through the local Stripe."""
    deal = make_deal(brand, creator, price_cents=PRICE)
    fund_now(brand_client, deal, saved_card(brand.user))
    ready_payout_account(creator)
    deal.state = DealState.SUBMITTED
    db.session.commit()
    deals.perform(deal, "approve", brand.user)
    refresh(deal)
    assert deal.state == DealState.COMPLETED
    return deal


def card_of(user) -> str:
    return payments.saved_cards(user)[0].id


def test_a_bonus_is_charged_sent_and_on_the_ledger(completed, brand, creator, stripe_api):
    bonus = bonuses.give(completed, brand.user, amount_cents=10000, note="You nailed it!",
                         payment_method=card_of(brand.user), token=bonuses.new_token())
    assert bonus.status == "paid" and bonus.brand_total_cents == 10500  # + 5% brand fee
    transfer = stripe_api.v1.transfers.retrieve(bonus.transfer_id)
    assert transfer.amount == 9000 and transfer.source_transaction == bonus.charge_id
    assert count(LedgerEntry, LedgerEntry.stripe_object_id == bonus.charge_id) == 1
    assert payments.ledger_balance_ok(completed.id) and payments.reconcile() == []
    event = db.session.scalars(select(DealEvent).where(DealEvent.deal_id == completed.id)
                               .order_by(DealEvent.id.desc())).first()
    assert event.action == "record_bonus" and "$100.00" in event.note
    assert "You nailed it!" in event.note
    notice = db.session.scalar(select(Notification).where(
        Notification.user_id == creator.user_id).order_by(Notification.id.desc()))
    assert "$100.00" in notice.text and "bonus" in notice.text.lower()


def test_the_same_form_twice_charges_once(completed, brand):
    token, card = bonuses.new_token(), card_of(brand.user)
    first = bonuses.give(completed, brand.user, amount_cents=5000, note="",
                         payment_method=card, token=token)
    again = bonuses.give(completed, brand.user, amount_cents=5000, note="",
                         payment_method=card, token=token)
    assert first.id == again.id and count(Bonus) == 1
    assert count(LedgerEntry, LedgerEntry.kind == LedgerKind.CHARGE) == 2  # deal + one bonus
    assert payments.ledger_balance_ok(completed.id)


def test_held_until_the_payout_account_is_ready_then_sent(completed, brand, creator):
    account = ready_payout_account(creator)
    account.ready = False
    db.session.commit()
    bonus = bonuses.give(completed, brand.user, amount_cents=7000, note="",
                         payment_method=card_of(brand.user), token=bonuses.new_token())
    assert bonus.status == "held" and bonus.transfer_id is None
    assert payments.ledger_balance_ok(completed.id)  # held counts in the equation
    account.ready = True
    db.session.commit()
    assert payments.send_pending_payouts(creator.id) == 1
    db.session.refresh(bonus)
    assert bonus.status == "paid" and count(Transfer) == 1  # the deal's; bonus on its row
    assert payments.ledger_balance_ok(completed.id) and payments.reconcile() == []


def test_a_declined_card_charges_nothing(completed, brand):
    declining = saved_card(brand.user, "pm_card_chargeCustomerFail")
    with pytest.raises(gateway.CardDeclined):
        bonuses.give(completed, brand.user, amount_cents=5000, note="",
                     payment_method=declining, token=bonuses.new_token())
    assert [b.status for b in db.session.scalars(select(Bonus))] == ["failed"]
    assert count(LedgerEntry, LedgerEntry.kind == LedgerKind.CHARGE) == 1
    assert payments.ledger_balance_ok(completed.id)


@pytest.mark.parametrize("amount, message", [
    (0, "between"), (99, "between"), (PRICE * 5 + 1, "between"), ("100", "between"),
    (True, "between"),
])
def test_bad_amounts_change_nothing(completed, brand, amount, message):
    with pytest.raises(DomainError, match=message):
        bonuses.give(completed, brand.user, amount_cents=amount, note="",
                     payment_method=card_of(brand.user), token=bonuses.new_token())
    assert count(Bonus) == 0


def test_only_after_the_creator_is_paid_and_only_the_brand(app_ctx, brand, creator, app):
    funded = make_deal(brand, creator, price_cents=PRICE, state="funded")
    with pytest.raises(DomainError, match="once the creator has been paid"):
        bonuses.give(funded, brand.user, amount_cents=5000, note="", payment_method="pm_x",
                     token=bonuses.new_token())
    done = make_deal(brand, creator, price_cents=PRICE, state="completed")
    with pytest.raises(DomainError, match="Only the deal's brand"):
        bonuses.give(done, creator.user, amount_cents=5000, note="", payment_method="pm_x",
                     token=bonuses.new_token())
    other_brand = _logged_in(app, factories.make_brand().user)
    assert other_brand.get(f"/deals/{done.id}/bonus").status_code == 404
    assert other_brand.post(f"/deals/{done.id}/bonus", data={"amount": "50"}).status_code == 404
    assert _logged_in(app, creator.user).get(f"/deals/{done.id}/bonus").status_code == 403
    assert count(Bonus) == 0


def test_the_bonus_page(completed, brand, brand_client):
    page = brand_client.get(f"/deals/{completed.id}/bonus")
    assert page.status_code == 200 and b"Say thanks with a bonus" in page.data
    token = page.get_data(as_text=True).split('name="token" type="hidden" value="')[1][:22]
    card = card_of(brand.user)
    for junk in ("1e308", "-5", "abc", "9" * 40, ""):
        response = brand_client.post(f"/deals/{completed.id}/bonus", data={
            "amount": junk, "card": card, "token": token})
        assert response.status_code == 400, junk
    assert count(Bonus) == 0
    response = brand_client.post(f"/deals/{completed.id}/bonus", data={
        "amount": "75.00", "note": "Thanks!", "card": card, "token": token})
    assert response.status_code == 302
    assert brand_client.post(f"/deals/{completed.id}/bonus", data={
        "amount": "75.00", "note": "Thanks!", "card": card, "token": token}).status_code == 302
    assert count(Bonus) == 1 and db.session.scalar(select(Bonus.amount_cents)) == 7500
    assert b"Send a bonus" in brand_client.get(f"/deals/{completed.id}").data

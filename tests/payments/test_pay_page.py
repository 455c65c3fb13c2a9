"""The pay page against the local Stripe (defect 4): the charged card is the one chosen, saved
cards are unique per card number, an abandoned 3-D Secure prompt never blocks a later
payment, one prompt is enough, and a failed Stripe call never replays its idempotency keys."""

from __future__ import annotations

import re
import urllib.request

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import DealState
from marketplace.models.payment import LedgerEntry, Payment, StripeCustomer
from marketplace.services import payments
from marketplace.services.payments import stripe_gateway as gateway
from tests.payments.conftest import set_stripe_failing
from tests.support.payments import make_deal, refresh, saved_card, typed_card

VISA_3DS = "4000002500003155"
MASTERCARD = "5555555555554444"


def pay(client, deal, *, choice: str = "new", payment_method: str = ""):
    return client.post(f"/deals/{deal.id}/pay",
                       data={"card_choice": choice, "payment_method": payment_method})


def charged_payment_method(deal) -> str:
    payment = payments.payment_for(deal.id)
    return gateway.retrieve_payment_intent(payment.payment_intent_id).payment_method


def authenticate(stripe_server: str, deal) -> None:
    """What the browser's 3-D Secure modal does when the brand confirms."""
    intent = gateway.retrieve_payment_intent(payments.payment_for(deal.id).payment_intent_id)
    body = f"key=pk_test_x&client_secret={intent.client_secret}&success=true".encode()
    urllib.request.urlopen(urllib.request.Request(
        f"{stripe_server}/v1/payment_intents/{intent.id}/_authenticate", data=body))


def ledger_rows() -> int:
    return db.session.scalar(select(func.count(LedgerEntry.id)))


def test_new_card_is_charged_while_a_saved_card_is_selected_by_default(app_ctx, brand, creator,
                                                                     brand_client):
    saved = saved_card(brand.user)
    deal = make_deal(brand, creator)
    page = brand_client.get(f"/deals/{deal.id}/pay").get_data(as_text=True)
    assert re.search(rf'value="{saved}"[^>]*\n?\s*checked', page)  # one click for the saved
    typed = typed_card(MASTERCARD)
    response = pay(brand_client, deal, choice="new", payment_method=typed)
    assert response.status_code == 302
    refresh(deal)
    assert deal.state == DealState.FUNDED
    assert charged_payment_method(deal) == typed != saved
    assert payments.payment_for(deal.id).card_label == "Visa •••• 4444"
    labels = sorted(card.label for card in payments.saved_cards(brand.user))
    assert labels == ["Visa •••• 4242", "Visa •••• 4444"]  # the new card is kept for next time


def test_choosing_a_saved_card_charges_it_even_with_a_typed_card_in_the_form(
        app_ctx, brand, creator, brand_client):
    saved = saved_card(brand.user)
    deal = make_deal(brand, creator)
    response = pay(brand_client, deal, choice=saved, payment_method=typed_card(MASTERCARD))
    assert response.status_code == 302
    assert charged_payment_method(deal) == saved


def test_a_card_choice_that_is_not_mine_is_refused(app_ctx, brand, creator, brand_client):
    from tests.support import factories

    other = saved_card(factories.make_brand().user)
    deal = make_deal(brand, creator)
    for data in ({"card_choice": other}, {"card_choice": "new", "payment_method": other},
                 {"card_choice": "new"}, {"card_choice": "pm_missing_123"},
                 {"card_choice": "new", "payment_method": "pm_missing_123"},
                 {"card_choice": "<script>"}):
        response = brand_client.post(f"/deals/{deal.id}/pay", data=data)
        assert response.status_code == 400, data
        assert b"alert-danger" in response.data
    refresh(deal)
    assert deal.state == DealState.AGREED and ledger_rows() == 0


def test_saved_cards_are_listed_once_per_card_number(app_ctx, brand, creator, brand_client):
    copies = {saved_card(brand.user), saved_card(brand.user)}  # saved twice before this fix
    cards = payments.saved_cards(brand.user)
    assert [c.label for c in cards] == ["Visa •••• 4242"] and cards[0].id in copies
    page = brand_client.get(f"/deals/{make_deal(brand, creator).id}/pay").get_data(as_text=True)
    assert page.count('data-label="Visa •••• 4242"') == 1
    assert page.count('name="card_choice"') == 2  # one saved card + "a new card"


def test_the_same_card_typed_twice_is_saved_once(app_ctx, brand, creator, brand_client):
    for _ in range(2):
        deal = make_deal(brand, creator)
        assert pay(brand_client, deal, payment_method=typed_card()).status_code == 302
    customer = payments.customer_id_for(brand.user, create=False)
    attached = gateway.client().v1.payment_methods.list(
        params={"customer": customer, "type": "card"}).data
    assert len(attached) == 1  # the second copy was charged but not attached


def test_three_d_secure_needs_one_prompt(app_ctx, brand, creator, brand_client, stripe_server):
    deal = make_deal(brand, creator)
    response = pay(brand_client, deal, payment_method=typed_card(VISA_3DS))
    assert response.status_code == 200 and b"data-action-secret=" in response.data
    authenticate(stripe_server, deal)  # the one prompt
    assert brand_client.post(f"/deals/{deal.id}/pay/complete").status_code == 302
    refresh(deal)
    assert deal.state == DealState.FUNDED and payments.ledger_balance_ok(deal.id)


def test_an_abandoned_three_d_secure_prompt_never_blocks_a_later_payment(
        app_ctx, brand, creator, brand_client):
    deal = make_deal(brand, creator)
    assert b"data-action-secret=" in pay(brand_client, deal,
                                          payment_method=typed_card(VISA_3DS)).data
    intent_id = payments.payment_for(deal.id).payment_intent_id
    # The brand closes the tab, comes back and pays with another card.
    response = pay(brand_client, deal, payment_method=typed_card())
    assert response.status_code == 302, response.data[:500]
    refresh(deal)
    payment = payments.payment_for(deal.id)
    assert deal.state == DealState.FUNDED and payment.payment_intent_id == intent_id
    assert payments.ledger_balance_ok(deal.id) and ledger_rows() == 2


def test_the_same_three_d_secure_card_again_asks_again(app_ctx, brand, creator, brand_client,
                                                      stripe_server):
    deal = make_deal(brand, creator)
    card = typed_card(VISA_3DS)
    first = pay(brand_client, deal, payment_method=card)
    again = pay(brand_client, deal, payment_method=card)
    secret = re.search(rb'data-action-secret="([^"]+)"', first.data).group(1)
    assert re.search(rb'data-action-secret="([^"]+)"', again.data).group(1) == secret
    authenticate(stripe_server, deal)
    brand_client.post(f"/deals/{deal.id}/pay/complete")
    refresh(deal)
    assert deal.state == DealState.FUNDED


def test_a_cancelled_intent_is_replaced_by_a_fresh_one(app_ctx, brand, creator, brand_client):
    deal = make_deal(brand, creator)
    assert pay(brand_client, deal, payment_method=typed_card(VISA_3DS)).status_code == 200
    old = payments.payment_for(deal.id).payment_intent_id
    gateway.client().v1.payment_intents.cancel(old)  # e.g. cancelled from Stripe's dashboard
    assert pay(brand_client, deal, payment_method=typed_card()).status_code == 302
    payment = payments.payment_for(deal.id)
    assert payment.payment_intent_id != old and payment.status == "held"


def test_a_failed_stripe_call_moves_to_fresh_idempotency_keys(app_ctx, brand, creator,
                                                              brand_client, stripe_server):
    """Keys are deal-<id>-payment-method-<attempt> / -confirm-<attempt>: the attempt counter is
    committed even when Stripe fails, so a retry never replays a failed request's key (on
    real Stripe that replay would return the same error forever)."""
    deal = make_deal(brand, creator)
    pay(brand_client, deal, payment_method=typed_card(VISA_3DS))  # opens the intent
    assert payments.payment_for(deal.id).attempts == 1
    card = saved_card(brand.user)
    set_stripe_failing(stripe_server, True, path=r"/confirm$")  # only the confirmation fails
    failed = pay(brand_client, deal, choice=card)
    set_stripe_failing(stripe_server, False)
    assert b"could not complete this right now" in failed.data
    assert payments.payment_for(deal.id).attempts == 2  # counted although Stripe failed
    assert pay(brand_client, deal, choice=card).status_code == 302
    assert payments.payment_for(deal.id).attempts == 3
    refresh(deal)
    assert deal.state == DealState.FUNDED and ledger_rows() == 2


def test_opening_the_pay_page_writes_nothing(app_ctx, brand, creator, brand_client):
    """No Stripe customer, SetupIntent or row is made for a brand who only looks."""
    deal = make_deal(brand, creator)
    page = brand_client.get(f"/deals/{deal.id}/pay")
    assert page.status_code == 200 and b"You will be charged" in page.data
    assert db.session.scalar(select(func.count(StripeCustomer.id))) == 0
    assert db.session.scalar(select(func.count(Payment.id))) == 0
    assert gateway.client().v1.customers.list().data == []

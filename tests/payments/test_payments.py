"""The payments service against the local Stripe: funding, payouts, refunds, disputes,
webhooks, failures and access."""

from __future__ import annotations

import urllib.request

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import DealState
from marketplace.models.payment import LedgerEntry, Payment, StripeEvent, Transfer
from marketplace.services import payments
from marketplace.services.deals import state_machine as deals
from marketplace.services.payments import stripe_gateway as gateway
from tests.payments.conftest import set_stripe_failing
from tests.support import factories
from tests.support.payments import (
    deliver,
    make_deal,
    ready_payout_account,
    refresh,
    saved_card,
    three_ds_card,
)

PRICE = 50000  # brand fee 5% = 2500, creator fee 10% = 5000 (see conftest's app)


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar()


def fund_now(brand_client, deal, card: str) -> None:
    response = brand_client.post(f"/deals/{deal.id}/pay", data={"payment_method": card})
    assert response.status_code == 302, response.data[:2000]


@pytest.fixture
def deal(app_ctx, brand, creator):
    return make_deal(brand, creator, price_cents=PRICE)


@pytest.fixture
def funded(deal, brand, brand_client):
    fund_now(brand_client, deal, saved_card(brand.user))
    refresh(deal)
    assert deal.state == DealState.FUNDED
    return deal


def submitted(deal):
    deal.state = DealState.SUBMITTED
    db.session.commit()
    return deal


def test_fee_breakdown(app_ctx):
    assert payments.fee_breakdown(50000, "USD") == (52500, 2500, 5000, 45000, 0)
    assert payments.fee_breakdown(1, "USD") == (1, 0, 0, 1, 0)
    assert payments.fee_breakdown(999, "USD") == (1049, 50, 100, 899, 0)
    assert payments.fee_breakdown(50000, "USD").price == 50000


def test_pay_page_shows_total_and_stripe_js(deal, brand_client, stripe_server):
    response = brand_client.get(f"/deals/{deal.id}/pay")
    assert response.status_code == 200
    assert b"$525.00" in response.data and b'data-stripe-key="pk_' in response.data
    csp = response.headers["Content-Security-Policy"]
    assert f"script-src 'self' {stripe_server}" in csp and "'unsafe-inline'" not in csp


def test_fund_submit_approve_pays_creator(funded, brand, creator, stripe_api, client):
    payment = payments.payment_for(funded.id)
    assert (payment.amount_cents, payment.status) == (52500, "held")
    intent = stripe_api.v1.payment_intents.retrieve(payment.payment_intent_id)
    assert intent.amount == 52500 and intent.transfer_group == f"deal-{funded.id}"
    assert intent.metadata["deal_id"] == str(funded.id)
    assert payments.ledger_balance_ok(funded.id)
    ready_payout_account(creator)
    deals.perform(submitted(funded), "approve", brand.user)
    refresh(funded)
    assert funded.state == DealState.COMPLETED
    transfer = db.session.execute(select(Transfer)).scalar_one()
    assert transfer.amount_cents == 45000 and transfer.creator_fee_cents == 5000
    remote = stripe_api.v1.transfers.retrieve(transfer.stripe_transfer_id)
    assert remote.source_transaction == payment.charge_id and remote.amount == 45000
    assert payments.ledger_balance_ok(funded.id)
    assert payments.reconcile() == []
    # Stripe's own transfer.created (the object carries metadata) arrives after the fact.
    rows = db.session.scalar(select(func.count(LedgerEntry.id)))
    assert deliver(client, "transfer.created", {"id": transfer.stripe_transfer_id,
                                                "object": "transfer"}).status_code == 200
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == rows


def test_payout_waits_for_account_then_goes_out_on_account_updated(funded, brand, creator,
                                                                    client):
    deals.perform(submitted(funded), "approve", brand.user)
    refresh(funded)
    assert funded.state == DealState.APPROVED
    assert payments.payment_for(funded.id).status == "payout_pending"
    assert payments.ledger_balance_ok(funded.id)
    account = ready_payout_account(creator)  # (marks ready; now the webhook arrives)
    account.ready = False
    db.session.commit()
    response = deliver(client, "account.updated", {"id": account.stripe_account_id,
                                                    "object": "account"})
    assert response.status_code == 200
    db.session.expire_all()
    assert funded.state == DealState.COMPLETED
    assert count(Transfer) == 1 and payments.ledger_balance_ok(funded.id)


def test_cancel_after_funding_refunds_everything(funded, admin, stripe_api):
    deals.perform(funded, "cancel", admin, note="Brand changed plans.")
    payment = payments.payment_for(funded.id)
    db.session.refresh(payment)
    assert payment.status == "refunded" and payment.refunded_cents == 52500
    assert stripe_api.v1.charges.retrieve(payment.charge_id).amount_refunded == 52500
    assert payments.ledger_balance_ok(funded.id)


def test_declined_card_keeps_deal_agreed(deal, brand, brand_client):
    card = saved_card(brand.user, "pm_card_chargeCustomerFail")
    response = brand_client.post(f"/deals/{deal.id}/pay", data={"payment_method": card})
    assert response.status_code == 402
    assert b"Your card was declined." in response.data
    refresh(deal)
    assert deal.state == DealState.AGREED
    assert payments.payment_for(deal.id).status == "requires_payment"
    assert count(LedgerEntry) == 0
    # A good card on the same deal then works (same PaymentIntent, one charge).
    fund_now(brand_client, deal, saved_card(brand.user))
    refresh(deal)
    assert deal.state == DealState.FUNDED and count(LedgerEntry) == 2


def _authenticate(stripe_server, intent_id: str, secret: str) -> None:
    body = f"key=pk_test_x&client_secret={secret}&success=true".encode()
    urllib.request.urlopen(urllib.request.Request(
        f"{stripe_server}/v1/payment_intents/{intent_id}/_authenticate", data=body))


def test_three_d_secure_then_complete(deal, brand, brand_client, stripe_server):
    response = brand_client.post(f"/deals/{deal.id}/pay",
                                 data={"payment_method": three_ds_card(brand.user)})
    assert response.status_code == 200 and b"data-action-secret=" in response.data
    payment = payments.payment_for(deal.id)
    assert payment.status == "requires_action"
    intent = gateway.retrieve_payment_intent(payment.payment_intent_id)
    _authenticate(stripe_server, intent.id, intent.client_secret)
    assert brand_client.post(f"/deals/{deal.id}/pay/complete").status_code == 302
    refresh(deal)
    assert deal.state == DealState.FUNDED and payments.ledger_balance_ok(deal.id)


def test_webhook_first_then_browser_records_one_charge(deal, brand, brand_client, client,
                                                       stripe_server):
    brand_client.post(f"/deals/{deal.id}/pay", data={"payment_method": three_ds_card(brand.user)})
    payment = payments.payment_for(deal.id)
    intent = gateway.retrieve_payment_intent(payment.payment_intent_id)
    _authenticate(stripe_server, intent.id, intent.client_secret)
    obj = {"id": intent.id, "object": "payment_intent"}
    assert deliver(client, "payment_intent.succeeded", obj, event_id="evt_a").status_code == 200
    assert deliver(client, "payment_intent.succeeded", obj, event_id="evt_a").json == {
        "received": "duplicate"}
    # A late "failed" event cannot move a paid deal back.
    assert deliver(client, "payment_intent.payment_failed", obj).status_code == 200
    brand_client.post(f"/deals/{deal.id}/pay/complete")
    refresh(deal)
    assert deal.state == DealState.FUNDED
    assert count(LedgerEntry) == 2 and count(StripeEvent) == 2
    assert payments.payment_for(deal.id).status == "held"


@pytest.mark.parametrize("how", ["bad_secret", "stale", "unsigned", "garbage"])
def test_webhook_rejects_bad_signatures(funded, client, how):
    payment = payments.payment_for(funded.id)
    obj = {"id": payment.charge_id, "object": "charge"}
    if how == "unsigned":
        response = client.post("/webhooks/stripe", data=b"{}")
    elif how == "garbage":
        response = client.post("/webhooks/stripe", data=b"not json",
                               headers={"Stripe-Signature": "t=1,v1=abc"})
    else:
        kwargs = {"secret": "whsec_other"} if how == "bad_secret" else {"timestamp": 1000}
        response = deliver(client, "charge.dispute.created",
                           {**obj, "charge": payment.charge_id}, **kwargs)
    assert response.status_code == 400
    assert count(StripeEvent) == 0 and not payments.payment_for(funded.id).disputed


def test_chargeback_flags_the_deal(funded, client):
    payment = payments.payment_for(funded.id)
    response = deliver(client, "charge.dispute.created",
                       {"id": "dp_1", "object": "dispute", "charge": payment.charge_id})
    assert response.status_code == 200
    db.session.refresh(payment)
    assert payment.disputed
    assert any("chargeback" in line for line in payments.reconcile())


def test_refund_after_release_reverses_the_transfer(funded, brand, creator, stripe_api):
    ready_payout_account(creator)
    deals.perform(submitted(funded), "approve", brand.user)
    assert payments.refund(funded, reason="Fraud found later.") == "refunded"
    transfer = db.session.execute(select(Transfer)).scalar_one()
    db.session.refresh(transfer)
    assert transfer.reversed_cents == 45000
    assert stripe_api.v1.transfers.retrieve(transfer.stripe_transfer_id).amount_reversed == 45000
    assert payments.ledger_balance_ok(funded.id) and payments.reconcile() == []


def test_dispute_split_refunds_part_and_pays_part(funded, admin, creator, stripe_api):
    ready_payout_account(creator)
    funded.state = DealState.DISPUTED
    db.session.commit()
    deals.perform(funded, "resolve", admin, note="Half the videos were delivered.",
                  outcome="split", creator_amount_cents=30000, brand_refund_cents=20000)
    payment = payments.payment_for(funded.id)
    db.session.refresh(payment)
    assert payment.status == "split" and payment.refunded_cents == 20000
    transfer = db.session.execute(select(Transfer)).scalar_one()
    assert transfer.amount_cents == 27000  # 30000 minus the 10% creator fee
    refresh(funded)
    assert funded.state == DealState.COMPLETED
    assert payments.ledger_balance_ok(funded.id) and payments.reconcile() == []


def test_stripe_down_changes_nothing_and_retry_charges_once(deal, brand, brand_client,
                                                            stripe_server):
    card = saved_card(brand.user)
    set_stripe_failing(stripe_server, True)
    response = brand_client.post(f"/deals/{deal.id}/pay", data={"payment_method": card})
    assert response.status_code == 200
    assert b"could not complete this right now" in response.data
    refresh(deal)
    assert deal.state == DealState.AGREED and count(Payment) == 0
    set_stripe_failing(stripe_server, False)
    fund_now(brand_client, deal, card)
    fund_again = brand_client.post(f"/deals/{deal.id}/pay", data={"payment_method": card})
    assert fund_again.status_code == 302  # "already funded"
    refresh(deal)
    assert deal.state == DealState.FUNDED and count(LedgerEntry) == 2


def test_stripe_down_at_release_then_retry_pays_once(funded, brand, creator, stripe_server,
                                                     runner):
    ready_payout_account(creator)
    set_stripe_failing(stripe_server, True)
    deals.perform(submitted(funded), "approve", brand.user)
    refresh(funded)
    payment = payments.payment_for(funded.id)
    db.session.refresh(payment)
    assert funded.state == DealState.APPROVED and payment.status == "held"
    assert count(Transfer) == 0 and payments.ledger_balance_ok(funded.id)
    set_stripe_failing(stripe_server, False)
    result = runner.invoke(args=["payments", "retry"])
    assert "paid_out" in result.output
    runner.invoke(args=["payments", "retry"])
    assert payments.release(funded) == "skipped"
    db.session.expire_all()
    assert funded.state == DealState.COMPLETED and count(Transfer) == 1
    assert runner.invoke(args=["payments", "reconcile"]).output.strip() == "0 mismatch(es)."


def test_reconcile_lists_ledger_that_stripe_disagrees_with(funded, runner):
    db.session.add(LedgerEntry(deal_id=funded.id, kind="refund", amount_cents=-100,
                               currency="USD", stripe_object_id="re_phantom"))
    db.session.commit()
    result = runner.invoke(args=["payments", "reconcile"])
    assert result.exit_code == 1
    assert "does not balance" in result.output and "refunded 0 on Stripe" in result.output


# --- Access -----------------------------------------------------------------------------------

def test_pay_access(deal, creator_client, login_as, client):
    other = factories.make_brand()
    assert login_as(other.user).get(f"/deals/{deal.id}/pay").status_code == 404
    assert creator_client.get(f"/deals/{deal.id}/pay").status_code == 403
    response = client.get(f"/deals/{deal.id}/pay")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_tampered_amount_is_ignored(deal, brand, brand_client):
    card = saved_card(brand.user)
    brand_client.post(f"/deals/{deal.id}/pay",
                      data={"payment_method": card, "amount": "1", "amount_cents": "1"})
    assert payments.payment_for(deal.id).amount_cents == 52500


@pytest.mark.parametrize("card", ["", "pm_not_mine", "x" * 100])
def test_pay_rejects_foreign_or_bad_cards(deal, brand, brand_client, login_as, card):
    if card == "pm_not_mine":
        card = saved_card(factories.make_brand().user)
    response = brand_client.post(f"/deals/{deal.id}/pay", data={"payment_method": card})
    assert response.status_code == 400
    refresh(deal)
    assert deal.state == DealState.AGREED and count(LedgerEntry) == 0


def test_receipts_and_history_for_parties_only(funded, brand_client, creator_client, login_as,
                                              client):
    url = f"/deals/{funded.id}/receipt"  # old links: the invoice (brand), the statement
    assert brand_client.get(url).headers["Location"].endswith(f"/deals/{funded.id}/invoice")
    assert creator_client.get(url).headers["Location"].endswith(
        f"/deals/{funded.id}/statement")
    page = brand_client.get(f"/deals/{funded.id}/invoice")
    assert page.status_code == 200 and b"$525.00" in page.data
    assert creator_client.get(f"/deals/{funded.id}/statement").status_code == 200
    assert login_as(factories.make_brand().user).get(url).status_code == 404
    assert login_as(factories.make_creator().user).get(url).status_code == 404
    assert client.get(url).status_code == 302
    spend = brand_client.get("/payments?format=csv")
    assert spend.mimetype == "text/csv" and b"525.00" in spend.data
    earnings = creator_client.get("/payments?format=csv")
    assert b"held" in earnings.data and b"450.00" in earnings.data  # gross, fee, net
    assert b",500.00,50.00,450.00," in earnings.data
    assert b"Statement" in creator_client.get("/payments").data


def test_payouts_page_and_onboarding_redirect(creator_client, app_ctx, stripe_server):
    assert b"Set up payouts" in creator_client.get("/payouts").data
    response = creator_client.post("/payouts/start")
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"{stripe_server}/_devtools/onboard/acct_")


def test_webhook_is_exempt_from_csrf(make_app, stripe_server):
    app = make_app(STRIPE_API_BASE=stripe_server, STRIPE_WEBHOOK_SECRET="whsec_duet_test",
                   WTF_CSRF_ENABLED=True)
    response = deliver(app.test_client(), "customer.created", {"id": "cus_1"})
    assert response.status_code == 200 and response.json == {"received": "ignored"}

"""Builders for payment tests: deals in any state, saved cards, ready payout accounts,
signed webhook deliveries."""

from __future__ import annotations

import json
import time
import urllib.request
from datetime import date, timedelta

import stripe
from sqlalchemy import event

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import Deal, DealState, OfferThread
from marketplace.models.payment import Payment, PaymentStatus, PayoutAccount, Transfer
from marketplace.services import payments
from marketplace.services.payments import stripe_gateway as gateway
from tests.support import factories

WEBHOOK_SECRET = "whsec_duet_test"


def make_deal(brand, creator, *, price_cents: int = 50000, state: str = "agreed") -> Deal:
    campaign = factories.make_campaign(brand)
    thread = OfferThread(campaign_id=campaign.id, brand_id=brand.id, creator_id=creator.id,
                         status="accepted")
    db.session.add(thread)
    db.session.flush()
    deal = Deal(thread_id=thread.id, campaign_id=campaign.id, brand_id=brand.id,
                creator_id=creator.id, state=DealState(state), price_cents=price_cents,
                currency="USD", deliverables=[], content_due=date.today() + timedelta(days=20),
                usage_rights="organic")
    db.session.add(deal)
    db.session.commit()
    return deal


def saved_card(user, card: str = "pm_card_visa") -> str:
    """Save a card for a brand user the way the browser does (SetupIntent confirm)."""
    customer = payments.customer_id_for(user)
    setup = gateway.client().v1.setup_intents.create(params={"customer": customer})
    setup = gateway.client().v1.setup_intents.confirm(setup.id, params={"payment_method": card})
    return setup.payment_method


def three_ds_card(user) -> str:
    customer = payments.customer_id_for(user)
    pm = gateway.client().v1.payment_methods.create(params={"type": "card", "card": {
        "number": "4000002500003155", "exp_month": 12, "exp_year": 2030, "cvc": "123"}})
    gateway.client().v1.payment_methods.attach(pm.id, params={"customer": customer})
    return pm.id


def typed_card(number: str = "4242424242424242") -> str:
    """A card typed on the pay page: Stripe.js creates the PaymentMethod, attached to nobody
    (here through the secret-key API, which the local Stripe treats the same)."""
    pm = gateway.client().v1.payment_methods.create(params={"type": "card", "card": {
        "number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}})
    return pm.id


def ready_payout_account(creator) -> PayoutAccount:
    """Onboard the creator on the local Stripe and mark the account ready."""
    url = payments.onboarding_url(creator, return_url="http://localhost/payouts/return",
                                  refresh_url="http://localhost/payouts")
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(urllib.request.Request(url, data=b""))
    except urllib.error.HTTPError as exc:
        assert exc.code == 303
    account = payments.payout_account(creator)
    payments.refresh_payout_account(account.stripe_account_id)
    assert account.ready
    return account


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def signed_event(event_type: str, obj: dict, *, event_id: str | None = None,
                 secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> tuple[bytes, str]:
    payload = json.dumps({"id": event_id or f"evt_{time.time_ns()}", "object": "event",
                          "type": event_type, "created": int(time.time()),
                          "data": {"object": obj}})
    ts = int(time.time()) if timestamp is None else timestamp
    sig = stripe.WebhookSignature._compute_signature(f"{ts}.{payload}", secret)
    return payload.encode(), f"t={ts},v1={sig}"


def deliver(client, event_type: str, obj: dict, **kwargs):
    body, header = signed_event(event_type, obj, **kwargs)
    return client.post("/webhooks/stripe", data=body,
                       headers={"Stripe-Signature": header, "Content-Type": "application/json"})


def refresh(*objects) -> None:
    for obj in objects:
        db.session.refresh(obj)




def money_in_state(brand, creator, state: str, *, price_cents: int = 50000,
                   sent_days_ago: int = 1, arrival_days: int = 2) -> Deal:
    """A deal whose money is in `state` (held, pending set-up, on the way, paid, refunded),
    written straight to the database (no Stripe): for pages and sums, not for money moves."""
    deal_state, status = {"held": ("funded", PaymentStatus.HELD),
                          "pending set-up": ("approved", PaymentStatus.PAYOUT_PENDING),
                          "on the way": ("completed", PaymentStatus.PAID_OUT),
                          "paid": ("completed", PaymentStatus.PAID_OUT),
                          "refunded": ("cancelled", PaymentStatus.REFUNDED)}[state]
    deal = make_deal(brand, creator, price_cents=price_cents, state=deal_state)
    now = utcnow()
    payment = Payment(deal_id=deal.id, payment_intent_id=f"pi_test_{deal.id}",
                      status=status, amount_cents=price_cents, price_cents=price_cents,
                      currency="USD", charge_id=f"ch_test_{deal.id}",
                      payout_cents=0 if state == "refunded" else price_cents,
                      refunded_cents=price_cents if state == "refunded" else 0,
                      paid_at=now - timedelta(days=sent_days_ago + 3))
    db.session.add(payment)
    if state in ("on the way", "paid"):
        fee = price_cents // 10
        sent = now - timedelta(days=sent_days_ago)
        arrival = sent + timedelta(days=arrival_days)
        if state == "paid" and arrival > now:
            arrival = now - timedelta(hours=1)
        db.session.add(Transfer(deal_id=deal.id, stripe_transfer_id=f"tr_test_{deal.id}",
                                destination="acct_test", amount_cents=price_cents - fee,
                                creator_fee_cents=fee, currency="USD", created_at=sent,
                                expected_arrival_at=arrival))
    db.session.commit()
    return deal


class QueryCounter:
    """Counts the SQL statements run while it is open (query budgets of list pages)."""

    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._hit)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._hit)

    def _hit(self, *args):
        self.count += 1

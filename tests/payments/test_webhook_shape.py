"""Correctly signed webhook bodies that are not events (defect 9): each gets a 400 with a
clear error and nothing is recorded or changed."""

from __future__ import annotations

import json
import time

import pytest
import stripe
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models.payment import StripeEvent
from marketplace.services import payments
from tests.support.payments import WEBHOOK_SECRET, make_deal, saved_card

NESTED = "[" * 5000 + "]" * 5000  # parses as JSON only with deep recursion


def signed(body: str, secret: str = WEBHOOK_SECRET) -> dict:
    ts = int(time.time())
    sig = stripe.WebhookSignature._compute_signature(f"{ts}.{body}", secret)
    return {"Stripe-Signature": f"t={ts},v1={sig}", "Content-Type": "application/json"}


def event(**changes) -> str:
    base = {"id": "evt_shape", "object": "event", "type": "payment_intent.succeeded",
            "data": {"object": {"id": "pi_123", "object": "payment_intent"}}}
    for key, value in changes.items():
        if value is None:
            base.pop(key)
        else:
            base[key] = value
    return json.dumps(base)


def deep(levels: int) -> dict:
    inner: dict = {"id": "pi_deep"}
    for _ in range(levels):
        inner = {"id": "pi_deep", "nested": inner}
    return inner


BAD_BODIES = {
    "list": ("[]", "not an event object"),
    "null": ("null", "not an event object"),
    "string": ('"payment_intent.succeeded"', "not an event object"),
    "number": ("1e308", "not an event object"),
    "no id": (event(id=None), "no valid 'id'"),
    "id not a string": (event(id=12), "no valid 'id'"),
    "huge id": (event(id="evt_" + "x" * 500), "no valid 'id'"),
    "no type": (event(type=None), "no valid 'type'"),
    "type not a string": (event(type=["charge.refunded"]), "no valid 'type'"),
    "no data": (event(data=None), "no 'data.object'"),
    "data not an object": (event(data="pi_123"), "no 'data.object'"),
    "object not an object": (event(data={"object": ["pi_123"]}), "no 'data.object'"),
    "object without id": (event(data={"object": {"object": "payment_intent"}}),
                          "no valid 'id'"),
    "object id not a string": (event(data={"object": {"id": {"$ne": 1}}}), "no valid 'id'"),
    "dispute without charge": (event(type="charge.dispute.created",
                                     data={"object": {"id": "dp_1"}}), "no valid 'charge'"),
    "deeply nested json": (NESTED, "not JSON"),
    "deeply nested event": (event(data={"object": deep(60)}), "nested too deeply"),
    "not utf-8 json": ("{'id': 'evt_1'}", "not JSON"),
}


@pytest.mark.parametrize("name", list(BAD_BODIES))
def test_signed_body_that_is_not_an_event_is_refused(app_ctx, client, name):
    body, message = BAD_BODIES[name]
    response = client.post("/webhooks/stripe", data=body.encode(), headers=signed(body))
    assert response.status_code == 400, response.data[:300]
    assert message in response.json["error"]
    assert db.session.scalar(select(func.count(StripeEvent.id))) == 0


def test_a_refused_event_changes_no_payment(app_ctx, client, brand, creator):
    deal = make_deal(brand, creator)
    payments.fund(deal, brand.user, saved_card(brand.user))
    before = payments.payment_for(deal.id).status
    body = event(type="charge.dispute.created", data={"object": {"id": "dp_1", "charge": 5}})
    assert client.post("/webhooks/stripe", data=body.encode(),
                       headers=signed(body)).status_code == 400
    db.session.expire_all()
    payment = payments.payment_for(deal.id)
    assert payment.status == before and not payment.disputed


def test_a_well_formed_event_of_another_type_is_still_accepted(app_ctx, client):
    body = event(type="customer.created", data={"object": {"object": "customer"}})
    response = client.post("/webhooks/stripe", data=body.encode(), headers=signed(body))
    assert response.status_code == 200 and response.json == {"received": "ignored"}

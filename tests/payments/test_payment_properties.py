"""Invariants under arbitrary action sequences, and races (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import DealState
from marketplace.models.payment import StripeEvent, Transfer
from marketplace.services import payments
from marketplace.services.deals import state_machine as deals
from marketplace.services.errors import DomainError
from tests.support import factories
from tests.support.payments import make_deal, ready_payout_account, saved_card, signed_event

ACTIONS = ["submit", "approve", "cancel", "dispute", "resolve_split", "resolve_refund",
           "resolve_release", "refund", "release_again"]


def _apply(deal, action, brand, admin):
    db.session.refresh(deal)
    if action == "submit" and deal.state in (DealState.FUNDED, DealState.REVISION_REQUESTED):
        deal.state = DealState.SUBMITTED
        db.session.commit()
    elif action == "approve":
        deals.perform(deal, "approve", brand.user)
    elif action == "cancel":
        deals.perform(deal, "cancel", admin, note="Admin cancels this deal.")
    elif action == "dispute":
        deals.perform(deal, "dispute", brand.user, note="The content is not what we agreed.")
    elif action.startswith("resolve_"):
        outcome = action.removeprefix("resolve_")
        extra = ({"creator_amount_cents": 6000, "brand_refund_cents": 4000}
                 if outcome == "split" else {})
        deals.perform(deal, "resolve", admin, note="Decided after review.", outcome=outcome,
                      **extra)
    elif action == "refund":
        payments.refund(deal)
    elif action == "release_again":
        payments.release(deal)


@settings(max_examples=6, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=6))
def test_any_action_sequence_keeps_the_ledger_equation(app_ctx, brand, creator, steps):
    admin = db.session.execute(select(factories.User).where(
        factories.User.email == "prop-admin@example.com")).scalar() or factories.make_user(
        "prop-admin@example.com", role="admin")
    if payments.payout_account(creator) is None:
        ready_payout_account(creator)
    deal = make_deal(brand, creator, price_cents=10000)
    payments.fund(deal, brand.user, saved_card(brand.user))
    assert payments.ledger_balance_ok(deal.id)
    for action in ["submit", *steps]:
        try:
            _apply(deal, action, brand, admin)
        except DomainError:
            db.session.rollback()
        assert payments.ledger_balance_ok(deal.id), (steps, action)
    assert db.session.execute(select(func.count()).select_from(Transfer).where(
        Transfer.deal_id == deal.id)).scalar() <= 1



def _is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


@pytest.mark.postgres
def test_twenty_concurrent_releases_make_one_transfer(app, app_ctx, brand, creator):
    if not _is_postgres():
        pytest.skip("races need PostgreSQL")
    ready_payout_account(creator)
    deal = make_deal(brand, creator, price_cents=20000)
    payments.fund(deal, brand.user, saved_card(brand.user))
    deal.state = DealState.APPROVED
    db.session.commit()
    deal_id = deal.id  # read here: `deal` belongs to this thread's session
    results: list[str] = []
    barrier = threading.Barrier(20)

    def worker():
        with app.app_context():
            from marketplace.models import Deal
            mine = db.session.get(Deal, deal_id)
            db.session.commit()  # give the connection back: the pool has fewer than 20
            barrier.wait(timeout=30)
            try:
                results.append(payments.release(mine))
            except DomainError as exc:
                results.append(exc.message)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("paid_out") == 1, results
    assert db.session.execute(select(func.count()).select_from(Transfer)).scalar() == 1
    assert payments.ledger_balance_ok(deal.id)


@pytest.mark.postgres
def test_concurrent_deliveries_of_one_event_have_one_effect(app, app_ctx, brand, creator):
    if not _is_postgres():
        pytest.skip("races need PostgreSQL")
    deal = make_deal(brand, creator, price_cents=20000)
    payments.fund(deal, brand.user, saved_card(brand.user))
    payment = payments.payment_for(deal.id)
    body, header = signed_event("charge.dispute.created", {
        "id": "dp_race", "object": "dispute", "charge": payment.charge_id},
        event_id="evt_race")
    codes: list[int] = []
    barrier = threading.Barrier(10)

    def worker():
        client = app.test_client()
        barrier.wait(timeout=30)
        codes.append(client.post("/webhooks/stripe", data=body,
                                 headers={"Stripe-Signature": header}).status_code)

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [200] * 10
    assert db.session.execute(select(func.count()).select_from(StripeEvent)).scalar() == 1

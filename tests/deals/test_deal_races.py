"""Concurrency on PostgreSQL: row locks + unique constraints make double clicks act once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Deal, DealEvent, OfferThread, User
from marketplace.services.deals import offers
from marketplace.services.deals import state_machine as deals
from marketplace.services.errors import DomainError
from tests.support import factories
from tests.support.deals import make_deal, terms


@pytest.fixture
def pg_only(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("row locks are only meaningful on PostgreSQL (set TEST_DATABASE_URL)")


def run_concurrently(app, n: int, work) -> list:
    """Run work(i) in n threads, each with its own app context and session, released at once."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def target(i):
        with app.app_context():
            barrier.wait()
            try:
                results[i] = work(i)
            except DomainError as exc:
                results[i] = exc
            except Exception as exc:  # noqa: BLE001  (reported by the assertions)
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_simultaneous_accepts_make_one_deal(app, app_ctx, pg_only):
    brand, creator = factories.make_brand(), factories.make_creator()
    campaign = factories.make_campaign(brand)
    thread_id = offers.invite(brand.user, campaign, creator, terms(campaign)).id
    user_id = creator.user_id

    def accept(_):
        return offers.accept(db.session.get(User, user_id),
                             db.session.get(OfferThread, thread_id)).id

    results = run_concurrently(app, 2, accept)
    deal_ids = [r for r in results if isinstance(r, int)]
    errors = [r for r in results if not isinstance(r, int)]
    assert len(deal_ids) == 1, results
    assert len(errors) == 1 and isinstance(errors[0], DomainError), results
    assert "already accepted" in errors[0].message
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Deal)) == 1


def test_ten_concurrent_approves_act_once(app, app_ctx, pg_only):
    brand, creator = factories.make_brand(), factories.make_creator()
    deal_id = make_deal(brand, creator, state="submitted").id
    user_id = brand.user_id

    def approve(_):
        deals.perform(db.session.get(Deal, deal_id), "approve", db.session.get(User, user_id))
        return "ok"

    results = run_concurrently(app, 10, approve)
    assert results.count("ok") == 1, results
    assert all(isinstance(r, DomainError) for r in results if r != "ok"), results
    db.session.expire_all()
    approvals = db.session.scalar(select(func.count()).select_from(DealEvent)
                                  .where(DealEvent.deal_id == deal_id,
                                         DealEvent.action == "approve"))
    assert approvals == 1

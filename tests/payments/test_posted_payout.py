"""Money waits for the posts: a deal with posted deliverables pays the creator the moment its
posts are confirmed live (by the brand or by its silence), exactly once, through the same
ledger and idempotency rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Deal, DealState, User
from marketplace.models.payment import Transfer
from marketplace.services import payments
from marketplace.services.deals import deadlines, posts
from marketplace.services.deals import state_machine as deals
from tests.deals.test_deal_races import run_concurrently
from tests.payments.test_payments import PRICE, fund_now
from tests.support.payments import make_deal, ready_payout_account, refresh, saved_card


def transfers(deal_id: int) -> int:
    return db.session.scalar(select(func.count(Transfer.id)).where(Transfer.deal_id == deal_id))


def approved_posting_deal(brand, creator, brand_client, *, videos: int) -> Deal:
    """A funded deal with `videos` TikTok videos to post, approved by the brand, the
    creator's payouts set up."""
    deal = make_deal(brand, creator, price_cents=PRICE)
    deal.deliverables = [{"platform": "tiktok", "deliverable_type": "short_video",
                          "quantity": videos}]
    posts.make_rows(deal)
    db.session.commit()
    fund_now(brand_client, deal, saved_card(brand.user))
    ready_payout_account(creator)
    deal.state = DealState.SUBMITTED
    db.session.commit()
    deals.perform(deal, "approve", brand.user)
    refresh(deal)
    return deal


@pytest.fixture
def approved(app_ctx, brand, creator, brand_client):
    """A funded deal with two TikTok videos to post, approved by the brand."""
    return approved_posting_deal(brand, creator, brand_client, videos=2)


def link_all(deal, creator) -> None:
    for n, item in enumerate(posts.posted_items(deal)):
        deals.perform(deal, "add_post_link", creator.user, deliverable_id=item.id,
                      url=f"https://www.tiktok.com/@{creator.handle}/video/730123456789012345{n}")


def test_approval_holds_the_money_until_the_brand_confirms(approved, brand, creator):
    assert approved.state == DealState.APPROVED and transfers(approved.id) == 0
    assert payments.payment_for(approved.id).status == "held"
    assert payments.release(approved) == "skipped" and transfers(approved.id) == 0
    link_all(approved, creator)
    assert transfers(approved.id) == 0
    deals.perform(approved, "confirm_live", brand.user)
    refresh(approved)
    assert approved.state == DealState.COMPLETED and transfers(approved.id) == 1
    assert approved.posted_at is not None and approved.paid_out_at >= approved.posted_at
    assert payments.ledger_balance_ok(approved.id) and payments.reconcile() == []


def test_silence_releases_the_money(approved, creator):
    link_all(approved, creator)
    deadlines.run_all(approved.posts_linked_at + timedelta(days=2, seconds=1))
    db.session.expire_all()
    deal = db.session.get(Deal, approved.id)
    assert deal.state == DealState.COMPLETED and transfers(deal.id) == 1
    assert payments.ledger_balance_ok(deal.id)


def test_twenty_concurrent_confirmations_make_one_transfer(app, approved, brand, creator,
                                                           database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("row locks are only meaningful on PostgreSQL (set TEST_DATABASE_URL)")
    link_all(approved, creator)
    deal_id, user_id = approved.id, brand.user_id

    def confirm(i):
        deal = db.session.get(Deal, deal_id)
        if i % 2:
            deals.perform(deal, "confirm_live", db.session.get(User, user_id))
        else:
            payments.release(deal)
        return "ok"

    run_concurrently(app, 20, confirm)
    db.session.expire_all()
    assert transfers(deal_id) == 1
    assert db.session.get(Deal, deal_id).state == DealState.COMPLETED
    assert payments.ledger_balance_ok(deal_id)

"""The payout follows the platform's verification: a funded, approved deal whose post is read
live, by the creator's own account, with the disclosure, is paid exactly once, even when the
checks run again or the brand confirms too."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import Deal, DealState
from marketplace.services import payments
from marketplace.services.deals import deadlines
from marketplace.services.deals import state_machine as deals
from marketplace.services.errors import DomainError
from tests.payments.test_posted_payout import approved_posting_deal, transfers
from tests.platforms.conftest import TOKEN_KEY, connect


@pytest.fixture
def app(make_app, stripe_server, social_settings, social):
    return make_app(STRIPE_API_BASE=stripe_server, STRIPE_SECRET_KEY="sk_test_duet",
                    STRIPE_JS_URL=f"{stripe_server}/js.stripe.com/v3/",
                    STRIPE_WEBHOOK_SECRET="whsec_duet_test", BRAND_FEE_BPS=500,
                    CREATOR_FEE_BPS=1000, MAIL_SUPPRESS_SEND=True, **social_settings,
                    SOCIAL_TOKEN_KEYS=TOKEN_KEY)


def test_a_verified_post_releases_the_payout_once(app_ctx, brand, creator, brand_client,
                                                  creator_client, social):
    now = utcnow().replace(microsecond=0)
    social.add_account("tiktok", "mia.moves")
    connect(creator_client, "tiktok", "mia.moves")
    social.freeze(now)
    post = social.add_post("tiktok", "mia.moves", caption="My glow routine #ad",
                           created_at=now - timedelta(hours=2))
    deal = approved_posting_deal(brand, creator, brand_client, videos=1)
    deals.perform(deal, "add_post_link", creator.user,
                  deliverable_id=deal.deliverable_items[0].id,
                  url=f"https://www.tiktok.com/@mia.moves/video/{post['id']}")
    assert transfers(deal.id) == 0

    assert deadlines.run_all(now)["posts_verified"] == 1
    db.session.expire_all()
    deal = db.session.get(Deal, deal.id)
    assert deal.state == DealState.COMPLETED and transfers(deal.id) == 1
    assert deal.deliverable_items[0].verified_via == "platform"
    # Running again, or the brand confirming late, moves no more money.
    assert deadlines.run_all(now + timedelta(minutes=10))["posts_verified"] == 0
    with pytest.raises(DomainError):
        deals.perform(deal, "confirm_live", brand.user)
    assert payments.release(deal) in ("skipped", "already")
    assert transfers(deal.id) == 1 and payments.ledger_balance_ok(deal.id)

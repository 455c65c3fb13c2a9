"""After the payout, in the browser: the creator adds the Spark Ads code the terms' paid use
calls for, the brand sees it with its end date, then says thanks with a bonus charged to the
card it paid with; the creator sees the bonus on the deal."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import expect

from marketplace.extensions import db
from marketplace.models import Campaign
from marketplace.services.deals.schedule import format_when
from tests.e2e.deal_helpers import (
    VISA,
    deal_state,
    make_agreed_deal,
    make_cast,
    pay_with_card,
    person,
    post_and_confirm,
    submit_work,
)
from tests.e2e.test_payment_flow import set_up_payouts

PHONE = {"width": 390, "height": 844}


def test_usage_code_then_a_thank_you_bonus(e2e_app, stripe_server, new_context, page_problems,
                                           shot):
    cast = make_cast(e2e_app)
    with e2e_app.app_context():
        db.session.get(Campaign, cast.campaign_id).usage_rights = "paid_30"
        db.session.commit()
    deal_id = make_agreed_deal(e2e_app, cast, price_cents=45000)
    creator = person(new_context, cast.creator_email)
    set_up_payouts(creator, stripe_server)
    brand = person(new_context, cast.brand_email)
    pay_with_card(brand, deal_id, VISA, page_problems)
    submit_work(e2e_app, cast, deal_id)
    brand.goto(f"/deals/{deal_id}")
    brand.get_by_role("button", name="Approve").click()
    post_and_confirm(e2e_app, cast, deal_id)
    assert deal_state(e2e_app, deal_id) == "completed"

    # The creator adds the Spark Ads code; the brand sees it with its end and a countdown.
    ends = date.today() + timedelta(days=30)
    creator.goto(f"/deals/{deal_id}")
    codes = creator.locator("#usage-codes")
    codes.get_by_label("Code").fill("#SparkAd7Hq2Lp9xWc3")
    codes.get_by_label("Authorization ends on").fill(ends.isoformat())
    codes.get_by_role("button", name="Save code").click()
    expect(creator.locator(".alert-success", has_text="TikTok Spark Ads code")).to_be_visible()
    brand.goto(f"/deals/{deal_id}")
    expect(brand.locator("#usage-codes")).to_contain_text("#SparkAd7Hq2Lp9xWc3")
    expect(brand.locator("#usage-codes")).to_contain_text(f"Ends {format_when(ends)}")
    shot(brand, "after-payout-01-usage-code-brand")

    # A thank-you bonus from the completed deal, with the card already saved.
    brand.get_by_role("link", name="Send a bonus").click()
    expect(brand.get_by_role("heading", name="Say thanks with a bonus")).to_be_visible()
    brand.get_by_label("Bonus (USD)").fill("abc")
    brand.get_by_role("button", name="Send the bonus").click()
    expect(brand.locator(".invalid-feedback").first).to_be_visible()
    brand.get_by_label("Bonus (USD)").fill("50")
    brand.get_by_label("Note to the creator (optional)").fill("The hook was perfect. Thank you!")
    shot(brand, "after-payout-02-bonus-form")
    brand.set_viewport_size(PHONE)
    shot(brand, "after-payout-02-bonus-form-phone")
    brand.get_by_role("button", name="Send the bonus").click()
    expect(brand.locator(".alert-success", has_text="Thank you sent")).to_be_visible()

    creator.goto(f"/deals/{deal_id}")
    expect(creator.locator(".deal-timeline, #timeline").first).to_contain_text("Bonus of $50.00")
    shot(creator, "after-payout-03-creator-deal")
    assert not page_problems.problems, page_problems.problems

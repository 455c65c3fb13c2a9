"""The whole promise in the browser: the creator connects their TikTok account on the local
consent page, posts the approved video, links it, and is paid the moment the platform check
(the sweeper's job) finds it live, on their account, with the disclosure."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from marketplace.database import utcnow
from marketplace.services.deals import deadlines
from tests.e2e.deal_helpers import (
    VISA,
    deal_state,
    make_agreed_deal,
    make_cast,
    pay_with_card,
    person,
    submit_work,
)
from tests.e2e.test_payment_flow import set_up_payouts


def test_creator_connects_posts_and_is_paid_when_the_post_is_verified(
        e2e_app, stripe_server, social_platforms, new_context, page_problems, shot):
    cast = make_cast(e2e_app)
    tiktok = f"{cast.creator_handle}.tt"
    social_platforms.add_account("tiktok", tiktok, display_name="Maya Chen", followers=48200)
    deal_id = make_agreed_deal(e2e_app, cast, price_cents=45000)

    creator = person(new_context, cast.creator_email)
    creator.goto("/creators/me/connections")
    creator.get_by_role("button", name="Connect TikTok").click()
    creator.get_by_label(re.compile(rf"@{re.escape(tiktok)}")).check()
    creator.get_by_role("button", name="Authorize").click()
    expect(creator.get_by_text(f"TikTok account @{tiktok} is connected.")).to_be_visible()
    set_up_payouts(creator, stripe_server)

    brand = person(new_context, cast.brand_email)
    pay_with_card(brand, deal_id, VISA, page_problems)
    submit_work(e2e_app, cast, deal_id)
    brand.goto(f"/deals/{deal_id}")
    brand.get_by_role("button", name="Approve").click()
    assert deal_state(e2e_app, deal_id) == "approved"

    # The creator posts on TikTok (the local platform) and links the live video.
    post = social_platforms.add_post("tiktok", tiktok, views_per_hour=500,
                                     caption="#ad Morning routine with @glowlab #glowlab")
    creator.goto(f"/deals/{deal_id}")
    creator.locator("#next-step").get_by_role("link", name="Add the live links").click()
    creator.get_by_label("Live post link").fill(
        f"https://www.tiktok.com/@{tiktok}/video/{post['id']}")
    creator.get_by_role("button", name="Add link").click()
    expect(creator.locator(".alert-success", has_text="Every post is linked")).to_be_visible()

    # The sweeper's platform check (a job every minute in production) verifies it: paid.
    with e2e_app.app_context():
        assert deadlines.run_all(utcnow())["posts_verified"] == 1
    assert deal_state(e2e_app, deal_id) == "completed"
    creator.goto(f"/deals/{deal_id}")
    expect(creator.locator("#posts .badge").first).to_have_text("Live")
    expect(creator.locator("#posts")).to_contain_text("by the platform")
    expect(creator.locator('[data-step="paid_out"]')).to_contain_text("Paid out")
    shot(creator, "verified-post-paid-creator")
    creator.locator("nav").get_by_role("link", name="Earnings").first.click()
    expect(creator.locator("tr").filter(has_text=f"#{deal_id}")).to_contain_text("$405.00")
    assert not page_problems.problems, page_problems.problems

"""Paying for a deal with the card form (fake Stripe.js from the local Stripe) and the
creator's payout after approval. Negotiation is skipped: the deal is agreed via services."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.deal_helpers import (
    VISA,
    VISA_3DS,
    deal_state,
    live_post_url,
    make_agreed_deal,
    make_cast,
    pay_with_card,
    person,
    submit_work,
)


def set_up_payouts(page: Page, stripe_base: str) -> None:
    """The creator clicks "Set up payouts", goes through the local Express onboarding
    stand-in and comes back."""
    page.goto("/payouts")
    page.get_by_role("button", name="Set up payouts").click()
    expect(page).to_have_url(re.compile(re.escape(stripe_base) + r"/_devtools/onboard/acct_"))
    page.get_by_role("button", name="Complete onboarding").click()
    expect(page).to_have_url(re.compile(r"/payouts$"))
    expect(page.locator(".alert", has_text="Payouts are set up.")).to_be_visible()
    expect(page.get_by_text("Payouts are set up. Approved deals are paid")).to_be_visible()


def test_set_up_payouts_button_opens_stripe_onboarding(e2e_app, stripe_server, new_context):
    """The payouts page's CSP lets its form redirect to the onboarding origin (and only that)."""
    creator = person(new_context, make_cast(e2e_app).creator_email)
    response = creator.goto("/payouts")
    policy = response.headers["content-security-policy"]
    assert f"form-action 'self' {stripe_server}" in policy
    assert "script-src 'self';" in policy and "connect-src 'self';" in policy
    creator.get_by_role("button", name="Set up payouts").click()
    expect(creator).to_have_url(re.compile(re.escape(stripe_server) + r"/_devtools/onboard/"),
                                timeout=5_000)


def test_card_payment_funds_the_deal_and_the_creator_is_paid_out(
        e2e_app, stripe_server, new_context, page_problems, shot):
    cast = make_cast(e2e_app)
    deal_id = make_agreed_deal(e2e_app, cast, price_cents=45000)
    creator = person(new_context, cast.creator_email)
    set_up_payouts(creator, stripe_server)
    shot(creator, "payment-01-payouts-ready")

    brand = person(new_context, cast.brand_email)
    brand.goto(f"/deals/{deal_id}")
    expect(brand.get_by_role("link", name="Fund this deal")).to_have_attribute(
        "href", f"/deals/{deal_id}/pay")
    pay_with_card(brand, deal_id, VISA, page_problems, shot=shot, name="payment-02")
    expect(brand.get_by_text("Funded, in production").first).to_be_visible()
    assert deal_state(e2e_app, deal_id) == "funded"
    shot(brand, "payment-03-funded")

    # A second visit to the pay page does not charge twice.
    brand.goto(f"/deals/{deal_id}/pay")
    expect(brand.locator(".alert", has_text="This deal is already funded.")).to_be_visible()

    submit_work(e2e_app, cast, deal_id)
    brand.goto(f"/deals/{deal_id}")
    brand.get_by_role("button", name="Approve").click()
    expect(brand.locator(".alert-success").first).to_be_visible()
    assert deal_state(e2e_app, deal_id) == "approved"  # the money waits for the live post

    # The creator posts and links it from the deal's next step; a wrong link is explained.
    creator.goto(f"/deals/{deal_id}")
    creator.locator("#next-step").get_by_role("link", name="Add the live links").click()
    field = creator.get_by_label("Live post link")
    field.fill("https://www.tiktok.com/@someone_else/video/7301234567890123456")
    creator.get_by_role("button", name="Add link").click()
    expect(creator.locator("#posts .invalid-feedback")).to_contain_text("not by your TikTok")
    creator.get_by_label("Live post link").fill(live_post_url(cast))
    creator.get_by_role("button", name="Add link").click()
    expect(creator.locator(".alert-success", has_text="Every post is linked")).to_be_visible()
    expect(creator.locator("#posts .badge")).to_have_text("Linked, being checked")
    shot(creator, "payment-04-post-linked")

    # The brand checks the post and confirms: the payout goes out at once.
    brand.goto(f"/deals/{deal_id}")
    expect(brand.locator("#next-step")).to_contain_text("Check they are live")
    brand.locator("#next-step").get_by_role("link", name="Check the posts").click()
    brand.get_by_role("button", name="The posts are live: release the payment").click()
    expect(brand.locator(".alert-success").first).to_contain_text("confirmed live")
    assert deal_state(e2e_app, deal_id) in ("paid_out", "completed")
    shot(brand, "payment-05-posts-confirmed")

    creator.goto("/payments")
    expect(creator.get_by_role("heading", name="Earnings")).to_be_visible()
    row = creator.locator("tr").filter(has_text=cast.campaign_title)
    expect(row).to_contain_text(f"#{deal_id}")
    expect(row).to_contain_text(re.compile(r"on the way|paid"))
    expect(row).to_contain_text("$405.00")  # net of the 10 % creator fee, never the gross
    expect(row).not_to_contain_text("$450.00")
    shot(creator, "payment-06-earnings")
    row.get_by_role("link", name="Statement").click()
    expect(creator).to_have_url(re.compile(rf"/deals/{deal_id}/statement$"))
    expect(creator.locator("#statement-net")).to_have_text("$405.00")
    shot(creator, "payment-05-statement")


def test_three_d_secure_card_funds_the_deal(e2e_app, stripe_server, new_context, page_problems,
                                           shot):
    cast = make_cast(e2e_app)
    deal_id = make_agreed_deal(e2e_app, cast, price_cents=30000)
    brand = person(new_context, cast.brand_email)
    pay_with_card(brand, deal_id, VISA_3DS, page_problems, shot=shot, name="payment-3ds")
    expect(brand.get_by_text("Funded, in production").first).to_be_visible()
    assert deal_state(e2e_app, deal_id) == "funded"

    brand.goto("/payments")
    row = brand.locator("tr").filter(has_text=cast.campaign_title)
    expect(row).to_contain_text("held")
    expect(row).to_contain_text("$300.00")
    shot(brand, "payment-3ds-history")

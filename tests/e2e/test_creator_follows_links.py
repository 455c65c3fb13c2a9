"""A creator follows a deal from the offer to the payout using only what the pages offer:
after logging in, every step is a click on a link or button (notifications, the deal's next
step, payout set-up, the Earnings menu), never a typed address. The brand's side is set up
through the services and its own pages."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from marketplace.extensions import db
from marketplace.models import Deal, User
from marketplace.services.deals import offers
from marketplace.services.deals import state_machine as deals
from tests.e2e.deal_helpers import (
    VISA,
    deal_state,
    live_post_url,
    make_cast,
    pay_with_card,
    person,
)


def open_notification(page: Page, text: str | re.Pattern) -> None:
    """Bell in the navbar -> the notification -> the page it points at."""
    page.locator("nav").get_by_role("link", name=re.compile(r"^Notifications")).first.click()
    expect(page).to_have_url(re.compile(r"/notifications/?$"))
    page.locator(".list-group-item", has_text=text).first.click()


def invite(app, cast) -> int:
    from dataclasses import replace

    from marketplace.models import Campaign, CreatorProfile

    with app.test_request_context():
        campaign = db.session.get(Campaign, cast.campaign_id)
        creator = db.session.scalar(db.select(CreatorProfile).where(
            CreatorProfile.handle == cast.creator_handle))
        terms = replace(offers.OfferTerms.from_campaign(campaign), price_cents=40000)
        return offers.invite(db.session.get(User, cast.brand_user_id), campaign, creator,
                             terms).id


def test_creator_goes_from_offer_to_payout_by_links_only(e2e_app, stripe_server, new_context,
                                                        page_problems, shot):
    cast = make_cast(e2e_app)
    invite(e2e_app, cast)
    creator = person(new_context, cast.creator_email)  # logs in through the form

    # The offer: notification -> thread -> accept.
    open_notification(creator, "You received an offer")
    expect(creator).to_have_url(re.compile(r"/deals/offers/\d+$"))
    creator.get_by_role("button", name="Accept offer").click()
    expect(creator).to_have_url(re.compile(r"/deals/\d+$"))
    deal_id = int(re.search(r"/deals/(\d+)$", creator.url).group(1))

    brand = person(new_context, cast.brand_email)
    pay_with_card(brand, deal_id, VISA, page_problems)

    # Funded: the notification leads to the deal, whose next step leads to the form.
    open_notification(creator, re.compile("Funds secured|is funded"))
    expect(creator).to_have_url(re.compile(rf"/deals/{deal_id}$"))
    creator.locator("#next-step").get_by_role("link", name="Submit content").click()
    creator.get_by_label("Post links").fill("https://www.tiktok.com/@maya/video/301")
    creator.get_by_label("Caption").fill("#ad Morning routine with @glowlab #glowlab")
    creator.get_by_role("button", name="Submit").click()
    expect(creator.locator(".alert", has_text="Submitted")).to_be_visible()

    with e2e_app.test_request_context():
        deals.perform(db.session.get(Deal, deal_id), "approve",
                      db.session.get(User, cast.brand_user_id))
    assert deal_state(e2e_app, deal_id) == "approved"  # waits for the live post

    # Approved: the notice leads to the deal, whose next step leads to the link form.
    open_notification(creator, re.compile("approved", re.I))
    expect(creator).to_have_url(re.compile(rf"/deals/{deal_id}$"))
    creator.locator("#next-step").get_by_role("link", name="Add the live links").click()
    creator.get_by_label("Live post link").fill(live_post_url(cast))
    creator.get_by_role("button", name="Add link").click()
    expect(creator.locator(".alert-success", has_text="Every post is linked")).to_be_visible()
    brand.goto(f"/deals/{deal_id}")
    brand.get_by_role("button", name="The posts are live: release the payment").click()
    assert deal_state(e2e_app, deal_id) == "posted"  # waits for the creator's payout account

    # Posted: the notice leads straight to payout set-up; so does the deal's next step.
    open_notification(creator, re.compile("confirmed live", re.I))
    expect(creator).to_have_url(re.compile(r"/payouts$"))
    creator.locator("nav").get_by_role("link", name="Deals").first.click()
    creator.locator("tr", has_text=cast.campaign_title).get_by_role("link").first.click()
    expect(creator).to_have_url(re.compile(rf"/deals/{deal_id}$"))
    shot(creator, "links-01-approved-next-step")
    creator.locator("#next-step").get_by_role("link", name="Set up payouts").click()
    expect(creator).to_have_url(re.compile(r"/payouts$"))
    creator.get_by_role("button", name="Set up payouts").click()
    creator.get_by_role("button", name="Complete onboarding").click()
    expect(creator).to_have_url(re.compile(r"/payouts$"))
    expect(creator.locator(".alert-success").first).to_be_visible()
    assert deal_state(e2e_app, deal_id) in ("paid_out", "completed")

    # Where is my money? The Earnings menu shows the deal's net amount (price - 10% fee).
    creator.locator("nav").get_by_role("link", name="Earnings").first.click()
    row = creator.locator("tr").filter(has_text=f"#{deal_id}")
    expect(row).to_contain_text("$360.00")
    shot(creator, "links-02-earnings")
    assert not page_problems.problems, page_problems.problems

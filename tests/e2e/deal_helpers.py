"""Shared steps for the deal and payment browser tests: quick data set-up through the
factories in the live app's context, logging in through the real form, and the card form."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from playwright.sync_api import Page, expect

from marketplace.extensions import db
from marketplace.models import Deal
from tests.support.factories import PASSWORD, make_brand, make_campaign, make_creator

VISA = "4242424242424242"
VISA_3DS = "4000002500003155"


@dataclass(frozen=True)
class Cast:
    """Who takes part in one story (plain values: usable outside the app context)."""

    creator_handle: str
    creator_name: str
    creator_email: str
    creator_user_id: int
    brand_email: str
    brand_user_id: int
    company: str
    campaign_id: int
    campaign_title: str


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def make_cast(app) -> Cast:
    """A creator with a package, and a brand with an open campaign asking for `#ad`."""
    with app.app_context():
        handle = unique("maya_")
        creator = make_creator(handle, display_name="Maya Chen", price_cents=30000)
        brand = make_brand(unique("glow_"), company_name="Glow Lab")
        title = f"SPF serum launch {handle[-4:]}"
        campaign = make_campaign(brand, title=title, budget=(25000, 60000))
        campaign.required_disclosure = "#ad"
        campaign.required_hashtags = "#glowlab"
        db.session.commit()
        return Cast(creator_handle=handle, creator_name="Maya Chen",
                    creator_email=creator.user.email, creator_user_id=creator.user.id,
                    brand_email=brand.user.email, brand_user_id=brand.user.id,
                    company="Glow Lab", campaign_id=campaign.id, campaign_title=title)


def log_in(page: Page, email: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/auth/login"))


def person(new_context, email: str) -> Page:
    """A fresh browser context logged in as `email`, accepting every confirm() dialog."""
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, email)
    return page


def deal_id_from(page: Page) -> int:
    match = re.search(r"/deals/(\d+)$", page.url)
    assert match, page.url
    return int(match.group(1))


def deal_state(app, deal_id: int) -> str:
    with app.app_context():
        return str(db.session.get(Deal, deal_id).state)


def fill_card(page: Page, number: str) -> None:
    """The fake Stripe.js card element: plain inputs named by their placeholders."""
    element = page.locator("#card-element")
    element.get_by_placeholder("number").fill(number)
    element.get_by_placeholder("exp_month").fill("12")
    element.get_by_placeholder("exp_year").fill("34")
    element.get_by_placeholder("cvc").fill("123")
    element.get_by_placeholder("postal_code").fill("10001")


def pay_with_card(page: Page, deal_id: int, number: str, page_problems, *, shot=None,
                  name: str = "") -> None:
    """Fund `deal_id` on the pay page; completes every 3-D Secure modal that shows up.
    Any CSP violation or JS error on the way fails right here (the fake Stripe.js is served
    wrapped by devtools/stripe_server.py, so it no longer shadows `window.Element`)."""
    since = len(page_problems.problems)
    page.goto(f"/deals/{deal_id}/pay")
    expect(page.get_by_role("heading", name=f"Fund deal #{deal_id}")).to_be_visible()
    fill_card(page, number)
    if shot:
        shot(page, f"{name}-card")
    page.locator("#pay-button").click()
    funded = page.locator(".alert", has_text="Payment received")
    authenticate = page.get_by_role("button", name="Complete authentication")
    for _ in range(3):  # the SetupIntent and the PaymentIntent may each ask
        expect(funded.or_(authenticate)).to_be_visible(timeout=15_000)
        if funded.is_visible():
            break
        if shot:
            shot(page, f"{name}-3ds")
        authenticate.click()
    expect(funded).to_be_visible(timeout=15_000)
    expect(page).to_have_url(re.compile(rf"/deals/{deal_id}$"))
    problems = page_problems.problems[since:]
    assert not problems, "Problems in the browser while paying:\n" + "\n".join(problems)


def make_agreed_deal(app, cast: Cast, price_cents: int = 45000) -> int:
    """Skip the negotiation: the brand invites through the service and the creator accepts."""
    from dataclasses import replace

    from marketplace.models import Campaign, CreatorProfile, User
    from marketplace.services.deals import offers

    with app.test_request_context():
        campaign = db.session.get(Campaign, cast.campaign_id)
        creator = db.session.scalar(db.select(CreatorProfile)
                                    .where(CreatorProfile.handle == cast.creator_handle))
        terms = replace(offers.OfferTerms.from_campaign(campaign), price_cents=price_cents)
        thread = offers.invite(db.session.get(User, cast.brand_user_id), campaign, creator, terms)
        return offers.accept(db.session.get(User, cast.creator_user_id), thread).id


def submit_work(app, cast: Cast, deal_id: int) -> None:
    """The creator hands in content that meets the brief (through the service)."""
    from marketplace.models import User
    from marketplace.services.deals import state_machine as deals

    with app.test_request_context():
        deals.perform(db.session.get(Deal, deal_id), "submit",
                      db.session.get(User, cast.creator_user_id),
                      post_links=["https://www.tiktok.com/@maya/video/200"],
                      caption="#ad Morning routine with @glowlab #glowlab", notes="")


def live_post_url(cast: Cast, n: int = 0) -> str:
    return f"https://www.tiktok.com/@{cast.creator_handle}/video/{7301234567890123450 + n}"


def post_and_confirm(app, cast: Cast, deal_id: int) -> None:
    """After approval: the creator links every post and the brand confirms they are live
    (through the services; the pages for it have their own browser test)."""
    from marketplace.models import User
    from marketplace.services.deals import posts
    from marketplace.services.deals import state_machine as deals

    with app.test_request_context():
        deal = db.session.get(Deal, deal_id)
        for n, item in enumerate(posts.posted_items(deal)):
            deals.perform(deal, "add_post_link", db.session.get(User, cast.creator_user_id),
                          deliverable_id=item.id, url=live_post_url(cast, n))
        deals.perform(deal, "confirm_live", db.session.get(User, cast.brand_user_id))
        db.session.remove()

"""What a brand and a creator read about a match, in a real browser on a small demo
marketplace: plain-language strength, reasons that follow the brief, cautions set apart,
the fit's make-up behind a <details> (no script, CSP clean). Screenshots at 1280 and 390
pixels wide go to test-results/screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.demo import seed
from marketplace.extensions import db
from marketplace.models import Campaign, CampaignStatus, User
from tests.e2e.conftest import make_e2e_app, serve

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    app = make_e2e_app(tmp_path_factory.mktemp("matches"))
    with app.app_context():
        seed.seed_all(seed.DEFAULT_SEED, images=False)
        brand_user = db.session.scalar(select(User).where(
            User.email == seed.DEMO_LOGINS["brand"][0]))
        campaign_id = db.session.scalar(select(Campaign.id).where(  # the widest open one
            Campaign.brand_id == brand_user.brand.id, Campaign.status == CampaignStatus.OPEN)
            .order_by(Campaign.min_followers, Campaign.id))
        db.session.remove()
    with serve(app) as url:
        yield url, campaign_id


def log_in(page, base: str, role: str) -> None:
    email, password = seed.DEMO_LOGINS[role]
    page.goto(f"{base}/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))


@pytest.mark.parametrize("size", WIDTHS)
def test_brand_reads_top_matches(new_context, demo, shot, size):
    base, campaign_id = demo
    w, h = WIDTHS[size]
    page = new_context(viewport={"width": w, "height": h}).new_page()
    log_in(page, base, "brand")
    page.goto(f"{base}/campaigns/{campaign_id}/matches")
    first = page.get_by_test_id("match").first
    expect(first.get_by_test_id("match-strength")).to_contain_text(re.compile(
        r"(Strong|Good|Fair) match · fit \d+/100"))
    expect(first.get_by_test_id("match-reasons")).to_contain_text(
        re.compile(r"Based in|of audience in|any country"))
    expect(first.get_by_test_id("match-reasons")).to_contain_text(
        re.compile(r"on (TikTok|Instagram|YouTube)"))
    assert not re.search(r"\b\d\.\d\d\b", first.get_by_test_id("match-strength").inner_text())
    details = first.locator("details.match-details")
    expect(details.locator("ul")).not_to_be_visible()
    details.locator("summary").click()
    expect(details.locator("ul")).to_be_visible()
    cautions = page.get_by_test_id("match-cautions")
    if cautions.count():  # visibly apart: muted italic list with an icon, "Caution:" for readers
        expect(cautions.first.locator(".visually-hidden").first).to_have_text("Caution:")
    shot(page, f"matches-campaign-{size}")


@pytest.mark.parametrize("size", WIDTHS)
def test_creator_reads_campaigns_for_you(new_context, demo, shot, size):
    base, _ = demo
    w, h = WIDTHS[size]
    page = new_context(viewport={"width": w, "height": h}).new_page()
    log_in(page, base, "creator")
    items = page.get_by_test_id("for-you")
    expect(items.first).to_be_visible()
    expect(items.first.get_by_test_id("match-strength")).to_contain_text("/100")
    reasons = items.first.get_by_test_id("match-reasons").inner_text()
    assert "below your" not in reasons and "Outside your niches" not in reasons
    page.locator("#campaigns-for-you").scroll_into_view_if_needed()
    shot(page, f"matches-for-you-{size}")

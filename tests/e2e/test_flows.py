"""End-to-end journeys through real forms (CSRF on), one browser context per person."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

from playwright.sync_api import Page, expect

PASSWORD = "a-long-password"


def unique(prefix: str) -> str:
    """A short name no other test (or re-run against the same server) has used."""
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def sign_up(page: Page, email: str, role: str) -> None:
    page.goto("/auth/signup")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label(re.compile("Brand —" if role == "brand" else "Creator —")).check()
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Welcome to Duet!")).to_be_visible()


def set_up_brand(page: Page, handle: str, company: str) -> None:
    """Sign up as a brand and save the brand profile."""
    sign_up(page, f"{handle}@example.com", "brand")
    expect(page).to_have_url(re.compile(r"/brands/me/profile"))
    page.get_by_label("Company name").fill(company)
    page.get_by_label("Handle").fill(handle)
    page.get_by_label("Website").fill("https://example.com")
    page.get_by_label("Industry").select_option("beauty")
    page.get_by_label("About the brand").fill("Gentle skincare for sensitive skin, made in "
                                               "small batches.")
    page.get_by_role("button", name="Save brand profile").click()
    expect(page.locator(".alert-success")).to_be_visible()


def test_brand_creates_and_publishes_a_campaign(page: Page, shot):
    handle = unique("glow_")
    set_up_brand(page, handle, "Glow Lab")

    page.goto("/dashboard")
    expect(page.get_by_role("heading", name="Glow Lab")).to_be_visible()
    expect(page.get_by_text("No campaigns yet")).to_be_visible()
    page.get_by_role("link", name="Create campaign").click()
    expect(page).to_have_url(re.compile(r"/campaigns/new"))

    title = f"SPF serum launch {handle[-4:]}"
    page.get_by_label("Title").fill(title)
    page.get_by_label("Brief").fill("Show our new SPF serum in your morning routine and tell "
                                    "your audience how it feels on sensitive skin.")
    page.locator("#deliverables-0-platform").select_option("tiktok")
    page.locator("#deliverables-0-deliverable_type").select_option("short_video")
    page.locator("#deliverables-0-quantity").fill("1")
    page.locator("#niches-skincare").check()
    page.locator("#platforms-tiktok").check()
    page.get_by_label("Minimum followers").fill("5000")
    page.get_by_label("Budget per creator: from").fill("250")
    page.get_by_label("up to").fill("600")
    page.get_by_label("Creators wanted").fill("3")
    page.get_by_label("Application deadline").fill((date.today() + timedelta(days=14)).isoformat())
    page.get_by_label("Content due").fill((date.today() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Save campaign").click()

    expect(page).to_have_url(re.compile(r"/campaigns/\d+$"))
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    campaign_url = page.url
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text(re.compile("Campaign published"))).to_be_visible()
    shot(page, "brand-campaign-page")

    page.goto("/campaigns/")
    expect(page.get_by_role("link", name=title)).to_be_visible()
    shot(page, "campaigns-list")
    page.get_by_role("link", name=title).click()
    expect(page).to_have_url(campaign_url)

    page.goto("/dashboard")
    expect(page.locator('.stat-card[data-status="open"] .stat-count')).to_have_text("1")
    expect(page.get_by_role("link", name=title)).to_be_visible()
    shot(page, "brand-dashboard")


def test_brand_finds_a_new_creator_by_niche(new_context, shot):
    creator_page = new_context().new_page()
    handle = unique("maya_")
    sign_up(creator_page, f"{handle}@example.com", "creator")
    expect(creator_page).to_have_url(re.compile(r"/creators/me/profile"))
    creator_page.get_by_label("Display name").fill("Maya Chen")
    creator_page.get_by_label("Handle").fill(handle)
    creator_page.get_by_label("Bio").fill("Indoor plant care, balcony gardens and tiny-space "
                                          "greenery in 60 seconds.")
    creator_page.get_by_label("Country").select_option("GB")
    creator_page.locator("#languages-en").check()
    creator_page.locator("#niches-home").check()
    creator_page.locator("#niches-sustainability").check()
    creator_page.get_by_role("button", name="Save profile").click()
    expect(creator_page.locator(".alert-success")).to_be_visible()

    creator_page.goto("/creators/me/packages")
    creator_page.get_by_role("link", name="Add package").click()
    creator_page.get_by_label("Title").fill("1 TikTok video, 30-60 s")
    creator_page.get_by_label("Platform").select_option("tiktok")
    creator_page.get_by_label("Deliverable").select_option("short_video")
    creator_page.get_by_label("Price").fill("180")
    creator_page.get_by_role("button", name="Save package").click()
    expect(creator_page.get_by_text("1 TikTok video, 30-60 s")).to_be_visible()

    creator_page.goto("/dashboard")
    expect(creator_page.locator("progress")).to_be_visible()
    expect(creator_page.get_by_role("link", name="Add a profile photo")).to_be_visible()
    shot(creator_page, "creator-dashboard")

    brand_page = new_context().new_page()
    set_up_brand(brand_page, unique("leaf_"), "Leaf & Co")
    brand_page.goto("/creators/?niche=home")
    expect(brand_page.get_by_text("Maya Chen")).to_be_visible()
    shot(brand_page, "creators-list-home")
    brand_page.goto("/creators/?niche=gaming")
    expect(brand_page.get_by_text("Maya Chen")).to_have_count(0)

"""A creator connects a TikTok account on the local consent page and sees it connected."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.deal_helpers import log_in, unique
from tests.support.factories import make_creator


def test_creator_connects_tiktok_on_the_consent_page(e2e_app, page, social_platforms, shot):
    handle = unique("maya_")
    with e2e_app.app_context():
        email = make_creator(handle, display_name="Maya Chen").user.email
    social_platforms.add_account("tiktok", f"{handle}.tt", display_name="Maya | skincare",
                                 followers=48200)

    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, email)
    page.goto("/creators/me/profile")
    page.get_by_role("link", name="Connected accounts").click()
    expect(page.get_by_role("heading", name="Connected accounts")).to_be_visible()
    expect(page.get_by_text("Not connected").first).to_be_visible()
    shot(page, "connections-empty-desktop")

    page.get_by_role("button", name="Connect TikTok").click()
    expect(page.get_by_text("Duet would like to:")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/tiktok-auth/v2/auth/authorize/"))
    shot(page, "tiktok-consent-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "tiktok-consent-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label(re.compile(rf"@{handle}\.tt")).check()
    page.get_by_role("button", name="Authorize").click()

    expect(page).to_have_url(re.compile(r"/creators/me/connections$"))
    expect(page.get_by_text(f"TikTok account @{handle}.tt is connected.")).to_be_visible()
    expect(page.locator(".badge", has_text="Verified")).to_be_visible()
    expect(page.get_by_text("48,200 followers")).to_be_visible()
    expect(page.get_by_role("button", name="Disconnect TikTok")).to_be_visible()
    shot(page, "connections-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "connections-phone")

    page.get_by_role("button", name="Disconnect TikTok").click()
    expect(page.get_by_text(f"TikTok account @{handle}.tt is disconnected.")).to_be_visible()
    expect(page.get_by_role("button", name="Connect TikTok")).to_be_visible()

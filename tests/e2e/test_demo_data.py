"""The seeded demo marketplace, as the demo accounts see it (a server of its own)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from marketplace.demo import seed
from marketplace.extensions import db
from tests.e2e.conftest import make_e2e_app, serve


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    app = make_e2e_app(tmp_path_factory.mktemp("demo"))
    with app.app_context():
        seed.seed_all()
        db.session.remove()
    with serve(app) as url:
        yield url


def log_in(page: Page, base: str, role: str) -> None:
    email, password = seed.DEMO_LOGINS[role]
    page.goto(f"{base}/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))


def test_demo_creator_dashboard(page: Page, demo_url, shot):
    log_in(page, demo_url, "creator")
    expect(page.locator(".completeness-percent")).to_have_text("100%")
    cards = page.locator("#niche-campaigns .campaign-card")
    expect(cards.first).to_be_visible()
    assert 1 <= cards.count() <= 6
    shot(page, "demo-creator-dashboard")
    page.get_by_role("link", name="Skincare").first.click()
    expect(page).to_have_url(re.compile(r"/campaigns/\?niche=skincare"))


def test_demo_brand_dashboard_and_creators(page: Page, demo_url, shot):
    log_in(page, demo_url, "brand")
    for status in ("draft", "open", "paused", "closed"):
        count = page.locator(f'.stat-card[data-status="{status}"] .stat-count')
        assert int(count.inner_text()) >= 1
    shot(page, "demo-brand-dashboard")
    page.goto(f"{demo_url}/creators/?niche=fitness")
    expect(page.locator(".creator-card").nth(2)).to_be_visible()
    shot(page, "demo-creators-fitness")
    page.goto(f"{demo_url}/creators/")
    expect(page.locator(".pagination")).to_be_visible()
    page.goto(f"{demo_url}/campaigns/")
    shot(page, "demo-campaigns")


def test_demo_admin_dashboard(page: Page, demo_url, shot):
    log_in(page, demo_url, "admin")
    expect(page.locator('#user-counts [data-role="creator"] .count')).to_have_text("300")
    shot(page, "demo-admin-dashboard")

"""The harness itself: the site loads in Chromium, sign-up works with CSRF on, no CSP errors."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_home_page_loads_without_csp_problems(page, shot):
    response = page.goto("/")
    assert response.ok
    assert "default-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_role("heading", level=1)).to_contain_text("Short videos")
    expect(page.get_by_role("link", name="I'm a brand")).to_be_visible()
    shot(page, "home")


def test_sign_up_form_works_with_csrf(page):
    page.goto("/auth/signup")
    page.get_by_label("Email").fill("smoke@example.com")
    page.get_by_label("Password").fill("a-long-password")
    page.get_by_label(re.compile("Creator")).check()
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/creators/me/profile"))
    expect(page.get_by_text("Welcome to Duet!")).to_be_visible()


def test_sign_up_errors_show_beside_fields(page):
    page.goto("/auth/signup")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    expect(page.get_by_text(re.compile("at least 10"))).to_be_visible()


def test_a_post_without_csrf_token_is_refused(page):
    page.goto("/")
    response = page.request.post("/auth/signup", form={"email": "x@example.com",
                                                       "password": "a-long-password",
                                                       "role": "brand"})
    assert response.status == 400


def test_the_csp_watch_catches_inline_script(browser, live_server):
    """The watcher really sees violations (so a clean run means something)."""
    from tests.e2e.conftest import PageProblems

    watcher = PageProblems()
    context = browser.new_context(base_url=live_server)
    watcher.watch(context)
    page = context.new_page()
    page.goto("/")
    page.evaluate("""() => { const s = document.createElement('script');
                             s.textContent = 'window.x = 1'; document.body.append(s); }""")
    page.wait_for_timeout(200)
    context.close()
    assert any(p.startswith("CSP") for p in watcher.problems), watcher.problems

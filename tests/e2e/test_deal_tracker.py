"""The deal tracker in Chromium: a funded deal shows its steps with the deal's own dates,
horizontal on a desktop and vertical on a phone; screenshots of the tracker in several states
at 1280 and 390 pixels wide go to test-results/screenshots/."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import Deal, User
from marketplace.services.deals import state_machine as deals
from marketplace.services.deals.schedule import format_when
from tests.e2e.deal_helpers import log_in, make_agreed_deal, make_cast

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def funded_deal(app) -> tuple:
    cast = make_cast(app)
    deal_id = make_agreed_deal(app, cast)
    with app.test_request_context():
        deal = db.session.get(Deal, deal_id)
        deals.perform(deal, "fund", None)
        deal = db.session.get(Deal, deal_id)
        return cast, deal_id, deal.funded_at, deal.content_due


def open_as(new_context, email: str, width: str, url: str):
    w, h = WIDTHS[width]
    page = new_context(viewport={"width": w, "height": h}).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, email)
    page.goto(url)
    return page


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_funded_deal_tracker_shows_the_deals_dates(e2e_app, new_context, shot, width):
    cast, deal_id, funded_at, content_due = funded_deal(e2e_app)
    page = open_as(new_context, cast.creator_email, width, f"/deals/{deal_id}")
    tracker = page.locator(".deal-tracker")
    expect(tracker.get_by_role("heading", name="Where this deal is")).to_be_visible()
    steps = tracker.locator(".tracker-step")
    expect(steps).to_have_count(7)  # … Approved → Posted live → Paid out …
    expect(tracker.locator('[data-step="posted"]')).to_contain_text("Posted live")
    expect(steps.nth(1)).to_contain_text("Funded")
    expect(steps.nth(1)).to_contain_text(format_when(funded_at, with_time=False))
    submitted = tracker.locator('[data-step="submitted"]')
    expect(submitted).to_have_attribute("aria-current", "step")
    expect(submitted).to_contain_text(f"Due {format_when(content_due)}")
    expect(submitted).to_contain_text("Now")
    banner = page.locator("#next-step")
    expect(banner).to_contain_text(f"submit it by {format_when(content_due)}")
    expect(banner.get_by_role("link", name="Submit content")).to_have_attribute(
        "href", "#delivery")
    first, second = (steps.nth(i).bounding_box() for i in (0, 1))
    if width == "desktop":  # side by side
        assert abs(first["y"] - second["y"]) < 2 and second["x"] > first["x"] + 50
    else:  # one under the other
        assert second["y"] > first["y"] + 20 and abs(first["x"] - second["x"]) < 2
    box = tracker.bounding_box()
    assert box["width"] <= WIDTHS[width][0]  # no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width][0]
    shot(page, f"tracker-funded-creator-{width}")


def _set(app, deal_id: int, **fields) -> None:
    with app.app_context():
        deal = db.session.get(Deal, deal_id)
        for key, value in fields.items():
            setattr(deal, key, value)
        db.session.commit()


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_tracker_screenshots_in_other_states(e2e_app, new_context, shot, width):
    cast, deal_id, funded_at, _ = funded_deal(e2e_app)
    # Late: the brand sees the choice between a new date and a refund.
    _set(e2e_app, deal_id, content_due=date.today() - timedelta(days=2), is_late=True)
    brand = open_as(new_context, cast.brand_email, width, f"/deals/{deal_id}")
    expect(brand.locator('[data-step="submitted"]')).to_contain_text("Late")
    expect(brand.get_by_role("button", name="Extend the due date")).to_be_visible()
    shot(brand, f"tracker-late-brand-{width}")
    # The brand gives three more days.
    new_due = date.today() + timedelta(days=3)
    brand.get_by_label("New due date").fill(new_due.isoformat())
    brand.get_by_role("button", name="Extend the due date").click()
    expect(brand.locator(".alert-success")).to_contain_text(format_when(new_due))
    expect(brand.locator('[data-step="submitted"]')).to_contain_text(f"Due {format_when(new_due)}")
    # Submitted: review by the auto-approval moment.
    with e2e_app.test_request_context():
        deal = db.session.get(Deal, deal_id)
        deals.perform(deal, "submit", db.session.get(User, cast.creator_user_id),
                      post_links=["https://www.tiktok.com/@maya/video/300"],
                      caption="#ad Morning routine with @glowlab #glowlab")
        review_by = format_when(db.session.get(Deal, deal_id).auto_approve_at)
    brand.reload()
    expect(brand.locator('[data-step="approved"]')).to_contain_text(f"By {review_by}")
    expect(brand.locator("#next-step")).to_contain_text(f"by {review_by}")
    shot(brand, f"tracker-submitted-brand-{width}")
    # Completed: both sides are offered a review until the window closes.
    done = utcnow()
    _set(e2e_app, deal_id, state="completed", approved_at=done, paid_out_at=done,
         completed_at=done, auto_approve_at=None)
    creator = open_as(new_context, cast.creator_email, width, f"/deals/{deal_id}")
    expect(creator.locator("#next-step").get_by_role("link", name="Leave a review")).to_be_visible()
    expect(creator.locator("#next-step")).to_contain_text(
        format_when(done + timedelta(days=14)))
    shot(creator, f"tracker-completed-creator-{width}")
    # Cancelled: says so, with the date.
    _set(e2e_app, deal_id, state="cancelled", cancelled_at=done)
    creator.reload()
    expect(creator.locator(".tracker-halt")).to_contain_text(f"Cancelled on {format_when(done)}")
    shot(creator, f"tracker-cancelled-creator-{width}")

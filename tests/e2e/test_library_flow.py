"""In the browser: the brand finds approved content in the library, downloads a campaign ZIP,
and hires the creator again from the completed deal; the creator accepts the new offer."""

from __future__ import annotations

import csv
import io
import re
import zipfile

from playwright.sync_api import Page, expect

from marketplace.extensions import db
from marketplace.models import Deal, User
from marketplace.services.deals import state_machine as deals
from tests.e2e.deal_helpers import (
    Cast,
    deal_id_from,
    make_agreed_deal,
    make_cast,
    person,
    post_and_confirm,
)
from tests.support.library import png_bytes

PHONE = {"width": 390, "height": 844}


def completed_deal(app, cast: Cast) -> int:
    """Agree, fund, submit with a draft image, approve, pay out, complete (services; the
    payment steps are the system's moves, covered with the local Stripe elsewhere)."""
    deal_id = make_agreed_deal(app, cast, price_cents=45000)
    with app.test_request_context():
        deal = db.session.get(Deal, deal_id)
        creator = db.session.get(User, cast.creator_user_id)
        brand = db.session.get(User, cast.brand_user_id)
        deals.perform(deal, "fund", None)
        deals.perform(deal, "submit", creator, post_links=["https://www.tiktok.com/@maya/v/9"],
                      caption="#ad Morning routine with @glowlab #glowlab",
                      draft=io.BytesIO(png_bytes((240, 120, 60))))
        deals.perform(deal, "approve", brand)
        db.session.remove()
    post_and_confirm(app, cast, deal_id)
    with app.test_request_context():
        deal = db.session.get(Deal, deal_id)
        deals.perform(deal, "release", None)
        deals.perform(deal, "complete", None)
        db.session.remove()
    return deal_id


def phone_shot(new_context, email: str, url: str, shot, name: str) -> None:
    page = person(new_context, email)
    page.set_viewport_size(PHONE)
    page.goto(url)
    shot(page, name)
    page.context.close()


def test_brand_downloads_the_library_zip_and_hires_again(e2e_app, new_context, page_problems,
                                                         shot, tmp_path):
    cast = make_cast(e2e_app)
    first_id = completed_deal(e2e_app, cast)
    brand: Page = person(new_context, cast.brand_email)

    brand.get_by_role("link", name="Library", exact=True).click()
    expect(brand.get_by_role("heading", name="Content library")).to_be_visible()
    card = brand.locator(f'.library-item[data-deal="{first_id}"]')
    expect(card).to_contain_text("Maya Chen")
    expect(card).to_contain_text(cast.campaign_title)
    expect(card.locator("img")).to_be_visible()
    shot(brand, "library-desktop")

    brand.get_by_role("button", name=re.compile("Download a campaign")).click()
    with brand.expect_download() as download_info:
        brand.locator("#zip-menu").get_by_role("link", name=cast.campaign_title).click()
    path = tmp_path / "campaign.zip"
    download_info.value.save_as(path)
    archive = zipfile.ZipFile(path)
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert [row["deal"] for row in rows] == [str(first_id)]
    assert archive.read(rows[0]["file"]) == png_bytes((240, 120, 60))

    # Hire again from the completed deal, on the same campaign.
    brand.goto(f"/deals/{first_id}")
    brand.get_by_role("link", name="Hire again").click()
    expect(brand.get_by_role("heading", name=re.compile("Hire Maya Chen again"))).to_be_visible()
    expect(brand.get_by_label("Price")).to_have_value("450.00")
    expect(brand.get_by_label("Campaign")).to_have_value(str(cast.campaign_id))
    shot(brand, "hire-again-desktop")
    brand.get_by_role("button", name="Send offer").click()
    expect(brand.locator(".alert", has_text="Invitation sent to Maya Chen.")).to_be_visible()
    thread_url = brand.url

    creator = person(new_context, cast.creator_email)
    creator.goto(thread_url)
    creator.get_by_role("button", name="Accept offer").click()
    expect(creator.locator(".alert", has_text="Offer accepted")).to_be_visible()
    second_id = deal_id_from(creator)
    assert second_id != first_id
    with e2e_app.app_context():
        second = db.session.get(Deal, second_id)
        assert (second.campaign_id, second.price_cents, second.state) == (
            cast.campaign_id, 45000, "agreed")
        db.session.remove()

    # Both dashboards show the new deal waiting on someone.
    brand.goto("/dashboard")
    expect(brand.locator(f'.action-item[data-deal="{second_id}"]')).to_contain_text(
        "Fund the deal")
    shot(brand, "dashboard-brand-desktop")
    creator.goto("/dashboard")
    expect(creator.locator(f'.upcoming-item[data-deal="{second_id}"]')).to_contain_text(
        "Brand funds by")
    shot(creator, "dashboard-creator-desktop")
    creator.goto("/library/my-work")
    expect(creator.locator(f'.library-item[data-deal="{first_id}"]')).to_be_visible()

    for email, url, name in (
            (cast.brand_email, "/library", "library-phone"),
            (cast.brand_email, f"/deals/invite?creator={cast.creator_handle}&again={first_id}",
             "hire-again-phone"),
            (cast.brand_email, "/dashboard", "dashboard-brand-phone"),
            (cast.creator_email, "/dashboard", "dashboard-creator-phone")):
        phone_shot(new_context, email, url, shot, name)

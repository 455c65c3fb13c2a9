"""In the browser: the brand opens the campaign report from the campaign page, sees both
charts (SVG pictures, visible, with their data tables), downloads the PDF (printed by the job
queue: its "ready" page, then at once when asked again), creates a share link and opens it
logged out; after revoking, the link shows a 404. And the "Preparing your PDF" page turns
into the download by itself once the job has printed it."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import BrandProfile, Campaign, CreatorProfile, User
from marketplace.models.document import DocumentKind
from tests.e2e.deal_helpers import make_cast, person, unique
from tests.support import factories
from tests.support.documents import stored_document
from tests.support.results import posted_deal, posts_of, reading

PHONE = {"width": 390, "height": 844}


def campaign_with_results(app, cast) -> None:
    """Three creators' posted deals with a month of readings (one creator-reported) and one
    post still waiting for its first reading."""
    with app.app_context():
        campaign = db.session.get(Campaign, cast.campaign_id)
        campaign.budget_max_cents = 200000
        brand = db.session.get(BrandProfile, campaign.brand_id)
        maya = db.session.scalar(db.select(CreatorProfile).where(
            CreatorProfile.handle == cast.creator_handle))
        leo = factories.make_creator(unique("leo_"), display_name="Leo Park")
        ines = factories.make_creator(unique("ines_"), display_name="Inès Duval")
        start = utcnow() - timedelta(days=14)
        for creator, price, scale in ((maya, 45000, 900), (leo, 30000, 400), (ines, 20000, 0)):
            deal = posted_deal(brand, creator, campaign, price_cents=price, posted_at=start)
            (post,) = posts_of(deal)
            if not scale:
                continue
            for i, slot in enumerate(("1h", "24h", "72h", "7d", "14d")):
                hours = (1, 24, 72, 168, 336)[i]
                reading(post, start + timedelta(hours=hours), slot=slot,
                        views=scale * (i + 1) ** 2, likes=scale * (i + 1) // 8,
                        comments=scale * (i + 1) // 40, shares=None)
        story = posted_deal(brand, factories.make_creator(unique("ava_"), display_name="Ava"),
                            campaign, price_cents=15000, posted_at=start)
        reading(posts_of(story)[0], start + timedelta(days=2), source="creator", views=5200,
                likes=310)
        db.session.commit()


def test_brand_reads_downloads_and_shares_the_report(e2e_app, new_context, page_problems,
                                                     shot):
    cast = make_cast(e2e_app)
    campaign_with_results(e2e_app, cast)
    brand: Page = person(new_context, cast.brand_email)

    brand.goto(f"/campaigns/{cast.campaign_id}")
    brand.get_by_role("link", name="Report").click()
    expect(brand.get_by_role("heading", name="Campaign report")).to_be_visible()
    charts = brand.locator("figure.result-chart img")
    expect(charts).to_have_count(2)
    for i in range(2):
        chart = charts.nth(i)
        expect(chart).to_be_visible()
        assert chart.get_attribute("src").startswith("data:image/svg+xml;base64,")
        assert chart.get_attribute("alt")
        # The SVG really drew: the image has its natural size, not a broken-image icon.
        assert chart.evaluate("img => img.complete && img.naturalWidth") == 800
    expect(brand.locator(".per-creator")).to_contain_text("Maya Chen")
    expect(brand.locator(".reported").first).to_contain_text("reported by the creator")
    brand.get_by_text(re.compile("Show the numbers behind “Views over time")).click()
    expect(brand.locator("details.chart-table table").first).to_be_visible()
    shot(brand, "campaign-report-desktop")

    brand.locator("#report-pdf").click()
    expect(brand.get_by_role("heading", name="Your PDF is ready")).to_be_visible()
    with brand.expect_download() as download_info:
        brand.locator("#document-download").click()
    filename = f"duet-campaign-{cast.campaign_id}-report.pdf"
    assert download_info.value.suggested_filename == filename
    data = Path(download_info.value.path()).read_bytes()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Campaign report" in text and "Maya Chen" in text
    assert "reported by the creator" in text
    brand.get_by_role("link", name="Campaign report").click()
    with brand.expect_download() as again:  # unchanged: the same file, at once
        brand.locator("#report-pdf").click()
    assert again.value.suggested_filename == filename
    assert Path(again.value.path()).read_bytes() == data

    brand.get_by_label("Link works for").select_option("30")
    brand.get_by_role("button", name="Create share link").click()
    expect(brand.locator(".alert", has_text="Share link created")).to_be_visible()
    link = brand.locator("input.share-url").first.input_value()
    assert "/reports/shared/" in link

    anonymous = new_context(viewport={"width": 1280, "height": 900}).new_page()
    anonymous.goto(link)
    expect(anonymous.get_by_text("Read-only report shared by Glow Lab")).to_be_visible()
    expect(anonymous.locator("figure.result-chart img").first).to_be_visible()
    expect(anonymous.get_by_role("button", name="Create share link")).to_have_count(0)
    assert cast.brand_email not in anonymous.content()
    shot(anonymous, "campaign-report-shared-desktop")
    anonymous.set_viewport_size(PHONE)
    shot(anonymous, "campaign-report-shared-phone")

    brand.set_viewport_size(PHONE)
    brand.reload()
    expect(brand.locator("figure.result-chart img").first).to_be_visible()
    shot(brand, "campaign-report-phone")
    brand.set_viewport_size({"width": 1280, "height": 900})

    brand.locator(".shares").get_by_role("button", name="Revoke").click()
    expect(brand.locator(".alert", has_text="The link is revoked")).to_be_visible()
    assert anonymous.goto(link).status == 404

    # One deal's results, from the report's list of deals.
    brand.get_by_role("listitem").filter(has_text="Maya Chen").get_by_role(
        "link", name="Results").click()
    expect(brand.get_by_role("heading", name="Results")).to_be_visible()
    expect(brand.locator("figure.result-chart img")).to_be_visible()
    shot(brand, "deal-results-desktop")


def test_the_preparing_page_turns_into_the_download_by_itself(e2e_app, new_context,
                                                              page_problems, shot):
    """The status page polls (static/js/document_status.js, no CSP complaint) and shows the
    download once the worker has printed the PDF, without the brand reloading."""
    cast = make_cast(e2e_app)
    with e2e_app.app_context():
        owner = db.session.get(User, cast.brand_user_id)
        document_id = stored_document(
            owner, DocumentKind.CAMPAIGN_REPORT, cast.campaign_id,
            html="<h1>Campaign report</h1><p>Printed by the worker</p>",
            filename=f"duet-campaign-{cast.campaign_id}-report.pdf",
            title=f"Campaign report · {cast.campaign_title}").id
        db.session.remove()
    brand: Page = person(new_context, cast.brand_email)
    brand.goto(f"/documents/{document_id}")
    expect(brand.get_by_role("heading", name="Preparing your PDF…")).to_be_visible()
    expect(brand.locator("progress")).to_be_visible()
    shot(brand, "document-preparing")
    # The worker's turn (a job queued by the POST, run here by hand).
    e2e_app.extensions["celery"].tasks["duet.print_document"].apply(args=[document_id])
    expect(brand.get_by_role("heading", name="Your PDF is ready")).to_be_visible(
        timeout=15_000)
    with brand.expect_download() as info:
        brand.locator("#document-download").click()
    assert Path(info.value.path()).read_bytes().startswith(b"%PDF")

"""Results per deal and per campaign: figures against hand-computed ones (missing numbers
stay missing, creator reports are labelled), the pages, the CSV and the PDF, and a query
budget that does not grow with the number of deals."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from marketplace.database import utcnow
from marketplace.services.deals import result_charts, results
from tests.support import factories
from tests.support.deals import make_deal
from tests.support.documents import download_pdf
from tests.support.library import count_queries
from tests.support.results import posted_deal, posts_of, reading

LABEL = "reported by the creator"


@pytest.fixture
def world(app_ctx, brand):
    """Campaign (budget $5,000) with, by hand:
    deal A (Ana, $400): post 1 platform 3,000 views, 200 likes, 50 comments, 10 shares
      (engagements 260); post 2 creator-reported 2,000 views, 40 likes (engagements 40)
      -> 5,000 views, 300 engagements, 6.0 %, $80.00 per 1,000 views, $1.33 per engagement;
    deal B (Ben, $250): linked and live, no reading yet -> every figure missing;
    deal C (Ben, $100): 1,000 views, nothing else -> $100.00 per 1,000 views, no CPE;
    a cancelled and an agreed deal, which do not count."""
    campaign = factories.make_campaign(brand, budget=(100000, 500000))
    ana = factories.make_creator("ana", display_name="Ana Lopez")
    ben = factories.make_creator("ben", display_name="Ben Okafor")
    t0 = utcnow() - timedelta(days=3)
    a = posted_deal(brand, ana, campaign, price_cents=40000, posts=2)
    a1, a2 = posts_of(a)
    reading(a1, t0, slot="1h", views=1000, likes=100)
    reading(a1, t0 + timedelta(days=1), slot="24h", views=3000, likes=200, comments=50,
            shares=10)
    reading(a2, t0 + timedelta(days=1, hours=2), source="creator", views=2000, likes=40)
    b = posted_deal(brand, ben, campaign, price_cents=25000, state="posted")
    c = posted_deal(brand, factories.make_creator("cara", display_name="Ben Okafor 2"),
                    campaign, price_cents=10000)
    (c1,) = posts_of(c)
    reading(c1, t0, slot="1h", views=1000)
    make_deal(brand, factories.make_creator("dan"), campaign=campaign, state="cancelled")
    make_deal(brand, factories.make_creator("eve"), campaign=campaign, state="agreed")
    return {"campaign": campaign, "a": a, "b": b, "c": c, "ana": ana, "ben": ben}


def test_deal_figures_by_hand(world):
    a = results.deal_results(world["a"]).figures
    assert (a.views, a.engagements, a.spend_cents) == (5000, 300, 40000)
    assert a.engagement_rate == pytest.approx(0.06)
    assert (a.cpm_cents, a.cpe_cents) == (8000, 133)
    assert a.reported is True

    b = results.deal_results(world["b"]).figures
    assert (b.views, b.engagements, b.engagement_rate, b.cpm_cents, b.cpe_cents) == (
        None, None, None, None, None)
    assert b.spend_cents == 25000 and b.reported is False

    c = results.deal_results(world["c"]).figures
    assert (c.views, c.engagements, c.cpm_cents, c.cpe_cents) == (1000, None, 10000, None)
    assert c.engagement_rate is None


def test_campaign_totals_and_creators_by_hand(world):
    report = results.campaign_report(world["campaign"])
    assert sorted(r.deal.id for r in report.deals) == sorted(
        [world["a"].id, world["b"].id, world["c"].id])
    total = report.total
    assert (total.views, total.engagements, total.spend_cents) == (6000, 300, 75000)
    assert (total.measured, total.counted, total.complete) == (2, 3, False)
    assert total.engagement_rate == pytest.approx(300 / 5000)
    assert total.cpm_cents == 8333  # (40,000 + 10,000) * 1,000 / 6,000
    assert total.cpe_cents == 133  # only deal A has engagements
    # The budget is per creator: $5,000 x the 3 creators the campaign wants.
    assert report.budget_cents == 1_500_000
    assert report.budget_used == pytest.approx(75000 / 1_500_000)
    by_name = {c.name: c.figures for c in report.creators}
    assert by_name["Ana Lopez"].views == 5000 and by_name["Ana Lopez"].reported
    ben = by_name["Ben Okafor"]
    assert (ben.views, ben.spend_cents, ben.cpm_cents) == (None, 25000, None)
    assert [c.name for c in report.creators][-1] == "Ben Okafor"  # unmeasured last


def test_latest_reading_and_views_over_time(world):
    a1, a2 = results.deal_results(world["a"]).posts
    assert a1.latest.views == 3000 and not a1.reported
    assert [v for _, v, _ in a1.views_over_time] == [1000, 3000]
    assert a2.reported and a2.latest.comments is None


def test_ratio_rounding_and_zero():
    assert results.ratio_cents(40000, 300) == 133
    assert results.ratio_cents(1, 2) == 1  # half up
    assert results.ratio_cents(40000, 0) is None
    assert results.ratio_cents(None, 10) is None


def test_charts_are_svg_with_text_alternatives(world):
    report = results.campaign_report(world["campaign"])
    views = result_charts.views_chart(report.posts)
    assert views.svg.lstrip().startswith("<svg") and "<script" not in views.svg
    assert f"({LABEL})" in views.svg  # the creator-reported line says so in its legend
    assert "2 posts" not in views.alt and "3 posts" in views.alt
    bars = result_charts.creators_chart(report.creators, "USD")
    assert "Ana Lopez" in bars.svg and "$80.00" in bars.alt
    assert result_charts.views_chart([]) is None


def test_report_page_labels_and_missing_numbers(world, login_as):
    client = login_as(world["campaign"].brand.user)
    html = client.get(f"/campaigns/{world['campaign'].id}/report").get_data(as_text=True)
    assert html.count('<img src="data:image/svg+xml;base64,') == 2
    assert LABEL in html and "$83.33" in html and "6.0%" in html
    assert "2 of 3 deals measured" in html
    assert "Show the numbers behind" in html  # the table fallback


def test_deal_results_page_for_both_parties(world, login_as):
    deal = world["b"]
    brand, creator = login_as(deal.brand.user), login_as(world["ben"].user)
    for client in (brand, creator):
        html = client.get(f"/deals/{deal.id}/results").get_data(as_text=True)
        assert "No numbers yet" in html and "The first reading was due" in html
    fresh = posted_deal(deal.brand, factories.make_creator(), deal.campaign,
                        posted_at=utcnow() - timedelta(minutes=5))
    html = brand.get(f"/deals/{fresh.id}/results").get_data(as_text=True)
    assert "The first reading is expected" in html and "first numbers expected" in html
    html = login_as(world["ana"].user).get(f"/deals/{world['a'].id}/results").get_data(
        as_text=True)
    assert "5,000" in html and LABEL in html and "$80.00" in html
    deal_page = brand.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert f'href="/deals/{deal.id}/results"' in deal_page
    campaign_page = brand.get(f"/campaigns/{deal.campaign_id}").get_data(as_text=True)
    assert f'href="/campaigns/{deal.campaign_id}/report"' in campaign_page


def test_empty_campaign_report(app_ctx, brand, login_as):
    campaign = factories.make_campaign(brand, title="Nothing yet")
    html = login_as(brand.user).get(f"/campaigns/{campaign.id}/report").get_data(as_text=True)
    assert "No funded deals yet" in html and "data:image/svg" not in html


def test_csv_one_row_per_post(world, login_as):
    response = login_as(world["campaign"].brand.user).get(
        f"/campaigns/{world['campaign'].id}/report.csv")
    assert response.status_code == 200 and "attachment" in response.headers[
        "Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 4
    reported = [r for r in rows if r["source"] == LABEL]
    assert len(reported) == 1
    assert (reported[0]["views"], reported[0]["likes"], reported[0]["comments"],
            reported[0]["engagements"]) == ("2000", "40", "", "40")
    waiting = [r for r in rows if r["deal"] == str(world["b"].id)][0]
    assert waiting["views"] == "" and waiting["source"] == ""
    assert {r["source"] for r in rows} == {"platform", LABEL, ""}


def test_csv_cells_are_never_formulas():
    assert results._cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert results._cell(None) == "" and results._cell(0) == "0"


def test_pdf_has_the_figures(world, login_as):
    response = download_pdf(login_as(world["campaign"].brand.user),
                            f"/campaigns/{world['campaign'].id}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert (f'filename="duet-campaign-{world["campaign"].id}-report.pdf"'
            in response.headers["Content-Disposition"])
    text = "\n".join(page.extract_text() for page in PdfReader(
        io.BytesIO(response.data)).pages)
    assert "Campaign report" in text and world["campaign"].title in text
    assert "$80.00" in text and "6,000" in text and LABEL in text


def test_strangers_get_404_on_every_results_page(world, login_as):
    campaign, deal = world["campaign"], world["a"]
    stranger = login_as(factories.make_brand("other").user)
    creator = login_as(world["ana"].user)  # a party to a deal, not the campaign's owner
    for client, urls in ((stranger, [f"/deals/{deal.id}/results",
                                      f"/campaigns/{campaign.id}/report",
                                      f"/campaigns/{campaign.id}/report.csv",
                                      f"/campaigns/{campaign.id}/report.pdf"]),
                         (creator, [f"/campaigns/{campaign.id}/report",
                                    f"/campaigns/{campaign.id}/report.csv",
                                    f"/campaigns/{campaign.id}/report.pdf"])):
        for url in urls:
            assert client.get(url).status_code == 404, url
        assert client.post(f"/campaigns/{campaign.id}/report.pdf").status_code == 404
        assert client.post(f"/campaigns/{campaign.id}/report/shares",
                           data={"days": "7"}).status_code == 404
        assert client.post(f"/campaigns/{campaign.id}/report/shares/1/revoke"
                           ).status_code == 404
    assert stranger.get(f"/deals/{world['b'].id}/results").status_code == 404
    assert stranger.get("/deals/999999/results").status_code == 404
    assert stranger.get("/campaigns/999999/report").status_code == 404


def test_report_query_budget_does_not_grow_with_deals(app_ctx, brand, login_as):
    campaign = factories.make_campaign(brand)
    client = login_as(brand.user)

    def add(n):
        for _ in range(n):
            deal = posted_deal(brand, factories.make_creator(), campaign, posts=2)
            for post in posts_of(deal):
                reading(post, utcnow() - timedelta(days=1), slot="1h", views=10, likes=1)
                reading(post, utcnow(), source="creator", views=20)

    add(1)
    small = count_queries(client, f"/campaigns/{campaign.id}/report")
    add(5)
    large = count_queries(client, f"/campaigns/{campaign.id}/report")
    assert large == small
    assert large <= 12

"""The average watch time per view: read from Instagram Reels (the local Graph API server
gives `ig_reels_avg_watch_time`), stored in milliseconds, shown on the results pages as
"8.4 s" — and missing (never 0) where the platform gives none (TikTok, YouTube) or no reading
exists; a creator may report it for a video, with their screenshot."""

from __future__ import annotations

import html
import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models.deliverable import MetricSnapshot
from marketplace.services.deals import monitoring, results
from marketplace.services.deals import state_machine as deals
from tests.deals.test_monitoring import (  # noqa: F401  (fixtures)
    HANDLE,
    app,
    connected,
    fresh,
    now,
    verified,
)
from tests.deals.test_posts import posting_deal
from tests.platforms.conftest import connect
from tests.support import factories
from tests.support.results import posted_deal, posts_of, reading


def posts_table(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    table = page[page.index('class="table table-sm align-middle mb-0 posts-table"'):]
    return table[:table.index("</table>")]


def snapshot_of(item_id: int) -> MetricSnapshot:
    return db.session.scalar(select(MetricSnapshot).where(
        MetricSnapshot.deliverable_id == item_id))


def test_a_reel_snapshot_stores_its_watch_time_and_the_results_show_it(
        app, app_ctx, brand, creator, creator_client, brand_client, social, now):  # noqa: F811
    social.add_account("instagram", HANDLE, followers=5000)
    assert connect(creator_client, "instagram", HANDLE).status_code == 302
    social.freeze(now)
    deal = posting_deal(brand, creator, terms=[{"platform": "instagram",
                                                "deliverable_type": "short_video",
                                                "quantity": 1}])
    item = deal.deliverable_items[0]
    post = social.add_post("instagram", HANDLE, caption="Glow serum #ad", views_per_hour=100,
                           created_at=now - timedelta(hours=1))
    deals.perform(deal, "add_post_link", creator.user, deliverable_id=item.id,
                  url=f"https://www.instagram.com/reel/{post['id']}/")
    assert monitoring.check_posts_due(now) == 1
    social.freeze(now + timedelta(hours=1))
    assert monitoring.take_due_snapshots(now + timedelta(hours=1)) == 1
    row = snapshot_of(item.id)
    assert (row.source, row.slot, row.avg_watch_time_ms) == ("platform", "1h", 8400)
    for client in (brand_client, creator_client):
        table = posts_table(client, f"/deals/{deal.id}/results")
        assert "Avg. watch time" in table and "8.4 s" in table
    report = posts_table(brand_client, f"/campaigns/{deal.campaign_id}/report")
    assert "Avg. watch time" in report and "8.4 s" in report
    csv_text = brand_client.get(f"/campaigns/{deal.campaign_id}/report.csv").get_data(
        as_text=True)
    assert "avg_watch_time_seconds" in csv_text.splitlines()[0]
    assert ",8.4," in csv_text.splitlines()[1]


def test_a_tiktok_snapshot_has_no_watch_time_and_shows_it_missing(
        app_ctx, brand, connected, brand_client, social, now):  # noqa: F811
    item = verified(brand, connected, social, now)
    social.freeze(now + timedelta(hours=1))
    assert monitoring.take_due_snapshots(now + timedelta(hours=1)) == 1
    row = snapshot_of(item.id)
    assert row.views == 200 and row.avg_watch_time_ms is None
    table = posts_table(brand_client, f"/deals/{item.deal_id}/results")
    assert "Avg. watch time" in table
    row_html = table[table.index("<tbody>"):]
    assert row_html.count('title="Not given">—<') == 1  # the watch time, and only it
    assert " s<" not in row_html and "0.0 s" not in row_html


def test_missing_stays_missing_beside_a_known_one(app_ctx, brand, creator, brand_client):
    campaign = factories.make_campaign(brand)
    deal = posted_deal(brand, creator, campaign, posts=3)
    with_time, without, unread = posts_of(deal)
    reading(with_time, with_time.verified_at + timedelta(hours=1), slot="1h", views=900,
            avg_watch_time_ms=12_360)
    reading(without, without.verified_at + timedelta(hours=1), slot="1h", views=400)
    posts = {p.id: p for p in results.deal_results(deal).posts}
    assert posts[with_time.id].avg_watch_time_ms == 12_360
    assert posts[without.id].avg_watch_time_ms is None
    assert posts[unread.id].avg_watch_time_ms is None
    table = posts_table(brand_client, f"/campaigns/{campaign.id}/report")
    rows = table[table.index("<tbody>"):].split("<tr>")[1:]
    assert "12.4 s" in rows[0]
    for row in rows[1:]:
        assert " s<" not in row and row.count('title="Not given">—<') == 1


def png() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 90)).save(out, format="PNG")
    out.seek(0)
    return out


@pytest.mark.parametrize(("typed", "stored"), [("8.4", 8400), ("12,25", 12250), ("0", 0)])
def test_a_creator_reports_a_videos_watch_time(app_ctx, brand, creator, creator_client,
                                               typed, stored):
    deal = posted_deal(brand, creator, factories.make_campaign(brand), state="posted")
    (item,) = posts_of(deal)
    page = creator_client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert f'id="report-avg_watch_time-{item.id}"' in page
    answer = creator_client.post(f"/deals/{deal.id}/posts/{item.id}/metrics", data={
        "views": "5000", "avg_watch_time": typed, "screenshot": (png(), "shot.png")},
        content_type="multipart/form-data")
    assert answer.status_code == 302
    row = snapshot_of(item.id)
    assert (row.source, row.views, row.avg_watch_time_ms) == ("creator", 5000, stored)
    shown = f"{stored / 1000:.1f} s"
    page = html.unescape(creator_client.get(f"/deals/{deal.id}").get_data(as_text=True))
    readings = page[page.index('align-middle readings"'):]
    assert "Avg. watch time" in readings[:readings.index("</thead>")] and shown in readings


@pytest.mark.parametrize("typed", ["abc", "NaN", "-3", "1e9", "99999999", "8.12345"])
def test_junk_watch_times_are_refused_and_store_nothing(app_ctx, brand, creator,
                                                        creator_client, typed):
    deal = posted_deal(brand, creator, factories.make_campaign(brand), state="posted")
    (item,) = posts_of(deal)
    answer = creator_client.post(f"/deals/{deal.id}/posts/{item.id}/metrics", data={
        "views": "5000", "avg_watch_time": typed, "screenshot": (png(), "shot.png")},
        content_type="multipart/form-data")
    assert answer.status_code == 400
    assert snapshot_of(item.id) is None


def test_a_photo_post_is_not_asked_for_a_watch_time(app_ctx, brand, creator, creator_client):
    deal = posting_deal(brand, creator, terms=[{"platform": "instagram",
                                                "deliverable_type": "story", "quantity": 1}])
    item = deal.deliverable_items[0]
    page = creator_client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert "Report the numbers yourself" in page
    assert f'id="report-avg_watch_time-{item.id}"' not in page
    answer = creator_client.post(f"/deals/{deal.id}/posts/{item.id}/metrics", data={
        "views": "900", "avg_watch_time": "4.2", "screenshot": (png(), "story.png")},
        content_type="multipart/form-data")
    assert answer.status_code == 400
    assert "Only a video has a watch time." in answer.get_data(as_text=True)
    assert snapshot_of(item.id) is None

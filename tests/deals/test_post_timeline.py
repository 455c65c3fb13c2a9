"""The deal page's timeline shows what happened to each post: confirmed live (and how), taken
down (how early, its last reading), numbers reported by the creator — to both parties, with
dates in the one date format, and without a query per post."""

from __future__ import annotations

import html
from datetime import timedelta

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import DealDeliverable
from marketplace.services.deals import deadlines, monitoring
from marketplace.services.deals.schedule import format_when
from tests.deals.test_monitoring import (  # noqa: F401  (fixtures)
    app,
    connected,
    fresh,
    now,
    verified,
)
from tests.support.factories import make_campaign
from tests.support.library import QueryCounter
from tests.support.results import posted_deal, posts_of, reading


def timeline_of(client, deal_id: int) -> str:
    response = client.get(f"/deals/{deal_id}")
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    return page[page.index("<strong>Timeline</strong>"):]


def test_a_post_taken_down_early_is_on_both_parties_timelines_with_its_date(
        app_ctx, brand, connected, brand_client, creator_client, social, now):  # noqa: F811
    item = verified(brand, connected, social, now)
    social.freeze(now + timedelta(hours=1))
    assert monitoring.take_due_snapshots(now + timedelta(hours=1)) == 1
    social.delete_post(item.post_id)
    gone = now + timedelta(days=18)
    deadlines.run_all(gone)
    item = fresh(DealDeliverable, item.id)
    assert item.removed_at == gone
    for client in (brand_client, creator_client):
        timeline = timeline_of(client, item.deal_id)
        # Live for 30 days from `now`, gone after 18: 12 days early; 200 views at 1 h.
        entry = timeline[timeline.index("Post taken down"):]
        assert entry.startswith("Post taken down 12 days early — last reading 200 views")
        assert format_when(gone) in entry[:600]
        assert f"It had to stay up until {format_when(now + timedelta(days=30))}" in entry
        assert item.live_url in entry
        verified_entry = timeline[timeline.index("Post verified live"):]
        assert "by Duet, on TikTok" in verified_entry[:400]
        assert format_when(now) in verified_entry[:400]
        assert "Live post linked" in timeline  # the link: a state-machine step
        # Newest first: the takedown above the verification.
        assert timeline.index("Post taken down") < timeline.index("Post verified live")


def test_confirmation_by_the_brand_and_creator_reports_are_on_the_timeline(
        app_ctx, brand, creator, brand_client, creator_client):
    campaign = make_campaign(brand)
    campaign.live_days = 10
    deal = posted_deal(brand, creator, campaign, posts=2)
    first, second = posts_of(deal)
    removed = utcnow().replace(microsecond=0)
    second.verified_via, second.verified_at = "brand", removed - timedelta(days=2, hours=5)
    second.removed_at = removed  # 2 days 5 hours after going live: 8 days early (rounded)
    db.session.commit()
    reading(first, removed - timedelta(hours=3), source="creator", views=48_200, likes=1_200)
    for client in (brand_client, creator_client):
        timeline = timeline_of(client, deal.id)
        report = timeline[timeline.index("Numbers reported"):]
        assert report.startswith("Numbers reported")
        assert "by the creator, with a screenshot" in report[:300]
        assert "48,200 views, 1,200 likes" in report[:600]
        assert "Post confirmed live" in timeline and "by the brand" in timeline
        gone = timeline[timeline.index("Post taken down"):]
        assert gone.startswith("Post taken down 8 days early — no reading was taken")
        assert format_when(removed) in gone[:600]


def test_the_timeline_runs_no_query_per_post(app, app_ctx, brand, creator,  # noqa: F811
                                             brand_client):
    counts = {}
    for n in (1, 6):
        brand, creator = db.session.merge(brand), db.session.merge(creator)
        campaign = make_campaign(brand, title=f"Drop {n}")
        deal = posted_deal(brand, creator, campaign, posts=n)
        items = posts_of(deal)
        for item in items:
            reading(item, item.verified_at + timedelta(hours=1), slot="1h", views=100)
            reading(item, item.verified_at + timedelta(hours=5), source="creator", views=300)
            item.removed_at = item.verified_at + timedelta(hours=6)
        db.session.commit()
        deal_id = deal.id
        db.session.expunge_all()  # the page loads everything itself
        brand_client.get(f"/deals/{deal_id}").close()  # warm, as a serving worker
        with QueryCounter(db.engine) as counter:
            page = timeline_of(brand_client, deal_id)
        assert page.count("Post taken down") == n and page.count("Numbers reported") == n
        counts[n] = counter.count
    assert counts[6] == counts[1], counts

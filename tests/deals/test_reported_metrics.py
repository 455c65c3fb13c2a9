"""Creator-reported metrics: the form on the Posts card, the screenshot, the label "reported by
the creator" and missing numbers shown as missing (never 0); strangers and junk change nothing."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models.deliverable import MetricSnapshot
from marketplace.services.deals import state_machine as deals
from tests.conftest import _logged_in
from tests.deals.test_posts import posting_deal, tiktok
from tests.support import factories

STORY = [{"platform": "instagram", "deliverable_type": "story", "quantity": 1}]


def png(size=(40, 30)) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 90)).save(out, format="PNG")
    out.seek(0)
    return out


@pytest.fixture
def linked(app_ctx, brand, creator):
    """A deal whose one TikTok post is linked by the creator and confirmed by the brand."""
    deal = posting_deal(brand, creator, terms=[{"platform": "tiktok",
                                                "deliverable_type": "short_video",
                                                "quantity": 1}])
    item = deal.deliverable_items[0]
    deals.perform(deal, "add_post_link", creator.user, deliverable_id=item.id,
                  url=tiktok(creator))
    deals.perform(deal, "confirm_live", brand.user)
    return deal, item.id


def url(deal, item_id) -> str:
    return f"/deals/{deal.id}/posts/{item_id}/metrics"


def count() -> int:
    return db.session.scalar(select(func.count(MetricSnapshot.id)))


def test_creator_reports_numbers_with_a_screenshot(app, linked, creator_client, brand_client):
    deal, item_id = linked
    answer = creator_client.post(url(deal, item_id), data={
        "views": "12500", "likes": "", "comments": "31", "screenshot": (png(), "shot.png")},
        content_type="multipart/form-data")
    assert answer.status_code == 302
    row = db.session.scalar(select(MetricSnapshot))
    assert (row.source, row.slot, row.views, row.likes, row.comments, row.saves) == (
        "creator", None, 12500, None, 31, None)
    assert re.fullmatch(r"metrics/[0-9a-f]{32}\.webp", row.evidence_file)
    for client in (creator_client, brand_client):
        page = client.get(f"/deals/{deal.id}").get_data(as_text=True)
        table = page[page.index('class="table table-sm small mb-0 align-middle readings"'):]
        table = table[:table.index("</table>")]
        assert "reported by the creator" in table and "12,500" in table
        assert table.count('title="missing">—<') == 3  # likes, shares, saves
        assert ">0<" not in table
        shot = client.get(f"/deals/{deal.id}/posts/{item_id}/metrics/{row.id}/screenshot")
        assert shot.status_code == 200 and shot.data[:4] == b"RIFF"


def test_a_story_has_no_lasting_link_and_is_reported_by_the_creator(app, app_ctx, brand,
                                                                    creator, creator_client):
    deal = posting_deal(brand, creator, terms=STORY)
    item = deal.deliverable_items[0]
    assert item.is_posted and item.live_url is None
    page = creator_client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert "Report the numbers yourself" in page
    answer = creator_client.post(url(deal, item.id), data={
        "views": "900", "screenshot": (png(), "story.jpg")}, content_type="multipart/form-data")
    assert answer.status_code == 302
    assert db.session.scalar(select(MetricSnapshot.views)) == 900


def test_strangers_get_404_and_nothing_is_stored(app, linked):
    deal, item_id = linked
    stranger = _logged_in(app, factories.make_creator().user)
    answer = stranger.post(url(deal, item_id), data={"views": "5", "screenshot": (png(), "a.png")},
                           content_type="multipart/form-data")
    assert answer.status_code == 404
    assert stranger.get(f"/deals/{deal.id}/posts/{item_id}/metrics/1/screenshot").status_code == 404
    assert count() == 0


@pytest.mark.parametrize("data", [
    {"views": "-1"}, {"views": "1" * 40}, {"views": "lots"}, {"views": "1.5"},
    {},  # no number at all
    {"views": "10", "no_screenshot": True},
    {"views": "10", "junk_file": True},
])
def test_hostile_input_is_refused_with_400_and_stores_nothing(app, linked, creator_client, data):
    deal, item_id = linked
    data = dict(data)
    if data.pop("junk_file", False):
        data["screenshot"] = (io.BytesIO(b"<?php echo 1; ?>"), "shot.png")
    elif not data.pop("no_screenshot", False):
        data["screenshot"] = (png(), "shot.png")
    answer = creator_client.post(url(deal, item_id), data=data,
                                 content_type="multipart/form-data")
    assert answer.status_code == 400
    assert count() == 0


def test_wrong_item_and_the_brand_are_refused(app, linked, creator_client, brand_client):
    deal, item_id = linked
    answer = creator_client.post(url(deal, 999999), data={"views": "3",
                                                           "screenshot": (png(), "a.png")},
                                 content_type="multipart/form-data")
    assert answer.status_code == 400
    assert brand_client.post(url(deal, item_id), data={"views": "3"}).status_code in (403, 404)
    assert count() == 0


def test_the_form_is_csrf_protected(app, linked, creator_client):
    deal, item_id = linked
    app.config["WTF_CSRF_ENABLED"] = True
    answer = creator_client.post(url(deal, item_id), data={"views": "3",
                                                           "screenshot": (png(), "a.png")},
                                 content_type="multipart/form-data")
    assert answer.status_code == 400
    assert count() == 0

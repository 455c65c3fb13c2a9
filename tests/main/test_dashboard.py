"""/dashboard: what each role sees, who may see it, and that it stays a few queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from marketplace.database import utcnow
from marketplace.extensions import db
from tests.support.factories import make_brand, make_campaign, make_creator, make_user


def stat(html: str, attr: str, key: str) -> int:
    """The number shown in the card or row marked data-<attr>="<key>"."""
    match = re.search(rf'data-{attr}="{key}".*?class="[^"]*(?:stat-count|count)[^"]*">(\d+)<',
                      html, re.S)
    assert match, f"no count for {key}"
    return int(match.group(1))


class QueryCounter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._hit)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._hit)

    def _hit(self, *args):
        self.count += 1


def test_anonymous_is_sent_to_log_in(client):
    r = client.get("/dashboard")
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]
    assert "next=%2Fdashboard" in r.headers["Location"]


# -- brands ------------------------------------------------------------------------------------

def test_brand_sees_counts_per_state_and_recent_campaigns(brand, brand_client):
    for status, n in (("draft", 2), ("open", 3), ("paused", 1)):
        for i in range(n):
            make_campaign(brand, status=status, title=f"{status} campaign {i}")
    other = make_campaign(make_brand(), title="Someone else's launch")
    html = brand_client.get("/dashboard").get_data(as_text=True)
    assert stat(html, "status", "draft") == 2 and stat(html, "status", "open") == 3
    assert stat(html, "status", "paused") == 1 and stat(html, "status", "closed") == 0
    assert "open campaign 2" in html and "draft campaign 0" in html
    assert other.title not in html
    assert 'href="/campaigns/new"' in html and "Create campaign" in html
    first = brand.campaigns[0]
    assert f'href="/campaigns/{first.id}"' in html and f'href="/campaigns/{first.id}/edit"' in html
    assert 'style="' not in html


def test_brand_recent_list_is_newest_first_and_capped(brand, brand_client):
    campaigns = [make_campaign(brand, title=f"Launch number {i:02d}") for i in range(10)]
    for i, campaign in enumerate(campaigns):
        campaign.updated_at = utcnow() - timedelta(days=10 - i)
    db.session.commit()
    html = brand_client.get("/dashboard").get_data(as_text=True)
    assert "Launch number 09" in html and "Launch number 02" in html
    assert "Launch number 01" not in html  # only the 8 most recently updated
    assert html.index("Launch number 09") < html.index("Launch number 05")


def test_closed_campaign_has_no_edit_link(brand, brand_client):
    closed = make_campaign(brand, status="closed", title="Finished campaign")
    html = brand_client.get("/dashboard").get_data(as_text=True)
    assert f'/campaigns/{closed.id}"' in html and f"/campaigns/{closed.id}/edit" not in html


def test_brand_without_campaigns_gets_an_empty_state(brand, brand_client):
    html = brand_client.get("/dashboard").get_data(as_text=True)
    assert "No campaigns yet" in html and "Create your first campaign" in html


def test_brand_without_profile_is_asked_to_set_it_up(app_ctx, login_as):
    user = make_user("new-brand@example.com", role="brand")
    r = login_as(user).get("/dashboard")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Set up brand profile" in html and 'href="/brands/me/profile"' in html
    assert "/campaigns/new" not in html.split("<main", 1)[1]


def test_brand_dashboard_query_count_does_not_grow_with_campaigns(app, brand, brand_client):
    make_campaign(brand)
    with QueryCounter(db.engine) as few:
        brand_client.get("/dashboard")
    for i in range(7):
        make_campaign(brand, title=f"More {i}", niches=("beauty", "skincare"))
    with QueryCounter(db.engine) as many:
        brand_client.get("/dashboard")
    assert many.count == few.count and many.count <= 14  # campaigns and deal panels


# -- creators ----------------------------------------------------------------------------------

def test_creator_sees_completeness_and_what_is_missing(creator, creator_client):
    html = creator_client.get("/dashboard").get_data(as_text=True)
    assert re.search(r'<progress[^>]*value="\d+"', html)
    assert "Add a profile photo" in html and 'href="/creators/me/profile"' in html
    assert "Describe your audience" not in html  # the factory fills the audience in
    assert 'style="' not in html


def test_missing_items_link_to_the_page_that_fixes_them(app_ctx, login_as):
    profile = make_creator("bare", price_cents=None)
    profile.samples.clear()
    profile.accounts.clear()
    db.session.commit()
    html = login_as(profile.user).get("/dashboard").get_data(as_text=True)
    for text, path in (("Connect a platform account", "/creators/me/platforms"),
                       ("Add sample posts", "/creators/me/samples"),
                       ("Add at least one package", "/creators/me/packages")):
        assert re.search(rf'href="{path}"[^>]*>.*?{text}', html, re.S), text


def test_creator_sees_open_campaigns_in_their_niches_only(creator, creator_client):
    mine = make_campaign(title="Beauty glow launch", niches=("beauty",))
    shared = make_campaign(title="Beauty and travel mix", niches=("travel", "beauty"))
    make_campaign(title="Gaming headset push", niches=("gaming",))
    make_campaign(title="Draft beauty idea", niches=("beauty",), status="draft")
    make_campaign(title="Paused beauty push", niches=("beauty",), status="paused")
    html = creator_client.get("/dashboard").get_data(as_text=True)
    assert mine.title in html and shared.title in html
    assert "Gaming headset push" not in html and "Draft beauty idea" not in html
    assert "Paused beauty push" not in html
    assert 'href="/campaigns/?niche=beauty"' in html


def test_creator_niche_campaigns_are_newest_first_and_capped(creator, creator_client):
    for i in range(8):
        campaign = make_campaign(title=f"Beauty drop {i}")
        campaign.published_at = utcnow() - timedelta(days=10 - i)
    db.session.commit()
    html = creator_client.get("/dashboard").get_data(as_text=True)
    shown = re.findall(r"Beauty drop (\d)", html)
    assert shown == ["7", "6", "5", "4", "3", "2"]


def test_creator_without_matching_campaigns_gets_an_empty_state(creator, creator_client):
    make_campaign(niches=("gaming",))
    html = creator_client.get("/dashboard").get_data(as_text=True)
    assert "No open campaigns in your niches yet" in html


def test_creator_without_profile(app_ctx, login_as):
    user = make_user("fresh@example.com", role="creator")
    html = login_as(user).get("/dashboard").get_data(as_text=True)
    assert 'value="0"' in html and "Choose a handle" in html
    assert "Pick your niches" in html


def test_creator_dashboard_query_count_does_not_grow(app, creator, creator_client):
    make_campaign(niches=("beauty",))
    with QueryCounter(db.engine) as few:
        creator_client.get("/dashboard")
    for i in range(5):
        make_campaign(make_brand(), title=f"Another {i}", platforms=("tiktok", "instagram"))
    with QueryCounter(db.engine) as many:
        creator_client.get("/dashboard")
    assert many.count == few.count and many.count <= 20  # with the deal and money panels


# -- admins ------------------------------------------------------------------------------------

def test_admin_sees_users_and_campaigns_counts(admin, admin_client):
    brand = make_brand()
    make_creator()
    make_creator()
    make_campaign(brand, status="open")
    make_campaign(brand, status="closed")
    make_campaign(brand, status="closed")
    html = admin_client.get("/dashboard").get_data(as_text=True)
    assert stat(html, "role", "admin") == 1 and stat(html, "role", "creator") == 2
    assert stat(html, "role", "brand") == 1
    assert stat(html, "status", "open") == 1 and stat(html, "status", "closed") == 2
    assert stat(html, "status", "draft") == 0


@pytest.mark.parametrize("who", ["brand", "creator"])
def test_admin_panel_is_not_shown_to_others(request, who):
    client = request.getfixturevalue(f"{who}_client")
    html = client.get("/dashboard").get_data(as_text=True)
    assert "Users by role" not in html

"""Discovery: the creator directory for brands and the open-campaign directory."""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from marketplace.extensions import db
from marketplace.models import Package
from tests.conftest import Auth
from tests.support.factories import make_brand, make_campaign, make_creator

# Punctuation is a word match only in the SQLite fallback; PostgreSQL's full-text search
# drops it (tests/campaigns/test_text_search.py covers what it does instead).
LIKE_ONLY = pytest.mark.skipif(os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                               reason="literal punctuation is matched by the SQLite fallback")


def handles(html: str) -> list[str]:
    """Creator handles in page order, read from the cards."""
    return re.findall(r'class="small text-muted text-truncate">@([\w.]+)', html)


def titles(html: str) -> list[str]:
    return re.findall(r'class="stretched-link text-decoration-none" href="/campaigns/\d+">([^<]+)<',
                      html)


@contextmanager
def count_queries():
    statements: list[str] = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)


@pytest.fixture
def roster(app_ctx):
    """Four creators with distinct niches, platforms, places, sizes, engagement and prices."""
    return {
        "ana": make_creator("ana", niches=("beauty", "skincare"), country="US",
                            followers={"tiktok": 120_000, "instagram": 30_000}, engagement=6.0,
                            price_cents=50_000, display_name="Ana Glow",
                            bio="Skincare routines for 100% real skin", audience={"US": 70}),
        "ben": make_creator("ben", niches=("fitness",), country="GB",
                            followers={"youtube": 900_000}, engagement=2.0, price_cents=250_000,
                            display_name="Ben Lifts", bio="Gym and food",
                            audience={"GB": 50, "DE": 25}),
        "cleo": make_creator("cleo", niches=("food", "travel"), country="FR",
                             followers={"tiktok": 8_000}, engagement=11.5, price_cents=None,
                             display_name="Cléo Eats", bio="Street food_tours",
                             audience={"FR": 80, "DE": 10}),
        "dev": make_creator("dev", niches=("tech",), country="IN",
                            followers={"instagram": 45_000}, engagement=3.1, price_cents=9_000,
                            display_name="Dev Reviews", bio="Gadgets", audience={"US": 35}),
    }


# --- access ------------------------------------------------------------------------------


def test_creator_directory_is_for_brands_and_admins(client, creator_client, admin_client,
                                                     brand_client):
    r = client.get("/creators/")
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]
    assert creator_client.get("/creators/").status_code == 403
    assert admin_client.get("/creators/").status_code == 200
    assert brand_client.get("/creators/").status_code == 200


def test_campaign_directory_is_public(client):
    assert client.get("/campaigns/").status_code == 200


# --- creator filters ---------------------------------------------------------------------


@pytest.mark.parametrize("query, expected", [
    ("", ["ben", "ana", "dev", "cleo"]),
    ("niche=fitness", ["ben"]),
    ("niche=skincare", ["ana"]),
    ("platform=instagram", ["ana", "dev"]),
    ("platform=tiktok&min_followers=100000", ["ana"]),
    ("platform=instagram&max_followers=40000", ["ana"]),
    ("min_followers=100000", ["ben", "ana"]),
    ("max_followers=50000", ["dev", "cleo"]),
    ("min_followers=10000&max_followers=200000", ["ana", "dev"]),
    ("country=GB", ["ben"]),
    ("country=DE", ["ben"]),       # 25% of Ben's audience; 10% of Cleo's does not count
    ("country=US", ["ana", "dev"]),  # Ana lives there, 35% of Dev's audience is there
    ("min_engagement=5", ["ana", "cleo"]),
    ("min_engagement=11.5", ["cleo"]),
    ("max_price=500", ["ana", "dev"]),
    ("max_price=90", ["dev"]),
    ("max_price=89.99", []),
    ("q=glow", ["ana"]),
    ("q=LIFTS", ["ben"]),
    ("q=de", ["dev"]),
    ("q=gadgets", ["dev"]),
    pytest.param("q=%25", ["ana"], marks=LIKE_ONLY),  # a literal %, not a wildcard
    pytest.param("q=_", ["cleo"], marks=LIKE_ONLY),   # a literal _, not a wildcard
    ("q=nobody-like-this", []),
    ("niche=beauty&country=US&max_price=600", ["ana"]),
])
def test_creator_filters(brand_client, roster, query, expected):
    r = brand_client.get(f"/creators/?{query}")
    assert r.status_code == 200
    assert handles(r.get_data(as_text=True)) == expected


def test_price_filter_uses_any_package(brand_client, roster, app_ctx):
    ben = roster["ben"]
    ben.packages.append(Package(title="Story", platform="youtube", deliverable_type="story",
                                price_cents=20_000, currency="USD"))
    db.session.commit()
    html = brand_client.get("/creators/?max_price=200").get_data(as_text=True)
    assert handles(html) == ["ben", "dev"]


@pytest.mark.parametrize("sort, expected", [
    ("relevance", ["ben", "ana", "dev", "cleo"]),
    ("followers", ["ben", "ana", "dev", "cleo"]),
    ("engagement", ["cleo", "ana", "dev", "ben"]),
    ("price", ["dev", "ana", "ben", "cleo"]),   # no rate card goes last
    ("newest", ["dev", "cleo", "ben", "ana"]),
])
def test_creator_sorting(brand_client, roster, sort, expected):
    html = brand_client.get(f"/creators/?sort={sort}").get_data(as_text=True)
    assert handles(html) == expected


def test_creator_cards_show_the_essentials(brand_client, roster):
    html = brand_client.get("/creators/?q=ana").get_data(as_text=True)
    assert "Ana Glow" in html and "United States" in html and "Skincare" in html
    assert "120K" in html and "30K" in html and "6.0% eng." in html and "from $500" in html
    assert 'href="/creators/ana"' in html
    assert "1 creator" in html


def test_active_filters_show_as_removable_chips(brand_client, roster):
    html = brand_client.get("/creators/?niche=beauty&country=US&q=glow").get_data(as_text=True)
    assert "filter-chip" in html and "Beauty" in html and "“glow”" in html
    chip_links = re.findall(r'href="([^"]+)"[^>]*aria-label="Remove filter', html)
    assert len(chip_links) == 3
    assert all("page=" not in link for link in chip_links)
    assert any("niche" not in link and "country=US" in link for link in chip_links)


@pytest.mark.parametrize("query, notice", [
    ("min_followers=abc", "not a number"),
    ("max_followers=-5", "out of range"),
    ("min_engagement=lots", "not a number"),
    ("min_engagement=250", "out of range"),
    ("max_price=cheap", "enter an amount"),
    ("max_price=-1", "enter an amount"),
    ("niche=underwater", "unknown niche"),
    ("platform=vine", "unknown platform"),
    ("country=XX", "unknown country"),
    ("sort=random", "unknown sort"),
    ("min_followers=99999999999999999999999", "out of range"),
])
def test_bad_creator_filters_are_ignored_with_a_notice(brand_client, roster, query, notice):
    r = brand_client.get(f"/creators/?{query}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert notice in html.lower()
    assert handles(html) == ["ben", "ana", "dev", "cleo"]


@pytest.mark.parametrize("page", ["-1", "0", "abc", "999999", "1e3"])
def test_bad_pages_do_not_fail(brand_client, roster, page):
    r = brand_client.get(f"/creators/?page={page}")
    assert r.status_code == 200


def test_empty_state_when_nothing_matches(brand_client, roster):
    html = brand_client.get("/creators/?q=zzzz").get_data(as_text=True)
    assert "No creators match — try removing a filter" in html


def test_creator_directory_paginates(make_app, app_ctx):
    for i in range(5):
        make_creator(f"pager{i}", followers={"tiktok": 1000 * (i + 1)})
    brand = make_brand()
    c = make_app(PER_PAGE=2).test_client()
    Auth(c).login(brand.user)
    pages = [handles(c.get(f"/creators/?page={n}").get_data(as_text=True)) for n in (1, 2, 3)]
    assert pages == [["pager4", "pager3"], ["pager2", "pager1"], ["pager0"]]
    assert "page 1 of 3" in c.get("/creators/").get_data(as_text=True)
    assert handles(c.get("/creators/?page=4").get_data(as_text=True)) == []


def test_creator_list_query_count_is_bounded(make_app, app_ctx):
    for i in range(30):
        make_creator(f"bulk{i}", niches=("beauty", "food"),
                     followers={"tiktok": 1000 + i, "instagram": 500, "youtube": 20})
    brand = make_brand()
    totals = []
    for per_page in (24, 5):
        c = make_app(PER_PAGE=per_page).test_client()
        Auth(c).login(brand.user)
        with count_queries() as statements:
            r = c.get("/creators/?niche=beauty")
        assert r.status_code == 200
        assert len(handles(r.get_data(as_text=True))) == per_page
        totals.append(len(statements))
    assert totals[0] <= 10, totals
    assert totals[0] == totals[1]


# --- campaign directory ------------------------------------------------------------------


@pytest.fixture
def campaigns(app_ctx):
    glow, fit = make_brand("glowco", company_name="GlowCo"), make_brand("fitco",
                                                                       company_name="FitCo")
    made = {
        "serum": make_campaign(glow, title="Serum 100% launch", niches=("beauty",),
                               countries=("US",), platforms=("tiktok",), budget=(10_000, 30_000)),
        "gym": make_campaign(fit, title="Gym month", niches=("fitness",), countries=(),
                             platforms=("youtube", "instagram"), budget=(50_000, 150_000),
                             brief="Film a_workout with our shoes, every morning."),
        "trip": make_campaign(fit, title="Trail trip", niches=("outdoors", "travel"),
                              countries=("GB", "DE"), platforms=("instagram",),
                              budget=(20_000, 60_000)),
        "draft": make_campaign(glow, status="draft", title="Hidden draft"),
        "paused": make_campaign(glow, status="paused", title="Paused one"),
        "closed": make_campaign(glow, status="closed", title="Closed one"),
    }
    today = date.today()
    made["serum"].application_deadline = today + timedelta(days=3)
    made["gym"].application_deadline = today + timedelta(days=20)
    made["trip"].application_deadline = today + timedelta(days=9)
    db.session.commit()
    return made


@pytest.mark.parametrize("query, expected", [
    ("", ["Trail trip", "Gym month", "Serum 100% launch"]),
    ("niche=fitness", ["Gym month"]),
    ("niche=travel", ["Trail trip"]),
    ("platform=instagram", ["Trail trip", "Gym month"]),
    ("country=US", ["Gym month", "Serum 100% launch"]),   # targets US, or anywhere
    ("country=DE", ["Trail trip", "Gym month"]),
    ("country=JP", ["Gym month"]),
    ("min_budget=500", ["Trail trip", "Gym month"]),
    ("min_budget=1500", ["Gym month"]),
    ("min_budget=1500.01", []),
    ("q=LAUNCH", ["Serum 100% launch"]),
    ("q=SHOES", ["Gym month"]),
    pytest.param("q=%25", ["Serum 100% launch"], marks=LIKE_ONLY),
    pytest.param("q=_", ["Gym month"], marks=LIKE_ONLY),  # a literal _, not a wildcard
    ("q=draft", []),
    ("sort=deadline", ["Serum 100% launch", "Trail trip", "Gym month"]),
    ("sort=budget", ["Gym month", "Trail trip", "Serum 100% launch"]),
    ("sort=newest", ["Trail trip", "Gym month", "Serum 100% launch"]),
])
def test_campaign_directory_filters_and_sorts(client, campaigns, query, expected):
    r = client.get(f"/campaigns/?{query}")
    assert r.status_code == 200
    assert titles(r.get_data(as_text=True)) == expected


def test_campaign_cards_show_the_essentials(client, campaigns):
    html = client.get("/campaigns/?q=gym").get_data(as_text=True)
    assert "FitCo" in html and "$500–$1,500" in html and "Fitness" in html
    assert "YouTube" in html and "Instagram" in html and "Apply by" in html
    assert "1 campaign" in html


@pytest.mark.parametrize("query", ["min_budget=abc", "min_budget=-3", "niche=nope",
                                   "platform=x", "country=ZZ", "sort=cheapest", "page=-1",
                                   "page=abc", "page=99999", "q=" + "x" * 500])
def test_bad_campaign_filters_do_not_fail(client, campaigns, query):
    r = client.get(f"/campaigns/?{query}")
    assert r.status_code == 200


def test_bad_campaign_filter_is_ignored_with_notice(client, campaigns):
    html = client.get("/campaigns/?min_budget=lots").get_data(as_text=True)
    assert "enter an amount" in html.lower() and len(titles(html)) == 3


def test_campaign_directory_empty_state(client, app_ctx):
    html = client.get("/campaigns/").get_data(as_text=True)
    assert "No open campaigns match" in html


def test_campaign_list_query_count_is_bounded(make_app, app_ctx):
    brands = [make_brand() for _ in range(3)]
    for i in range(30):
        make_campaign(brands[i % 3], title=f"Bulk {i}", niches=("beauty", "food"),
                      countries=("US", "GB"), platforms=("tiktok", "instagram"))
    totals = []
    for per_page in (24, 5):
        c = make_app(PER_PAGE=per_page).test_client()
        with count_queries() as statements:
            r = c.get("/campaigns/")
        assert len(titles(r.get_data(as_text=True))) == per_page
        totals.append(len(statements))
    assert totals[0] <= 10, totals
    assert totals[0] == totals[1]

"""The directories' cached results (marketplace/fragments.py): a hit skips the listing's
queries, keys separate roles and query strings, entries expire after LIST_CACHE_SECONDS,
and nothing personal or secret is stored. Other tests run with NullCache."""

from __future__ import annotations

import cachelib.simple
import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from marketplace.extensions import cache, db
from marketplace.fragments import Fragment
from marketplace.models import BrandProfile
from tests.conftest import Auth
from tests.support.factories import make_brand, make_campaign, make_creator
from tests.support.library import QueryCounter


@pytest.fixture
def cached_app(make_app):
    return make_app(CACHE_TYPE="SimpleCache", LIST_CACHE_SECONDS=30)


@pytest.fixture
def clock(monkeypatch):
    """cachelib's SimpleCache reads time() from its module; move it forward by hand."""
    now = [1_000_000.0]
    monkeypatch.setattr(cachelib.simple, "time", lambda: now[0])
    return now


def _body(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_creator_directory_hits_the_cache_per_query_and_expires(cached_app, clock):
    with cached_app.app_context():
        email = make_brand("lookingbrand").user.email
        make_creator("firstmaker")
        db.session.commit()
    client = cached_app.test_client()
    Auth(client).login(email)

    assert "@firstmaker" in _body(client, "/creators/")
    with cached_app.app_context():
        make_creator("latemaker")
        db.session.commit()
        engine = db.engine
    with QueryCounter(engine) as hit:
        page = _body(client, "/creators/")
    assert "@firstmaker" in page and "@latemaker" not in page  # served from the cache
    with QueryCounter(engine) as miss:
        other_query = _body(client, "/creators/?sort=followers")
    assert "@latemaker" in other_query  # another query string is another entry
    assert hit.count < miss.count, (hit.statements, miss.statements)

    clock[0] += 31  # past LIST_CACHE_SECONDS
    assert "@latemaker" in _body(client, "/creators/")


def test_campaign_directory_keys_separate_roles(cached_app, clock):
    with cached_app.app_context():
        brand = make_brand("postingbrand")
        email = make_creator("browsingmaker").user.email
        make_campaign(brand, title="Early campaign")
        db.session.commit()
        brand_id = brand.id
    creator_client = cached_app.test_client()
    Auth(creator_client).login(email)
    assert "Early campaign" in _body(creator_client, "/campaigns/")
    with cached_app.app_context():
        make_campaign(db.session.get(BrandProfile, brand_id), title="Later campaign")
        db.session.commit()
    assert "Later campaign" not in _body(creator_client, "/campaigns/")
    visitor = cached_app.test_client()  # logged out: its own entry, built now
    assert "Later campaign" in _body(visitor, "/campaigns/")
    clock[0] += 31
    assert "Later campaign" in _body(creator_client, "/campaigns/")


def test_cached_results_hold_nothing_personal_or_secret(cached_app, clock):
    with cached_app.app_context():
        email = make_brand("privatebrand", company_name="Very Private Brand").user.email
        make_creator("publicmaker")
        db.session.commit()
    client = cached_app.test_client()
    Auth(client).login(email)
    page = _body(client, "/creators/?niche=beauty")
    assert "csrf_token" in page  # the page itself has its forms' tokens...
    with cached_app.app_context():
        backend = cache.cache
        stored = [backend.get(key) for key in backend._cache]  # SimpleCache's own store
    fragments = [f.html for f in stored if isinstance(f, Fragment) and "@publicmaker" in f.html]
    assert len(fragments) == 1
    # ...but the cached results have none, nor who was looking.
    assert "csrf_token" not in fragments[0]
    assert "Very Private Brand" not in fragments[0] and "privatebrand" not in fragments[0]


def test_dashboard_niche_campaigns_are_shared_by_niches_only(cached_app, clock):
    with cached_app.app_context():
        brand = make_brand("nichebrand")
        first = make_creator("firstbeauty", niches=("beauty",)).user.email
        second = make_creator("secondbeauty", niches=("beauty",)).user.email
        fitness = make_creator("fitmaker", niches=("beauty", "fitness")).user.email
        make_campaign(brand, title="Beauty one", niches=("beauty",))
        db.session.commit()
        brand_id = brand.id
    clients = {}
    for email in (first, second, fitness):
        clients[email] = cached_app.test_client()
        Auth(clients[email]).login(email)
    assert "Beauty one" in _body(clients[first], "/dashboard")
    with cached_app.app_context():
        make_campaign(db.session.get(BrandProfile, brand_id), title="Beauty two",
                      niches=("beauty",))
        db.session.commit()
    # Same niches: the entry the first creator's visit built; other niches: their own.
    assert "Beauty two" not in _body(clients[second], "/dashboard")
    assert "Beauty two" in _body(clients[fitness], "/dashboard")
    clock[0] += 31
    assert "Beauty two" in _body(clients[first], "/dashboard")


def test_a_cache_that_is_down_costs_speed_not_the_page(cached_app, monkeypatch):
    with cached_app.app_context():
        email = make_brand("patientbrand").user.email
        make_creator("stillshown")
        db.session.commit()
        backend = cache.cache

    def down(*_args, **_kwargs):
        raise RedisConnectionError("Connection refused")

    monkeypatch.setattr(backend, "get", down)
    client = cached_app.test_client()
    Auth(client).login(email)
    assert "@stillshown" in _body(client, "/creators/")

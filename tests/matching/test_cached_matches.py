"""Ranked matches served from the fragment cache (marketplace/fragments.py): a hit skips the
ranking and its queries, the key holds everything the ranking reads (so hiding, inviting,
applying or an edit shows at once), the forms inside carry the viewer's own CSRF token,
and impressions are still noted on a hit."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import cachelib.simple
import pytest
from sqlalchemy import func, select, update

from marketplace import impressions
from marketplace.database import utcnow
from marketplace.extensions import cache, db
from marketplace.fragments import CSRF_PLACEHOLDER, Fragment
from marketplace.models import MatchEvent
from marketplace.services.deals import applications, offers
from tests.matching.test_recommendations import world
from tests.support.factories import make_creator
from tests.support.library import QueryCounter


@pytest.fixture
def app(make_app, tmp_path):
    return make_app(MATCHING_ENABLED=True, MATCHING_DIR=str(tmp_path / "matching"),
                    CACHE_TYPE="SimpleCache", LIST_CACHE_SECONDS=30)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """cachelib's SimpleCache reads time() from its module; move it forward by hand."""
    now = [1_000_000.0]
    monkeypatch.setattr(cachelib.simple, "time", lambda: now[0])
    return now


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    response.close()  # the body is sent: the impressions are written
    return html


def _top_matches(html: str) -> str:
    start = html.index('id="top-matches"')
    return html[start:html.index("</ol>", start)] if "</ol>" in html[start:] else html[start:]


def _stored_fragments() -> list[Fragment]:
    backend = cache.cache
    return [f for f in (backend.get(k) for k in list(backend._cache)) if isinstance(f, Fragment)]


def test_campaign_top_matches_hit_the_cache_and_follow_hides_at_once(app, app_ctx, login_as):
    brand, campaign, good, *_ = world()
    db.session.commit()
    client = login_as(brand.user)
    url = f"/campaigns/{campaign.id}"
    first = _page(client, url)
    assert "@skin_sam" in _top_matches(first)
    with QueryCounter(db.engine) as hit:
        again = _page(client, url)
    assert _top_matches(again) == _top_matches(first).replace(
        _token(first), _token(again))  # the same list, the viewer's current token

    cache.clear()
    with QueryCounter(db.engine) as miss:
        _page(client, url)
    assert hit.count < miss.count, (hit.statements, miss.statements)

    # The Hide button's form works with the token it carries.
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/campaigns/{campaign.id}/matches/{good.id}/hide",
                       data={"csrf_token": CSRF_PLACEHOLDER}).status_code == 400
    token = _token(_page(client, url))
    r = client.post(f"/campaigns/{campaign.id}/matches/{good.id}/hide",
                    data={"csrf_token": token, "back": "campaign"})
    assert r.status_code == 302
    assert "@skin_sam" not in _top_matches(_page(client, url))  # no wait for the cache


def _token(html: str) -> str:
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', html))
    assert len(tokens) == 1 and CSRF_PLACEHOLDER not in tokens, tokens
    return tokens.pop()


def test_cached_matches_hold_no_token_and_are_keyed_per_campaign_state(app, app_ctx,
                                                                       login_as):
    brand, campaign, good, *_ = world()
    db.session.commit()
    client = login_as(brand.user)
    page = _page(client, f"/campaigns/{campaign.id}")
    stored = [f for f in _stored_fragments() if "@skin_sam" in f.html]
    assert len(stored) == 1
    assert CSRF_PLACEHOLDER in stored[0].html and _token(page) not in stored[0].html
    # An invitation leaves the creator out of the matches: a new key, a fresh ranking.
    offers.invite(brand.user, campaign, good, offers.OfferTerms.from_campaign(campaign))
    db.session.commit()
    assert "@skin_sam" not in _top_matches(_page(client, f"/campaigns/{campaign.id}"))


def test_impressions_are_noted_on_a_cache_hit(app, app_ctx, login_as, clock, monkeypatch):
    brand, campaign, *_ = world()
    db.session.commit()
    client = login_as(brand.user)
    _page(client, f"/campaigns/{campaign.id}")
    shown_once = db.session.scalar(select(func.count(MatchEvent.id)))
    assert shown_once > 0
    clock[0] += 10  # still cached; the first view moved out of the de-duplication window
    db.session.execute(update(MatchEvent).values(
        created_at=utcnow() - timedelta(minutes=app.config["IMPRESSION_WINDOW_MINUTES"] + 1)))
    db.session.commit()
    later = time.monotonic() + app.config["IMPRESSION_WINDOW_MINUTES"] * 60 + 60
    monkeypatch.setattr(impressions.time, "monotonic", lambda: later)  # its memory too
    stored = _stored_fragments()
    _page(client, f"/campaigns/{campaign.id}")
    assert _stored_fragments() == stored  # served from the cache, nothing rebuilt
    db.session.expire_all()
    assert db.session.scalar(select(func.count(MatchEvent.id))) == 2 * shown_once


def test_creator_dashboard_campaigns_for_you_follow_applications(app, app_ctx,
                                                                           login_as):
    brand, campaign, good, *_ = world()
    other = make_creator("skin_sue", niches=("skincare",), country="US",
                         followers={"tiktok": 70_000}, bio="Skincare routines daily.")
    db.session.commit()
    client = login_as(other.user)

    def for_you() -> str:
        html = _page(client, "/dashboard")
        start = html.find('id="campaigns-for-you"')
        return "" if start < 0 else html[start:html.index("</section>", start)]

    assert campaign.title in for_you()
    with QueryCounter(db.engine) as hit:
        assert campaign.title in for_you()
    cache.clear()
    with QueryCounter(db.engine) as miss:
        for_you()
    assert hit.count < miss.count, (hit.statements, miss.statements)

    applications.apply(other.user, campaign, pitch="I film calm skincare routines for my "
                       "sensitive-skin audience.", proposed_price_cents=30_000)
    db.session.commit()
    assert campaign.title not in for_you()  # applied: gone at once, not after 30 s


def test_a_busy_process_asks_for_model_changes_at_most_once_per_interval(make_app, tmp_path,
                                                                         monkeypatch):
    """MATCHING_CHECK_SECONDS (1 s in production): within it, ranking asks the database
    nothing about the model; after it, an edit made meanwhile is in the ranking."""
    from marketplace.services.accounts import profiles
    from marketplace.services.matching import recommendations

    clock = [100.0]
    monkeypatch.setattr(recommendations.time, "monotonic", lambda: clock[0])
    app = make_app(MATCHING_ENABLED=True, MATCHING_DIR=str(tmp_path / "matching"),
                   MATCHING_CHECK_SECONDS=1)
    with app.app_context():
        brand, campaign, good, small, *_ = world()
        db.session.commit()
        engine = recommendations.engine()

        def asks_for_changes() -> bool:
            with QueryCounter(db.engine) as seen:
                engine.current()
            return any("index_changes" in s for s in seen.statements)

        assert asks_for_changes()  # the first call loads
        # The small creator grows past the minimum audience through the real service.
        profiles.save_platform_accounts(small, {"tiktok": profiles.AccountInput(
            handle="@tiny_tess", followers=60_000, avg_views=9_000, engagement_rate=6.0)})
        before = engine.state()
        clock[0] += 0.5
        assert not asks_for_changes()
        assert small.id not in [m.creator.id for m in recommendations.top_creators(campaign)]
        clock[0] += 0.6  # past the interval
        assert asks_for_changes()
        assert engine.state() != before  # the edit's index change is applied
        assert small.id in [m.creator.id for m in recommendations.top_creators(campaign)]

"""Impressions: a page that shows matches writes nothing while it runs; the list is logged
after the response, once per viewer, surface and window, never for bots or anonymous visits."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import func, select, update

from marketplace import impressions
from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import MatcherVersion, MatchEvent
from marketplace.services.matching import recommendations
from tests.conftest import Auth
from tests.matching.test_recommendations import world
from tests.support.library import QueryCounter
from tests.support.writes import WriteWatch


@pytest.fixture
def app(make_app, tmp_path):
    return make_app(MATCHING_ENABLED=True, MATCHING_DIR=str(tmp_path / "matching"))


def shown(surface: str | None = None) -> list[tuple[int, int, int, int | None]]:
    q = select(MatchEvent.campaign_id, MatchEvent.creator_id, MatchEvent.position,
               MatchEvent.viewer_id).where(MatchEvent.event == "shown").order_by(MatchEvent.id)
    if surface:
        q = q.where(MatchEvent.surface == surface)
    db.session.expire_all()
    return [tuple(row) for row in db.session.execute(q)]


@pytest.fixture
def market(app_ctx):
    brand, campaign, good, *rest = world()
    recommendations.build()
    return brand, campaign, good


def match_pages(campaign):
    return [(f"/campaigns/{campaign.id}/matches", recommendations.SURFACE_CAMPAIGN),
            (f"/campaigns/{campaign.id}", recommendations.SURFACE_CAMPAIGN)]


@pytest.mark.parametrize("page", [0, 1])
def test_brand_match_pages_write_nothing_during_the_request(app, market, login_as, page):
    brand, campaign, good = market
    url, surface = match_pages(campaign)[page]
    client = login_as(brand.user)
    with WriteWatch(db.engine) as watch:
        response = client.get(url)
    assert response.status_code == 200 and b"skin_sam" in response.data
    assert watch.writes == [] and watch.commits == 0
    assert shown() == []
    response.close()  # the server has sent the body: the close callbacks run
    rows = shown(surface)
    assert rows and rows[0][:3] == (campaign.id, good.id, 1)
    assert {viewer for *_, viewer in rows} == {brand.user.id}
    assert [pos for _, _, pos, _ in rows] == list(range(1, len(rows) + 1))


def test_creator_dashboard_for_you_is_logged_after_the_response(app, market, login_as):
    brand, campaign, good = market
    client = login_as(good.user)
    with WriteWatch(db.engine) as watch:
        response = client.get("/dashboard")
    assert response.status_code == 200 and b"Summer glow launch" in response.data
    assert watch.writes == [] and watch.commits == 0
    response.close()
    assert shown(recommendations.SURFACE_CREATOR) == [(campaign.id, good.id, 1, good.user.id)]


def test_a_reload_within_the_window_counts_once(app, market, login_as):
    brand, campaign, good = market
    client = login_as(brand.user)
    url = f"/campaigns/{campaign.id}/matches"
    client.get(url).close()
    first = shown()
    client.get(url).close()
    client.get(f"/campaigns/{campaign.id}").close()  # the same pairs, same surface
    assert shown() == first
    other = login_as(brand.user)  # another session of the same person: still once
    other.get(url).close()
    assert shown() == first


def test_after_the_window_a_view_counts_again(app, market, login_as, monkeypatch):
    brand, campaign, good = market
    client = login_as(brand.user)
    client.get(f"/campaigns/{campaign.id}/matches").close()
    once = len(shown())
    window = timedelta(minutes=app.config["IMPRESSION_WINDOW_MINUTES"])
    db.session.execute(update(MatchEvent).values(
        created_at=utcnow() - window - timedelta(minutes=1)))
    db.session.commit()
    # The process's own memory of the list (no database check for a reload) ends with
    # the window too.
    later = time.monotonic() + window.total_seconds() + 60
    monkeypatch.setattr(impressions.time, "monotonic", lambda: later)
    client.get(f"/campaigns/{campaign.id}/matches").close()
    assert once > 0 and len(shown()) == 2 * once


def test_a_reload_in_the_window_asks_the_database_nothing(app, market, login_as):
    brand, campaign, good = market
    client = login_as(brand.user)
    client.get(f"/campaigns/{campaign.id}/matches").close()
    first = shown()
    with QueryCounter(db.engine) as reload:
        client.get(f"/campaigns/{campaign.id}/matches").close()
    assert not any("match_events" in s for s in reload.statements)
    assert shown() == first
    other = login_as(brand.user)  # another session of the same person: remembered too
    with QueryCounter(db.engine) as other_session:
        other.get(f"/campaigns/{campaign.id}/matches").close()
    assert not any("match_events" in s for s in other_session.statements)


@pytest.mark.parametrize("agent", ["Googlebot/2.1 (+http://www.google.com/bot.html)",
                                   "Mozilla/5.0 (compatible; AhrefsCrawler/7.0)",
                                   "Baiduspider"])
def test_bots_add_nothing(app, market, login_as, agent):
    brand, campaign, good = market
    client = login_as(brand.user)
    response = client.get(f"/campaigns/{campaign.id}/matches", headers={"User-Agent": agent})
    assert response.status_code == 200 and b"skin_sam" in response.data
    response.close()
    assert shown() == []


def test_head_requests_add_nothing(app, market, login_as):
    brand, campaign, good = market
    client = login_as(brand.user)
    client.head(f"/campaigns/{campaign.id}/matches").close()
    assert shown() == []


def test_anonymous_visitors_are_never_counted(app, market):
    brand, campaign, good = market
    with app.test_request_context(f"/campaigns/{campaign.id}"):
        impressions.note([(campaign.id, good.id)], recommendations.SURFACE_CAMPAIGN)
        assert "impressions" not in g
    app.test_client().get(f"/campaigns/{campaign.id}").close()
    assert shown() == []


def test_no_saved_model_ranks_with_default_weights_writes_nothing_and_the_job_fits_one(
        app, app_ctx, login_as, runner):
    brand, campaign, good, *_ = world()
    client = login_as(brand.user)
    with WriteWatch(db.engine) as watch:
        response = client.get(f"/campaigns/{campaign.id}/matches")
    assert response.status_code == 200 and b"skin_sam" in response.data  # default weights
    assert watch.writes == [] and watch.commits == 0  # no rebuild request, nothing at all
    response.close()
    with WriteWatch(db.engine) as watch:
        login_as(good.user).get("/dashboard").close()  # the creator's matches: the same
    assert not [w for w in watch.writes if "match_events" not in w]  # impressions only
    assert db.session.scalar(select(func.count(MatcherVersion.id))) == 0  # no fit, no save
    assert recommendations.missing_model() == "no saved model"

    result = runner.invoke(args=["matching", "rebuild", "--if-missing"])
    assert result.exit_code == 0 and "version 1" in result.output, result.output
    assert recommendations.missing_model() is None
    result = runner.invoke(args=["matching", "rebuild", "--if-requested"])  # the old name
    assert "nothing to do" in result.output
    assert db.session.scalar(select(func.count(MatcherVersion.id))) == 1
    response = client.get(f"/campaigns/{campaign.id}/matches")  # the page loads the model
    assert response.status_code == 200 and b"skin_sam" in response.data
    response.close()
    assert recommendations.engine()._loaded.version_id == 1


def test_a_big_catalogue_without_a_model_shows_no_matches_yet(make_app, tmp_path, app_ctx):
    app = make_app(MATCHING_ENABLED=True, MATCHING_DIR=str(tmp_path / "m3"),
                   MATCHING_INLINE_MAX_CREATORS=2)
    with app.app_context():
        brand, campaign, *_ = world()
        client = app.test_client()
        Auth(client).login(brand.user)
        response = client.get(f"/campaigns/{campaign.id}/matches")
        assert response.status_code == 200 and b"skin_sam" not in response.data
        assert b"Matches are being prepared" in response.data
        assert db.session.scalar(select(func.count(MatcherVersion.id))) == 0
        assert recommendations.rebuild_if_missing() is not None  # the job fits it
        response = client.get(f"/campaigns/{campaign.id}/matches")
        assert response.status_code == 200 and b"skin_sam" in response.data

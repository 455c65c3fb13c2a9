"""The web app's matching bridge: ranked, explained matches kept in step with the database."""

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import IndexChange, MatcherVersion, MatchEvent
from marketplace.services.accounts import profiles
from marketplace.services.campaigns import lifecycle as campaign_service
from marketplace.services.matching import outcome_log as match_log
from marketplace.services.matching import recommendations
from tests.support.factories import make_brand, make_campaign, make_creator, make_user


@pytest.fixture
def app(make_app, tmp_path):
    return make_app(MATCHING_ENABLED=True, MATCHING_DIR=str(tmp_path / "matching"))


def world():
    brand = make_brand("glowco")
    campaign = make_campaign(brand, niches=("beauty", "skincare"), countries=("US",),
                             platforms=("tiktok",), min_followers=10_000,
                             budget=(20_000, 50_000),
                             brief="Skincare routine video with our SPF serum for sensitive skin.")
    good = make_creator("skin_sam", niches=("skincare", "beauty"), country="US",
                        followers={"tiktok": 80_000}, price_cents=30_000,
                        bio="Dermatology-minded skincare routines and SPF reviews.")
    small = make_creator("tiny_tess", niches=("skincare",), country="US",
                         followers={"tiktok": 2_000}, bio="Skincare routines.")
    wrong_platform = make_creator("yt_yan", niches=("skincare",), country="US",
                                  followers={"youtube": 500_000}, bio="Skincare deep dives.")
    wrong_country = make_creator("de_dora", niches=("skincare",), country="DE",
                                 followers={"tiktok": 90_000}, audience={"DE": 90.0},
                                 bio="Hautpflege routines.")
    gamer = make_creator("gamer_gus", niches=("gaming",), country="US",
                         followers={"tiktok": 300_000}, bio="Speedruns and game reviews.",
                         price_cents=40_000)
    return brand, campaign, good, small, wrong_platform, wrong_country, gamer


def test_top_creators_ranked_filtered_and_explained(app_ctx):
    brand, campaign, good, small, wrong_platform, wrong_country, gamer = world()
    results = recommendations.top_creators(campaign, k=10)
    ids = [r.creator.id for r in results]
    assert good.id in ids
    assert ids.index(good.id) < ids.index(gamer.id) if gamer.id in ids else True
    for excluded in (small, wrong_platform, wrong_country):  # hard constraints are filters
        assert excluded.id not in ids
    top = results[0]
    assert top.creator.id == good.id
    assert top.match.reasons[:4] == ["Based in United States",
                                     "80K on TikTok, above your 10K minimum",
                                     "Shares your niches: beauty, skincare",
                                     "Rate $300 fits your $500 budget"]
    assert top.match.strength == "Strong match" and top.match.cautions == []
    assert abs(sum(top.match.contributions.values()) - top.match.score) < 1e-6
    # Ranking reads only: the page notes impressions and they are written after the response,
    # with the raw model scores beside the positions.
    assert db.session.scalar(select(func.count(MatchEvent.id))) == 0
    pairs = recommendations.impression_pairs(results, campaign=campaign)
    assert pairs == [(campaign.id, i) for i in ids]
    match_log.record_impressions(pairs, recommendations.SURFACE_CAMPAIGN, brand.user_id,
                                 scores=[r.match.score for r in results])
    logged = db.session.scalars(select(MatchEvent.score).where(MatchEvent.event == "shown")
                                .order_by(MatchEvent.position)).all()
    assert logged == pytest.approx([r.match.score for r in results])  # raw score kept in the log


def test_hidden_creators_left_out(app_ctx):
    brand, campaign, good, *_ = world()
    recommendations.hide_creator(brand, good)
    ids = [r.creator.id for r in recommendations.top_creators(campaign)]
    assert good.id not in ids
    recommendations.unhide_creator(brand, good)
    ids = [r.creator.id for r in recommendations.top_creators(campaign)]
    assert good.id in ids


def test_edits_are_ranked_without_restart_or_refit(app_ctx):
    brand, campaign, good, small, *_ = world()
    engine = recommendations.engine()
    engine.current()
    versions = db.session.scalar(select(func.count(MatcherVersion.id)))
    # The small creator grows past the minimum audience through the real profile service.
    profiles.save_platform_accounts(small, {"tiktok": profiles.AccountInput(
        handle="@tiny_tess", followers=60_000, avg_views=9_000, engagement_rate=6.0)})
    assert db.session.scalar(select(func.count(IndexChange.id))) >= 1
    ids = [r.creator.id for r in recommendations.top_creators(campaign)]
    assert small.id in ids
    assert db.session.scalar(select(func.count(MatcherVersion.id))) == versions  # no rebuild


def test_paused_campaign_leaves_creator_recommendations(app_ctx):
    brand, campaign, good, *_ = world()
    before = [r.campaign.id for r in recommendations.campaigns_for(good)]
    assert campaign.id in before
    for r in recommendations.campaigns_for(good):
        assert r.match.reasons
    campaign_service.transition(campaign, "pause")
    after = [r.campaign.id for r in recommendations.campaigns_for(good)]
    assert campaign.id not in after
    campaign_service.transition(campaign, "resume")
    assert campaign.id in [r.campaign.id for r in recommendations.campaigns_for(good)]


def test_workers_share_the_saved_version(make_app, tmp_path, app_ctx):
    world()
    recommendations.build()
    first = recommendations.engine().current()
    other = make_app(MATCHING_ENABLED=True, MATCHING_DIR=str(tmp_path / "matching"))
    with other.app_context():
        second = recommendations.engine().current()
        assert second is not first
        assert second.fitted_at == first.fitted_at
        latest = db.session.scalar(select(MatcherVersion).order_by(MatcherVersion.id.desc()))
    recommendations.build()  # a retrain elsewhere: both workers move to the new version
    with other.app_context():
        newest = db.session.scalar(select(MatcherVersion).order_by(MatcherVersion.id.desc()))
        assert newest.id != latest.id
        assert recommendations.engine()._loaded.version_id == latest.id
        recommendations.engine().current()
        assert recommendations.engine()._loaded.version_id == newest.id


def test_retrain_reports_heldout_metrics_and_learns(app_ctx, runner):
    brand, campaign, good, *_ = world()
    others = [make_campaign(brand, title=f"Skincare drop {i}", niches=("skincare",))
              for i in range(4)]
    creators = [make_creator(f"skin{i}", niches=("skincare",), followers={"tiktok": 20_000 + i})
                for i in range(12)]
    for c in [campaign, *others]:
        for pos, cr in enumerate(creators, start=1):
            db.session.add(MatchEvent(campaign_id=c.id, creator_id=cr.id, event="shown",
                                      position=pos))
            if pos % 3 == 0:
                db.session.add(MatchEvent(campaign_id=c.id, creator_id=cr.id, event="invited"))
    db.session.commit()
    result = runner.invoke(args=["matching", "retrain", "--holdout", "0.4"])
    assert result.exit_code == 0, result.output
    assert '"default_weights"' in result.output and '"learned_on_train"' in result.output
    assert '"ndcg@10"' in result.output
    version = db.session.scalar(select(MatcherVersion).order_by(MatcherVersion.id.desc()))
    assert version.n_outcomes == db.session.scalar(select(func.count(MatchEvent.id)))
    assert "heldout_campaigns" in version.metrics


def test_campaign_matches_page(app, app_ctx, login_as):
    brand, campaign, good, *_ = world()
    client = login_as(brand.user)
    make_creator("pricey_pam", niches=("skincare",), country="CA", followers={"tiktok": 60_000},
                 audience={"US": 45.0, "CA": 55.0}, price_cents=90_000, bio="Skincare reviews.")
    r = client.get(f"/campaigns/{campaign.id}/matches")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "skin_sam" in html and "Shares your niches" in html
    assert "Strong match" in html and "fit " in html and "/100" in html
    assert "What makes up the fit" in html and "Shared niches: adds" in html
    assert "45% of audience in United States (based in Canada)" in html
    assert "80K on TikTok, above your 10K minimum" in html
    caution = html.index("Rate $900 is above your $500 budget")
    reasons_start = html.rindex('data-testid="match-reasons"', 0, caution)
    cautions_start = html.rindex('data-testid="match-cautions"', 0, caution)
    assert cautions_start > reasons_start  # in the cautions list, not among the reasons
    assert '<span class="visually-hidden">Caution:</span>' in html[cautions_start:caution]
    assert "Raw score" not in html  # brands see the fit; the raw score is for admins
    r = client.post(f"/campaigns/{campaign.id}/matches/{good.id}/hide")
    assert r.status_code == 302
    assert b"skin_sam</a>" not in client.get(f"/campaigns/{campaign.id}/matches").data


def test_campaign_matches_access(app, app_ctx, login_as, client):
    brand, campaign, good, *_ = world()
    other_brand = make_brand("rival")
    assert login_as(other_brand.user).get(f"/campaigns/{campaign.id}/matches").status_code == 404
    assert login_as(other_brand.user).post(
        f"/campaigns/{campaign.id}/matches/{good.id}/hide").status_code == 404
    assert login_as(good.user).get(f"/campaigns/{campaign.id}/matches").status_code == 403
    r = client.get(f"/campaigns/{campaign.id}/matches")
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]
    admin = make_user("root@example.com", role="admin")
    assert login_as(admin).get(f"/campaigns/{campaign.id}/matches").status_code == 403


def test_creators_already_in_talks_leave_the_lists(app_ctx):
    from marketplace.services.deals import applications, offers

    brand, campaign, good, *_ = world()
    assert good.id in [r.creator.id for r in recommendations.top_creators(campaign)]
    offers.invite(brand.user, campaign, good, offers.OfferTerms.from_campaign(campaign))
    assert good.id not in [r.creator.id for r in
                           recommendations.top_creators(campaign)]
    assert campaign.id not in [r.campaign.id for r in
                               recommendations.campaigns_for(good)]
    other = make_creator("skin_sue", niches=("skincare",), country="US",
                         followers={"tiktok": 70_000}, bio="Skincare routines daily.")
    assert campaign.id in [r.campaign.id for r in recommendations.campaigns_for(other)]
    applications.apply(other.user, campaign, pitch="I film calm skincare routines for my "
                       "sensitive-skin audience.", proposed_price_cents=30_000)
    assert campaign.id not in [r.campaign.id for r in
                               recommendations.campaigns_for(other)]


def test_admin_command_shows_raw_scores_and_logs_nothing(app_ctx, runner):
    brand, campaign, good, *_ = world()
    result = runner.invoke(args=["matching", "explain", str(campaign.id), "-k", "3"])
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    expected = recommendations.top_creators(campaign, k=1)[0].match
    assert first.startswith(" 1. @skin_sam: score ") and f"{expected.score:+.4f}" in first
    assert f"fit {expected.fit}" in first and "niche_overlap=" in first
    assert db.session.scalar(select(func.count(MatchEvent.id))) == 0
    missing = runner.invoke(args=["matching", "explain", "999999"])
    assert missing.exit_code != 0 and "no campaign 999999" in missing.output

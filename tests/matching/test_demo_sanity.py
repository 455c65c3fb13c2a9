"""Sanity on the real demo marketplace (`flask seed`, small): what people see is eligible,
says how the brief is met, and "Campaigns for you" stays in the creator's niches."""

import pytest
from sqlalchemy import select

from marketplace import taxonomy
from marketplace.demo import seed
from marketplace.extensions import db
from marketplace.models import Campaign, CampaignStatus, CreatorProfile
from marketplace.services.matching import recommendations as rec
from matching.constraints import eligible

SMALL = {"creators": 90, "brands": 8, "campaigns": 20}
PLATFORM_WORDS = ("TikTok", "Instagram", "YouTube")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from marketplace import create_app
    from tests.conftest import _test_config

    folder = tmp_path_factory.mktemp("demo")
    app = create_app({**_test_config(f"sqlite:///{folder / 'demo.sqlite3'}", folder),
                      "MATCHING_ENABLED": True, "MATCHING_DIR": str(folder / "matching")})
    with app.app_context():
        db.create_all()
        seed.seed_all(seed.DEFAULT_SEED, images=False, **SMALL)
        rec.build()
        yield app
        db.session.remove()
        db.engine.dispose()


def _where_words(campaign: Campaign) -> tuple[str, ...]:
    if not campaign.countries:
        return ("any country",)
    names = tuple(taxonomy.COUNTRIES[c] for c in campaign.countries)
    return tuple(f"Based in {n}" for n in names) + ("of audience in",)


def test_top_matches_are_eligible_and_name_country_and_platform(demo):
    campaigns = db.session.scalars(select(Campaign).where(Campaign.status == CampaignStatus.OPEN)
                                   .options(*rec._CAMPAIGN_LOAD)).all()
    assert campaigns
    shown = 0
    for campaign in campaigns:
        engine_campaign = rec.to_campaign(campaign)
        results = rec.top_creators(campaign, k=10)
        people = {c.id: c for c in rec.load_creators([r.creator.id for r in results])}
        for r in results:
            m = r.match
            assert eligible(people[r.creator.id], engine_campaign), (campaign.id, r.creator.id)
            where = _where_words(campaign)
            assert any(w in m.reasons[0 + m.explored] for w in where), m.reasons
            reach = m.reasons[1 + m.explored]
            assert any(p in reach for p in PLATFORM_WORDS), m.reasons
            if campaign.platforms:
                assert any(taxonomy.PLATFORMS[p] in reach for p in campaign.platforms), reach
            assert not set(m.reasons) & set(m.cautions)
            assert 0 <= m.fit <= 100 and m.strength
            shown += 1
    assert shown >= len(campaigns)


def test_campaigns_for_you_share_a_niche_when_any_can(demo):
    creators = db.session.scalars(select(CreatorProfile).options(*rec._CREATOR_LOAD)).all()
    open_campaigns = [rec.to_campaign(c) for c in db.session.scalars(
        select(Campaign).where(Campaign.status == CampaignStatus.OPEN)
        .options(*rec._CAMPAIGN_LOAD))]
    checked = 0
    for profile in creators:
        me = rec.to_creator(profile)
        engaged = rec.engaged_campaign_ids(profile)
        in_niche = [c for c in open_campaigns if c.id not in engaged and eligible(me, c)
                    and set(c.niches) & set(me.niches)]
        got = rec.campaigns_for(profile, k=5)
        for pos, item in enumerate(got):
            if pos < len(in_niche):
                assert set(item.campaign.niches) & set(profile.niches), (
                    profile.handle, pos, item.campaign.title, profile.niches)
                checked += 1
            for rate_caution in (c for c in item.match.cautions if "below your" in c):
                assert rate_caution not in item.match.reasons
    assert checked >= 5  # creators with eligible campaigns in their niches were checked

"""Delivered results teach matching: the bridge's performance signal against hand-computed
figures, the "outperformed" outcome, and the reason a brand reads."""

import math
from datetime import timedelta

import pytest

from marketplace.database import utcnow
from marketplace.services.matching import evaluation, performance, recommendations
from tests.support.factories import make_brand, make_campaign, make_creator
from tests.support.results import posted_deal, posts_of, reading


@pytest.fixture
def app(make_app, tmp_path):
    return make_app(MATCHING_ENABLED=True, MATCHING_DIR=str(tmp_path / "matching"))


def _deal(brand, creator, campaign, price_cents, views=None, *, source="platform", **kw):
    deal = posted_deal(brand, creator, campaign, price_cents=price_cents, **kw)
    if views is not None or source != "platform":
        reading(posts_of(deal)[0], utcnow() - timedelta(hours=1), source=source, views=views,
                likes=10)
    return deal


def _market():
    brand = make_brand("glowco")
    campaign = make_campaign(brand, niches=("skincare",), min_followers=1000)
    x, y, z = (make_creator(h, niches=("skincare",), followers={"tiktok": 50_000})
               for h in ("xena", "yuri", "zoe"))
    return brand, campaign, x, y, z


def test_ratio_to_the_campaigns_other_creators_hand_computed(app_ctx):
    brand, campaign, x, y, z = _market()
    # views per dollar: x 10000/$100 = 100, y 5000/$100 = 50, z 5000/$200 = 25
    _deal(brand, x, campaign, 10_000, 10_000)
    _deal(brand, y, campaign, 10_000, 5_000)
    _deal(brand, z, campaign, 20_000, 5_000)
    loner = make_creator("lone", niches=("skincare",), followers={"tiktok": 50_000})
    _deal(brand, loner, make_campaign(brand), 10_000, 9_000)  # nobody to compare with
    nothing = make_creator("nada", niches=("skincare",), followers={"tiktok": 50_000})
    _deal(brand, nothing, campaign, 10_000, None)  # posted, no reading yet: missing
    flop = make_creator("flop", niches=("skincare",), followers={"tiktok": 50_000})
    _deal(brand, flop, campaign, 10_000, 0)  # measured: no views at all

    rows = {d.creator_id: d for d in performance.deliveries()}
    assert rows[x.id].views_per_dollar == 100 and rows[z.id].views_per_dollar == 25
    # each against the median of the others (flop's 0 counts, nada's missing does not)
    assert rows[x.id].ratio == pytest.approx(100 / 25)  # median of 50, 25, 0
    assert rows[y.id].ratio == pytest.approx(50 / 25)  # median of 100, 25, 0
    assert rows[z.id].ratio == pytest.approx(25 / 50)  # median of 100, 50, 0
    assert rows[flop.id].ratio == 0
    assert rows[loner.id].ratio is None and rows[nothing.id].views_per_dollar is None

    got = performance.creator_performance()
    # one deal, shrunk with one pseudo-deal at 1x: exp(ln r / 2) = sqrt(r)
    assert got[x.id] == 2.0 and got[y.id] == round(math.sqrt(2), 3)
    assert got[z.id] == round(math.sqrt(0.5), 3)
    assert got[flop.id] == 0.25  # no views: the floor 1/16, shrunk
    assert loner.id not in got and nothing.id not in got  # unknown, never 1 or 0
    assert performance.creator_performance([x.id]) == {x.id: 2.0}

    creators = {c.id: c for c in recommendations.load_creators()}
    assert creators[x.id].performance == 2.0 and creators[loner.id].performance is None


def test_creator_reported_numbers_count_half_and_never_teach(app_ctx):
    brand, campaign, x, y, z = _market()
    _deal(brand, x, campaign, 10_000, 10_000, source="creator")  # typed in by the creator
    _deal(brand, y, campaign, 10_000, 5_000)
    _deal(brand, z, campaign, 20_000, 5_000)
    rows = {d.creator_id: d for d in performance.deliveries()}
    assert rows[x.id].reported and not rows[y.id].reported
    # weight 0.5: exp(0.5 ln(2.667) / (0.5 + 1))
    assert performance.creator_performance()[x.id] == round(
        math.exp(0.5 * math.log(100 / 37.5) / 1.5), 3) == 1.387
    # above the median but reported: no "outperformed" outcome; nobody else is above
    assert performance.outperformed_outcomes() == []


def test_outperformed_outcome_in_the_training_log(app_ctx):
    brand, campaign, x, y, z = _market()
    _deal(brand, x, campaign, 10_000, 10_000)
    _deal(brand, y, campaign, 10_000, 5_000)
    _deal(brand, z, campaign, 20_000, 5_000)
    outcomes = recommendations.load_outcomes()
    assert [(o.campaign_id, o.creator_id, o.event) for o in outcomes] == [
        (campaign.id, x.id, "outperformed")]
    assert recommendations.load_outcomes({campaign.id + 1}) == []
    # the held-out evaluation counts it as the strongest relevance
    assert evaluation.relevance(outcomes) == {campaign.id: {x.id: 4.0}}


def test_brand_reads_the_results_reason(app_ctx):
    brand, campaign, x, y, z = _market()
    _deal(brand, x, campaign, 10_000, 10_000)
    _deal(brand, y, campaign, 10_000, 5_000)
    _deal(brand, z, campaign, 20_000, 5_000)
    other = make_campaign(brand, niches=("skincare",), min_followers=1000,
                          brief="Another skincare routine video.")
    ranked = {r.creator.id: r.match for r in recommendations.top_creators(other, k=10)}
    assert "Past deals: 1.6x the median views per dollar" in ranked[x.id].reasons
    assert "Past deals: 0.6x the median views per dollar" in ranked[z.id].cautions
    assert not [t for t in ranked[y.id].reasons + ranked[y.id].cautions if "Past deals" in t]


def test_retrain_learns_from_results_and_says_so(app_ctx):
    brand, campaign, x, y, z = _market()
    _deal(brand, x, campaign, 10_000, 10_000)
    _deal(brand, y, campaign, 10_000, 5_000)
    _deal(brand, z, campaign, 20_000, 5_000)
    make_campaign(brand, niches=("skincare",), min_followers=1000)
    metrics = evaluation.retrain(holdout=0.5)
    assert metrics["outperformed_outcomes"] == 1  # x's deal, measured by the platform
    assert metrics["creators_with_results"] == 3

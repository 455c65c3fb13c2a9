"""Delivered results as a matching signal: feature, reason/caution, outcome, evaluation."""

import math

import numpy as np
import pytest

from matching import Campaign, Creator, Matcher, Outcome
from matching.explain import reasons_and_cautions, results_text
from matching.features import FEATURES, pair_features, performance_features
from matching.ranker import RESULT_WEIGHT, LinearRanker
from matching.synthetic import WorldSpec, make_world
from matching.worlds import results_effect

P, K = FEATURES.index("performance"), FEATURES.index("performance_known")


def _features(perf):
    one = np.ones(1)
    return pair_features(one * 0.3, one, one, one * 50_000, 1000, one * 10_000, 20_000,
                         one * 0.05, np.array([np.nan]), np.zeros(1), perf)[0]


def test_feature_and_missing_indicator():
    assert _features(np.nan)[[P, K]].tolist() == [0.0, 0.0]
    assert _features(1.0)[[P, K]].tolist() == [0.0, 1.0]  # known, exactly the median
    assert _features(2.0)[[P, K]].tolist() == [0.5, 1.0]  # log2(2) / 2
    assert _features(0.5)[[P, K]].tolist() == [-0.5, 1.0]
    assert _features(100.0)[P] == 1.0  # clipped
    v, known = performance_features([np.nan, 0.0, -1.0, 4.0])
    assert known.tolist() == [0.0, 0.0, 0.0, 1.0] and v.tolist() == [0.0, 0.0, 0.0, 1.0]


def _ctx(perf):
    return {"targets": [], "creator_country": "US", "rate_cents": 10_000,
            "budget_cents": 20_000, "performance": perf, "text_sim": 0.3,
            "engagement": 0.05, "deals": 3}


def test_reason_and_caution_text():
    assert results_text(2.14) == "Past deals: 2.1x the median views per dollar"
    assert results_text(None) is None
    reasons, cautions = reasons_and_cautions({"performance": 0.3}, _ctx(2.14), False)
    assert "Past deals: 2.1x the median views per dollar" in reasons
    assert not [c for c in cautions if "Past deals" in c]
    # a model that gives the signal no weight does not give it as a reason
    reasons, _ = reasons_and_cautions({"performance": 0.0}, _ctx(2.14), False)
    assert not [r for r in reasons if "Past deals" in r]
    reasons, cautions = reasons_and_cautions({"performance": -0.4}, _ctx(0.45), False)
    assert "Past deals: 0.5x the median views per dollar" in cautions
    assert not [r for r in reasons if "Past deals" in r]
    reasons, cautions = reasons_and_cautions({}, _ctx(None), False)
    assert not [x for x in reasons + cautions if "Past deals" in x]


def test_reason_says_views_per_follower_when_notable():
    both = "Past deals: 1.0x the median views per dollar and 1.6x per follower"
    assert results_text(1.26, 1.0, 1.58) == both
    # near the median per follower (within 1.25x either way): views per dollar only
    assert results_text(1.3, 1.4, 1.2) == "Past deals: 1.4x the median views per dollar"
    assert results_text(1.3, 1.4, 0.81) == "Past deals: 1.4x the median views per dollar"
    assert results_text(0.64, 1.0, 0.41) == (
        "Past deals: 1.0x the median views per dollar and 0.4x per follower")
    assert results_text(1.4, None, 1.4) == "Past deals: 1.4x the median views per follower"
    # without parts (older callers, older model files) the number is views per dollar
    assert results_text(2.0) == "Past deals: 2.0x the median views per dollar"
    ctx = {**_ctx(1.26), "per_dollar": 1.0, "per_follower": 1.58}
    assert both in reasons_and_cautions({"performance": 0.1}, ctx, False)[0]
    ctx = {**_ctx(0.64), "per_dollar": 1.0, "per_follower": 0.41}
    assert ("Past deals: 1.0x the median views per dollar and 0.4x per follower"
            in reasons_and_cautions({"performance": -0.2}, ctx, False)[1])
    # creators are never told their own results
    reasons, cautions = reasons_and_cautions({"performance": 0.1}, ctx, True)
    assert not [x for x in reasons + cautions if "Past deals" in x]


def _creator(i, perf, per_dollar=None, per_follower=None):
    return Creator(id=i, text="fitness gym workout", niches=["fitness"],
                   followers={"tiktok": 50_000}, engagement_rate=0.05,
                   audience_countries={"US": 1.0}, country="US", rate_cents=10_000,
                   completed_deals=3, performance=perf, per_dollar=per_dollar,
                   per_follower=per_follower)


def test_index_keeps_the_parts_for_the_reason(tmp_path):
    camp = Campaign(id=1, text="fitness gym workout", niches=["fitness"], platforms=[],
                    countries=[], min_followers=0, budget_cents=20_000)
    m = Matcher(random_state=0, exploration_slots=0).fit(
        [_creator(1, 1.26, 1.0, 1.58), _creator(2, 0.64, 1.0, 0.41), _creator(3, 2.0)],
        [camp])
    said = "Past deals: 1.0x the median views per dollar and 1.6x per follower"

    def texts(matcher):
        return {x.id: x.reasons + x.cautions for x in matcher.rank_creators(camp, 5)}

    assert said in texts(m)[1]
    assert "Past deals: 1.0x the median views per dollar and 0.4x per follower" in texts(m)[2]
    # the rows move on removal (3 swaps into 1's place) and change on update
    m.remove_creator(1)
    m.add_creator(_creator(2, 1.26, 1.0, 1.58))
    got = texts(m)
    assert said in got[2] and "Past deals: 2.0x the median views per dollar" in got[3]
    path = tmp_path / "m.joblib"
    m.save(path)
    assert said in texts(Matcher.load(path))[2]
    # a file saved before the parts existed: the ranked number alone, worded as before
    old = Matcher.load(path, mmap=False)
    for col in ("perf_dollar", "perf_follower"):
        del old.creators.__dict__[col]
    old.creators.upgrade()
    assert "Past deals: 1.3x the median views per dollar" in texts(old)[2]
    assert [(x.id, x.score) for x in old.rank_creators(camp, 5)] == \
           [(x.id, x.score) for x in m.rank_creators(camp, 5)]


def test_ranked_match_says_it_and_ranks_higher():
    camp = Campaign(id=1, text="fitness gym workout", niches=["fitness"], platforms=[],
                    countries=[], min_followers=0, budget_cents=20_000)
    m = Matcher(random_state=0, exploration_slots=0).fit(
        [_creator(1, None), _creator(2, 2.0), _creator(3, 0.5)], [camp])
    ranked = m.rank_creators(camp, 3)
    assert [x.id for x in ranked] == [2, 1, 3]  # default weight on performance > 0
    by_id = {x.id: x for x in ranked}
    assert "Past deals: 2.0x the median views per dollar" in by_id[2].reasons
    assert "Past deals: 0.5x the median views per dollar" in by_id[3].cautions
    assert m.creator_history(2) == (None, 3, 2.0) and m.creator_history(1)[2] is None
    # creator side: the same features from the Creator object
    assert m.rank_campaigns(_creator(9, 2.0), 1)[0].contributions["performance"] > 0


def test_outperformed_deal_weighs_more_as_a_brand_positive():
    seen = []

    def featurize(pairs):
        seen.append(list(pairs))
        return np.zeros((len(pairs), len(FEATURES))), np.ones(len(pairs), bool)

    log = [Outcome(1, 1, "shown", 1), Outcome(1, 1, "invited"), Outcome(1, 1, "completed"),
           Outcome(1, 1, "outperformed"), Outcome(1, 2, "shown", 1), Outcome(1, 2, "invited")]
    captured = {}
    real = LinearRanker._fit_side

    def spy(pairs, y, w, *args):
        captured.setdefault("brand", dict(zip(pairs, w, strict=True)))
        return real(pairs, y, w, *args)

    mp = pytest.MonkeyPatch()
    mp.setattr(LinearRanker, "_fit_side", staticmethod(spy))
    try:
        LinearRanker().fit_outcomes(log, featurize, ipw=False)
    finally:
        mp.undo()
    assert captured["brand"] == {(1, 1): RESULT_WEIGHT, (1, 2): 1.0}


def test_planted_results_world_and_effect_report():
    plain = make_world(200, 20, seed=3)
    planted = make_world(200, 20, seed=3, spec=WorldSpec(results=1.0))
    assert plain.performance is None and all(c.performance is None for c in plain.creators)
    # the rest of the world is generated the same
    assert [c.rate_cents for c in plain.creators] == [c.rate_cents for c in planted.creators]
    shown = [c for c in planted.creators if c.performance is not None]
    assert shown and all(c.completed_deals > 0 for c in shown)
    assert all(c.performance is None for c in planted.creators if c.completed_deals == 0)
    t = planted.performance[[i for i, c in enumerate(planted.creators)
                             if c.performance is not None]]

    def corr(name):
        return np.corrcoef(t, np.log2([getattr(c, name) for c in shown]))[0, 1]

    assert corr("performance") > 0.6  # observed noisily, but it tells
    # views per dollar also carry the creator's price for their size; per follower not
    assert corr("per_follower") > corr("performance") > corr("per_dollar")
    for c in shown:  # the ranked signal is the geometric mean of the two parts
        assert c.performance == pytest.approx(math.sqrt(c.per_dollar * c.per_follower),
                                              abs=2e-3)
    assert all(c.per_dollar is None for c in plain.creators)
    r = results_effect(WorldSpec(name="small", results=1.0), 1000, 100)
    assert 0.5 < r["known"] < 0.7  # creators with a track record
    for key in ("with", "without", "per dollar only", "feature only", "outcome only"):
        assert 0.0 < r[key] <= 1.0 and not math.isnan(r[key])
    # where delivered results drive what brands want, ranking with them is better
    # (seeded: 0.812 without, 0.841 on views per dollar alone, 0.853 with both parts)
    assert r["with"] > r["without"] + 0.02

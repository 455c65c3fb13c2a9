"""Scores, contributions, reasons, determinism, batch and edge cases."""

import pytest

from matching import Campaign, Creator, Matcher
from matching.features import EXPLORE_REASON, reason_text
from matching.synthetic import make_world


@pytest.fixture(scope="module")
def world():
    return make_world(400, 40, seed=3)


@pytest.fixture(scope="module")
def fitted(world):
    return Matcher(random_state=0).fit(world.creators, world.campaigns[:20])


def test_contributions_sum_to_score_and_reasons_are_readable(world, fitted):
    n = 0
    for camp in world.campaigns:
        for m in fitted.rank_creators(camp, k=10):
            assert abs(sum(m.contributions.values()) - m.score) < 1e-6
            assert "intercept" in m.contributions
            assert 2 <= len(m.reasons) <= 5
            assert all(isinstance(r, str) and r and "{" not in r for r in m.reasons)
            n += 1
    assert n > 100
    for cr in world.creators[:50]:
        for m in fitted.rank_campaigns(cr, k=10):
            assert abs(sum(m.contributions.values()) - m.score) < 1e-6
            assert 2 <= len(m.reasons) <= 5


def test_results_sorted_best_first(world, fitted):
    for camp in world.campaigns[20:30]:
        scores = [m.score for m in fitted.rank_creators(camp, k=10)]
        assert scores == sorted(scores, reverse=True)


def test_reason_texts_use_money_and_niches():
    cs = [Creator(1, "skincare beauty serum", ["skincare", "beauty"], {"tiktok": 50_000}, 0.06,
                  {"US": 0.5, "GB": 0.11, "DE": 0.39}, "DE", 30_000, 4.8, 12)]
    camp = Campaign(9, "skincare beauty launch", ["skincare", "beauty"], ["tiktok"],
                    ["US", "GB"], 10_000, 50_000)
    (m,) = Matcher().fit(cs).rank_creators(camp, k=10)
    text = " | ".join(m.reasons)
    assert "Shares your niches: skincare, beauty" in text
    assert "Rate $300 fits budget $500" in text
    assert "4.8 stars over 12 deals" in text
    assert len(m.reasons) == 4  # the 4 largest positive contributions
    ctx = {"targets": ["US", "GB"], "audience_share": 0.61, "creator_country": "DE"}
    assert reason_text("audience_fit", ctx, False) == "61% of audience in US, GB (targets: US, GB)"
    assert reason_text("audience_fit", ctx, True) == "Targets US, GB; 61% of your audience is there"


def test_deterministic_for_seed(world):
    a = Matcher(random_state=7).fit(world.creators, world.campaigns[:20])
    b = Matcher(random_state=7).fit(world.creators, world.campaigns[:20])
    for camp in world.campaigns[20:]:
        ra, rb = a.rank_creators(camp, k=10), b.rank_creators(camp, k=10)
        assert [(m.id, m.score, m.reasons, m.explored) for m in ra] == \
               [(m.id, m.score, m.reasons, m.explored) for m in rb]


def test_batch_equals_single(world, fitted):
    camps = world.campaigns[20:40]
    batch = fitted.rank_creators_batch(camps, k=10)
    for camp, got in zip(camps, batch, strict=True):
        assert [(m.id, m.score) for m in got] == \
               [(m.id, m.score) for m in fitted.rank_creators(camp, k=10)]


def test_explain_matches_ranking_scores(world, fitted):
    camp = world.campaigns[25]
    ranked = fitted.rank_creators(camp, k=10)
    ids = [m.id for m in ranked]
    ex = fitted.explain(camp, ids)
    assert [m.id for m in ex] == ids
    for a, b in zip(ranked, ex, strict=True):
        assert a.score == pytest.approx(b.score, abs=1e-12)
        assert EXPLORE_REASON not in b.reasons


def test_k_larger_than_candidates_and_empty():
    cs = [Creator(i, "gaming stream", ["gaming"], {"youtube": 1000 * i}, 0.03, {"US": 1.0},
                  "US", 5000) for i in range(1, 4)]
    camp = Campaign(1, "gaming", ["gaming"], ["youtube"], [], 2000, 10_000)
    m = Matcher().fit(cs, [camp])
    assert sorted(x.id for x in m.rank_creators(camp, k=50)) == [2, 3]
    assert m.rank_creators(camp, k=0) == []
    assert len(m.rank_campaigns(cs[2], k=50)) == 1
    empty = Matcher().fit([])
    assert empty.rank_creators(camp, k=10) == []
    assert empty.rank_campaigns(cs[0], k=10) == []
    assert Matcher().rank_creators(camp) == []
    assert Matcher().rank_creators_batch([camp, camp]) == [[], []]


def test_package_has_no_web_or_orm_imports():
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys, matching, matching.evaluate, matching.bench; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    root = Path(__file__).resolve().parents[3]
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root)
    assert r.returncode == 0, r.stdout + r.stderr

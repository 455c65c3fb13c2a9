"""Gradient-boosting mode: switch-over threshold, exact additive contributions,
persistence and determinism."""

import numpy as np
import pytest

from matching import IncompatibleModelError, Matcher, persist
from matching.ranker import GBM_MIN_PAIRS, lookup
from matching.synthetic import Truth, make_world, simulate_logs


@pytest.fixture(scope="module")
def setup():
    world = make_world(500, 60, seed=11)
    train = world.campaigns[:40]
    base = Matcher(exploration_slots=0).fit(world.creators, train)
    logs = simulate_logs(world, Truth(world), lambda c, n: [x.id for x in base.rank_creators(c, n)],
                         train)
    return world, train, logs, base.text_encoder


def _fit(setup, **kw):
    world, train, logs, enc = setup
    return Matcher(random_state=0, **kw).fit(world.creators, train, logs, text_encoder=enc)


@pytest.fixture(scope="module")
def gbm(setup):  # both sides boosted (brand ~950 pairs, creator ~280)
    return _fit(setup, gbm_min_pairs=250)


def _raw_log_odds(m, X):
    """Served score recomputed from the fitted sklearn models / logistic coefficients."""
    r = m.ranker
    out = np.zeros(len(X))
    for side, kind in r.sides.items():
        if kind == "gbm":
            out += r.models[side].decision_function(X)
        else:
            w, b = getattr(r, side)
            out += X @ w + b
    return out


def test_gbm_only_at_or_above_threshold(setup, gbm):
    assert Matcher().gbm_min_pairs == GBM_MIN_PAIRS == 3000
    small = _fit(setup)  # default threshold: this log is too small
    assert small.ranker.mode == "learned" and small.ranker.tables is None
    assert small.ranker.sides == {"brand": "logistic", "creator": "logistic"}
    n_brand, n_creator = small.ranker.stats["brand_pairs"], small.ranker.stats["creator_pairs"]
    assert 250 <= n_creator < 500 <= n_brand < GBM_MIN_PAIRS
    at = _fit(setup, gbm_min_pairs=n_brand)
    assert at.ranker.mode == "gbm" and at.ranker.sides == {"brand": "gbm", "creator": "logistic"}
    below = _fit(setup, gbm_min_pairs=n_brand + 1)
    assert below.ranker.mode == "learned" and below.ranker.tables is None
    never = _fit(setup, gbm_min_pairs=None)
    assert never.ranker.mode == "learned"
    assert gbm.ranker.mode == "gbm" and gbm.ranker.sides == {"brand": "gbm", "creator": "gbm"}
    assert gbm.ranker.stats["brand_gbm"] == gbm.ranker.stats["creator_gbm"] == 1.0
    assert gbm.ranker.learned and small.ranker.learned


@pytest.mark.parametrize("threshold", [250, 500])  # both sides boosted / brand only
def test_gbm_contributions_sum_to_score_and_equal_log_odds(setup, gbm, threshold):
    world, train, _, _ = setup
    m = gbm if threshold == 250 else _fit(setup, gbm_min_pairs=threshold)
    n = 0
    for camp in train[:15]:
        ms = m.rank_creators(camp, k=10)
        X, ok = m._featurize_pairs([(camp.id, x.id) for x in ms])
        assert ok.all()
        raw = _raw_log_odds(m, X)
        for x, r in zip(ms, raw, strict=True):
            assert set(x.contributions) == {*m.ranker.as_dict()}
            assert abs(sum(x.contributions.values()) - x.score) < 1e-9
            assert abs(x.score - r) < 1e-6
            n += 1
    assert n > 100
    for cr in world.creators[:30]:
        for x in m.rank_campaigns(cr, k=10):
            assert abs(sum(x.contributions.values()) - x.score) < 1e-9


def test_lookup_tables_exact_at_split_thresholds(gbm):
    r = gbm.ranker
    rng = np.random.default_rng(0)
    cols = []
    for T, _ in r.tables:  # every threshold, just above/below it, and far outside
        pts = np.concatenate([T, np.nextafter(T, -np.inf), np.nextafter(T, np.inf),
                              [-5.0, 0.0, 5.0]])
        cols.append(rng.permutation(np.resize(pts, 4000)))
    X = np.column_stack(cols)
    assert np.abs(lookup(r.tables, X).sum(axis=1) + r.intercept - _raw_log_odds(gbm, X)).max() \
        < 1e-9


def test_gbm_save_load_identical_and_old_servers_refuse(setup, gbm, tmp_path):
    world, _, _, _ = setup
    path = tmp_path / "gbm.joblib"
    gbm.save(path)
    meta = persist.read_metadata(path)
    assert meta["format_version"] == 3 and meta["ranker_mode"] == "gbm"
    m2 = Matcher.load(path)
    assert "models" not in m2.ranker.__dict__  # boosters are not persisted, tables are
    for camp in world.campaigns:
        assert [(x.id, x.score, x.reasons, x.contributions) for x in gbm.rank_creators(camp, 10)] \
            == [(x.id, x.score, x.reasons, x.contributions) for x in m2.rank_creators(camp, 10)]
    for cr in world.creators[:20]:
        assert [(x.id, x.score) for x in gbm.rank_campaigns(cr, 5)] == \
               [(x.id, x.score) for x in m2.rank_campaigns(cr, 5)]
    linear = _fit(setup, gbm_min_pairs=None)
    lpath = tmp_path / "linear.joblib"
    linear.save(lpath)
    # every file written now has the delivered-results features: older servers refuse it
    assert persist.read_metadata(lpath)["format_version"] == 3
    old = pytest.MonkeyPatch()
    old.setattr(Matcher, "READ_FORMATS", (1, 2))  # a server that predates them
    try:
        for p in (path, lpath):
            with pytest.raises(IncompatibleModelError, match="format 3"):
                Matcher.load(p)
    finally:
        old.undo()


def test_gbm_deterministic(setup, gbm):
    world, _, _, _ = setup
    again = _fit(setup, gbm_min_pairs=250)
    for (Ta, Va), (Tb, Vb) in zip(gbm.ranker.tables, again.ranker.tables, strict=True):
        assert np.array_equal(Ta, Tb) and np.array_equal(Va, Vb)
    assert again.ranker.intercept == gbm.ranker.intercept
    for camp in world.campaigns[40:]:
        assert [(x.id, x.score, x.reasons, x.explored) for x in gbm.rank_creators(camp, 10)] == \
               [(x.id, x.score, x.reasons, x.explored) for x in again.rank_creators(camp, 10)]

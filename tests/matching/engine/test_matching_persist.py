"""save/load round trip and refusal of incompatible files."""

import pickle

import pytest

from matching import IncompatibleModelError, Matcher, persist
from matching.synthetic import make_world


@pytest.fixture(scope="module")
def model():
    w = make_world(300, 30, seed=5)
    return w, Matcher(random_state=3).fit(w.creators, w.campaigns[:15])


def test_round_trip_identical_rankings(model, tmp_path):
    w, m = model
    m.evaluation = {"ndcg@10": 0.5}
    path = tmp_path / "m.joblib"
    m.save(path)
    m2 = Matcher.load(path)
    assert m2.version == m.version and m2.fitted_at == m.fitted_at
    meta = persist.read_metadata(path)
    assert meta["n_creators"] == 300 and meta["sklearn"] and meta["numpy"] and meta["python"]
    assert meta["evaluation"] == {"ndcg@10": 0.5}
    for c in w.campaigns:
        assert [(x.id, x.score, x.reasons) for x in m.rank_creators(c, 10)] == \
               [(x.id, x.score, x.reasons) for x in m2.rank_creators(c, 10)]
    for cr in w.creators[:20]:
        assert [(x.id, x.score) for x in m.rank_campaigns(cr, 5)] == \
               [(x.id, x.score) for x in m2.rank_campaigns(cr, 5)]
    # loaded model stays incremental
    m2.add_creator(w.creators[0])
    assert m2.n_creators == 300


def test_refuses_other_sklearn_version(model, tmp_path, monkeypatch):
    _, m = model
    real = persist.environment()
    monkeypatch.setattr(persist, "environment", lambda: {**real, "sklearn": "0.24.2"})
    path = tmp_path / "old.joblib"
    m.save(path)
    monkeypatch.setattr(persist, "environment", lambda: real)
    with pytest.raises(IncompatibleModelError, match="scikit-learn 0.24.2"):
        Matcher.load(path)


def test_refuses_other_format_version_and_garbage(model, tmp_path, monkeypatch):
    _, m = model
    monkeypatch.setattr(persist, "file_format", lambda m: 999)
    path = tmp_path / "future.joblib"
    m.save(path)
    monkeypatch.undo()
    with pytest.raises(IncompatibleModelError, match="format 999"):
        Matcher.load(path)
    bad = tmp_path / "bad.joblib"
    bad.write_bytes(pickle.dumps({"hello": 1}))
    with pytest.raises(IncompatibleModelError):
        Matcher.load(bad)
    bad.write_bytes(b"not a pickle at all")
    with pytest.raises(IncompatibleModelError):
        Matcher.load(bad)


def test_file_from_before_the_results_features_ranks_as_before(model, tmp_path):
    """A format-1/2 file has 8 features and no delivered-results column: once loaded the
    new features read "unknown" with no weight, so the ranking is unchanged."""
    w, m = model
    path = tmp_path / "m.joblib"
    m.save(path)
    old = Matcher.load(path, mmap=False)
    del old.creators.__dict__["perf"]
    old.ranker.weights = old.ranker.weights[:8]
    persist._upgrade(old)
    assert len(old.ranker.weights) == 10 and old.ranker.weights[8:].tolist() == [0.0, 0.0]
    assert old.creator_history(w.creators[0].id)[2] is None
    for c in w.campaigns[:10]:
        assert [(x.id, x.score) for x in m.rank_creators(c, 10)] == \
               [(x.id, x.score) for x in old.rank_creators(c, 10)]
    old.add_creator(w.creators[1])  # the upgraded store keeps growing

"""The multi-world evaluation: worlds really differ, one is held out, both sides scored
(small worlds: this runs in seconds; the full table is `python -m matching.evaluate`)."""

from dataclasses import fields

from matching.synthetic import WorldSpec, make_world
from matching.worlds import ALL_WORLDS, HOLDOUT, WORLDS, evaluate_world, print_table


def test_at_least_five_differently_generated_worlds_and_one_held_out():
    assert len(WORLDS) >= 5 and HOLDOUT not in WORLDS and ALL_WORLDS[-1] is HOLDOUT
    assert len({w.name for w in ALL_WORLDS}) == len(ALL_WORLDS)
    default = WorldSpec()
    varied = {f.name for w in ALL_WORLDS for f in fields(WorldSpec)
              if f.name != "name" and getattr(w, f.name) != getattr(default, f.name)}
    assert varied >= {"generic_words", "niche_noise", "home_share", "elasticity", "popularity",
                      "sessions", "history_frac"}
    # the reference spec is the historical world, unchanged
    a, b = make_world(50, 5, seed=2), make_world(50, 5, seed=2, spec=WorldSpec())
    assert [c.text for c in a.creators] == [c.text for c in b.creators]
    noisy = make_world(400, 5, seed=2, spec=WorldSpec(niche_noise=0.5))
    clean = make_world(400, 5, seed=2)
    moved = sum(x.niches != y.niches for x, y in zip(noisy.creators, clean.creators, strict=True))
    assert 100 < moved < 400


def test_small_worlds_both_sides_beat_text_only_and_never_break_filters(capsys):
    results = [evaluate_world(spec, n_creators=700, n_campaigns=90, n_creator_queries=60)
               for spec in (WORLDS[0], WORLDS[4])]
    for r in results:
        assert r.violations == 0
        assert r.brand["learned ranker"]["ndcg"] >= 1.3 * r.brand["TF-IDF + filters"]["ndcg"]
        assert r.brand["default weights"]["ndcg"] > r.brand["TF-IDF + filters"]["ndcg"]
        assert r.creator["learned ranker"]["ndcg"] > r.creator["TF-IDF + filters"]["ndcg"]
        assert r.creator["learned ranker"]["niche"] >= r.creator["TF-IDF + filters"]["niche"]
        assert r.creator["learned ranker"]["afford"] > r.creator["TF-IDF + filters"]["afford"]
        assert 0 <= r.brand["learned ranker"]["recall"] <= 1
    print_table(results, 700, 90)
    out = capsys.readouterr().out
    assert "worst brand-side ratio" in out and "price-elastic" in out
    assert f"{min(r.ratio() for r in results):.2f}x" in out.split("worst brand-side ratio")[1]

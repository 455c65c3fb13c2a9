"""Offline evaluation on seeded synthetic marketplaces with planted ground truth.

    python -m matching.evaluate            # every planted world (``worlds.py``): the table
    python -m matching.evaluate --detail [--creators 6000] [--campaigns 600] [--seed 0]
    python -m matching.evaluate --results [--seeds 5]  # NDCG@10 with / without delivered
                                                       # results (mean over seeds)

Without ``--detail`` it runs :func:`matching.worlds.run_worlds`: several differently
generated worlds (one of them, ``holdout``, kept out of all tuning), brand and creator
side scored separately, and the worst learned / TF-IDF + filters ratio. ``--detail``
is the single reference world with every ablation, below.

Protocol: campaigns are split into train (logged feedback) and held-out test. The
logging policy is the default-weight ranker (top-40 pool, Gumbel-noised, 5 sessions of
10 impressions per train campaign, display order shuffled half the time); invites
follow true P_brand x examination 1/position, accepts follow true P_creator. Every
method then ranks creators for the *held-out* campaigns and is scored against the
planted truth (see ``matching.synthetic``):

* NDCG@10 with gain = P_brand * P_creator (ideal = best 10 eligible creators);
* Recall@10 = overlap of the top 10 with the ideal top 10;
* Precision@10 = share of the top 10 with P_brand >= 0.5 and P_creator >= 0.5;
* two-sided success@10 = mean P_brand * P_creator over the top 10 (expected share the
  brand would invite AND the creator would accept);
* new@10 = share of top-10 slots given to creators with no history (no completed deals,
  never shown in the log); low@10 = same for the matcher's "low exposure" definition used
  by the fair-exposure slots (no completed deals and < 5 logged impressions);
* viol = returned pairs that break a hard constraint (checked with the plain-Python
  reference predicate ``constraints.eligible``).

"learned ranker" (and its ablations) is the logistic ranker (``gbm_min_pairs=None``);
"learned ranker (GBM)" boosts every side with >= ``min_pairs`` pairs
(``gbm_min_pairs=0``), whatever the size of the log.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

import numpy as np

from .constraints import eligible
from .matcher import Matcher
from .synthetic import Truth, make_world, simulate_logs


def _metrics(ranked: list[int], pb, pc, el, idx_of, new_ids, low_ids) -> dict[str, float]:
    rel = pb * pc
    ideal = np.sort(rel[el])[::-1][:10]
    disc = 1.0 / np.log2(np.arange(2, 12))
    idx = [idx_of[i] for i in ranked[:10]]
    gains = rel[idx] if idx else np.zeros(0)
    dcg = float((gains * disc[: len(gains)]).sum())
    idcg = float((ideal * disc[: len(ideal)]).sum())
    top_ideal = set(np.argsort(-np.where(el, rel, -1.0), kind="stable")[: min(10, int(el.sum()))])
    good = (pb >= 0.5) & (pc >= 0.5)
    n = max(len(idx), 1)
    return {
        "ndcg": dcg / idcg if idcg > 0 else 0.0,
        "recall": len(top_ideal & set(idx)) / max(len(top_ideal), 1),
        "precision": float(good[idx].sum()) / 10 if idx else 0.0,
        "two_sided": float(gains.sum()) / n if idx else 0.0,
        "new": sum(1 for i in ranked[:10] if i in new_ids) / n,
        "lowexp": sum(1 for i in ranked[:10] if i in low_ids) / n,
    }


def run(n_creators: int = 6000, n_campaigns: int = 600, seed: int = 0,
        verbose: bool = True, save: str | None = None) -> dict[str, dict[str, float]]:
    t0 = time.perf_counter()
    world = make_world(n_creators, n_campaigns, seed=seed)
    truth = Truth(world)
    n_train = int(n_campaigns * 2 / 3)
    train, test = world.campaigns[:n_train], world.campaigns[n_train:]
    creators = world.creators
    by_id = {c.id: c for c in creators}
    idx_of = {c.id: i for i, c in enumerate(creators)}

    logger = Matcher(exploration_slots=0, random_state=seed).fit(creators, train)

    def policy(c, n):
        return [m.id for m in logger.rank_creators(c, n)]

    logs = simulate_logs(world, truth, policy, train, seed=seed + 7)
    shown_n = Counter(o.creator_id for o in logs if o.event == "shown")
    new_ids = {c.id for c in creators if c.completed_deals == 0 and c.id not in shown_n}
    low_ids = {c.id for c in creators if c.completed_deals == 0
               and shown_n.get(c.id, 0) < logger.exposure_threshold}
    enc = logger.text_encoder  # same frozen text model for every method (fair comparison)

    default = Matcher(learn=False, random_state=seed).fit(creators, train, logs,
                                                          text_encoder=enc)
    lin = {"gbm_min_pairs": None, "random_state": seed}
    learned = Matcher(**lin).fit(creators, train, logs, text_encoder=enc)
    learned_gbm = Matcher(gbm_min_pairs=0, random_state=seed).fit(creators, train, logs,
                                                                   text_encoder=enc)
    learned_noexp = Matcher(exploration_slots=0, **lin).fit(
        creators, train, logs, text_encoder=enc)
    learned_noipw = Matcher(ipw=False, exploration_slots=0, **lin).fit(
        creators, train, logs, text_encoder=enc)
    rng = np.random.default_rng(seed)

    def random_policy(c):
        el_ids = [creators[i].id for i in np.flatnonzero(truth.eligible(c))]
        return [] if not el_ids else rng.choice(el_ids, min(10, len(el_ids)),
                                                replace=False).tolist()

    methods = {
        "random within filters": random_policy,
        "TF-IDF + filters": lambda c: learned.candidates_by_text(c, 10),
        "default-weight ranker": lambda c: [m.id for m in default.rank_creators(c, 10)],
        "learned ranker": lambda c: [m.id for m in learned.rank_creators(c, 10)],
        "learned ranker (GBM)": lambda c: [m.id for m in learned_gbm.rank_creators(c, 10)],
        "learned, no exploration": lambda c: [m.id for m in learned_noexp.rank_creators(c, 10)],
        "learned, no IPW, no expl.": lambda c: [m.id for m in learned_noipw.rank_creators(c, 10)],
    }
    results: dict[str, dict[str, float]] = {}
    for name, fn in methods.items():
        acc: dict[str, list[float]] = {}
        violations = 0
        for c in test:
            pb, pc, el = truth.probs(c)
            ranked = [int(i) for i in fn(c)]
            violations += sum(1 for i in ranked if not eligible(by_id[i], c))
            for k, v in _metrics(ranked, pb, pc, el, idx_of, new_ids, low_ids).items():
                acc.setdefault(k, []).append(v)
        results[name] = {k: float(np.mean(v)) for k, v in acc.items()}
        results[name]["violations"] = violations
    # reverse direction: campaigns shown to creators must respect the same rules
    camp_by_id = {c.id: c for c in train}
    rev_viol = 0
    for cr in creators[:500]:
        for model in (learned, learned_gbm):
            rev_viol += sum(1 for m in model.rank_campaigns(cr, 10)
                            if not eligible(cr, camp_by_id[m.id]))
    base = results["TF-IDF + filters"]["ndcg"]
    if verbose:
        print(f"planted world: {n_creators} creators, {n_campaigns} campaigns "
              f"({len(train)} train with logs, {len(test)} held-out), seed={seed}")
        print(f"logged events: {len(logs)} (shown={sum(o.event == 'shown' for o in logs)}, "
              f"invited={sum(o.event == 'invited' for o in logs)}, "
              f"accepted={sum(o.event == 'accepted' for o in logs)})")
        print(f"learned ranker: mode={learned.ranker.mode} stats={learned.ranker.stats}")
        print("  estimated position propensity p1..p10: "
              + " ".join(f"{x:.2f}" for x in learned.ranker.propensity[1:11])
              + "  (planted: 1/position)")
        print("  weights: " + ", ".join(f"{k}={v:+.2f}" for k, v in
                                        learned.ranker.as_dict().items()))
        g = learned_gbm.ranker
        print(f"learned ranker (GBM): mode={g.mode} sides={g.sides}")
        print(f"  contribution range per feature (intercept {g.intercept:+.2f}): "
              + ", ".join(f"{k}=[{lo:+.2f},{hi:+.2f}]" for k, (lo, hi) in
                          g.table_ranges().items()))
        hdr = (f"{'method':<28}{'NDCG@10':>9}{'Rec@10':>8}{'P@10':>7}{'2-sided':>9}"
               f"{'new@10':>8}{'low@10':>8}{'viol':>6}{'vs TF-IDF':>11}")
        print(hdr)
        print("-" * len(hdr))
        for name, r in results.items():
            lift = (r["ndcg"] / base - 1) * 100 if base else 0.0
            print(f"{name:<28}{r['ndcg']:>9.3f}{r['recall']:>8.3f}{r['precision']:>7.3f}"
                  f"{r['two_sided']:>9.3f}{r['new']:>8.3f}{r['lowexp']:>8.3f}{int(r['violations']):>6d}"
                  f"{lift:>+10.1f}%")
        print(f"rank_campaigns violations (500 creators x top-10, logistic + GBM): "
              f"{rev_viol}")
        print(f"elapsed {time.perf_counter() - t0:.1f}s")
    results["_rank_campaigns"] = {"violations": rev_viol}
    if save:  # learned model + its offline scores in the file's metadata
        learned.evaluation = {f"{k}@10": v for k, v in results["learned ranker"].items()}
        learned.save(save)
    return results


def main() -> None:
    from .worlds import ALL_WORLDS, print_results_effect, run_worlds

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--detail", action="store_true",
                    help="one reference world with every ablation (the old report)")
    ap.add_argument("--world", action="append", choices=[w.name for w in ALL_WORLDS],
                    help="only these worlds (repeatable)")
    ap.add_argument("--creators", type=int, default=None)
    ap.add_argument("--campaigns", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--save", help="with --detail: write the learned matcher to this path")
    ap.add_argument("--results", action="store_true",
                    help="only the effect of the delivered-results signal (worlds.RESULTS_WORLDS)")
    ap.add_argument("--seeds", type=int, default=1,
                    help="the delivered-results table: mean over this many seeds (from 0)")
    a = ap.parse_args()
    if a.results:
        print_results_effect(n_creators=a.creators or 3000, n_campaigns=a.campaigns or 300,
                             seeds=a.seeds)
        return
    if a.detail:
        run(a.creators or 6000, a.campaigns or 600, a.seed, save=a.save)
        return
    specs = [w for w in ALL_WORLDS if not a.world or w.name in a.world]
    run_worlds(specs, a.creators or 3000, a.campaigns or 300)
    if not a.world:
        print_results_effect(n_creators=a.creators or 3000, n_campaigns=a.campaigns or 300,
                             seeds=a.seeds)


if __name__ == "__main__":
    main()

"""Held-out evaluation of rankers on the outcome log (used by `flask matching retrain`)."""

from __future__ import annotations

import math
import random

from flask import current_app
from sqlalchemy import select

import matching
from marketplace.extensions import db
from marketplace.models import Campaign
from marketplace.services.matching import recommendations as rec

# How much an outcome says a pair was a good match (declines cancel earlier interest).
# A deal whose posts beat the campaign's other creators (`performance.py`) counts most.
GAIN = {"invited": 1.0, "applied": 1.0, "accepted": 2.0, "completed": 3.0,
        "outperformed": 4.0}


def relevance(outcomes: list[matching.Outcome]) -> dict[int, dict[int, float]]:
    """campaign -> creator -> graded relevance from the log."""
    rel: dict[int, dict[int, float]] = {}
    for o in outcomes:
        per = rel.setdefault(o.campaign_id, {})
        if o.event == "declined":
            per[o.creator_id] = 0.0
        elif o.event in GAIN:
            per[o.creator_id] = max(per.get(o.creator_id, 0.0), GAIN[o.event])
    return {c: {k: v for k, v in per.items() if v > 0} for c, per in rel.items()}


def ndcg_recall(ranked: list[int], rel: dict[int, float], k: int = 10) -> tuple[float, float]:
    dcg = sum(rel.get(cid, 0.0) / math.log2(i + 2) for i, cid in enumerate(ranked[:k]))
    ideal = sorted(rel.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    hits = sum(1 for cid in ranked[:k] if cid in rel)
    return (dcg / idcg if idcg else 0.0), (hits / min(len(rel), k) if rel else 0.0)


def evaluate(matcher: matching.Matcher, campaigns: list[matching.Campaign],
             rel: dict[int, dict[int, float]], k: int = 10) -> dict[str, float]:
    scores = [ndcg_recall([m.id for m in matcher.rank_creators(c, k=k)], rel[c.id], k)
              for c in campaigns if rel.get(c.id)]
    if not scores:
        return {"ndcg@10": 0.0, "recall@10": 0.0, "campaigns": 0}
    return {"ndcg@10": round(sum(s[0] for s in scores) / len(scores), 4),
            "recall@10": round(sum(s[1] for s in scores) / len(scores), 4),
            "campaigns": len(scores)}


def split_by_campaign(outcomes: list[matching.Outcome], holdout: float, seed: int
                      ) -> tuple[list[matching.Outcome], set[int]]:
    ids = sorted({o.campaign_id for o in outcomes})
    n_test = max(1, int(len(ids) * holdout)) if len(ids) >= 2 else 0
    test = set(random.Random(seed).sample(ids, n_test))
    return [o for o in outcomes if o.campaign_id not in test], test


def retrain(holdout: float = 0.25, seed: int = 0) -> dict:
    """Compare the deployed model, default weights and a model learned without the held-out
    campaigns on those campaigns' outcomes; then learn from everything and deploy it."""
    outcomes = rec.load_outcomes()
    train, test_ids = split_by_campaign(outcomes, holdout, seed)
    rel = relevance([o for o in outcomes if o.campaign_id in test_ids])
    test_campaigns = [rec.to_campaign(c) for c in db.session.scalars(
        select(Campaign).where(Campaign.id.in_(test_ids)).options(*rec._CAMPAIGN_LOAD))]
    creators = rec.load_creators()
    deployed = rec.engine().current() if "matcher" in _extensions() else None
    default = rec.fit_matcher(creators, [], learn=False)
    learned = rec.fit_matcher(creators, train)
    metrics = {
        "outcomes": len(outcomes), "train_outcomes": len(train),
        "outperformed_outcomes": sum(o.event == "outperformed" for o in outcomes),
        "creators_with_results": sum(c.performance is not None for c in creators),
        "heldout_campaigns": len(test_ids),
        "default_weights": evaluate(default, test_campaigns, rel),
        "learned_on_train": evaluate(learned, test_campaigns, rel),
    }
    if deployed is not None:
        metrics["deployed_before"] = evaluate(deployed, test_campaigns, rel)
    version = rec.build(outcomes=outcomes, metrics=metrics)
    metrics["version"] = version.id
    metrics["learned"] = version.learned
    return metrics


def _extensions() -> dict:
    return current_app.extensions


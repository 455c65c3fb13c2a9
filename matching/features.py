"""Pairwise (creator, campaign) features and default weights (reasons: ``explain.py``).

All features are roughly in [-1, 1] so default and learned weights are comparable.
They are pure functions of the pair (no corpus statistics), so adding a creator
never changes another pair's features.
"""

from __future__ import annotations

import numpy as np

FEATURES: tuple[str, ...] = (
    "text_sim",  # cosine of TF-IDF/SVD embeddings
    "niche_overlap",  # share of the campaign's niches the creator covers
    "audience_fit",  # audience share in target countries (1.0 when any country)
    "follower_fit",  # log10(followers on best campaign platform / max(min, 1000)) / 2, in [0, 1]
    "rate_fit",  # 1 - rate / budget, clipped to [-1, 1]
    "engagement",  # engagement rate / 10%, clipped to [0, 1]
    "rating",  # rating shrunk towards 4.0 with 2 pseudo-deals, minus 4.0
    "reliability",  # log1p(completed deals) / log1p(50), clipped to [0, 1]
    "performance",  # log2(delivered results ratio) / 2, clipped to [-1, 1]; 0 unknown
    "performance_known",  # 1 when the creator has delivered results, else 0 (missing flag)
)
F = len(FEATURES)

# Sensible hand-set linear weights used before any outcome is logged.
DEFAULT_WEIGHTS: dict[str, float] = {
    "text_sim": 1.5,
    "niche_overlap": 1.5,
    "audience_fit": 0.5,
    "follower_fit": 0.3,
    "rate_fit": 1.5,
    "engagement": 0.5,
    "rating": 0.5,
    "reliability": 0.3,
    "performance": 0.5,
    "performance_known": 0.0,
}
DEFAULT_INTERCEPT = 0.0
RATING_PRIOR, RATING_PSEUDO = 4.0, 2.0


def pair_features(
    text_sim: np.ndarray,
    niche_overlap: np.ndarray,
    audience_fit: np.ndarray,
    best_followers: np.ndarray,
    min_followers: np.ndarray | int,
    rate: np.ndarray,
    budget: np.ndarray | int,
    engagement: np.ndarray,
    rating: np.ndarray,
    deals: np.ndarray,
    performance: np.ndarray | float = np.nan,
) -> np.ndarray:
    """Vectorised features -> (n, F) float64. Arguments broadcast against each other."""
    text_sim = np.asarray(text_sim, dtype=np.float64)
    n = text_sim.shape[0]
    X = np.empty((n, F), dtype=np.float64)
    X[:, 0] = text_sim
    X[:, 1] = niche_overlap
    X[:, 2] = np.clip(audience_fit, 0.0, 1.0)
    base = np.maximum(np.asarray(min_followers, dtype=np.float64), 1000.0)
    X[:, 3] = np.clip(np.log10((np.asarray(best_followers, np.float64) + 1.0) / (base + 1.0)),
                      0.0, 2.0) / 2.0
    rate = np.asarray(rate, dtype=np.float64)
    budget = np.asarray(budget, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        rf = 1.0 - rate / budget
    rf = np.where(budget > 0, rf, np.where(rate > 0, -1.0, 0.0))
    X[:, 4] = np.clip(rf, -1.0, 1.0)
    X[:, 5] = np.clip(np.asarray(engagement, np.float64) / 0.10, 0.0, 1.0)
    deals = np.maximum(np.asarray(deals, dtype=np.float64), 0.0)
    rating = np.asarray(rating, dtype=np.float64)
    has = ~np.isnan(rating)
    nr = np.where(has, np.maximum(deals, 1.0), 0.0)
    shrunk = (np.where(has, rating, 0.0) * nr + RATING_PRIOR * RATING_PSEUDO) / (nr + RATING_PSEUDO)
    X[:, 6] = shrunk - RATING_PRIOR
    X[:, 7] = np.minimum(np.log1p(deals) / np.log1p(50.0), 1.0)
    X[:, 8], X[:, 9] = performance_features(performance)
    return X


def performance_features(performance) -> tuple[np.ndarray, np.ndarray]:
    """(value, known) for delivered-results ratios (NaN or <= 0 = unknown -> (0, 0))."""
    r = np.asarray(performance, dtype=np.float64)
    known = np.isfinite(r) & (r > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.clip(np.log2(np.where(known, r, 1.0)), -2.0, 2.0) / 2.0
    return v, known.astype(np.float64)


# ------------------------------------------------------------------ formatting
def money(cents: int) -> str:
    d = int(cents) / 100
    return f"${d:,.0f}" if d == int(d) else f"${d:,.2f}"


def compact(n: int) -> str:
    n = int(n)
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M".replace(".0M", "M")
    if n >= 1_000:
        return f"{n / 1_000:.1f}K".replace(".0K", "K")
    return str(n)


EXPLORE_REASON = "New on Duet: shown for fair exposure"

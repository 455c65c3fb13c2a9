"""Two-sided linear re-ranker.

score(pair) = intercept + sum_i w_i * x_i, so per-feature contributions
``w_i * x_i`` (+ ``intercept``) add up to the score exactly.

* No outcomes: hand-set ``DEFAULT_WEIGHTS`` (relevance units, not a probability).
* With outcomes: two logistic regressions on the same pairwise features
    - brand side  P(brand invites | shown): rows = shown pairs (label: invited), plus
      creator applications answered by the brand (label: accepted);
    - creator side P(creator accepts | invited): rows = invited pairs answered
      (label: accepted or completed vs declined).
  The served score is ``logit_brand + logit_creator`` = log(odds_brand * odds_creator),
  so ranking favours pairs both sides are likely to want, and it is still linear.
  A side without enough labelled pairs (``min_pairs``, both classes present) is left
  out; with neither side learnable the defaults are used.

Position bias: a "shown" impression at 1-based position p is examined with propensity
e(p). We estimate e(p) from the log as invite-rate(p) / invite-rate(1) over pairs
shown once, forced non-increasing and clipped to [0.05, 1] (this is unbiased when the
logging policy randomises display order, as our simulator partly does; otherwise it
mixes in relevance). Invited pairs get weight 1 / min(1, sum of e(p) over their
impressions) (inverse propensity weighting, Joachims et al. 2017); non-invited pairs
weight 1. Pairs with unknown position use e = 1.

Gradient boosting is deliberately not used for serving: the linear model gives exact,
cheap attributions (contributions sum to the score) and was enough on the benchmark.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

import numpy as np
from sklearn.linear_model import LogisticRegression

from .features import DEFAULT_INTERCEPT, DEFAULT_WEIGHTS, FEATURES, F
from .types import Outcome

MAX_POS = 50


class LinearRanker:
    def __init__(self) -> None:
        self.weights = np.array([DEFAULT_WEIGHTS[f] for f in FEATURES], dtype=np.float64)
        self.intercept = float(DEFAULT_INTERCEPT)
        self.mode = "default"
        self.brand: tuple[np.ndarray, float] | None = None
        self.creator: tuple[np.ndarray, float] | None = None
        self.propensity = np.ones(MAX_POS + 1)
        self.stats: dict[str, float] = {}

    def contributions(self, X: np.ndarray) -> np.ndarray:
        return X * self.weights

    def score(self, X: np.ndarray) -> np.ndarray:
        return self.contributions(X).sum(axis=1) + self.intercept

    def as_dict(self) -> dict[str, float]:
        d = {f: float(w) for f, w in zip(FEATURES, self.weights, strict=True)}
        d["intercept"] = self.intercept
        return d

    # ------------------------------------------------------------- learning
    def fit_outcomes(
        self,
        outcomes: Iterable[Outcome],
        featurize: Callable[[list[tuple[int, int]]], tuple[np.ndarray, np.ndarray]],
        min_pairs: int = 200,
        ipw: bool = True,
        C: float = 1.0,
    ) -> LinearRanker:
        """featurize(pairs) -> (X, ok) for (campaign_id, creator_id) pairs; rows with
        ok=False (unknown id) are dropped."""
        shown_pos: dict[tuple[int, int], list[int | None]] = defaultdict(list)
        ev: dict[tuple[int, int], set[str]] = defaultdict(set)
        for o in outcomes:
            key = (int(o.campaign_id), int(o.creator_id))
            if o.event == "shown":
                shown_pos[key].append(o.position)
            else:
                ev[key].add(o.event)
        self.propensity = self._estimate_propensity(shown_pos, ev) if ipw else np.ones(MAX_POS + 1)

        b_pairs, b_y, b_w = [], [], []
        for key, poss in shown_pos.items():
            invited = "invited" in ev.get(key, ())
            e = min(1.0, sum(self._prop(p) for p in poss))
            b_pairs.append(key)
            b_y.append(1 if invited else 0)
            b_w.append(1.0 / e if invited else 1.0)
        c_pairs, c_y = [], []
        for key, es in ev.items():
            yes = bool(es & {"accepted", "completed"})
            if "invited" in es:
                if yes or "declined" in es:
                    c_pairs.append(key)
                    c_y.append(1 if yes else 0)
            elif "applied" in es and (yes or "declined" in es) and key not in shown_pos:
                b_pairs.append(key)
                b_y.append(1 if yes else 0)
                b_w.append(1.0)

        self.brand = self._fit_side(b_pairs, b_y, b_w, featurize, min_pairs, C)
        self.creator = self._fit_side(c_pairs, c_y, [1.0] * len(c_y), featurize, min_pairs, C)
        self.stats = {"brand_pairs": len(b_pairs), "creator_pairs": len(c_pairs),
                      "brand_learned": float(self.brand is not None),
                      "creator_learned": float(self.creator is not None)}
        if self.brand is None and self.creator is None:
            prop, stats = self.propensity, self.stats
            self.__init__()  # back to the default weights, keep diagnostics
            self.propensity, self.stats = prop, stats
            return self
        w = np.zeros(F)
        b = 0.0
        for side in (self.brand, self.creator):
            if side is not None:
                w += side[0]
                b += side[1]
        self.weights, self.intercept, self.mode = w, float(b), "learned"
        return self

    def _prop(self, pos: int | None) -> float:
        if pos is None or pos < 1:
            return 1.0
        return float(self.propensity[min(int(pos), MAX_POS)])

    @staticmethod
    def _estimate_propensity(shown_pos: dict, ev: dict) -> np.ndarray:
        shown = np.zeros(MAX_POS + 1)
        inv = np.zeros(MAX_POS + 1)
        for key, poss in shown_pos.items():
            if len(poss) != 1 or poss[0] is None or poss[0] < 1:
                continue
            p = min(int(poss[0]), MAX_POS)
            shown[p] += 1
            inv[p] += "invited" in ev.get(key, ())
        prop = np.ones(MAX_POS + 1)
        if shown[1] < 20 or inv[1] == 0:
            return prop
        base = inv[1] / shown[1]
        last = 1.0
        for p in range(2, MAX_POS + 1):
            if shown[p] >= 20:
                last = min(last, max(inv[p] / shown[p] / base, 0.05))
            prop[p] = last
        return np.clip(prop, 0.05, 1.0)

    @staticmethod
    def _fit_side(pairs, y, w, featurize, min_pairs, C) -> tuple[np.ndarray, float] | None:
        if len(pairs) < min_pairs:
            return None
        X, ok = featurize(pairs)
        y = np.asarray(y)[ok]
        w = np.asarray(w, dtype=np.float64)[ok]
        if len(y) < min_pairs or min(int(y.sum()), int(len(y) - y.sum())) < 10:
            return None
        lr = LogisticRegression(C=C, max_iter=2000)
        lr.fit(X[ok], y, sample_weight=w)
        return lr.coef_[0].astype(np.float64), float(lr.intercept_[0])

"""Two-sided additive re-ranker: linear (logistic) or gradient boosting.

score(pair) = intercept + sum_i c_i(x_i) with one contribution per feature, so the
contributions (+ ``intercept``) add up to the score exactly:

* linear sides: c_i(x) = w_i * x_i;
* gradient-boosted sides (``HistGradientBoostingClassifier`` with
  ``interaction_cst="no_interactions"``, so every tree splits on one feature only and
  the log-odds are f(x) = f(0) + sum_i g_i(x_i)): c_i(x) = f(x with only feature i
  kept, others at the baseline 0) - f(0), intercept f(0). Each g_i is a step function
  of x_i (``x <= threshold`` goes left), so after fitting it is evaluated once per
  interval between the split thresholds of feature i and stored as a lookup table
  ``(thresholds, values)``; serving is one ``np.searchsorted`` per feature (as fast as
  the linear path) and exact: tables reproduce ``decision_function`` (checked after
  every fit on the training rows; a side that fails the check falls back to logistic).
  Baseline 0 mirrors the linear convention (contribution = effect of moving the
  feature from 0 to its value), so reasons read the same in both modes.

* No outcomes: hand-set ``DEFAULT_WEIGHTS`` (relevance units, not a probability).
* With outcomes: two logistic regressions on the same pairwise features
    - brand side  P(brand invites | shown): rows = shown pairs (label: invited), plus
      creator applications answered by the brand (label: accepted);
    - creator side P(creator accepts | invited): rows = invited pairs answered
      (label: accepted or completed vs declined).
  The served score is ``logit_brand + logit_creator`` = log(odds_brand * odds_creator),
  so ranking favours pairs both sides are likely to want, and it is still linear.
  A side without enough labelled pairs (``min_pairs``, both classes present) is left
  out; with neither side learnable the defaults are used. A side with at least
  ``gbm_min_pairs`` (default 3000) usable pairs is fitted with gradient boosting instead
  of logistic regression (same labels, same IPW weights, same log-odds scale);
  ``mode`` is then ``"gbm"`` (``"learned"`` when every learned side is logistic).

Position bias: a "shown" impression at 1-based position p is examined with propensity
e(p). We estimate e(p) from the log as invite-rate(p) / invite-rate(1) over pairs
shown once, forced non-increasing and clipped to [0.05, 1] (this is unbiased when the
logging policy randomises display order, as our simulator partly does; otherwise it
mixes in relevance). Invited pairs get weight 1 / min(1, sum of e(p) over their
impressions) (inverse propensity weighting, Joachims et al. 2017); non-invited pairs
weight 1. Pairs with unknown position use e = 1.

The class keeps its historical name ``LinearRanker`` so that files saved before the GBM
mode existed still unpickle (missing attributes fall back to the class defaults).
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from .features import DEFAULT_INTERCEPT, DEFAULT_WEIGHTS, FEATURES, F
from .types import Outcome

MAX_POS = 50
# Boosting needs more data than logistic regression to pay off: on the planted worlds
# (matching/worlds.py, hold-out excluded) sides with 2000-3000 pairs (one logged session
# per campaign, or a cold-start marketplace) ranked better with logistic regression
# (NDCG@10 0.788 -> 0.814, 0.853 -> 0.866); above 3000 pairs boosting was as good or better.
GBM_MIN_PAIRS = 3000
# Small, strongly regularised boosting: ~10k pairs, 8 features, one feature per tree.
# No early stopping (it would hold out a random validation split) -> deterministic.
# Fitted single-threaded: at this size OpenMP threads cost far more than they save
# (5-30x slower on a busy 2-core box) and one thread makes results bit-reproducible.
GBM_PARAMS: dict = {"max_iter": 150, "learning_rate": 0.05, "max_leaf_nodes": 8,
                    "min_samples_leaf": 50, "l2_regularization": 1.0}
# Monotone constraints (+1: never lowers the odds as the feature grows): more shared
# niches, a better price fit, more audience in the targets, closer text, engagement,
# rating and track record can only help; reach is left free (bigger accounts cost more).
# On the planted worlds (matching/worlds.py, hold-out world excluded) this lifted the
# boosted ranker's NDCG@10 on every world (+0.004 to +0.013): noise no longer bends
# the step functions the wrong way where the log is thin.
MONOTONE: dict[str, int] = {"text_sim": 1, "niche_overlap": 1, "audience_fit": 1,
                            "follower_fit": 0, "rate_fit": 1, "engagement": 1, "rating": 1,
                            "reliability": 1, "performance": 1, "performance_known": 0}
# A completed deal that delivered above the campaign's median views per dollar
# ("outperformed") weighs this much more as a brand-side positive.
RESULT_WEIGHT = 2.0

Tables = list[tuple[np.ndarray, np.ndarray]]  # per feature: (sorted thresholds, values)


def _interval_points(T: np.ndarray) -> np.ndarray:
    """One point inside each interval (-inf, T0], (T0, T1], ..., (T_last, inf)."""
    if len(T) == 0:
        return np.zeros(1)
    return np.append(T, np.nextafter(T[-1], np.inf))


def lookup(tables: Tables, X: np.ndarray) -> np.ndarray:
    """(n, F) contributions from step-function tables; NaN features are not supported."""
    C = np.zeros(X.shape, dtype=np.float64)
    for j, (T, V) in enumerate(tables):
        C[:, j] = V[np.searchsorted(T, X[:, j], side="left")]  # count of thresholds < x
    return C


def gbm_tables(model: HistGradientBoostingClassifier, n_features: int) -> tuple[Tables, float]:
    """Exact per-feature step functions of a no-interaction HGB model around baseline 0.

    Reads the split thresholds from the fitted trees (private ``_predictors``; the
    result is verified against ``decision_function`` by the caller), then evaluates the
    public ``decision_function`` once per interval of each feature."""
    thr: list[set[float]] = [set() for _ in range(n_features)]
    for iteration in model._predictors:
        for pred in iteration:
            nodes = pred.nodes[pred.nodes["is_leaf"] == 0]
            if len(np.unique(nodes["feature_idx"])) > 1 or nodes["is_categorical"].any():
                raise ValueError("a tree mixes features: the model is not additive")
            for f, t in zip(nodes["feature_idx"].tolist(), nodes["num_threshold"].tolist(),
                            strict=True):
                if math.isfinite(t):  # x <= +inf is always true for finite x
                    thr[f].add(t)
    Ts = [np.array(sorted(s), dtype=np.float64) for s in thr]
    base = np.zeros((1, n_features))
    blocks = [base]
    for j, T in enumerate(Ts):
        R = np.repeat(base, len(T) + 1, axis=0)
        R[:, j] = _interval_points(T)
        blocks.append(R)
    raw = np.asarray(model.decision_function(np.vstack(blocks)), dtype=np.float64)
    f0 = float(raw[0])
    tables: Tables = []
    off = 1
    for T in Ts:
        tables.append((T, raw[off : off + len(T) + 1] - f0))
        off += len(T) + 1
    return tables, f0


def merge_tables(parts: list[Tables], n_features: int) -> Tables:
    """Sum of step functions = step function on the union of the thresholds (exact)."""
    out: Tables = []
    for j in range(n_features):
        T = np.unique(np.concatenate([p[j][0] for p in parts] + [np.zeros(0)]))
        pts = _interval_points(T)
        V = np.zeros(len(pts))
        for p in parts:
            Tp, Vp = p[j]
            V = V + Vp[np.searchsorted(Tp, pts, side="left")]
        out.append((T, V))
    return out


class LinearRanker:
    """Two-sided additive ranker (linear and/or GBM lookup tables); see module docs."""

    tables: Tables | None = None  # class default: models saved before the GBM mode
    sides: dict[str, str] = {}
    models: dict = {}  # loaded models: boosters are not persisted (see __getstate__)

    def __init__(self) -> None:
        self.weights = np.array([DEFAULT_WEIGHTS[f] for f in FEATURES], dtype=np.float64)
        self.intercept = float(DEFAULT_INTERCEPT)
        self.mode = "default"
        self.brand: tuple[np.ndarray, float] | None = None  # logistic sides only
        self.creator: tuple[np.ndarray, float] | None = None
        self.sides: dict[str, str] = {}  # side -> "logistic" | "gbm" for learned sides
        self.tables: Tables | None = None  # summed GBM step functions (baseline 0)
        self.models: dict[str, HistGradientBoostingClassifier] = {}  # not persisted
        self.propensity = np.ones(MAX_POS + 1)
        self.stats: dict[str, float] = {}

    def __getstate__(self) -> dict:
        # fitted boosters are only needed to build the tables; files stay small and
        # serving never touches sklearn internals
        return {k: v for k, v in self.__dict__.items() if k != "models"}

    @property
    def learned(self) -> bool:
        return self.mode in ("learned", "gbm")

    def contributions(self, X: np.ndarray) -> np.ndarray:
        C = X * self.weights
        if self.tables is not None:
            C += lookup(self.tables, X)
        return C

    def score(self, X: np.ndarray) -> np.ndarray:
        return self.contributions(X).sum(axis=1) + self.intercept

    def as_dict(self) -> dict[str, float]:
        """Linear weights (+ intercept); GBM sides contribute via ``table_ranges``."""
        d = {f: float(w) for f, w in zip(FEATURES, self.weights, strict=True)}
        d["intercept"] = self.intercept
        return d

    def table_ranges(self) -> dict[str, tuple[float, float]]:
        """min/max contribution of each feature's GBM step function (diagnostics)."""
        if self.tables is None:
            return {}
        return {f: (float(V.min()), float(V.max()))
                for f, (_, V) in zip(FEATURES, self.tables, strict=True)}

    # ------------------------------------------------------------- learning
    def fit_outcomes(
        self,
        outcomes: Iterable[Outcome],
        featurize: Callable[[list[tuple[int, int]]], tuple[np.ndarray, np.ndarray]],
        min_pairs: int = 200,
        ipw: bool = True,
        C: float = 1.0,
        gbm_min_pairs: int | None = GBM_MIN_PAIRS,
        random_state: int = 0,
    ) -> LinearRanker:
        """featurize(pairs) -> (X, ok) for (campaign_id, creator_id) pairs; rows with
        ok=False (unknown id) are dropped. A side with >= ``gbm_min_pairs`` usable pairs
        is boosted (None: never)."""
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
            boost = RESULT_WEIGHT if "outperformed" in ev.get(key, ()) else 1.0
            b_w.append(boost / e if invited else 1.0)
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
                b_w.append(RESULT_WEIGHT if "outperformed" in es else 1.0)

        fitted = {
            "brand": self._fit_side(b_pairs, b_y, b_w, featurize, min_pairs, C,
                                    gbm_min_pairs, random_state),
            "creator": self._fit_side(c_pairs, c_y, [1.0] * len(c_y), featurize, min_pairs,
                                      C, gbm_min_pairs, random_state),
        }
        self.stats = {"brand_pairs": len(b_pairs), "creator_pairs": len(c_pairs)}
        for name, side in fitted.items():
            self.stats[f"{name}_learned"] = float(side is not None)
            self.stats[f"{name}_gbm"] = float(side is not None and side[0] == "gbm")
        if all(side is None for side in fitted.values()):
            prop, stats = self.propensity, self.stats
            self.__init__()  # back to the default weights, keep diagnostics
            self.propensity, self.stats = prop, stats
            return self
        self.brand = self.creator = None
        self.sides, self.models = {}, {}
        w = np.zeros(F)
        b = 0.0
        parts: list[Tables] = []
        for name, side in fitted.items():
            if side is None:
                continue
            kind, coef, inter, extra = side
            self.sides[name] = kind
            b += inter
            if kind == "gbm":
                parts.append(coef)
                self.models[name] = extra
            else:
                w += coef
                setattr(self, name, (coef, inter))
        self.weights, self.intercept = w, float(b)
        self.tables = merge_tables(parts, F) if parts else None
        self.mode = "gbm" if parts else "learned"
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
    def _fit_side(pairs, y, w, featurize, min_pairs, C, gbm_min_pairs, random_state):
        """-> None | ("logistic", coef, intercept, None) | ("gbm", tables, f(0), model)."""
        if len(pairs) < min_pairs:
            return None
        X, ok = featurize(pairs)
        X = X[ok]
        y = np.asarray(y)[ok]
        w = np.asarray(w, dtype=np.float64)[ok]
        if len(y) < min_pairs or min(int(y.sum()), int(len(y) - y.sum())) < 10:
            return None
        if gbm_min_pairs is not None and len(y) >= gbm_min_pairs:
            gbm = HistGradientBoostingClassifier(
                interaction_cst="no_interactions", early_stopping=False,
                monotonic_cst=[MONOTONE[f] for f in FEATURES],
                random_state=random_state, **GBM_PARAMS)
            try:
                with threadpool_limits(limits=1, user_api="openmp"):
                    gbm.fit(X, y, sample_weight=w)
                    tables, f0 = gbm_tables(gbm, X.shape[1])
                    check = X[:: max(1, len(X) // 2000)]
                    err = np.abs(lookup(tables, check).sum(axis=1) + f0
                                 - gbm.decision_function(check)).max()
                if not err <= 1e-8:
                    raise ValueError(f"lookup tables off by {err:.3g}")
                return "gbm", tables, f0, gbm
            except (ValueError, AttributeError) as e:  # e.g. sklearn internals changed
                warnings.warn(f"GBM side not exactly additive ({e}); using logistic",
                              stacklevel=2)
        lr = LogisticRegression(C=C, max_iter=2000)
        lr.fit(X, y, sample_weight=w)
        return "logistic", lr.coef_[0].astype(np.float64), float(lr.intercept_[0]), None

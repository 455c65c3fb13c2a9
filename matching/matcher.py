"""Matcher: filters -> text retrieval -> two-sided linear re-ranking -> fair exposure.

Query path of ``rank_creators`` (why it is fast at 1M creators):

1. campaign text -> vector with the fast single-doc projection (no sklearn chain);
2. one BLAS float32 mat-vec ``emb[:n] @ q`` gives the cheap pre-score for everyone;
3. a threshold is picked from a strided sample of eligible rows so that only a few
   thousand rows pass ``s >= t``; hard constraints are evaluated vectorised on those
   rows only (full-array evaluation is the fallback when filters are very selective);
4. exact top-``candidates`` (default 1000) eligible rows by pre-score (ties by id);
5. pairwise features + additive model on those rows (float64, rows in id order so the
   result does not depend on storage order), contributions = w * x (linear sides) plus
   one ``searchsorted`` table lookup per feature (gradient-boosted sides);
6. top-k by (score desc, id asc) with ``exploration_slots`` reserved for low-exposure
   creators (see ``_assemble``); reasons are built for the k returned matches only.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .constraints import AUDIENCE_THRESHOLD
from .explain import details, fit_and_strength, reasons_and_cautions, score_range
from .features import FEATURES, pair_features
from .index import (
    PLATFORM_INDEX,
    PLATFORMS,
    RESULT_COLUMNS,
    SHARE_UNITS,
    CampaignStore,
    CreatorStore,
    Vocab,
    share_units,
)
from .ranker import GBM_MIN_PAIRS, LinearRanker
from .text import TextEncoder
from .types import Campaign, Creator, Match, Outcome


@dataclass
class _CampaignQuery:
    id: int
    q: np.ndarray  # float32 (dim,)
    plat: list[int]  # platform indices; empty = any
    min_followers: int
    any_country: bool
    codes: np.ndarray  # known target country codes
    targets: list[str]
    niche_codes: np.ndarray
    niche_names: list[str]
    budget: int
    strict_country: bool = False  # creator must be based in a target country


class Matcher:
    """Two-sided creator <-> campaign matcher. See package docs for semantics."""

    # On-disk format. 3 = 10 features (delivered results added): servers running older
    # code refuse it rather than score with too few columns. Formats 1 (default/logistic,
    # 8 features) and 2 (GBM tables, 8 features) still load: the new features read
    # "unknown" and get no weight (``persist._upgrade``). ``load`` accepts READ_FORMATS.
    FORMAT_VERSION = 3
    READ_FORMATS: tuple[int, ...] = (1, 2, 3)
    gbm_min_pairs: int | None = GBM_MIN_PAIRS  # class default for matchers saved earlier
    _responses: dict[int, tuple[int, int]] = {}  # creator id -> (invited, answered)

    def __init__(
        self,
        *,
        dim: int = 64,
        exploration_slots: int = 2,
        explore_depth: int = 50,
        exposure_threshold: int = 5,
        audience_threshold: float = AUDIENCE_THRESHOLD,
        candidates: int = 1000,
        random_state: int = 0,
        text_fit_sample: int = 50_000,
        min_pairs: int = 200,
        ipw: bool = True,
        learn: bool = True,
        gbm_min_pairs: int | None = GBM_MIN_PAIRS,
    ) -> None:
        self.dim = int(dim)
        self.exploration_slots = int(exploration_slots)
        self.explore_depth = int(explore_depth)
        self.exposure_threshold = int(exposure_threshold)
        self.audience_threshold = float(audience_threshold)
        self.candidates = int(candidates)
        self.random_state = int(random_state)
        self.text_fit_sample = int(text_fit_sample)
        self.min_pairs = int(min_pairs)
        self.ipw = bool(ipw)
        self.learn = bool(learn)  # False: keep default weights even when outcomes are given
        # a side with >= gbm_min_pairs labelled pairs is gradient-boosted (None: never)
        self.gbm_min_pairs = None if gbm_min_pairs is None else int(gbm_min_pairs)
        self._thr_units = math.ceil(self.audience_threshold * SHARE_UNITS - 1e-9)
        self.countries = Vocab()
        self.niches = Vocab()
        self.text_encoder = TextEncoder(self.dim, random_state=self.random_state)
        self.creators = CreatorStore(self.dim, self.countries, self.niches)
        self.campaigns = CampaignStore(self.dim, self.countries, self.niches)
        self._campaign_objs: dict[int, Campaign] = {}
        self._exposure: dict[int, int] = {}
        self.ranker = LinearRanker()
        self.fitted_at: str | None = None
        self.revision = 0
        self.evaluation: dict[str, float] = {}

    # ----------------------------------------------------------- metadata
    @property
    def version(self) -> str:
        """Stamp a web app can compare: format, fit time and update count."""
        return f"{self.FORMAT_VERSION}:{self.fitted_at}:{self.revision}"

    @property
    def n_creators(self) -> int:
        return self.creators.n

    @property
    def n_campaigns(self) -> int:
        return self.campaigns.n

    # ---------------------------------------------------------------- fit
    def fit(
        self,
        creators: Iterable[Creator],
        campaigns: Iterable[Campaign] = (),
        outcomes: Iterable[Outcome] = (),
        *,
        text_encoder: TextEncoder | None = None,
    ) -> Matcher:
        """Full rebuild. ``text_encoder`` (e.g. ``other.text_encoder``) freezes the text
        model instead of refitting it on these texts; with the same frozen encoder,
        ``fit(A + B)`` ranks exactly like ``fit(A)`` followed by ``add_creator`` for B."""
        creators = list(creators)
        campaigns = list(campaigns)
        outcomes = list(outcomes)
        self.countries = Vocab()
        self.niches = Vocab()
        if text_encoder is None:
            text_encoder = TextEncoder(self.dim, fit_sample=self.text_fit_sample,
                                       random_state=self.random_state)
            text_encoder.fit([c.text for c in creators] + [c.text for c in campaigns])
        self.text_encoder = text_encoder
        self.dim = text_encoder.dim
        self._exposure = dict(Counter(int(o.creator_id) for o in outcomes if o.event == "shown"))
        self._responses = _responses(outcomes)
        self.creators = CreatorStore(self.dim, self.countries, self.niches)
        self.creators.bulk_load(creators, text_encoder.encode_many([c.text for c in creators]),
                                self._exposure)
        self.campaigns = CampaignStore(self.dim, self.countries, self.niches,
                                       capacity=len(campaigns) + 16)
        self._campaign_objs = {}
        for c in campaigns:
            self.add_campaign(c)
        self.ranker = LinearRanker()
        if outcomes and self.learn:
            self.ranker.fit_outcomes(outcomes, self._featurize_pairs, self.min_pairs, self.ipw,
                                     gbm_min_pairs=self.gbm_min_pairs,
                                     random_state=self.random_state)
        self.fitted_at = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
        self.revision = 0
        return self

    # -------------------------------------------------------- incremental
    def add_creator(self, c: Creator) -> None:
        """Insert or update one creator: one text projection + one row write."""
        self.creators.upsert(c, self.text_encoder.encode(c.text), self._exposure.get(int(c.id), 0))
        self.revision += 1

    def remove_creator(self, creator_id: int) -> bool:
        ok = self.creators.remove(creator_id)
        self.revision += ok
        return ok

    def add_campaign(self, c: Campaign) -> None:
        self.campaigns.upsert(c, self.text_encoder.encode(c.text))
        self._campaign_objs[int(c.id)] = c
        self.revision += 1

    def remove_campaign(self, campaign_id: int) -> bool:
        ok = self.campaigns.remove(campaign_id)
        self._campaign_objs.pop(int(campaign_id), None)
        self.revision += ok
        return ok

    # ------------------------------------------------------ query helpers
    def _query(self, c: Campaign, q: np.ndarray | None = None) -> _CampaignQuery:
        codes = [self.countries.get(x) for x in c.countries]
        ncodes = [self.niches.get(x) for x in dict.fromkeys(c.niches)]
        niche_names = [x for x, j in zip(dict.fromkeys(c.niches), ncodes, strict=True) if j >= 0]
        return _CampaignQuery(
            id=int(c.id),
            q=self.text_encoder.encode(c.text) if q is None else q,
            plat=sorted({PLATFORM_INDEX[p] for p in c.platforms if p in PLATFORM_INDEX}),
            min_followers=int(c.min_followers),
            any_country=not c.countries,
            codes=np.array(sorted({j for j in codes if j >= 0}), dtype=np.int64),
            targets=list(dict.fromkeys(c.countries)),
            niche_codes=np.array([j for j in ncodes if j >= 0], dtype=np.int64),
            niche_names=niche_names,
            budget=int(c.budget_cents),
            strict_country=bool(getattr(c, "creator_in_country", False)),
        )

    def _best_followers(self, rows, cq: _CampaignQuery) -> tuple[np.ndarray, np.ndarray]:
        fol = self.creators.followers
        plats = cq.plat if cq.plat else list(range(len(PLATFORMS)))
        best = fol[plats[0], rows]
        arg = np.zeros(best.shape, dtype=np.int64) + plats[0]
        for i in plats[1:]:
            f = fol[i, rows]
            gt = f > best
            best = np.where(gt, f, best)
            arg = np.where(gt, i, arg)
        return best, arg

    def _audience_units(self, rows, cq: _CampaignQuery) -> np.ndarray | None:
        acc = None
        for code in cq.codes.tolist():
            col = self.creators.aud.get(code)
            if col is None:
                continue
            v = col[rows]
            acc = v.astype(np.int32) if acc is None else acc + v
        return acc

    def _eligible(self, rows, cq: _CampaignQuery, exclude_rows: np.ndarray | None) -> np.ndarray:
        """Vectorised hard constraints for creator rows (slice or index array)."""
        st = self.creators
        fol = st.followers
        if cq.plat:
            best = fol[cq.plat[0], rows]
            for i in cq.plat[1:]:
                best = np.maximum(best, fol[i, rows])
            ok = best >= max(cq.min_followers, 1)
        else:
            best = np.maximum(np.maximum(fol[0, rows], fol[1, rows]), fol[2, rows])
            ok = best >= cq.min_followers
        if not cq.any_country:
            if len(cq.codes) == 0:
                ok[:] = False
            else:
                lut = np.zeros(len(self.countries) + 1, dtype=bool)
                lut[cq.codes] = True
                cok = lut[st.country[rows]]
                units = None if cq.strict_country else self._audience_units(rows, cq)
                if units is not None:
                    cok |= units >= self._thr_units
                ok &= cok
        if exclude_rows is not None and len(exclude_rows):
            idx = np.arange(st.n)[rows] if isinstance(rows, slice) else rows
            ok &= ~np.isin(idx, exclude_rows)
        return ok

    def creator_history(self, creator_id: int
                        ) -> tuple[float | None, int, float | None] | None:
        """(rating, completed deals, delivered-results ratio) as indexed for this creator,
        or None if not indexed: lets a caller rank an indexed creator without reading the
        history again."""
        row = self.creators.id_to_row.get(int(creator_id))
        if row is None:
            return None
        rating = float(self.creators.rating[row])
        perf = float(self.creators.perf[row])
        return ((None if math.isnan(rating) else rating), int(self.creators.deals[row]),
                None if math.isnan(perf) else perf)

    def _exclude_rows(self, store, exclude_ids: Iterable[int]) -> np.ndarray | None:
        rows = [store.id_to_row[int(i)] for i in exclude_ids if int(i) in store.id_to_row]
        return np.array(rows, dtype=np.int64) if rows else None

    def _select(self, s: np.ndarray, cq: _CampaignQuery, excl: np.ndarray | None,
                C: int) -> np.ndarray:
        """Exact top-C eligible rows by pre-score ``s`` (ties -> smaller id)."""
        n = self.creators.n
        rows = None
        if n > 8 * C:
            stride = max(1, n // 16384)
            sample = np.arange(0, n, stride)
            ok = self._eligible(sample, cq, excl)
            ss = s[sample][ok]
            m = int(math.ceil(4 * C * len(sample) / n))  # ~4C expected survivors
            if len(ss) > m:
                t = np.partition(ss, len(ss) - m)[len(ss) - m]
                # only worth it if few rows (eligible or not) pass the threshold; with very
                # selective filters a contiguous full mask is cheaper than a huge gather
                if (s[sample] >= t).mean() < 0.1:
                    cand = np.flatnonzero(s >= t)
                    cand = cand[self._eligible(cand, cq, excl)]
                    if len(cand) >= C:
                        rows = cand
        if rows is None:
            rows = np.flatnonzero(self._eligible(slice(0, n), cq, excl))
        if len(rows) > C:
            v = s[rows]
            kth = np.partition(v, len(v) - C)[len(v) - C]
            above = rows[v > kth]
            ties = rows[v == kth]
            need = C - len(above)
            if len(ties) > need:
                tid = self.creators.ids[ties]
                ties = ties[np.argsort(tid, kind="stable")[:need]]
            rows = np.concatenate([above, ties])
        return rows

    def _features(self, rows: np.ndarray, cq: _CampaignQuery) -> tuple[np.ndarray, dict]:
        st = self.creators
        sim = st.emb[rows].astype(np.float64) @ cq.q.astype(np.float64)
        if len(cq.niche_codes):
            hit = np.isin(st.niche[rows], cq.niche_codes)
            overlap = hit.sum(axis=1) / len(cq.niche_codes)
        else:
            hit = np.zeros((len(rows), st.niche.shape[1]), dtype=bool)
            overlap = np.zeros(len(rows))
        if cq.any_country:
            aud = np.ones(len(rows))
        else:
            u = self._audience_units(rows, cq)
            aud = np.zeros(len(rows)) if u is None else u / SHARE_UNITS
        best, arg = self._best_followers(rows, cq)
        X = pair_features(sim, overlap, aud, best, cq.min_followers, st.rate[rows], cq.budget,
                          st.engagement[rows], st.rating[rows], st.deals[rows], st.perf[rows])
        return X, {"sim": sim, "hit": hit, "aud": aud, "best": best, "arg": arg}

    def _featurize_pairs(self, pairs: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        X = np.zeros((len(pairs), len(FEATURES)))
        ok = np.zeros(len(pairs), dtype=bool)
        by_c: dict[int, list[int]] = {}
        for i, (cid, _) in enumerate(pairs):
            by_c.setdefault(cid, []).append(i)
        for cid, idxs in by_c.items():
            camp = self._campaign_objs.get(cid)
            if camp is None:
                continue
            cq = self._query(camp, q=self.campaigns.emb[self.campaigns.id_to_row[cid]].copy())
            sel = [(i, self.creators.id_to_row.get(pairs[i][1])) for i in idxs]
            sel = [(i, r) for i, r in sel if r is not None]
            if not sel:
                continue
            ii = np.array([i for i, _ in sel])
            rr = np.array([r for _, r in sel])
            X[ii] = self._features(rr, cq)[0]
            ok[ii] = True
        return X, ok

    def _assemble(self, rows: np.ndarray, cq: _CampaignQuery, k: int,
                  explore: bool = True, names: Mapping[str, str] | None = None
                  ) -> list[Match]:
        st = self.creators
        if len(rows) == 0 or k <= 0:
            return []
        rows = rows[np.argsort(st.ids[rows], kind="stable")]  # canonical order
        X, aux = self._features(rows, cq)
        contrib = self.ranker.contributions(X)
        score = contrib.sum(axis=1) + self.ranker.intercept
        ids = st.ids[rows]
        order = np.lexsort((ids, -score))
        k_eff = min(k, len(order))
        chosen_explore: list[int] = []
        slots = min(self.exploration_slots, k_eff) if explore else 0
        if slots > 0:
            low = (st.shown[rows] < self.exposure_threshold) & (st.deals[rows] == 0)
            top = order[:k_eff]
            need = slots - int(low[top].sum())
            if need > 0:
                depth = max(self.explore_depth, 2 * k_eff)
                tail = order[k_eff:depth]
                pool = tail[low[tail]]
                if len(pool):
                    rng = np.random.default_rng([self.random_state, cq.id % (2**32)])
                    pick = np.sort(rng.choice(len(pool), size=min(need, len(pool)),
                                              replace=False))
                    chosen_explore = pool[pick].tolist()
                    # drop the lowest-scoring creators that are *not* low-exposure
                    drop = set(top[~low[top]][::-1][: len(chosen_explore)].tolist())
                    keep = [i for i in top.tolist() if i not in drop]
                    order = np.array(keep + chosen_explore, dtype=np.int64)
                    order = order[np.lexsort((ids[order], -score[order]))]
        top = order[:k_eff]
        explored = set(chosen_explore)
        out = []
        inter = self.ranker.intercept
        niche_names = self.niches.items
        bounds = score_range(self.ranker.weights, self.ranker.tables)
        for i in top.tolist():
            r = int(rows[i])
            contributions = {f: float(v) for f, v in zip(FEATURES, contrib[i], strict=True)}
            contributions["intercept"] = inter
            rating = float(st.rating[r])
            ctx = {
                "text_sim": float(aux["sim"][i]),
                "shared_niches": [niche_names[j] for j, h in zip(
                    st.niche[r].tolist(), aux["hit"][i].tolist(), strict=True) if h],
                "campaign_niches": cq.niche_names,
                "platforms": [PLATFORMS[p] for p in cq.plat],
                "followers": {p: int(st.followers[j, r]) for j, p in enumerate(PLATFORMS)},
                "responses": self._responses.get(int(ids[i]), (0, 0)),
                "targets": cq.targets,
                "audience_share": float(aux["aud"][i]),
                "creator_country": self.countries.items[int(st.country[r])],
                "best_platform": PLATFORMS[int(aux["arg"][i])] if aux["best"][i] > 0 else None,
                "best_followers": int(aux["best"][i]),
                "min_followers": cq.min_followers,
                "rate_cents": int(st.rate[r]),
                "budget_cents": cq.budget,
                "engagement": float(st.engagement[r]),
                "rating": None if math.isnan(rating) else rating,
                "deals": int(st.deals[r]),
                **{name: _known(getattr(st, col)[r]) for col, name in RESULT_COLUMNS},
            }
            out.append(_match(int(ids[i]), float(score[i]), contributions, ctx, False,
                              i in explored, names, bounds))
        return out

    # ------------------------------------------------------------- public
    def rank_creators(self, campaign: Campaign, k: int = 10,
                      exclude_ids: Iterable[int] = (),
                      names: Mapping[str, str] | None = None) -> list[Match]:
        """Best-first eligible creators for a campaign (hard filters never violated).
        ``names`` maps country codes to the names reasons use (codes without it)."""
        st = self.creators
        if st.n == 0 or k <= 0:
            return []
        cq = self._query(campaign)
        s = st.emb[: st.n] @ cq.q
        rows = self._select(s, cq, self._exclude_rows(st, exclude_ids), max(self.candidates, k))
        return self._assemble(rows, cq, k, names=names)

    def rank_creators_batch(self, campaigns: Sequence[Campaign], k: int = 10,
                            exclude_ids: Iterable[int] = (), block: int = 16
                            ) -> list[list[Match]]:
        """Many campaigns at once: one float32 matrix-matrix product per block of
        campaigns instead of one mat-vec each; otherwise identical to rank_creators."""
        st = self.creators
        if st.n == 0 or k <= 0:
            return [[] for _ in campaigns]
        excl = self._exclude_rows(st, exclude_ids)
        cqs = [self._query(c) for c in campaigns]
        out: list[list[Match]] = []
        E = st.emb[: st.n]
        for b in range(0, len(cqs), block):
            part = cqs[b : b + block]
            S = np.stack([cq.q for cq in part]) @ E.T  # (block, n) float32
            for j, cq in enumerate(part):
                rows = self._select(S[j], cq, excl, max(self.candidates, k))
                out.append(self._assemble(rows, cq, k))
        return out

    def candidates_by_text(self, campaign: Campaign, n: int = 10,
                           exclude_ids: Iterable[int] = ()) -> list[int]:
        """Baseline retrieval: eligible creators ordered by text similarity only."""
        st = self.creators
        if st.n == 0 or n <= 0:
            return []
        cq = self._query(campaign)
        s = st.emb[: st.n] @ cq.q
        rows = self._select(s, cq, self._exclude_rows(st, exclude_ids), max(n, 1))
        rows = rows[np.argsort(st.ids[rows], kind="stable")]
        sim = st.emb[rows].astype(np.float64) @ cq.q.astype(np.float64)
        order = np.lexsort((st.ids[rows], -sim))[:n]
        return st.ids[rows[order]].tolist()

    def explain(self, campaign: Campaign, creator_ids: Iterable[int],
                names: Mapping[str, str] | None = None) -> list[Match]:
        """Score + contributions + reasons for given creators (no filtering, no exploration),
        in the order given; unknown ids are skipped."""
        cq = self._query(campaign)
        rows = [self.creators.id_to_row.get(int(i)) for i in creator_ids]
        rows_arr = np.array([r for r in rows if r is not None], dtype=np.int64)
        if len(rows_arr) == 0:
            return []
        ms = {m.id: m for m in self._assemble(rows_arr, cq, len(rows_arr), explore=False,
                                              names=names)}
        return [ms[int(self.creators.ids[r])] for r in rows_arr.tolist()]

    def _campaign_rows(self, creator: Creator, exclude_ids: Iterable[int]) -> dict | None:
        """Eligible campaign rows (id order) for a creator, with what features need."""
        cs = self.campaigns
        n = cs.n
        if n == 0:
            return None
        f = np.array([min(max(int(creator.followers.get(p, 0) or 0), 0), 2**31 - 1)
                      for p in PLATFORMS])
        plat = cs.plat[:n]
        best_req = np.where(plat, f[None, :], -1).max(axis=1)
        arg_req = np.where(plat, f[None, :], -1).argmax(axis=1)
        anyp = cs.any_platform[:n]
        best = np.where(anyp, f.max(), best_req)
        arg = np.where(anyp, int(f.argmax()), arg_req)
        mf = cs.min_followers[:n]
        ok = np.where(anyp, best >= mf, best >= np.maximum(mf, 1))
        units = np.zeros(n, dtype=np.int64)
        for cc, s in creator.audience_countries.items():
            code = self.countries.get(cc)
            u = share_units(s)
            if 0 <= code < cs.ccap and u:
                units += u * cs.cmask[:n, code]
        own = self.countries.get(creator.country)
        in_country = cs.cmask[:n, own] if 0 <= own < cs.ccap else np.zeros(n, dtype=bool)
        by_audience = (units >= self._thr_units) & ~self._strict_mask()
        ok &= cs.any_country[:n] | in_country | by_audience
        excl = self._exclude_rows(cs, exclude_ids)
        if excl is not None:
            ok[excl] = False
        rows = np.flatnonzero(ok)
        if len(rows) == 0:
            return None
        rows = rows[np.argsort(cs.ids[rows], kind="stable")]
        v = self.text_encoder.encode(creator.text).astype(np.float64)
        return {"rows": rows, "sim": cs.emb[rows].astype(np.float64) @ v, "best": best,
                "arg": arg, "units": units, "mf": mf, "f": f}

    def _strict_mask(self) -> np.ndarray:
        """Campaign rows whose creators must be based in a target country."""
        cs = self.campaigns
        return np.array([bool(getattr(self._campaign_objs.get(int(i)), "creator_in_country",
                                      False)) for i in cs.ids[: cs.n].tolist()], dtype=bool)

    def campaigns_by_text(self, creator: Creator, n: int = 10,
                          exclude_ids: Iterable[int] = ()) -> list[int]:
        """Baseline for the creator side: eligible campaigns by text similarity only."""
        got = self._campaign_rows(creator, exclude_ids) if n > 0 else None
        if got is None:
            return []
        ids = self.campaigns.ids[got["rows"]]
        return ids[np.lexsort((ids, -got["sim"]))[:n]].tolist()

    def rank_campaigns(self, creator: Creator, k: int = 10,
                       exclude_ids: Iterable[int] = (),
                       names: Mapping[str, str] | None = None) -> list[Match]:
        """Best-first campaigns (given to fit/add_campaign) this creator is eligible for.

        Order: campaigns sharing one of the creator's niches first, then within each
        group those whose budget covers the creator's rate (lowest package), then by
        score; so a campaign below the creator's rate only leads when nothing in the
        creator's niches affords it."""
        cs = self.campaigns
        got = self._campaign_rows(creator, exclude_ids) if k > 0 else None
        if got is None:
            return []
        rows, sim, best, arg, mf = got["rows"], got["sim"], got["best"], got["arg"], got["mf"]
        ccodes = np.array(sorted({j for j in (self.niches.get(x) for x in creator.niches)
                                  if j >= 0}), dtype=np.int64)
        hit = np.isin(cs.niche[rows], ccodes) if len(ccodes) else np.zeros(
            (len(rows), cs.niche.shape[1]), bool)
        nn = cs.n_niches[rows].astype(np.float64)
        overlap = np.where(nn > 0, hit.sum(axis=1) / np.maximum(nn, 1), 0.0)
        aud = np.where(cs.any_country[rows], 1.0, got["units"][rows] / SHARE_UNITS)
        rating = np.nan if creator.rating is None else float(creator.rating)
        X = pair_features(sim, overlap, aud, best[rows], mf[rows], creator.rate_cents,
                          cs.budget[rows], creator.engagement_rate, rating,
                          creator.completed_deals,
                          np.nan if creator.performance is None else creator.performance)
        contrib = self.ranker.contributions(X)
        score = contrib.sum(axis=1) + self.ranker.intercept
        ids = cs.ids[rows]
        affords = cs.budget[rows] >= int(creator.rate_cents)
        shares = hit.any(axis=1)
        order = np.lexsort((ids, -score, ~affords, ~shares))[:k]
        out = []
        inter = self.ranker.intercept
        bounds = score_range(self.ranker.weights, self.ranker.tables)
        followers = {p: int(x) for p, x in zip(PLATFORMS, got["f"].tolist(), strict=True)}
        for i in order.tolist():
            r = int(rows[i])
            contributions = {fn: float(x) for fn, x in zip(FEATURES, contrib[i], strict=True)}
            contributions["intercept"] = inter
            camp = self._campaign_objs.get(int(ids[i]))
            niche_names = [self.niches.items[j] for j in cs.niche[r].tolist() if j >= 0]
            ctx = {
                "text_sim": float(sim[i]),
                "shared_niches": [x for x, h in zip(niche_names, hit[i], strict=False) if h],
                "campaign_niches": niche_names,
                "platforms": [p for j, p in enumerate(PLATFORMS) if cs.plat[r, j]],
                "followers": followers,
                "targets": list(camp.countries) if camp else [],
                "audience_share": float(aud[i]),
                "creator_country": creator.country,
                "best_platform": PLATFORMS[int(arg[r])] if best[r] > 0 else None,
                "best_followers": int(best[r]),
                "min_followers": int(mf[r]),
                "rate_cents": int(creator.rate_cents),
                "budget_cents": int(cs.budget[r]),
                "engagement": float(creator.engagement_rate),
                "rating": None if creator.rating is None else float(creator.rating),
                "deals": int(creator.completed_deals),
                "performance": creator.performance,
                "per_dollar": creator.per_dollar,
                "per_follower": creator.per_follower,
            }
            out.append(_match(int(ids[i]), float(score[i]), contributions, ctx, True, False,
                              names, bounds))
        return out

    # --------------------------------------------------------- persistence
    def save(self, path) -> None:
        from .persist import save

        save(self, path)

    @classmethod
    def load(cls, path, mmap: bool = True) -> Matcher:
        """Load a saved matcher; `mmap` shares its large arrays with every process that
        loads the same file (see ``persist``)."""
        from .persist import load

        return load(path, mmap=mmap)


def _match(id_: int, score: float, contributions: dict[str, float], ctx: dict,
           for_creator: bool, explored: bool, names: Mapping[str, str] | None,
           bounds: tuple[float, float]) -> Match:
    reasons, cautions = reasons_and_cautions(contributions, ctx, for_creator, explored, names)
    fit, strength = fit_and_strength(score - contributions["intercept"], bounds)
    return Match(id=id_, score=score, reasons=reasons, contributions=contributions,
                 explored=explored, cautions=cautions, details=details(contributions),
                 fit=fit, strength=strength)


def _known(value) -> float | None:
    """A stored results ratio for a reason (NaN = unknown)."""
    v = float(value)
    return None if math.isnan(v) else v


def _responses(outcomes: list[Outcome]) -> dict[int, tuple[int, int]]:
    """Per creator: invitations logged and how many were answered (accepted or declined)."""
    events: dict[tuple[int, int], set[str]] = {}
    for o in outcomes:
        if o.event != "shown":
            events.setdefault((int(o.campaign_id), int(o.creator_id)), set()).add(o.event)
    out: dict[int, list[int]] = {}
    for (_, cid), evs in events.items():
        if "invited" in evs:
            acc = out.setdefault(cid, [0, 0])
            acc[0] += 1
            acc[1] += bool(evs & {"accepted", "declined", "completed"})
    return {cid: (a, b) for cid, (a, b) in out.items()}

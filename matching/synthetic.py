"""Seeded synthetic marketplace with planted ground truth (shared by evaluate/bench/tests).

Planted truth for a pair (creator i, campaign j), zero unless the pair passes the hard
constraints (``constraints.eligible``):

* brand wants:   P_b = sigmoid(-2.5 + 3.0*niche_cover + 1.2*quality
                                 + 1.5*e*affordable + 0.8*audience_fit + pop*log_reach)
* creator accepts: P_c = sigmoid(-0.5 + 2.5*e*clip((budget-rate)/budget, -1, 1)
                                 + 1.0*willingness + 0.8*niche_cover)
* relevance = P_b * P_c (a match both sides want).

With ``WorldSpec.results`` > 0 the brand also wants creators whose posts deliver: a
hidden true performance t ~ N(0, 1) (how far a creator's posts travel for their size)
adds ``results * t`` to P_b's logit. Past deals show it noisily, as the web app measures
it (``marketplace/services/matching/performance.py``), against the campaigns' median:
views per follower 2^(0.8 t + noise), noise shrinking with more deals; views per dollar
the same views over the creator's price for their size, 2^(0.8 t + noise - premium) with
premium = log2(rate / followers) against the world's median. A creator with a track
record shows ``Creator.per_follower``, ``per_dollar`` and ``performance`` (their geometric
mean, the ranked signal), each shrunk to 1 with one pseudo-deal; a completed deal logs an
``outperformed`` event when its own reading (fresh noise) is above the median: the two
parts combined, or views per dollar alone with ``simulate_logs(outperformed_by=
"per_dollar")`` (the rule before views per follower).

``quality`` and ``willingness`` are hidden; quality leaks through engagement, rating
and completed deals (only for creators with history), willingness through deals.
``niche_cover`` uses the creator's *true* niches (the ones its text is written about);
the declared niches differ from them with probability ``niche_noise``.

A :class:`WorldSpec` varies how the world is generated (``e`` = price elasticity,
``pop`` = popularity bias, text overlap, niche noise, audience mix, log sparsity,
cold-start share); ``WorldSpec()`` is the historical single world.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .constraints import AUDIENCE_THRESHOLD
from .index import PLATFORMS
from .types import Campaign, Creator, Outcome

NICHES = ["beauty", "fitness", "gaming", "food", "travel", "finance", "tech", "parenting",
          "fashion", "comedy", "education", "pets", "music", "diy", "sports", "cars"]
COUNTRIES = ["US", "GB", "CA", "AU", "DE", "FR", "ES", "IT", "BR", "MX", "IN", "JP", "KR",
             "NL", "SE", "PL", "TR", "ID", "PH", "NG"]
C_PROBS = np.array([20, 8, 6, 4, 6, 5, 4, 3, 7, 5, 8, 3, 2, 2, 1, 2, 3, 4, 4, 3], float)
C_PROBS /= C_PROBS.sum()
GENERIC = ["daily", "vlog", "tips", "life", "love", "new", "best", "video", "content",
           "creator", "weekly", "story", "fun", "real", "honest", "review", "guide", "hacks"]
WORDS_PER_NICHE = 40
VOCAB = {n: [f"{n}{j}" for j in range(WORDS_PER_NICHE)] for n in NICHES}


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


@dataclass(frozen=True)
class WorldSpec:
    """How a planted world is generated; the defaults are the historical world."""

    name: str = "reference"
    niche_words: int = 6  # niche-specific words in a creator bio (brief: +2)
    generic_words: int = 3  # generic words in a bio (brief: -1); more = less overlap
    niche_noise: float = 0.0  # P(a declared niche is not the one the text is about)
    home_share: tuple[float, float] = (0.35, 0.85)  # audience share in the home country
    max_target_countries: int = 2  # campaigns target 1..max countries
    elasticity: float = 1.0  # scales the price terms of P_brand and P_creator
    popularity: float = 0.0  # brand prefers big accounts: + pop * log10(reach / 20k)
    history_frac: float = 0.6  # share of creators with a track record (1 - cold start)
    sessions: int = 5  # logged sessions per train campaign (fewer = sparser log)
    train_frac: float = 2 / 3  # campaigns with logged feedback
    results: float = 0.0  # weight of the hidden delivered performance in P_brand (0 = none)


@dataclass
class World:
    creators: list[Creator]
    campaigns: list[Campaign]
    quality: np.ndarray
    willingness: np.ndarray
    niche_a: np.ndarray  # creator primary niche index (true)
    niche_b: np.ndarray  # creator secondary niche index or -1 (true)
    spec: WorldSpec = field(default_factory=WorldSpec)
    performance: np.ndarray | None = None  # hidden true delivered performance (results > 0)
    price_premium: np.ndarray | None = None  # log2 rate per follower against the median


def _texts(rng, prim, sec, n_words, n_sec, n_gen):
    n = len(prim)
    W = np.array([VOCAB[x] for x in NICHES])  # (16, 40)
    pw = W[prim[:, None], rng.integers(0, WORDS_PER_NICHE, (n, n_words))]
    sec_ok = sec >= 0
    sw = W[np.where(sec_ok, sec, prim)[:, None], rng.integers(0, WORDS_PER_NICHE, (n, n_sec))]
    gw = np.array(GENERIC)[rng.integers(0, len(GENERIC), (n, n_gen))]
    names = np.array(NICHES)
    out = []
    for i in range(n):
        parts = [names[prim[i]]]
        if sec_ok[i]:
            parts.append(names[sec[i]])
            parts.extend(sw[i])
        parts.extend(pw[i])
        parts.extend(gw[i])
        out.append(" ".join(parts))
    return out


def make_creators(n: int, seed: int = 0, history_frac: float = 0.6, id_offset: int = 1,
                  spec: WorldSpec | None = None):
    """Vectorised generation; returns (creators, quality, willingness, prim, sec)."""
    spec = spec or WorldSpec(history_frac=history_frac)
    rng = np.random.default_rng(seed)
    prim = rng.integers(0, len(NICHES), n)
    sec = np.where(rng.random(n) < 0.5, (prim + rng.integers(1, len(NICHES), n)) % len(NICHES),
                   -1)
    texts = _texts(rng, prim, sec, spec.niche_words, 3, spec.generic_words)
    q = rng.standard_normal(n)
    w = rng.standard_normal(n)
    base = np.exp(rng.normal(np.log(20_000), 1.4, n))
    on = rng.random((n, 3)) < np.array([0.7, 0.6, 0.3])
    on[~on.any(axis=1), 0] = True
    fol = (base[:, None] * np.exp(rng.normal(0, 0.5, (n, 3))) * on).astype(np.int64)
    rate = np.clip(1.5 * fol.max(axis=1) * np.exp(rng.normal(0, 0.5, n)), 2_000, 5_000_000)
    rate = (rate // 100 * 100).astype(np.int64)
    country = rng.choice(len(COUNTRIES), n, p=C_PROBS)
    own = rng.uniform(*spec.home_share, n)
    others = rng.choice(len(COUNTRIES), (n, 3), p=C_PROBS)
    split = rng.dirichlet(np.ones(3), n) * (1 - own)[:, None]
    eng = np.clip(0.04 * np.exp(0.35 * q + rng.normal(0, 0.25, n)), 0.002, 0.5)
    hist = rng.random(n) < spec.history_frac
    deals = np.where(hist, 1 + rng.poisson(np.exp(1.2 + 0.3 * q + 0.3 * w)), 0)
    rating = np.round(np.clip(4.3 + 0.35 * q + rng.normal(0, 0.25, n), 1, 5), 1)
    noise = rng.random((n, 2)) if spec.niche_noise > 0 else np.ones((n, 2))
    swap = rng.integers(0, len(NICHES), (n, 2)) if spec.niche_noise > 0 else np.zeros((n, 2), int)
    creators = []
    plat = PLATFORMS
    cn = COUNTRIES
    for i in range(n):
        aud: dict[str, float] = {cn[country[i]]: round(float(own[i]), 4)}
        for k in range(3):
            c = cn[others[i, k]]
            aud[c] = round(aud.get(c, 0.0) + float(split[i, k]), 4)
        niches = [NICHES[prim[i]]] + ([NICHES[sec[i]]] if sec[i] >= 0 else [])
        niches = [x if noise[i, k] >= spec.niche_noise else NICHES[swap[i, k]]
                  for k, x in enumerate(niches)]
        niches = list(dict.fromkeys(niches))
        creators.append(Creator(
            id=id_offset + i, text=texts[i], niches=niches,
            followers={plat[p]: int(fol[i, p]) for p in range(3) if fol[i, p] > 0},
            engagement_rate=float(round(eng[i], 4)), audience_countries=aud,
            country=cn[country[i]], rate_cents=int(rate[i]),
            rating=float(rating[i]) if hist[i] else None, completed_deals=int(deals[i])))
    return creators, q, w, prim, sec


def make_campaigns(n: int, seed: int = 1, id_offset: int = 1,
                   spec: WorldSpec | None = None) -> list[Campaign]:
    spec = spec or WorldSpec()
    rng = np.random.default_rng(seed)
    prim = rng.integers(0, len(NICHES), n)
    sec = np.where(rng.random(n) < 0.4, (prim + rng.integers(1, len(NICHES), n)) % len(NICHES),
                   -1)
    texts = _texts(rng, prim, sec, spec.niche_words + 2, 3, max(spec.generic_words - 1, 0))
    out = []
    for j in range(n):
        r = rng.random()
        platforms = [] if r < 0.2 else sorted(
            set(rng.choice(PLATFORMS, rng.integers(1, 3), replace=False).tolist()))
        countries = [] if rng.random() < 0.25 else sorted(
            set(rng.choice(COUNTRIES, rng.integers(1, spec.max_target_countries + 1), p=C_PROBS,
                           replace=False).tolist()))
        out.append(Campaign(
            id=id_offset + j, text=texts[j],
            niches=[NICHES[prim[j]]] + ([NICHES[sec[j]]] if sec[j] >= 0 else []),
            platforms=platforms, countries=countries,
            min_followers=int(rng.choice([0, 1_000, 5_000, 20_000], p=[0.3, 0.3, 0.25, 0.15])),
            budget_cents=int(np.exp(rng.normal(np.log(30_000), 0.9)) // 100 * 100 + 1000)))
    return out


def make_world(n_creators: int, n_campaigns: int, seed: int = 0,
               history_frac: float = 0.6, spec: WorldSpec | None = None) -> World:
    spec = spec or WorldSpec(history_frac=history_frac)
    cr, q, w, a, b = make_creators(n_creators, seed, spec=spec)
    perf, premium = _plant_results(cr, seed) if spec.results > 0 else (None, None)
    return World(cr, make_campaigns(n_campaigns, seed + 1000, spec=spec), q, w, a, b, spec,
                 perf, premium)


def price_premium(creators: list[Creator]) -> np.ndarray:
    """log2 of each creator's rate per follower (best platform) against the median: what
    makes the same views cheap or dear."""
    per = np.log2([c.rate_cents / max(max(c.followers.values(), default=0), 1)
                   for c in creators])
    return per - np.median(per)


def _plant_results(creators: list[Creator], seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Hidden performance t and the price premium, and what past deals show on creators
    with a record (its own random stream, so the rest of the world is the same as without
    results)."""
    rng = np.random.default_rng(seed + 4242)
    t = rng.standard_normal(len(creators))
    noise = rng.standard_normal(len(creators))
    premium = price_premium(creators)
    for i, c in enumerate(creators):
        n = c.completed_deals
        if n > 0:
            reach = 0.8 * t[i] + 0.6 * noise[i] / np.sqrt(n)  # log2 views per follower
            dollar = reach - premium[i]  # log2 views per dollar
            shrink = n / (n + 1)
            c.per_follower = round(float(2.0 ** (reach * shrink)), 3)
            c.per_dollar = round(float(2.0 ** (dollar * shrink)), 3)
            c.performance = round(float(2.0 ** ((reach + dollar) / 2 * shrink)), 3)
    return t, premium


def deal_outperformed(world: World, i: int, rng: np.random.Generator,
                      outperformed_by: str = "both") -> bool:
    """One completed deal's reading of creator i against the median (fresh noise): above
    it on both parts combined, or on views per dollar alone ("per_dollar")."""
    assert world.performance is not None and world.price_premium is not None
    reach = 0.8 * world.performance[i] + 0.6 * rng.standard_normal()
    premium = world.price_premium[i]
    return bool(reach - (premium if outperformed_by == "per_dollar" else premium / 2) > 0)


class Truth:
    """Columnar view of a world's creators for vectorised planted-truth computation."""

    def __init__(self, world: World, threshold: float = AUDIENCE_THRESHOLD) -> None:
        cs = world.creators
        self.world = world
        self.threshold = threshold
        self.fol = np.array([[c.followers.get(p, 0) for p in PLATFORMS] for c in cs], np.int64)
        self.rate = np.array([c.rate_cents for c in cs], np.float64)
        self.country = np.array([c.country for c in cs])
        self.aud = {cc: np.array([c.audience_countries.get(cc, 0.0) for c in cs])
                    for cc in {k for c in cs for k in c.audience_countries}}
        # planted preferences follow the true niches (what the text is about)
        self.nmask = np.zeros((len(cs), len(NICHES)), bool)
        self.nmask[np.arange(len(cs)), world.niche_a] = True
        has_b = world.niche_b >= 0
        self.nmask[np.flatnonzero(has_b), world.niche_b[has_b]] = True
        self.reach = np.log10(np.maximum(self.fol.max(axis=1), 1) / 20_000)

    def eligible(self, camp: Campaign) -> np.ndarray:
        if camp.platforms:
            idx = [PLATFORMS.index(p) for p in camp.platforms]
            ok = self.fol[:, idx].max(axis=1) >= max(camp.min_followers, 1)
        else:
            ok = self.fol.max(axis=1) >= camp.min_followers
        if camp.countries:
            share = sum((self.aud.get(c, 0.0) for c in camp.countries), np.zeros(len(ok)))
            ok &= np.isin(self.country, camp.countries) | (share >= self.threshold - 1e-9)
        return ok

    def probs(self, camp: Campaign) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(P_brand, P_creator, eligible) over all creators for one campaign."""
        w = self.world
        cover = self.nmask[:, [NICHES.index(x) for x in camp.niches]].mean(axis=1)
        budget = float(camp.budget_cents)
        afford = (self.rate <= budget).astype(float)
        if camp.countries:
            aud = np.clip(sum((self.aud.get(c, 0.0) for c in camp.countries),
                              np.zeros(len(cover))), 0, 1)
        else:
            aud = np.ones(len(cover))
        e, pop = w.spec.elasticity, w.spec.popularity
        results = 0.0 if w.performance is None else w.spec.results * w.performance
        pb = _sigmoid(-2.5 + 3.0 * cover + 1.2 * w.quality + 1.5 * e * afford + 0.8 * aud
                      + pop * self.reach + results)
        pc = _sigmoid(-0.5 + 2.5 * e * np.clip((budget - self.rate) / budget, -1, 1)
                      + 1.0 * w.willingness + 0.8 * cover)
        el = self.eligible(camp)
        return pb * el, pc * el, el


def simulate_logs(world: World, truth: Truth, policy, campaigns: list[Campaign],
                  sessions: int = 5, shown_k: int = 10, pool: int = 40,
                  shuffle_prob: float = 0.5, seed: int = 7,
                  outperformed_by: str = "both") -> list[Outcome]:
    """Logged feedback: a noisy logging policy shows top-k; invites depend on true P_b times
    the examination probability 1/position; invited creators accept with true P_c;
    accepted deals complete with prob 0.9 (and may have outperformed: `deal_outperformed`,
    drawn from a stream of their own, so both rules give the same log otherwise).
    ``policy(campaign, n)`` -> ranked creator ids. The shown order is randomly shuffled
    with ``shuffle_prob`` (exploration), which also makes the position-propensity estimate
    identifiable."""
    rng = np.random.default_rng(seed)
    deal_rng = np.random.default_rng(seed + 4243)
    id_to_idx = {c.id: i for i, c in enumerate(world.creators)}
    out: list[Outcome] = []
    for camp in campaigns:
        ids = policy(camp, pool)
        if not ids:
            continue
        pb, pc, _ = truth.probs(camp)
        idx = np.array([id_to_idx[i] for i in ids])
        base = -np.log(np.arange(1, len(idx) + 1))  # prefer higher-ranked
        invited_once: set[int] = set()
        for _ in range(sessions):
            g = base + rng.gumbel(0, 1.0, len(idx))
            shown = idx[np.argsort(-g)[:shown_k]]
            if rng.random() < shuffle_prob:
                shown = rng.permutation(shown)
            for pos, i in enumerate(shown, start=1):
                cid = world.creators[i].id
                out.append(Outcome(camp.id, cid, "shown", pos))
                if i in invited_once:
                    continue
                if rng.random() < (1.0 / pos) * pb[i]:
                    invited_once.add(i)
                    out.append(Outcome(camp.id, cid, "invited"))
                    if rng.random() < pc[i]:
                        out.append(Outcome(camp.id, cid, "accepted"))
                        if rng.random() < 0.9:
                            out.append(Outcome(camp.id, cid, "completed"))
                            if world.performance is not None and deal_outperformed(
                                    world, i, deal_rng, outperformed_by):
                                out.append(Outcome(camp.id, cid, "outperformed"))
                    else:
                        out.append(Outcome(camp.id, cid, "declined"))
    return out

"""What a person reads about a match: reasons, cautions, contributions in words, and a
plain-language strength.

Reasons say, in the brief's own terms, how a pair meets each requirement the brand set
(where, platform and reach, niches, price) and then the strongest learned signals
(content, engagement, rating, track record). What counts against a match is a
*caution*, never a reason. ``fit`` (0-100) places the score between the lowest and the
highest the current model can give (:func:`score_range`), so it reads the same for the
hand-set and the learned models; the raw score stays on :class:`~matching.types.Match`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .features import EXPLORE_REASON, FEATURES, compact, money

SMALL_ACCOUNT = 1_000  # below this (or the campaign's minimum) a platform is "small"
LOW_RESPONSE_MIN_INVITES, LOW_RESPONSE_RATE = 3, 0.5
STRONG, GOOD = 70, 50  # fit thresholds of "Strong match" / "Good match"
# Delivered results (views per dollar and per follower against the median of the
# campaigns' other creators, combined): a reason from this ratio up (when the model gives
# it weight), a caution at or below the other. The views-per-follower part is said beside
# the views per dollar when it is this far from the median either way (or x 1/it).
RESULTS_REASON, RESULTS_CAUTION = 1.25, 0.67
NOTABLE_PART = 1.25

# Range over which each feature is read when placing a score between worst and best:
# what a very good real pair reaches, not the theoretical end (a rate of $0 would give
# rate_fit 1, a brief copied word for word text_sim 1), so a pair that meets the whole
# brief at a sound price reads "Strong"; beyond the range the fit is capped at 100.
FEATURE_RANGES: dict[str, tuple[float, float]] = {
    "text_sim": (0.0, 0.6), "niche_overlap": (0.0, 1.0), "audience_fit": (0.0, 1.0),
    "follower_fit": (0.0, 0.8), "rate_fit": (-1.0, 0.5), "engagement": (0.0, 0.8),
    "rating": (-0.5, 0.5), "reliability": (0.0, 0.6),
    "performance": (0.0, 0.5), "performance_known": (0.0, 1.0),
}
LABELS: dict[str, str] = {
    "text_sim": "Brief and content use the same words", "niche_overlap": "Shared niches",
    "audience_fit": "Audience in the target countries", "follower_fit": "Reach above the minimum",
    "rate_fit": "Price against the budget", "engagement": "Engagement",
    "rating": "Ratings from brands", "reliability": "Completed deals on Duet",
    "performance": "Views per dollar and per follower in past deals",
    "performance_known": "Has delivered results",
}
LEARNED_SIGNALS = ("text_sim", "engagement", "rating", "reliability")
PLATFORM_NAMES = {"tiktok": "TikTok", "instagram": "Instagram", "youtube": "YouTube"}


def _platform(p: str) -> str:
    return PLATFORM_NAMES.get(p, p.title())


def _names(codes: list[str], names: Mapping[str, str] | None) -> str:
    names = names or {}
    return ", ".join(names.get(c, c) for c in codes)


def _where(ctx: dict, for_creator: bool, names: Mapping[str, str] | None) -> str:
    targets, home = ctx.get("targets") or [], ctx.get("creator_country") or ""
    home_name = _names([home], names) if home else ""
    if not targets:
        if for_creator:
            return "Open to creators in any country"
        return f"Based in {home_name} (any country welcome)" if home else "Any country welcome"
    if home in targets:
        return (f"Wants creators in {home_name}, where you are based" if for_creator
                else f"Based in {home_name}")
    share = ctx.get("audience_share", 0.0)
    where = _names(targets, names) if len(targets) == 1 else (
        "its target countries" if for_creator else "your target countries")
    if for_creator:
        return f"{share:.0%} of your audience is in {where}"
    return f"{share:.0%} of audience in {where} (based in {home_name})"


def _reach(ctx: dict, for_creator: bool) -> str | None:
    plat = ctx.get("best_platform")
    if not plat:
        return None
    n, mf = compact(ctx["best_followers"]), int(ctx.get("min_followers") or 0)
    name = _platform(plat)
    if for_creator:
        tail = f", above its {compact(mf)} minimum" if mf else " (no minimum)"
        return f"You have {n} on {name}{tail}"
    tail = f", above your {compact(mf)} minimum" if mf else ""
    return f"{n} on {name}{tail}"


def reasons_and_cautions(contrib: dict[str, float], ctx: dict, for_creator: bool,
                         explored: bool = False, names: Mapping[str, str] | None = None,
                         max_signals: int = 2) -> tuple[list[str], list[str]]:
    """(reasons, cautions): the brief's requirements first, then learned signals."""
    reasons: list[str] = [EXPLORE_REASON] if explored else []
    cautions: list[str] = []
    reasons.append(_where(ctx, for_creator, names))
    reach = _reach(ctx, for_creator)
    if reach:
        reasons.append(reach)
    mf = int(ctx.get("min_followers") or 0)
    small = max(mf, SMALL_ACCOUNT)
    for plat in ctx.get("platforms") or []:
        f = int((ctx.get("followers") or {}).get(plat, 0) or 0)
        if 0 < f < small and plat != ctx.get("best_platform"):
            cautions.append(_small(plat, f, mf, for_creator))
    if ctx.get("best_platform") and ctx["best_followers"] < small:
        cautions.append(_small(ctx["best_platform"], ctx["best_followers"], mf, for_creator))
    shared, wanted = ctx.get("shared_niches") or [], ctx.get("campaign_niches") or []
    if shared:
        reasons.append(("In your niches: " if for_creator else "Shares your niches: ")
                       + ", ".join(shared))
    elif wanted:
        cautions.append("Outside your niches" if for_creator else "No niche in common")
    r, b = int(ctx["rate_cents"]), int(ctx["budget_cents"])
    if r <= b:
        reasons.append(f"Budget {money(b)} covers your {money(r)} rate" if for_creator
                       else f"Rate {money(r)} fits your {money(b)} budget")
    else:
        cautions.append(f"Budget {money(b)} is below your lowest package ({money(r)})"
                        if for_creator else f"Rate {money(r)} is above your {money(b)} budget")
    results = results_text(ctx.get("performance"), ctx.get("per_dollar"),
                           ctx.get("per_follower"))
    if results and not for_creator:
        if ctx["performance"] >= RESULTS_REASON and contrib.get("performance", 0.0) > 0.05:
            reasons.append(results)
        elif ctx["performance"] <= RESULTS_CAUTION:
            cautions.append(results)
    signals = sorted((f for f in LEARNED_SIGNALS if contrib.get(f, 0.0) > 0.05),
                     key=lambda f: -contrib[f])
    for f in signals[:max_signals]:
        txt = _signal(f, ctx, for_creator)
        if txt:
            reasons.append(txt)
    invited, answered = ctx.get("responses") or (0, 0)
    if (not for_creator and invited >= LOW_RESPONSE_MIN_INVITES
            and answered < LOW_RESPONSE_RATE * invited):
        cautions.append(f"Low response rate: answered {answered} of {invited} invitations")
    return reasons, cautions


def results_text(performance: float | None, per_dollar: float | None = None,
                 per_follower: float | None = None) -> str | None:
    """One line on delivered results (None when unknown): the views per dollar, and the
    views per follower when that part is notable or alone, e.g. "Past deals: 2.1x the
    median views per dollar and 1.6x per follower". Without parts, ``performance`` is
    read as views per dollar (what it was before the parts existed)."""
    if performance is None or not performance > 0:
        return None
    if per_dollar is None and per_follower is None:
        per_dollar = performance
    follower = per_follower is not None and per_follower > 0 and (
        per_dollar is None or not 1 / NOTABLE_PART < per_follower < NOTABLE_PART)
    if per_dollar is None:
        return f"Past deals: {per_follower:.1f}x the median views per follower"
    text = f"Past deals: {per_dollar:.1f}x the median views per dollar"
    return f"{text} and {per_follower:.1f}x per follower" if follower else text


def _small(plat: str, followers: int, min_followers: int, for_creator: bool) -> str:
    """A platform of the campaign where the creator's account is small."""
    n, name = compact(followers), _platform(plat)
    if min_followers > followers:
        return (f"You have {n} on {name}, below its {compact(min_followers)} minimum"
                if for_creator else f"{n} on {name}, below your {compact(min_followers)} minimum")
    return f"Small on {name}: {n} followers"


def _signal(feature: str, ctx: dict, for_creator: bool) -> str | None:
    if feature == "text_sim":
        word = "closely" if ctx["text_sim"] >= 0.5 else "partly"
        return (f"The brief {word} matches your content" if for_creator
                else f"Content {word} matches the brief")
    if feature == "engagement":
        return f"Engagement rate {ctx['engagement'] * 100:.1f}%"
    if feature == "rating":
        if ctx.get("rating") is None:
            return None
        return f"{ctx['rating']:.1f} stars over {ctx['deals']} deals"
    if feature == "reliability":
        d = int(ctx.get("deals") or 0)
        return f"{d} completed deal{'s' if d != 1 else ''} on Duet" if d > 0 else None
    return None


def details(contrib: dict[str, float]) -> list[str]:
    """Each contribution in words, largest first ("Shared niches: adds a lot")."""
    out = []
    for f in sorted(FEATURES, key=lambda f: -abs(contrib.get(f, 0.0))):
        c = contrib.get(f, 0.0)
        if abs(c) < 0.05:
            continue
        size = "a lot" if abs(c) >= 0.75 else "some" if abs(c) >= 0.25 else "a little"
        out.append(f"{LABELS[f]}: {'adds' if c > 0 else 'takes off'} {size}")
    return out


def score_range(weights: np.ndarray, tables) -> tuple[float, float]:
    """Lowest and highest sum of contributions the model gives over FEATURE_RANGES."""
    lo = hi = 0.0
    for j, f in enumerate(FEATURES):
        a, b = FEATURE_RANGES[f]
        xs = np.linspace(a, b, 21)
        if tables is not None:
            thr = tables[j][0]
            inside = thr[(thr >= a) & (thr <= b)]
            xs = np.unique(np.concatenate([xs, inside, np.nextafter(inside, np.inf)]))
            xs = xs[xs <= b]
        c = weights[j] * xs
        if tables is not None:
            thr, vals = tables[j]
            c = c + vals[np.searchsorted(thr, xs, side="left")]
        lo += float(c.min())
        hi += float(c.max())
    return lo, hi


def fit_and_strength(total: float, bounds: tuple[float, float]) -> tuple[int, str]:
    """0-100 fit (sum of contributions placed between the model's worst and best) + label."""
    lo, hi = bounds
    fit = int(round(100 * (total - lo) / (hi - lo))) if hi > lo else 50
    fit = min(max(fit, 0), 100)
    return fit, ("Strong match" if fit >= STRONG else "Good match" if fit >= GOOD
                 else "Fair match")

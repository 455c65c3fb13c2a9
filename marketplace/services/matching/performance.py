"""Delivered results as a matching signal: what a creator's posts achieved on past deals,
for the matching engine (`matching.Creator.performance`, with its two parts for the reason
a brand reads) and for `flask matching retrain` (an "outperformed" outcome).

Each delivered deal is measured two ways, each against the *other* creators' deals on the
same campaign (ratio = the deal's measure / the median of theirs), so a campaign that
reaches cheaply or expensively does not flatter or blame its creators:
- views per dollar: the views of its posts (from `deals.results`) over the deal price,
  against the deals in the same currency;
- views per follower (reach): the views over the creator's followers on each post's
  platform, counted once per post (two TikTok videos on 50K followers: 100K), so a big
  account gets no credit for size alone and a small one whose posts travel does.
A deal with missing views, or alone on its campaign, says nothing (no ratio); a deal with
a post on a platform where the creator gives no follower number says nothing on reach; a
deal measured at 0 views counts at `RATIO_FLOOR`.

Rule: a deal's combined ratio is the geometric mean of its two ratios, each at least
`RATIO_FLOOR`, where both are known, the known one otherwise. A creator's signal
(`Signal.overall`) is the geometric mean of their deals' combined ratios shrunk towards 1
(the median) with `PSEUDO_DEALS` deals at exactly 1, and a deal whose numbers were reported
by the creator (not read from the platform) weighs `REPORTED_WEIGHT` of a measured deal:
one measured deal at 2.7x gives exp(ln 2.7 / 2) = 1.64x. Each part alone is shrunk the
same way (`per_dollar`, `per_follower`). None when no deal can be compared.
A deal counts as "outperformed" for training when its combined ratio is above 1 and its
numbers come from the platform.

Followers come from the creator's profile (`PlatformAccount.followers` per platform), not
from a connected account (`SocialAccount.followers`): the profile number is the one brands
are shown and matching ranks on (reach above the minimum), so reach checks the very claim
the ranking rewards (overstating followers lowers reach, understating them fails follower
minimums); every creator has one, while connecting an account is optional and its number
is read once, when it is connected, and never refreshed, so it is no fresher. Either way
it is today's number, not the one on the day of the post.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, replace

from sqlalchemy import select

import matching
from marketplace.extensions import db
from marketplace.models import Deal, DealState, PlatformAccount
from marketplace.services.deals.results import PostResult, deal_figures, posts_by_deal

DELIVERED_STATES = (DealState.POSTED, DealState.PAID_OUT, DealState.COMPLETED)
PSEUDO_DEALS = 1.0
REPORTED_WEIGHT = 0.5
RATIO_FLOOR = 1 / 16  # a post with no views counts as this bad, not as "unknown"


@dataclass(frozen=True)
class Delivery:
    """One delivered deal against the other creators of its campaign."""

    deal_id: int
    campaign_id: int
    creator_id: int
    views_per_dollar: float | None
    reported: bool
    views_per_follower: float | None = None
    ratio: float | None = None  # / median views per dollar of the campaign's other creators
    reach_ratio: float | None = None  # / median views per follower of theirs

    @property
    def combined(self) -> float | None:
        """The geometric mean of the known ratios (each at least `RATIO_FLOOR`)."""
        logs = [_log(r) for r in (self.ratio, self.reach_ratio) if r is not None]
        return math.exp(sum(logs) / len(logs)) if logs else None


@dataclass(frozen=True)
class Signal:
    """A creator's delivered results, each shrunk towards 1 (None = no deal says)."""

    overall: float  # the combined ratio: `matching.Creator.performance`
    per_dollar: float | None
    per_follower: float | None


def _log(ratio: float) -> float:
    return math.log(max(ratio, RATIO_FLOOR))


def _ratio(value: float | None, others: list[float | None]) -> float | None:
    known = [x for x in others if x is not None]
    median = statistics.median(known) if known else None
    return value / median if value is not None and median else None


def _audience(creator_id: int, posts: list[PostResult],
              followers: dict[tuple[int, str], int]) -> int | None:
    """The followers each post could reach, added up; None when a platform has no number."""
    counts = [followers.get((creator_id, post.platform), 0) for post in posts]
    return sum(counts) if counts and all(counts) else None


def deliveries(creator_ids: list[int] | None = None) -> list[Delivery]:
    """Delivered deals on the campaigns these creators delivered for (all when None), each
    with its ratios to the campaign's other creators: four queries."""
    where = [Deal.state.in_(DELIVERED_STATES), Deal.campaign_id.is_not(None)]
    if creator_ids is not None:
        if not creator_ids:
            return []
        where.append(Deal.campaign_id.in_(select(Deal.campaign_id).where(
            Deal.creator_id.in_(creator_ids), Deal.state.in_(DELIVERED_STATES))))
    deals = list(db.session.scalars(select(Deal).where(*where).order_by(Deal.id)))
    posts = posts_by_deal(deals)
    followers = {(cid, platform): n for cid, platform, n in db.session.execute(
        select(PlatformAccount.creator_id, PlatformAccount.platform, PlatformAccount.followers)
        .where(PlatformAccount.creator_id.in_(select(Deal.creator_id).where(*where))))}
    currency = {deal.id: deal.currency for deal in deals}
    by_campaign: dict[int, list[Delivery]] = defaultdict(list)
    for deal in deals:
        f = deal_figures(deal, posts[deal.id])
        vpd = (f.views * 100 / deal.price_cents
               if f.views is not None and deal.price_cents > 0 else None)
        audience = _audience(deal.creator_id, posts[deal.id], followers)
        vpf = f.views / audience if f.views is not None and audience else None
        by_campaign[deal.campaign_id].append(
            Delivery(deal.id, deal.campaign_id, deal.creator_id, vpd, f.reported, vpf))
    out = []
    for members in by_campaign.values():
        for row in members:
            others = [o for o in members if o.creator_id != row.creator_id]
            out.append(replace(
                row,
                ratio=_ratio(row.views_per_dollar, [
                    o.views_per_dollar for o in others
                    if currency[o.deal_id] == currency[row.deal_id]]),
                reach_ratio=_ratio(row.views_per_follower,
                                   [o.views_per_follower for o in others])))
    return sorted(out, key=lambda d: d.deal_id)


def _shrunk(parts: list[tuple[float, float]]) -> float | None:
    """exp(weighted mean of the log ratios with `PSEUDO_DEALS` at 0), rounded; None if none."""
    if not parts:
        return None
    return round(math.exp(sum(w * x for w, x in parts)
                          / (sum(w for w, _ in parts) + PSEUDO_DEALS)), 3)


def performance_by_creator(rows: list[Delivery]) -> dict[int, Signal]:
    """creator id -> their signal (only creators with a comparable deal)."""
    logs: dict[int, dict[str, list[tuple[float, float]]]] = defaultdict(
        lambda: {"overall": [], "per_dollar": [], "per_follower": []})
    for d in rows:
        weight = REPORTED_WEIGHT if d.reported else 1.0
        for name, ratio in (("overall", d.combined), ("per_dollar", d.ratio),
                            ("per_follower", d.reach_ratio)):
            if ratio is not None:
                logs[d.creator_id][name].append((weight, _log(ratio)))
    return {cid: Signal(_shrunk(parts["overall"]), _shrunk(parts["per_dollar"]),
                        _shrunk(parts["per_follower"]))
            for cid, parts in logs.items()}


def creator_performance(creator_ids: list[int] | None = None) -> dict[int, Signal]:
    """The signal for these creators (all when None)."""
    wanted = None if creator_ids is None else set(creator_ids)
    return {cid: v for cid, v in performance_by_creator(deliveries(creator_ids)).items()
            if wanted is None or cid in wanted}


def outperformed_outcomes(campaign_ids: set[int] | None = None) -> list[matching.Outcome]:
    """An "outperformed" outcome per (campaign, creator) with a platform-measured deal whose
    combined ratio is above 1: a stronger positive when learning."""
    pairs = sorted({(d.campaign_id, d.creator_id) for d in deliveries()
                    if d.combined is not None and d.combined > 1 and not d.reported
                    and (campaign_ids is None or d.campaign_id in campaign_ids)})
    return [matching.Outcome(c, cr, "outperformed") for c, cr in pairs]

"""Delivered results as a matching signal: what a creator's posts achieved on past deals,
for the matching engine (`matching.Creator.performance`) and for `flask matching retrain`
(an "outperformed" outcome).

A deal's delivery is its views per dollar (views of its posts over the deal price, from
`deals.results`). It is compared with the *other* creators' deals on the same campaign
(same currency): ratio = the deal's views per dollar / the median of theirs, so a
campaign that reaches cheaply or expensively does not flatter or blame its creators.
A deal with missing views, or alone on its campaign, says nothing (no ratio); a deal
measured at 0 views counts at `RATIO_FLOOR`.

A creator's signal is the geometric mean of their deals' ratios, shrunk towards 1 (the
median) with `PSEUDO_DEALS` deals at exactly 1, and numbers reported by the creator
(not read from the platform) weigh `REPORTED_WEIGHT` of a measured deal: one measured
deal at 2.7x gives exp(ln 2.7 / 2) = 1.64x. None when no deal can be compared.
A deal above the median counts as "outperformed" for training only when its numbers
come from the platform.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

import matching
from marketplace.extensions import db
from marketplace.models import Deal, DealState
from marketplace.services.deals.results import figures_by_deal

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
    ratio: float | None = None  # / median views per dollar of the campaign's other creators


def deliveries(creator_ids: list[int] | None = None) -> list[Delivery]:
    """Delivered deals on the campaigns these creators delivered for (all when None), each
    with its ratio to the campaign's other creators: three queries."""
    where = [Deal.state.in_(DELIVERED_STATES), Deal.campaign_id.is_not(None)]
    if creator_ids is not None:
        if not creator_ids:
            return []
        where.append(Deal.campaign_id.in_(select(Deal.campaign_id).where(
            Deal.creator_id.in_(creator_ids), Deal.state.in_(DELIVERED_STATES))))
    deals = list(db.session.scalars(select(Deal).where(*where).order_by(Deal.id)))
    figures = figures_by_deal(deals)
    rows = []
    for deal in deals:
        f = figures[deal.id]
        vpd = (f.views * 100 / deal.price_cents
               if f.views is not None and deal.price_cents > 0 else None)
        rows.append(Delivery(deal.id, deal.campaign_id, deal.creator_id, vpd, f.reported))
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    currency = {deal.id: deal.currency for deal in deals}
    for i, row in enumerate(rows):
        groups[(row.campaign_id, currency[row.deal_id])].append(i)
    out = []
    for members in groups.values():
        for i in members:
            row = rows[i]
            others = [rows[j].views_per_dollar for j in members
                      if rows[j].creator_id != row.creator_id
                      and rows[j].views_per_dollar is not None]
            median = statistics.median(others) if others else None
            ratio = (row.views_per_dollar / median
                     if row.views_per_dollar is not None and median else None)
            out.append(Delivery(row.deal_id, row.campaign_id, row.creator_id,
                                row.views_per_dollar, row.reported, ratio))
    return sorted(out, key=lambda d: d.deal_id)


def performance_by_creator(rows: list[Delivery]) -> dict[int, float]:
    """creator id -> shrunk geometric-mean ratio (only creators with a comparable deal)."""
    logs: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for d in rows:
        if d.ratio is not None:
            logs[d.creator_id].append((REPORTED_WEIGHT if d.reported else 1.0,
                                       math.log(max(d.ratio, RATIO_FLOOR))))
    return {cid: round(math.exp(sum(w * x for w, x in parts)
                                / (sum(w for w, _ in parts) + PSEUDO_DEALS)), 3)
            for cid, parts in logs.items()}


def creator_performance(creator_ids: list[int] | None = None) -> dict[int, float]:
    """The signal for these creators (all when None)."""
    wanted = None if creator_ids is None else set(creator_ids)
    return {cid: v for cid, v in performance_by_creator(deliveries(creator_ids)).items()
            if wanted is None or cid in wanted}


def outperformed_outcomes(campaign_ids: set[int] | None = None) -> list[matching.Outcome]:
    """An "outperformed" outcome per (campaign, creator) with a platform-measured deal above
    the median of the campaign's other creators: a stronger positive when learning."""
    pairs = sorted({(d.campaign_id, d.creator_id) for d in deliveries()
                    if d.ratio is not None and d.ratio > 1 and not d.reported
                    and (campaign_ids is None or d.campaign_id in campaign_ids)})
    return [matching.Outcome(c, cr, "outperformed") for c, cr in pairs]

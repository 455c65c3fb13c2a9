"""Demo outcome history: impressions and what brands and creators did with them.

The demo marketplace starts with a log like a few weeks of real use would leave, so the
learned ranker is in use from the first page view. Impressions come from the default-weight
ranker (what the site would have shown); responses follow a hidden taste that rewards shared
niches, an affordable rate, reach and engagement, and look at top slots more (position bias)."""

from __future__ import annotations

import math
import random

import matching
from marketplace.extensions import db
from marketplace.models import Campaign, CampaignStatus, CreatorProfile, MatchEvent
from marketplace.services.matching.recommendations import to_campaign, to_creator

SHOWN_PER_CAMPAIGN = 15


def _taste(creator: CreatorProfile, campaign: Campaign) -> float:
    """Hidden probability-like fit in [0, 1] that the demo's brands and creators act on."""
    niches = set(campaign.niches)
    overlap = len(niches & set(creator.niches)) / max(len(niches), 1)
    price = creator.min_price_cents or campaign.budget_max_cents
    affordable = 1.0 if price <= campaign.budget_max_cents else max(
        0.0, 1.0 - (price - campaign.budget_max_cents) / campaign.budget_max_cents)
    engagement = min(creator.top_engagement / 8.0, 1.0)
    return 0.45 * overlap + 0.3 * affordable + 0.25 * engagement


def seed_outcomes(rng: random.Random, creators: list[CreatorProfile],
                  campaigns: list[Campaign]) -> int:
    """Stage shown/invited/applied/accepted/declined/completed rows; returns how many."""
    live = [c for c in campaigns if c.status != CampaignStatus.DRAFT]
    matcher = matching.Matcher(random_state=0, learn=False).fit(
        [to_creator(p) for p in creators])
    by_id = {p.id: p for p in creators}
    rows: list[MatchEvent] = []

    def add(campaign: Campaign, creator: CreatorProfile, event: str, position=None):
        rows.append(MatchEvent(campaign_id=campaign.id, creator_id=creator.id, event=event,
                               position=position, surface="campaign_top_matches"
                               if event == "shown" else None))

    for campaign in live:
        matches = matcher.rank_creators(to_campaign(campaign), k=SHOWN_PER_CAMPAIGN)
        for position, match in enumerate(matches, start=1):
            creator = by_id[match.id]
            add(campaign, creator, "shown", position)
            taste = _taste(creator, campaign)
            looked = 1.0 / math.log2(position + 1)
            if rng.random() < looked * taste ** 2:
                add(campaign, creator, "invited")
                if rng.random() < 0.35 + 0.6 * taste:
                    add(campaign, creator, "accepted")
                    if campaign.status == CampaignStatus.CLOSED or rng.random() < 0.5:
                        add(campaign, creator, "completed")
                else:
                    add(campaign, creator, "declined")
        # Some creators find the campaign themselves and apply.
        for creator in rng.sample(creators, k=min(6, len(creators))):
            if set(creator.niches) & set(campaign.niches):
                add(campaign, creator, "applied")
                add(campaign, creator, "accepted" if rng.random() < _taste(creator, campaign)
                    else "declined")
    db.session.add_all(rows)
    return len(rows)

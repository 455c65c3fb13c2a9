"""Hard constraints: filters, never scores.

This module is the *reference* (plain Python) definition used by tests and the
evaluator. The serving path (:mod:`matching.index`) implements the same predicate
vectorised over columnar arrays and is never more permissive than this one.

A (creator, campaign) pair is eligible iff

* platform + reach: the creator has ``followers[p] >= max(min_followers, 1)`` on at
  least one platform ``p`` of ``campaign.platforms``; with empty ``platforms`` (any
  platform) it needs ``max(followers over all platforms) >= min_followers``;
* country: ``campaign.countries`` is empty, or ``creator.country`` is one of them, or
  the creator's audience share summed over the target countries is
  ``>= AUDIENCE_THRESHOLD`` (0.2 by default, ``Matcher(audience_threshold=...)``);
  with ``campaign.creator_in_country`` the audience share does not count (the creator
  must be based in a target country).

The serving path stores audience shares at 0.01% resolution, rounded *down*, so it
can only be stricter than this definition (by < 0.0001 per country), never looser.
"""

from __future__ import annotations

from .types import PLATFORMS, Campaign, Creator

AUDIENCE_THRESHOLD = 0.2


def platform_ok(creator: Creator, campaign: Campaign) -> bool:
    f = {p: int(creator.followers.get(p, 0) or 0) for p in PLATFORMS}
    if campaign.platforms:
        need = max(int(campaign.min_followers), 1)
        return any(f.get(p, 0) >= need for p in campaign.platforms if p in f)
    return max(f.values()) >= int(campaign.min_followers)


def audience_share(creator: Creator, countries: list[str] | tuple[str, ...]) -> float:
    targets = set(countries)
    return float(sum(max(0.0, s) for c, s in creator.audience_countries.items() if c in targets))


def country_ok(
    creator: Creator, campaign: Campaign, threshold: float = AUDIENCE_THRESHOLD
) -> bool:
    if not campaign.countries:
        return True
    if creator.country in campaign.countries:
        return True
    if getattr(campaign, "creator_in_country", False):
        return False
    return audience_share(creator, campaign.countries) >= threshold - 1e-9


def eligible(creator: Creator, campaign: Campaign, threshold: float = AUDIENCE_THRESHOLD) -> bool:
    """Reference predicate; ``Matcher`` never returns a pair for which this is False."""
    return platform_ok(creator, campaign) and country_ok(creator, campaign, threshold)

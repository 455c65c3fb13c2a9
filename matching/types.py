"""Plain dataclasses that form the public boundary of the matching package.

No ORM objects cross this boundary: the web app converts its rows to these.
Money is integer cents (USD for display).
"""

from __future__ import annotations

from dataclasses import dataclass, field

PLATFORMS: tuple[str, ...] = ("tiktok", "instagram", "youtube")
EVENTS: tuple[str, ...] = ("shown", "invited", "applied", "declined", "accepted", "completed",
                           "outperformed")


@dataclass
class Creator:
    id: int
    text: str
    niches: list[str]
    followers: dict[str, int]  # platform -> followers
    engagement_rate: float
    audience_countries: dict[str, float]  # ISO-2 country -> share of audience (0..1)
    country: str
    rate_cents: int
    rating: float | None = None
    completed_deals: int = 0
    # Delivered results: how past deals' posts did against the other creators on the same
    # campaigns (2.0 = twice the median), already shrunk towards 1 by the caller when deals
    # are few; None = unknown. The web app combines views per dollar and views per follower
    # (``performance``, the ranked signal) and passes each part as well, for the reason a
    # brand reads; callers that give only ``performance`` mean views per dollar.
    performance: float | None = None
    per_dollar: float | None = None  # the views-per-dollar part alone
    per_follower: float | None = None  # the views-per-follower part alone


@dataclass
class Campaign:
    id: int
    text: str
    niches: list[str]
    platforms: list[str]  # empty = any platform
    countries: list[str]  # empty = any country
    min_followers: int
    budget_cents: int  # budget per creator
    # True: the creator must be based in one of ``countries`` (audience share is not enough)
    creator_in_country: bool = False


@dataclass
class Outcome:
    """One logged event for a (campaign, creator) pair.

    ``accepted``/``declined`` after an ``invited`` event are the creator's answer;
    after an ``applied`` event (creator-initiated, no invite) they are the brand's answer.
    ``outperformed`` marks a completed deal whose posts did better than the campaign's
    other creators (views per dollar and per follower combined, as ``performance``): a
    stronger positive for the brand side when learning.
    ``position`` is the 1-based slot of a ``shown`` impression (used for position-bias
    correction); ``None`` means unknown.
    """

    campaign_id: int
    creator_id: int
    event: str
    position: int | None = None


@dataclass
class Match:
    """One ranked pair. ``score`` is the raw model score (admins, outcome log); people see
    ``strength`` / ``fit`` (0-100), ``reasons`` (how the brief is met), ``cautions`` (what
    counts against it, never among the reasons) and ``details`` (contributions in words)."""

    id: int
    score: float
    reasons: list[str] = field(default_factory=list)
    contributions: dict[str, float] = field(default_factory=dict)
    explored: bool = False  # True when placed by the fair-exposure slots
    cautions: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    fit: int = 0
    strength: str = ""

"""Search queries for the creator and campaign directories.

Filters arrive as a plain mapping (a request's query string); values that make no sense are
dropped with a notice for the page instead of failing, so a hand-edited URL never errors.
The builders return a Select with the children a list card shows eager-loaded (no N+1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import selectinload

from marketplace import taxonomy
from marketplace.extensions import db
from marketplace.formatting import compact_number
from marketplace.models import (
    AudienceCountry,
    Campaign,
    CampaignCountry,
    CampaignNiche,
    CampaignPlatform,
    CampaignStatus,
    CreatorNiche,
    CreatorProfile,
    Package,
    PlatformAccount,
    search,
)
from marketplace.money import format_money, to_cents
from marketplace.pagination import MAX_PAGE

AUDIENCE_SHARE_MIN = 20.0  # percent of a creator's audience that makes a country count
KEYWORD_MAX = 100
FOLLOWERS_MAX = 10_000_000_000

CREATOR_SORTS: dict[str, str] = {
    "relevance": "Relevance", "followers": "Most followers", "engagement": "Highest engagement",
    "price": "Price: low to high", "newest": "Newest",
}
CAMPAIGN_SORTS: dict[str, str] = {
    "newest": "Newest", "deadline": "Deadline soonest", "budget": "Budget: high to low",
}


@dataclass
class Filters:
    """Parsed filters: `values` are the accepted ones, `chips` label them for the page."""

    values: dict[str, object] = field(default_factory=dict)
    chips: list[tuple[str, str]] = field(default_factory=list)  # (query key, label)
    notices: list[str] = field(default_factory=list)
    sort: str = ""
    page: int = 1

    def get(self, key: str, default=None):
        return self.values.get(key, default)


class _Parser:
    def __init__(self, args: Mapping[str, str]):
        self.args = args
        self.filters = Filters()

    def raw(self, key: str) -> str:
        value = self.args.get(key) or ""
        return str(value).strip()

    def choice(self, key: str, vocab: dict[str, str], what: str, label_prefix: str = "") -> None:
        value = self.raw(key)
        if not value:
            return
        if value not in vocab:
            self.filters.notices.append(f"Ignored unknown {what} “{value[:30]}”.")
            return
        self.filters.values[key] = value
        self.filters.chips.append((key, f"{label_prefix}{vocab[value]}"))

    def number(self, key: str, label: str, *, as_float: bool = False,
               high: float = FOLLOWERS_MAX, fmt=None) -> None:
        value = self.raw(key)
        if not value:
            return
        try:
            number = float(value.replace(",", "")) if as_float else int(value.replace(",", ""))
        except ValueError:
            self.filters.notices.append(f"Ignored {label.lower()} “{value[:30]}”: not a number.")
            return
        if not 0 <= number <= high:
            self.filters.notices.append(f"Ignored {label.lower()}: out of range.")
            return
        self.filters.values[key] = number
        self.filters.chips.append((key, f"{label}: {fmt(number) if fmt else number}"))

    def money(self, key: str, label: str) -> None:
        value = self.raw(key)
        if not value:
            return
        try:
            cents = to_cents(value)
        except ValueError:
            cents = -1
        if not 0 < cents <= 100_000_000:
            self.filters.notices.append(f"Ignored {label.lower()} “{value[:30]}”: "
                                        "enter an amount such as 250.")
            return
        self.filters.values[key] = cents
        self.filters.chips.append((key, f"{label}: {format_money(cents, 'USD', whole=True)}"))

    def keyword(self) -> None:
        value = self.raw("q")[:KEYWORD_MAX]
        if value:
            self.filters.values["q"] = value
            self.filters.chips.append(("q", f"“{value}”"))

    def sort_and_page(self, sorts: dict[str, str], default: str) -> Filters:
        sort = self.raw("sort")
        if sort and sort not in sorts:
            self.filters.notices.append("Ignored unknown sort order.")
        self.filters.sort = sort if sort in sorts else default
        try:
            page = int(self.raw("page") or 1)
        except ValueError:
            page = 1
        self.filters.page = page if 1 <= page <= MAX_PAGE else 1
        return self.filters


def _compact(n: float) -> str:
    return compact_number(int(n))


def parse_creator_filters(args: Mapping[str, str]) -> Filters:
    p = _Parser(args)
    p.keyword()
    p.choice("niche", taxonomy.NICHES, "niche")
    p.choice("platform", taxonomy.PLATFORMS, "platform")
    p.choice("country", taxonomy.COUNTRIES, "country")
    p.number("min_followers", "Min followers", fmt=_compact)
    p.number("max_followers", "Max followers", fmt=_compact)
    p.number("min_engagement", "Min engagement", as_float=True, high=100,
             fmt=lambda v: f"{v:g}%")
    p.money("max_price", "Max price")
    low, high = p.filters.get("min_followers"), p.filters.get("max_followers")
    if low is not None and high is not None and low > high:
        p.filters.notices.append("Minimum followers is above the maximum, so nobody matches.")
    return p.sort_and_page(CREATOR_SORTS, "relevance")


def parse_campaign_filters(args: Mapping[str, str]) -> Filters:
    p = _Parser(args)
    p.keyword()
    p.choice("niche", taxonomy.NICHES, "niche")
    p.choice("platform", taxonomy.PLATFORMS, "platform")
    p.choice("country", taxonomy.COUNTRIES, "country")
    p.money("min_budget", "Budget at least")
    return p.sort_and_page(CAMPAIGN_SORTS, "newest")


def _text_match(q: str, document, columns) -> ColumnElement:
    """Full-text search on PostgreSQL (the GIN index over `document`, with stemming: "cooking"
    finds "cook"); elsewhere every word must appear in one of `columns` (a plain fallback)."""
    if db.engine.dialect.name == "postgresql":
        match = document.op("@@")(search.web_query(q))
        prefixes = search.prefix_query(q)
        if prefixes is not None:  # "de" finds "Dev" as someone types
            match = or_(match, document.op("@@")(prefixes))
        return match
    words = q.split()[:8] or [q]
    return and_(*(or_(*(c.icontains(w, autoescape=True) for c in columns)) for w in words))


def creator_query(filters: Filters) -> Select:
    """Listed creator profiles matching `filters`, sorted, with card data eager-loaded.

    Followers: with a platform chosen the range applies to that platform's account,
    otherwise to the total across platforms. Country: the creator lives there or at least
    AUDIENCE_SHARE_MIN percent of their audience does.
    """
    stmt = select(CreatorProfile).where(CreatorProfile.handle.is_not(None),
                                        CreatorProfile.handle != "")
    f = filters.get
    if q := f("q"):
        stmt = stmt.where(_text_match(q, search.creator_document(), (
            CreatorProfile.display_name, CreatorProfile.handle, CreatorProfile.bio)))
    if niche := f("niche"):
        stmt = stmt.where(CreatorProfile.niche_links.any(CreatorNiche.niche == niche))
    low, high = f("min_followers"), f("max_followers")
    if platform := f("platform"):
        conditions = [PlatformAccount.platform == platform]
        if low is not None:
            conditions.append(PlatformAccount.followers >= low)
        if high is not None:
            conditions.append(PlatformAccount.followers <= high)
        stmt = stmt.where(CreatorProfile.accounts.any(and_(*conditions)))
    else:
        if low is not None:
            stmt = stmt.where(CreatorProfile.total_followers >= low)
        if high is not None:
            stmt = stmt.where(CreatorProfile.total_followers <= high)
    if country := f("country"):
        stmt = stmt.where(or_(
            CreatorProfile.country == country,
            CreatorProfile.audience_countries.any(and_(
                AudienceCountry.country == country, AudienceCountry.share >= AUDIENCE_SHARE_MIN)),
        ))
    if (engagement := f("min_engagement")) is not None:
        stmt = stmt.where(CreatorProfile.top_engagement >= engagement)
    if (price := f("max_price")) is not None:
        stmt = stmt.where(CreatorProfile.packages.any(Package.price_cents <= price))
    order = {
        "relevance": [CreatorProfile.total_followers.desc()],
        "followers": [CreatorProfile.total_followers.desc()],
        "engagement": [CreatorProfile.top_engagement.desc()],
        "price": [CreatorProfile.min_price_cents.is_(None), CreatorProfile.min_price_cents.asc()],
        "newest": [CreatorProfile.created_at.desc()],
    }[filters.sort]
    return stmt.order_by(*order, CreatorProfile.id.desc()).options(
        selectinload(CreatorProfile.niche_links),
        selectinload(CreatorProfile.accounts),
        selectinload(CreatorProfile.packages),
    )


def campaign_query(filters: Filters) -> Select:
    """Open campaigns matching `filters`; a campaign without countries targets anywhere."""
    stmt = select(Campaign).where(Campaign.status == CampaignStatus.OPEN)
    f = filters.get
    if q := f("q"):
        stmt = stmt.where(_text_match(q, search.campaign_document(),
                                      (Campaign.title, Campaign.brief)))
    if niche := f("niche"):
        stmt = stmt.where(Campaign.niche_links.any(CampaignNiche.niche == niche))
    if platform := f("platform"):
        stmt = stmt.where(Campaign.platform_links.any(CampaignPlatform.platform == platform))
    if country := f("country"):
        stmt = stmt.where(or_(Campaign.country_links.any(CampaignCountry.country == country),
                              ~Campaign.country_links.any()))
    if (budget := f("min_budget")) is not None:
        stmt = stmt.where(Campaign.budget_max_cents >= budget)
    order = {
        "newest": [func.coalesce(Campaign.published_at, Campaign.created_at).desc()],
        "deadline": [Campaign.application_deadline.asc()],
        "budget": [Campaign.budget_max_cents.desc()],
    }[filters.sort]
    return stmt.order_by(*order, Campaign.id.desc()).options(
        selectinload(Campaign.brand),
        selectinload(Campaign.niche_links),
        selectinload(Campaign.platform_links),
        selectinload(Campaign.country_links),
    )

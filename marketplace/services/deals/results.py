"""What a deal's posts achieved, per deal, per creator and per campaign: read-only figures
for the results pages, the campaign report, its exports and the "results are in" e-mail.

Rules, in one place:
- a post's numbers are its latest reading (platform or creator report, whichever is newer);
  a reading typed in by the creator is flagged `reported`, and every place that shows it
  says "reported by the creator";
- a number the source did not give stays missing (None, shown "—"), never 0 — the average
  watch time per view too, which only Instagram Reels give (TikTok's and YouTube's APIs do
  not) or a creator reports; a deal's views are missing while any of its posts has none; a
  ratio with a missing part is missing;
- totals across deals add the deals that are measured and say how many are
  (`measured` of `counted`); ratios in totals use only deals where both parts are known;
- spend is the deal price (integer cents, the campaign's currency) of every deal that was
  funded and not cancelled or expired; spend against budget uses the campaign's top price per
  creator times the creators it wants.

The campaign report costs three SQL queries whatever the number of deals.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Campaign, CreatorProfile, Deal, DealState
from marketplace.models.deliverable import DealDeliverable, MetricSnapshot, SnapshotSource
from marketplace.money import format_money
from marketplace.services.deals import schedule
from marketplace.taxonomy import PLATFORMS

REPORTED_LABEL = "reported by the creator"
# Deals whose money was committed: everything from funding on, except the ones that ended
# without the creator being paid.
UNCOUNTED_STATES = (DealState.AGREED, DealState.CANCELLED, DealState.EXPIRED)


@dataclass(frozen=True)
class Reading:
    """One snapshot's numbers (None = not given)."""

    taken_at: datetime
    source: str
    views: int | None
    likes: int | None
    comments: int | None
    shares: int | None
    saves: int | None
    avg_watch_time_ms: int | None = None  # per view; only some platforms give it

    @property
    def reported(self) -> bool:
        return self.source == SnapshotSource.CREATOR

    @property
    def engagements(self) -> int | None:
        """Likes + comments + shares + saves, counting only the numbers given (as
        MetricSnapshot.engagements)."""
        parts = [n for n in (self.likes, self.comments, self.shares, self.saves)
                 if n is not None]
        return sum(parts) if parts else None


@dataclass
class PostResult:
    """A posted deliverable with its readings, oldest first."""

    id: int
    deal_id: int
    label: str
    platform: str
    status: str
    live_url: str | None
    live_since: datetime | None
    creator_name: str = ""
    short_label: str = ""  # "TikTok" or "TikTok #2" when the deal has several on one platform
    readings: list[Reading] = field(default_factory=list)

    @property
    def latest(self) -> Reading | None:
        return self.readings[-1] if self.readings else None

    @property
    def views(self) -> int | None:
        return self.latest.views if self.latest else None

    @property
    def engagements(self) -> int | None:
        return self.latest.engagements if self.latest else None

    @property
    def reported(self) -> bool:
        return self.latest is not None and self.latest.reported

    @property
    def avg_watch_time_ms(self) -> int | None:
        return self.latest.avg_watch_time_ms if self.latest else None

    @property
    def views_over_time(self) -> list[tuple[datetime, int, bool]]:
        """(taken_at, views, reported) for every reading that has a view count."""
        return [(r.taken_at, r.views, r.reported) for r in self.readings if r.views is not None]

    @property
    def first_reading_expected(self) -> datetime | None:
        return schedule.first_reading_expected(self.live_since)


@dataclass(frozen=True)
class Figures:
    """Headline numbers for a deal, a creator or a campaign (None = missing)."""

    currency: str
    views: int | None = None
    engagements: int | None = None
    spend_cents: int | None = None
    engagement_rate: float | None = None
    cpm_cents: int | None = None
    cpe_cents: int | None = None
    reported: bool = False  # some number comes from a creator's report
    measured: int = 0  # deals (or posts) with views known...
    counted: int = 0  # ...out of these

    @property
    def complete(self) -> bool:
        return self.measured == self.counted

    def money(self, cents: int | None) -> str:
        return format_money(cents, self.currency)


class _PostsSummary:
    """What a deal's or a campaign's posts say so far (for empty states): needs `posts`."""

    posts: list[PostResult]

    @property
    def has_posts(self) -> bool:
        return any(post.live_url for post in self.posts)

    @property
    def has_readings(self) -> bool:
        return any(post.readings for post in self.posts)

    @property
    def first_reading_expected(self) -> datetime | None:
        waiting = [p.first_reading_expected for p in self.posts
                   if not p.readings and p.first_reading_expected is not None]
        return min(waiting) if waiting else None


@dataclass
class DealResult(_PostsSummary):
    deal: Deal
    creator_name: str
    creator_handle: str
    posts: list[PostResult]
    figures: Figures


@dataclass
class CreatorResult:
    creator_id: int
    name: str
    handle: str
    deals: list[DealResult]
    figures: Figures


@dataclass
class CampaignReport(_PostsSummary):
    campaign: Campaign
    deals: list[DealResult]
    creators: list[CreatorResult]
    total: Figures

    @property
    def currency(self) -> str:
        return self.campaign.currency

    @property
    def budget_cents(self) -> int:
        """The campaign's whole budget: its top price per creator times the creators it wants
        (the campaign's budget is set per creator)."""
        return self.campaign.budget_max_cents * max(self.campaign.creators_wanted or 1, 1)

    @property
    def budget_used(self) -> float | None:
        """Spend as a share of the budget (0.42 = 42 %)."""
        if not self.budget_cents or self.total.spend_cents is None:
            return None
        return self.total.spend_cents / self.budget_cents

    @property
    def posts(self) -> list[PostResult]:
        return [post for result in self.deals for post in result.posts]


# --------------------------------------------------------------------------- arithmetic

def ratio_cents(cents: int | None, count: int | None, per: int = 1) -> int | None:
    """Cents per `per` units, rounded half up; missing when a part is missing or zero."""
    if cents is None or not count:
        return None
    return (cents * per * 2 + count) // (count * 2)


def rate(part: int | None, whole: int | None) -> float | None:
    if part is None or not whole:
        return None
    return part / whole


def _sum(values: list[int | None]) -> int | None:
    """The sum, or None when any value is missing (or there is none)."""
    if not values or any(v is None for v in values):
        return None
    return sum(values)  # type: ignore[arg-type]


def deal_figures(deal: Deal, posts: list[PostResult]) -> Figures:
    spend = deal.price_cents if deal.state not in UNCOUNTED_STATES else None
    views = _sum([p.views for p in posts])
    engagements = _sum([p.engagements for p in posts])
    return Figures(
        currency=deal.currency, views=views, engagements=engagements, spend_cents=spend,
        engagement_rate=rate(engagements, views) if views is not None else None,
        cpm_cents=ratio_cents(spend, views, 1000), cpe_cents=ratio_cents(spend, engagements),
        reported=any(p.reported for p in posts),
        measured=sum(p.views is not None for p in posts), counted=len(posts))


def combine(parts: list[Figures], currency: str) -> Figures:
    """Totals across deals: add what is measured; each ratio over the deals where both of
    its parts are known."""
    measured = [f for f in parts if f.views is not None]
    with_eng = [f for f in parts if f.engagements is not None]
    spent = [f for f in parts if f.spend_cents is not None]
    eng_and_views = [f for f in with_eng if f.views is not None]
    cost_views = [f for f in measured if f.spend_cents is not None]
    cost_eng = [f for f in with_eng if f.spend_cents is not None]

    def total(rows: list[Figures], name: str) -> int | None:
        return sum(getattr(f, name) for f in rows) if rows else None

    return Figures(
        currency=currency, views=total(measured, "views"),
        engagements=total(with_eng, "engagements"), spend_cents=total(spent, "spend_cents"),
        engagement_rate=rate(total(eng_and_views, "engagements"), total(eng_and_views, "views")),
        cpm_cents=ratio_cents(total(cost_views, "spend_cents"), total(cost_views, "views"), 1000),
        cpe_cents=ratio_cents(total(cost_eng, "spend_cents"), total(cost_eng, "engagements")),
        reported=any(f.reported for f in parts), measured=len(measured), counted=len(parts))


# --------------------------------------------------------------------------- loading

def _posts_by_deal(deal_ids: list[int], names: dict[int, str]) -> dict[int, list[PostResult]]:
    """Posted deliverables of these deals with their readings: two queries."""
    posts: dict[int, list[PostResult]] = defaultdict(list)
    if not deal_ids:
        return posts
    by_id: dict[int, PostResult] = {}
    rows = db.session.scalars(
        select(DealDeliverable).where(DealDeliverable.deal_id.in_(deal_ids),
                                      DealDeliverable.is_posted.is_(True))
        .order_by(DealDeliverable.deal_id, DealDeliverable.position))
    for item in rows:
        post = PostResult(id=item.id, deal_id=item.deal_id, label=item.label,
                          platform=item.platform, status=item.status, live_url=item.live_url,
                          live_since=item.verified_at or item.linked_at,
                          creator_name=names.get(item.deal_id, ""))
        posts[item.deal_id].append(post)
        by_id[item.id] = post
    for group in posts.values():
        per_platform: dict[str, int] = defaultdict(int)
        for post in group:
            per_platform[post.platform] += 1
            post.short_label = PLATFORMS.get(post.platform, post.platform)
        seen: dict[str, int] = defaultdict(int)
        for post in group:
            if per_platform[post.platform] > 1:
                seen[post.platform] += 1
                post.short_label += f" #{seen[post.platform]}"
    if by_id:
        s = MetricSnapshot
        readings = db.session.execute(
            select(s.deliverable_id, s.taken_at, s.source, s.views, s.likes, s.comments,
                   s.shares, s.saves, s.avg_watch_time_ms)
            .where(s.deliverable_id.in_(list(by_id))).order_by(s.deliverable_id, s.taken_at,
                                                                 s.id))
        for deliverable_id, *values in readings:
            by_id[deliverable_id].readings.append(Reading(*values))
    return posts


def _deal_rows(where) -> list[tuple[Deal, str, str]]:
    return list(db.session.execute(
        select(Deal, CreatorProfile.display_name, CreatorProfile.handle)
        .join(CreatorProfile, CreatorProfile.id == Deal.creator_id)
        .where(where).order_by(Deal.id)))


def _results(rows: list[tuple[Deal, str, str]]) -> list[DealResult]:
    posts = _posts_by_deal([deal.id for deal, _, _ in rows],
                           {deal.id: name for deal, name, _ in rows})
    return [DealResult(deal, name, handle, posts.get(deal.id, []),
                       deal_figures(deal, posts.get(deal.id, [])))
            for deal, name, handle in rows]


def posts_by_deal(deals: list[Deal]) -> dict[int, list[PostResult]]:
    """Each deal's posted deliverables with their readings (two queries); `deal_figures`
    gives the deal's numbers from them."""
    posts = _posts_by_deal([deal.id for deal in deals], {})
    return {deal.id: posts.get(deal.id, []) for deal in deals}


def deal_results(deal: Deal) -> DealResult:
    """One deal's posts and figures (three queries)."""
    return _results(_deal_rows(Deal.id == deal.id))[0]


def campaign_report(campaign: Campaign) -> CampaignReport:
    """Every funded deal of the campaign, per creator and in total (three queries)."""
    deals = _results(_deal_rows((Deal.campaign_id == campaign.id)
                                & Deal.state.not_in(UNCOUNTED_STATES)
                                & (Deal.currency == campaign.currency)))
    grouped: dict[int, list[DealResult]] = defaultdict(list)
    for result in deals:
        grouped[result.deal.creator_id].append(result)
    creators = [CreatorResult(creator_id, rows[0].creator_name, rows[0].creator_handle, rows,
                              combine([r.figures for r in rows], campaign.currency))
                for creator_id, rows in grouped.items()]
    creators.sort(key=lambda c: (c.figures.views is None, -(c.figures.views or 0), c.name))
    return CampaignReport(campaign, deals, creators,
                          combine([r.figures for r in deals], campaign.currency))


# --------------------------------------------------------------------------- CSV

CSV_COLUMNS = ("deal", "creator", "post", "status", "live_url", "reading_taken_at", "source",
               "views", "likes", "comments", "shares", "saves", "engagements",
               "avg_watch_time_seconds", "deal_price", "currency")


def watch_time_seconds(ms: int | None) -> str | None:
    """An average watch time as seconds with one decimal ("8.4"), None when missing."""
    return None if ms is None else f"{ms / 1000:.1f}"


def _cell(value) -> str:
    """Text for a spreadsheet cell: empty when missing, and never a formula."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def report_csv(report: CampaignReport) -> str:
    """One row per posted deliverable with its latest numbers and where they came from."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for result in report.deals:
        price = f"{result.deal.price_cents // 100}.{result.deal.price_cents % 100:02d}"
        for post in result.posts:
            latest = post.latest
            writer.writerow([_cell(v) for v in (
                result.deal.id, result.creator_name, post.label, post.status, post.live_url,
                latest.taken_at.strftime("%Y-%m-%d %H:%M UTC") if latest else None,
                (REPORTED_LABEL if latest.reported else "platform") if latest else None,
                *((latest.views, latest.likes, latest.comments, latest.shares, latest.saves,
                   latest.engagements, watch_time_seconds(latest.avg_watch_time_ms))
                  if latest else (None,) * 7),
                price, result.deal.currency)])
    return out.getvalue()

"""The content library: every deliverable a brand has approved (the latest submission of an
approved, paid-out or completed deal) with its usage rights window, for the brand's /library,
the campaign ZIP and the creator's "My work".

Usage rights run from the approval of the content. `rights_end(deal)` is THE function for
when paid use ends (pages, the ZIP manifest and the notice all use it); the SQL filters by
rights status are built from the same table (taxonomy.PAID_USAGE_DAYS), and a test holds the
two together. Read-only, except `write_campaign_archive`, which writes only to the file given.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import BinaryIO

from sqlalchemy import Integer, String, and_, bindparam, cast, exists, func, or_, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased, joinedload, selectinload
from sqlalchemy.sql.elements import ColumnElement

from marketplace import taxonomy
from marketplace.extensions import db
from marketplace.models import (
    BrandProfile,
    Campaign,
    CreatorProfile,
    Deal,
    DealState,
    Submission,
)
from marketplace.models.usage_code import UsageCode
from marketplace.services.deals import files as deal_files

# Deals whose content the brand has accepted: their latest submission is in the library.
LIBRARY_STATES = (DealState.APPROVED, DealState.POSTED, DealState.PAID_OUT, DealState.COMPLETED)
ENDING_SOON = timedelta(days=7)


class RightsStatus(StrEnum):
    ACTIVE = "active"
    ENDING = "ending"
    EXPIRED = "expired"
    PERPETUAL = "perpetual"
    ORGANIC = "organic"


RIGHTS_STATUS_LABELS: dict[str, str] = {
    RightsStatus.ACTIVE: "Paid use active",
    RightsStatus.ENDING: "Paid use ends within 7 days",
    RightsStatus.EXPIRED: "Paid use ended",
    RightsStatus.PERPETUAL: "Perpetual",
    RightsStatus.ORGANIC: "Organic only",
}
RIGHTS_STATUS_BADGES: dict[str, str] = {
    RightsStatus.ACTIVE: "success", RightsStatus.ENDING: "warning",
    RightsStatus.EXPIRED: "secondary", RightsStatus.PERPETUAL: "primary",
    RightsStatus.ORGANIC: "light",
}


# --- the rights window ---------------------------------------------------------------------

def rights_start(deal: Deal) -> datetime | None:
    """Usage rights start when the content is approved (a dispute decided in the creator's
    favour approves it when it pays out)."""
    return deal.approved_at or deal.paid_out_at


def rights_end(deal: Deal) -> datetime | None:
    """THE end of paid use of a deal's content: its start plus the paid days of its usage
    rights. None when it never ends (perpetual) or grants no paid use (organic only)."""
    days = taxonomy.PAID_USAGE_DAYS.get(deal.usage_rights)
    start = rights_start(deal)
    if days is None or start is None:
        return None
    return start + timedelta(days=days)


def rights_status(deal: Deal, now: datetime) -> RightsStatus:
    if deal.usage_rights in taxonomy.PERPETUAL_USAGE:
        return RightsStatus.PERPETUAL
    end = rights_end(deal)
    if end is None:
        return RightsStatus.ORGANIC
    if end <= now:
        return RightsStatus.EXPIRED
    if end <= now + ENDING_SOON:
        return RightsStatus.ENDING
    return RightsStatus.ACTIVE


def _start_column() -> ColumnElement:
    return func.coalesce(Deal.approved_at, Deal.paid_out_at)


def _paid_end_within(after: datetime | None, until: datetime | None) -> ColumnElement:
    """SQL: paid use ends in (after, until]. end = start + days, so the bounds move to the
    start column (no date arithmetic in SQL, same on SQLite and PostgreSQL)."""
    start = _start_column()
    terms = []
    for key, days in taxonomy.PAID_USAGE_DAYS.items():
        span = timedelta(days=days)
        parts = [Deal.usage_rights == key, start.is_not(None)]
        if after is not None:
            parts.append(start > after - span)
        if until is not None:
            parts.append(start <= until - span)
        terms.append(and_(*parts))
    return or_(*terms)


def rights_status_clause(status: RightsStatus, now: datetime) -> ColumnElement:
    """SQL for "rights_status(deal, now) == status" (kept in step with it by a test)."""
    if status == RightsStatus.PERPETUAL:
        return Deal.usage_rights.in_(taxonomy.PERPETUAL_USAGE)
    if status == RightsStatus.ORGANIC:
        return Deal.usage_rights.notin_([*taxonomy.PAID_USAGE_DAYS, *taxonomy.PERPETUAL_USAGE])
    if status == RightsStatus.EXPIRED:
        return _paid_end_within(None, now)
    if status == RightsStatus.ENDING:
        return _paid_end_within(now, now + ENDING_SOON)
    return _paid_end_within(now + ENDING_SOON, None)


# --- items and filters ---------------------------------------------------------------------

@dataclass(frozen=True)
class LibraryItem:
    """One approved deliverable: the deal's latest submission and its rights window."""

    deal: Deal
    submission: Submission
    rights_start: datetime | None
    rights_end: datetime | None
    rights_status: RightsStatus
    usage_codes: tuple = ()  # UsageCode rows (Spark Ads code, partnership-ad permission)

    @property
    def platforms(self) -> list[str]:
        return list(dict.fromkeys(d.get("platform", "") for d in self.deal.deliverables))

    @property
    def media_kind(self) -> str:
        """video / image / none: how the page previews the draft."""
        mimetype = self.submission.draft_mimetype or ""
        if not self.submission.draft_file:
            return "none"
        return "video" if mimetype.startswith("video/") else "image"


@dataclass(frozen=True)
class LibraryFilters:
    campaign_id: int | None = None
    creator_id: int | None = None
    platform: str | None = None
    rights: RightsStatus | None = None

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.campaign_id, self.creator_id, self.platform,
                                           self.rights))


@dataclass(frozen=True)
class FilterOptions:
    """What the brand can filter by: only campaigns and creators that have library items."""

    campaigns: list[tuple[int, str]]
    creators: list[tuple[int, str]]


def filter_options(brand: BrandProfile) -> FilterOptions:
    base = _library_deals().where(Deal.brand_id == brand.id)
    ids = base.with_only_columns(Deal.id).scalar_subquery()
    campaigns = db.session.execute(
        select(Campaign.id, Campaign.title).where(Campaign.id.in_(
            select(Deal.campaign_id).where(Deal.id.in_(ids))))
        .order_by(Campaign.title, Campaign.id)).all()
    creators = db.session.execute(
        select(CreatorProfile.id, CreatorProfile.display_name).where(CreatorProfile.id.in_(
            select(Deal.creator_id).where(Deal.id.in_(ids))))
        .order_by(CreatorProfile.display_name, CreatorProfile.id)).all()
    return FilterOptions(campaigns=[tuple(r) for r in campaigns],
                         creators=[tuple(r) for r in creators])


def _choice_id(raw: str | None, allowed: Iterable[int]) -> int | None:
    """An id from the query string, kept only when it is one of the offered choices (so a
    huge or foreign number never reaches the database)."""
    if not raw or not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
        return None
    value = int(raw)
    return value if value in set(allowed) else None


def parse_filters(raw: Mapping[str, str], options: FilterOptions) -> LibraryFilters:
    """Filters from plain query-string values; anything unknown is ignored."""
    platform = raw.get("platform") or None
    rights = raw.get("rights") or None
    return LibraryFilters(
        campaign_id=_choice_id(raw.get("campaign"), (c for c, _ in options.campaigns)),
        creator_id=_choice_id(raw.get("creator"), (c for c, _ in options.creators)),
        platform=platform if platform in taxonomy.PLATFORMS else None,
        rights=RightsStatus(rights) if rights in {s.value for s in RightsStatus} else None)


def _has_platform(platform: str) -> ColumnElement:
    """SQL: one of the deal's deliverables is on `platform` (a JSON list of objects)."""
    if db.engine.dialect.name == "postgresql":
        return cast(Deal.deliverables, postgresql.JSONB).contains([{"platform": platform}])
    if db.engine.dialect.name == "sqlite":
        items = func.json_each(Deal.deliverables).table_valued("value")
        return exists(select(1).select_from(items).where(
            func.json_extract(items.c.value, "$.platform") == platform))
    return cast(Deal.deliverables, String).contains(f'"platform": "{platform}"')


def _library_deals():
    return select(Deal).where(Deal.state.in_(LIBRARY_STATES),
                              exists().where(Submission.deal_id == Deal.id))


def library_query(brand: BrandProfile, filters: LibraryFilters, now: datetime):
    """The brand's library deals, newest approval first (paginate it, then `items_for`)."""
    query = _library_deals().where(Deal.brand_id == brand.id)
    if filters.campaign_id is not None:
        query = query.where(Deal.campaign_id == filters.campaign_id)
    if filters.creator_id is not None:
        query = query.where(Deal.creator_id == filters.creator_id)
    if filters.platform is not None:
        query = query.where(_has_platform(filters.platform))
    if filters.rights is not None:
        query = query.where(rights_status_clause(filters.rights, now))
    return _ordered(query)


def creator_work_query(creator: CreatorProfile):
    """The creator's delivered work ("My work"), newest approval first."""
    return _ordered(_library_deals().where(Deal.creator_id == creator.id))


def _ordered(query):
    return (query.options(selectinload(Deal.campaign), selectinload(Deal.creator),
                          selectinload(Deal.brand))
            .order_by(_start_column().desc(), Deal.id.desc()))


def latest_submissions(deal_ids: list[int]) -> dict[int, Submission]:
    """deal id -> its latest submission, in one query."""
    if not deal_ids:
        return {}
    newer = aliased(Submission)
    rows = db.session.scalars(select(Submission).where(
        Submission.deal_id.in_(deal_ids),
        ~exists().where(newer.deal_id == Submission.deal_id, newer.number > Submission.number)))
    return {s.deal_id: s for s in rows}


def items_for(deals: list[Deal], now: datetime) -> list[LibraryItem]:
    latest = latest_submissions([d.id for d in deals])
    codes = usage_codes_for(list(latest))
    return [LibraryItem(deal=d, submission=latest[d.id], rights_start=rights_start(d),
                        rights_end=rights_end(d), rights_status=rights_status(d, now),
                        usage_codes=tuple(codes.get(d.id, ())))
            for d in deals if d.id in latest]


def usage_codes_for(deal_ids: list[int]) -> dict[int, list[UsageCode]]:
    """Every deal's paid-usage codes, in one query."""
    found: dict[int, list[UsageCode]] = {}
    if deal_ids:
        for row in db.session.scalars(select(UsageCode).where(UsageCode.deal_id.in_(deal_ids))
                                      .order_by(UsageCode.platform)):
            found.setdefault(row.deal_id, []).append(row)
    return found


def campaign_items(brand: BrandProfile, campaign: Campaign, now: datetime) -> list[LibraryItem]:
    """Every library item of one of the brand's campaigns (empty for anyone else's)."""
    if campaign.brand_id != brand.id:
        return []
    deals = list(db.session.scalars(
        library_query(brand, LibraryFilters(campaign_id=campaign.id), now)))
    return items_for(deals, now)


# --- the campaign archive ------------------------------------------------------------------

MANIFEST_COLUMNS = ("file", "creator", "handle", "deal", "submission", "platforms", "caption",
                    "post_links", "usage_rights", "rights_start", "rights_end", "rights_status")


def _cell(value: str) -> str:
    """Keep spreadsheet programs from running a caption as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else ""


def archive_name(item: LibraryItem, position: int) -> str | None:
    """The draft's file name inside the ZIP (None when the submission has no file)."""
    path = deal_files.draft_path(item.submission.draft_file or "")
    if path is None:
        return None
    return (f"{position:03d}-{item.deal.creator.handle}-deal{item.deal.id}"
            f"-v{item.submission.number}{path.suffix}")


def manifest_rows(items: list[LibraryItem]) -> list[list[str]]:
    rows = []
    for position, item in enumerate(items, start=1):
        deal, sub = item.deal, item.submission
        rows.append([
            archive_name(item, position) or "", _cell(deal.creator.display_name),
            deal.creator.handle, str(deal.id), str(sub.number),
            " ".join(taxonomy.PLATFORMS.get(p, p) for p in item.platforms),
            _cell(sub.caption), " ".join(sub.post_links),
            taxonomy.USAGE_RIGHTS.get(deal.usage_rights, deal.usage_rights),
            _day(item.rights_start),
            _day(item.rights_end) or ("never" if item.rights_status == RightsStatus.PERPETUAL
                                      else ""),
            RIGHTS_STATUS_LABELS[item.rights_status]])
    return rows


def write_campaign_archive(items: list[LibraryItem], out: BinaryIO) -> int:
    """Write a ZIP of the items' original files plus manifest.csv into `out`; returns how many
    files went in. Videos are already compressed: stored as they are."""
    count = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for position, item in enumerate(items, start=1):
            name = archive_name(item, position)
            if name is None:
                continue
            archive.write(deal_files.draft_path(item.submission.draft_file or ""), name)
            count += 1
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(MANIFEST_COLUMNS)
        writer.writerows(manifest_rows(items))
        archive.writestr("manifest.csv", text.getvalue().encode("utf-8-sig"),
                         compress_type=zipfile.ZIP_DEFLATED)
    return count


# --- hire again ----------------------------------------------------------------------------

@dataclass(frozen=True)
class PastCreator:
    creator: CreatorProfile
    deals: int
    last_deal_id: int
    last_approved_at: datetime | None


def creators_worked_with(brand: BrandProfile, limit: int = 8) -> list[PastCreator]:
    """Creators whose content the brand approved, most recent first, with their last deal
    (the one "Hire again" copies its terms from). One query whatever the count."""
    rows = db.session.execute(_worked_with_statement(), {"brand_id": brand.id, "limit": limit})
    seen: dict[int, PastCreator] = {}
    for deal, count in rows.all():
        seen.setdefault(deal.creator_id, PastCreator(deal.creator, count, deal.id,
                                                     rights_start(deal)))
    return list(seen.values())


@cache
def _worked_with_statement():
    """The statement of `creators_worked_with`, built once per process (brand id and limit
    bound)."""
    brand_id, started = bindparam("brand_id", type_=Integer), _start_column()
    per_creator = (select(Deal.creator_id, func.count(Deal.id).label("deals"),
                          func.max(started).label("last"))
                   .where(Deal.brand_id == brand_id, Deal.state.in_(LIBRARY_STATES))
                   .group_by(Deal.creator_id).order_by(func.max(started).desc())
                   .limit(bindparam("limit", type_=Integer)).subquery())
    return (select(Deal, per_creator.c.deals)
            .join(per_creator, and_(Deal.creator_id == per_creator.c.creator_id,
                                    started == per_creator.c.last))
            .where(Deal.brand_id == brand_id, Deal.state.in_(LIBRARY_STATES))
            .options(joinedload(Deal.creator))
            .order_by(started.desc(), Deal.id.desc()))


def last_deal_with(brand: BrandProfile | None, creator: CreatorProfile) -> Deal | None:
    """The brand's most recent delivered deal with this creator (None if they never worked
    together): the source of "Hire again" on the creator's profile."""
    if brand is None:
        return None
    return db.session.scalar(
        select(Deal).where(Deal.brand_id == brand.id, Deal.creator_id == creator.id,
                           Deal.state.in_(LIBRARY_STATES))
        .order_by(_start_column().desc(), Deal.id.desc()).limit(1))

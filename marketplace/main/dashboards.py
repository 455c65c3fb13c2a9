"""Read-only queries behind /dashboard, one small function per panel (no N+1: the lists
eager-load what their rows show)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from flask import url_for
from sqlalchemy import Integer, bindparam, func, literal, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from marketplace.extensions import db
from marketplace.models import (
    BrandProfile,
    Campaign,
    CampaignDeliverable,
    CampaignNiche,
    CampaignStatus,
    CreatorProfile,
    Role,
    User,
)
from marketplace.models.creator import AudienceCountry, Package, PlatformAccount, SamplePost
from marketplace.services.accounts.profiles import ProfileLists

RECENT_CAMPAIGNS = 8
NICHE_CAMPAIGNS = 6

# Which page fixes each completeness hint (matched on a word in the hint).
FIX_PAGES = (("platform", "creators.edit_platforms"), ("audience", "creators.edit_audience"),
             ("sample", "creators.edit_samples"), ("package", "creators.packages"))


@dataclass(frozen=True)
class Todo:
    text: str
    url: str


def _counts(column, stmt) -> dict:
    return {key: n for key, n in db.session.execute(stmt.group_by(column)).all()}


def campaign_counts(brand: BrandProfile | None = None) -> dict[CampaignStatus, int]:
    """Campaigns per state (every state present, zero when none), for one brand or all."""
    if brand is None:
        found = _counts(Campaign.status, select(Campaign.status, func.count(Campaign.id)))
    else:
        found = dict(db.session.execute(_brand_statements()["counts"],
                                        {"brand_id": brand.id}).all())
    return {status: found.get(status, 0) for status in CampaignStatus}


def recent_campaigns(brand: BrandProfile, limit: int = RECENT_CAMPAIGNS) -> list[Campaign]:
    """The brand's latest campaigns with their niches and deliverables (three statements,
    the lists loaded by hand: half what `selectinload` cost for the same rows)."""
    statements = _brand_statements()
    campaigns = list(db.session.scalars(statements["recent"],
                                        {"brand_id": brand.id, "limit": limit}))
    ids = {"ids": [c.id for c in campaigns]}
    for name in ("niche_links", "deliverables"):
        rows: dict[int, list] = {c.id: [] for c in campaigns}
        for row in db.session.scalars(statements[name], ids) if campaigns else ():
            rows[row.campaign_id].append(row)
        for campaign in campaigns:
            set_committed_value(campaign, name, rows[campaign.id])
    return campaigns


@cache
def _brand_statements() -> dict:
    """The brand dashboard's campaign statements, built once per process with the brand's id
    bound (building them cost more than running them)."""
    brand_id, ids = bindparam("brand_id", type_=Integer), bindparam("ids", expanding=True)
    return {
        "counts": select(Campaign.status, func.count(Campaign.id))
        .where(Campaign.brand_id == brand_id).group_by(Campaign.status),
        "recent": select(Campaign).where(Campaign.brand_id == brand_id)
        .order_by(Campaign.updated_at.desc(), Campaign.id.desc())
        .limit(bindparam("limit", type_=Integer)),
        "niche_links": select(CampaignNiche).where(CampaignNiche.campaign_id.in_(ids))
        .order_by(CampaignNiche.campaign_id, CampaignNiche.niche),
        "deliverables": select(CampaignDeliverable)
        .where(CampaignDeliverable.campaign_id.in_(ids)).order_by(CampaignDeliverable.id),
    }


def open_campaigns_in_niches(niches: list[str], limit: int = NICHE_CAMPAIGNS) -> list[Campaign]:
    """Open campaigns sharing at least one niche with `niches`, newest first."""
    if not niches:
        return []
    matching = select(CampaignNiche.campaign_id).where(CampaignNiche.niche.in_(niches))
    stmt = (select(Campaign)
            .where(Campaign.status == CampaignStatus.OPEN, Campaign.id.in_(matching))
            .order_by(func.coalesce(Campaign.published_at, Campaign.created_at).desc(),
                      Campaign.id.desc())
            .limit(limit)
            .options(joinedload(Campaign.brand), joinedload(Campaign.niche_links),
                     joinedload(Campaign.platform_links)))
    return list(db.session.scalars(stmt).unique())


def _fix_url(hint: str) -> str:
    lowered = hint.lower()
    return url_for(next((ep for word, ep in FIX_PAGES if word in lowered),
                        "creators.edit_profile"))


def todos(missing: list[str]) -> list[Todo]:
    """Each missing item of a creator profile with a link to the page that fixes it."""
    return [Todo(hint, _fix_url(hint)) for hint in missing]


def user_counts() -> dict[Role, int]:
    found = _counts(User.role, select(User.role, func.count(User.id)))
    return {role: found.get(role, 0) for role in Role}


def profile_counts() -> dict[str, int]:
    return {
        "creators": db.session.scalar(select(func.count(CreatorProfile.id))) or 0,
        "brands": db.session.scalar(select(func.count(BrandProfile.id))) or 0,
    }


@cache
def _creator_with_lists():
    """The statement of `load_creator`, built once per process with the user id bound
    (building it cost more than running it)."""
    # `(SELECT 1 ... LIMIT 1) IS NOT NULL` rather than EXISTS: PostgreSQL may turn an
    # EXISTS into a hashed subplan that scans the whole table; this stays an index probe.
    lists = [select(literal(1)).where(model.creator_id == CreatorProfile.id).limit(1)
             .correlate(CreatorProfile).scalar_subquery().is_not(None).label(name)
             for name, model in (("accounts", PlatformAccount),
                                 ("audience_countries", AudienceCountry),
                                 ("samples", SamplePost), ("packages", Package))]
    return (select(CreatorProfile, *lists)
            .where(CreatorProfile.user_id == bindparam("user_id", type_=Integer))
            .options(joinedload(CreatorProfile.niche_links),
                     joinedload(CreatorProfile.payout_account)))


def load_creator(user: User) -> tuple[CreatorProfile | None, ProfileLists | None]:
    """The creator's profile with its niches and payout account, and which of its other lists
    it has (what the completeness check needs), in one statement. The matcher's inputs and
    the overview need no more; the lists load by themselves if a cache miss ranks afresh."""
    row = db.session.execute(_creator_with_lists(), {"user_id": user.id}
                             ).unique().one_or_none()
    if row is None:
        return None, None
    profile, accounts, audience, samples, packages = row
    return profile, ProfileLists(bool(profile.niche_links), bool(accounts), bool(audience),
                                 bool(samples), bool(packages))

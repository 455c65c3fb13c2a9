"""Who is acting on a deal, an offer thread or an application: brand, creator, admin, system."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from marketplace.database import utcnow
from marketplace.models import BrandProfile, CreatorProfile, Side, User
from marketplace.services.errors import NotAllowed

DEFAULTS = {
    "OFFER_TTL_HOURS": 72,
    "AUTO_APPROVE_DAYS": 3,
    "DEAL_FUNDING_DAYS": 7,
    "PAYOUT_ARRIVAL_DAYS": 2,
    "REVIEW_WINDOW_DAYS": 14,
    "DRAFT_MAX_MB": 100,
    "POST_DAYS": 3,
    "POST_CONFIRM_DAYS": 2,
}


def setting(name: str) -> int:
    """A deals setting from the app config, with the documented default."""
    return int(current_app.config.get(name, DEFAULTS[name]))


def now_or(now: datetime | None) -> datetime:
    return now if now is not None else utcnow()


def side_of(user: User | None, brand_id: int, creator_id: int) -> Side | None:
    """The side `user` plays for a (brand, creator) pair; None if they are not involved."""
    if user is None:
        return Side.SYSTEM
    if user.is_admin:
        return Side.ADMIN
    if user.is_brand and user.brand is not None and user.brand.id == brand_id:
        return Side.BRAND
    if user.is_creator and user.creator is not None and user.creator.id == creator_id:
        return Side.CREATOR
    return None


def party_side(user: User | None, brand_id: int, creator_id: int) -> Side:
    """Like side_of, but only the two parties qualify (no admin, no system)."""
    side = side_of(user, brand_id, creator_id)
    if side not in (Side.BRAND, Side.CREATOR):
        raise NotAllowed("Only the brand and the creator of this negotiation can do that.")
    return side


def brand_of(user: User) -> BrandProfile:
    if not user.is_brand or user.brand is None:
        raise NotAllowed("Create your brand profile first.")
    return user.brand


def creator_of(user: User) -> CreatorProfile:
    if not user.is_creator or user.creator is None:
        raise NotAllowed("Create your creator profile first.")
    return user.creator

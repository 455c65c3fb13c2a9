"""Read-only share links of a campaign report: signed (itsdangerous, with the app's secret
key), expiring (7 or 30 days, the brand's choice) and revocable (a `ReportShare` row per
link). A wrong, tampered, expired or revoked token finds nothing, so the page answers 404."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Campaign, User
from marketplace.models.report_share import ReportShare
from marketplace.services.deals.parties import now_or
from marketplace.services.errors import DomainError, NotAllowed

SHARE_DAYS = (7, 30)
SALT = "campaign-report-share"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token_for(share: ReportShare) -> str:
    return _serializer().dumps(share.token_id)


def _owns(user: User, campaign: Campaign) -> bool:
    return bool(user.brand) and user.brand.id == campaign.brand_id


def create(campaign: Campaign, user: User, days: int, now: datetime | None = None
           ) -> ReportShare:
    if not _owns(user, campaign):
        raise NotAllowed("Only the campaign's brand can share its report.")
    if days not in SHARE_DAYS:
        raise DomainError("Choose 7 or 30 days.", field="days")
    now = now_or(now)
    share = ReportShare(token_id=secrets.token_hex(16), campaign_id=campaign.id,
                        created_by_user_id=user.id, created_at=now,
                        expires_at=now + timedelta(days=days))
    db.session.add(share)
    db.session.commit()
    return share


def revoke(campaign: Campaign, user: User, share_id: int, now: datetime | None = None
           ) -> ReportShare:
    if not _owns(user, campaign):
        raise NotAllowed("Only the campaign's brand can revoke its links.")
    share = db.session.scalar(select(ReportShare).where(
        ReportShare.id == share_id, ReportShare.campaign_id == campaign.id))
    if share is None:
        raise DomainError("That link does not exist.")
    if share.revoked_at is None:
        share.revoked_at = now_or(now)
        db.session.commit()
    return share


def open_share(token: str, now: datetime | None = None) -> ReportShare | None:
    """The link's row if the token is genuine and the link still open, else None."""
    if len(token) > 200:
        return None
    try:
        token_id = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(token_id, str):
        return None
    share = db.session.scalar(select(ReportShare).where(ReportShare.token_id == token_id))
    return share if share is not None and share.is_open(now_or(now)) else None


def shares_of(campaign: Campaign) -> list[ReportShare]:
    return list(db.session.scalars(select(ReportShare).where(
        ReportShare.campaign_id == campaign.id).order_by(ReportShare.created_at.desc())))

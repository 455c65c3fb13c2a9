"""Paid-usage codes on a deal with paid usage rights: the creator adds the TikTok Spark Ads
code or confirms the Instagram partnership-ad permission, each with its expiry; the brand
sees them in the library with a countdown and is reminded USAGE_CODE_REMIND_DAYS before one
ends (once per code and expiry)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace import taxonomy
from marketplace.extensions import db
from marketplace.models import Deal, User
from marketplace.models.reminder import DealReminder
from marketplace.models.usage_code import USAGE_CODE_KINDS, UsageCode
from marketplace.services.deals import library, schedule
from marketplace.services.deals.parties import now_or, side_of
from marketplace.services.errors import DomainError, NotAllowed
from marketplace.services.messaging import notifications

REMIND_BEFORE = timedelta(days=7)
MAX_AHEAD = timedelta(days=366)
CODE_RE = re.compile(r"^[\x21-\x7e]{6,200}$")  # printable, no spaces (codes are pasted)
REMINDER_KIND = "usage_code_expiring"


def allowed(deal: Deal) -> bool:
    """Codes make sense once the content is approved and the terms include paid use."""
    paid = (deal.usage_rights in taxonomy.PAID_USAGE_DAYS
            or deal.usage_rights in taxonomy.PERPETUAL_USAGE)
    return paid and deal.state in library.LIBRARY_STATES


def add(deal: Deal, user: User, platform: object, code: object, expires_on: object,
        now: datetime | None = None) -> UsageCode:
    """Store (or replace) the code for one platform. Only the deal's creator; a clear
    DomainError for anything wrong, and nothing changes."""
    now = now_or(now)
    if str(side_of(user, deal.brand_id, deal.creator_id)) != "creator":
        raise NotAllowed("Only the creator of this deal can add a paid-usage code.")
    if not allowed(deal):
        raise DomainError("Paid-usage codes are for approved content with paid usage rights.")
    if platform not in USAGE_CODE_KINDS:
        raise DomainError("Choose TikTok (Spark Ads code) or Instagram (partnership ad).",
                          field="platform")
    text = str(code or "").strip()
    if platform == "tiktok" and not CODE_RE.match(text):
        raise DomainError("Paste the Spark Ads authorization code from TikTok (6-200 characters, "
                          "no spaces).", field="code")
    if platform == "instagram" and text and not CODE_RE.match(text):
        raise DomainError("Leave the code empty for Instagram, or paste the permission's "
                          "reference without spaces.", field="code")
    if not isinstance(expires_on, date) or isinstance(expires_on, datetime):
        raise DomainError("Choose the date the authorization ends.", field="expires_on")
    today = now.date()
    if expires_on <= today or expires_on > today + MAX_AHEAD:
        raise DomainError("The authorization must end after today and within a year.",
                          field="expires_on")
    row = db.session.scalar(select(UsageCode).where(UsageCode.deal_id == deal.id,
                                                    UsageCode.platform == platform))
    if row is None:
        row = UsageCode(deal_id=deal.id, platform=platform)
        db.session.add(row)
    row.code, row.expires_on, row.added_at = text, expires_on, now
    db.session.commit()
    return row


codes_for = library.usage_codes_for


def ends_at(row: UsageCode) -> datetime:
    """The moment the authorization ends: the end of its last day, UTC."""
    return schedule.end_of_day(row.expires_on)


def remind_expiring(now: datetime) -> int:
    """Tell the brand (and the creator, who can renew it) once, REMIND_BEFORE a code ends."""
    horizon = (now + REMIND_BEFORE).date()
    rows = db.session.scalars(select(UsageCode).where(
        UsageCode.expires_on >= now.date(), UsageCode.expires_on <= horizon)).all()
    sent = 0
    for row in rows:
        deadline = ends_at(row)
        db.session.add(DealReminder(deal_id=row.deal_id, kind=f"{REMINDER_KIND}:{row.platform}",
                                    deadline=deadline, sent_at=now))
        try:
            db.session.commit()
        except IntegrityError:  # already sent (or another runner is sending it)
            db.session.rollback()
            continue
        deal = db.session.get(Deal, row.deal_id)
        ends = schedule.format_when(row.expires_on)
        facts = (("Creator", deal.creator.display_name), ("Campaign", deal.campaign.title),
                 ("Ends", ends))
        url = notifications.path_for("library.index", campaign=deal.campaign_id)
        notifications.notify(
            deal.brand.user, "usage_rights",
            f"The {row.label} for {deal.creator.display_name}'s post in “{deal.campaign.title}” "
            f"ends on {ends}. Ask for a new one or stop the ads by then.", url, facts=facts,
            action="Open the content library")
        notifications.notify(
            deal.creator.user, "usage_rights",
            f"The {row.label} you gave {deal.brand.company_name} ends on {ends}. If they ask to "
            "keep running the ad, add a new one on the deal page.",
            notifications.path_for("deals.detail", deal_id=deal.id), facts=facts,
            action="Open the deal")
        sent += 1
    return sent

"""Builders for the deals tests: offer terms, threads and deals in any state."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import (
    Deal,
    DealEvent,
    DealState,
    OfferThread,
    OfferVersion,
    ThreadStatus,
)
from marketplace.services.deals.offers import OfferTerms
from tests.support import factories


def terms(campaign, **changes) -> OfferTerms:
    base = OfferTerms(price_cents=40000, currency=campaign.currency,
                      deliverables=[{"platform": "tiktok", "deliverable_type": "short_video",
                                     "quantity": 1}],
                      content_due=date.today() + timedelta(days=20), usage_rights="organic",
                      revisions_included=1, message="Would love to work with you!")
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def make_deal(brand=None, creator=None, *, state: str = "agreed", campaign=None,
              revisions_included: int = 2, **fields) -> Deal:
    """A deal (and its accepted thread) written straight to the database."""
    brand = brand or factories.make_brand()
    creator = creator or factories.make_creator()
    campaign = campaign or factories.make_campaign(brand)
    now = utcnow()
    thread = OfferThread(campaign_id=campaign.id, brand_id=brand.id, creator_id=creator.id,
                         status=ThreadStatus.ACCEPTED, latest_number=1,
                         latest_author_side="brand", expires_at=now + timedelta(days=3))
    thread.versions.append(OfferVersion(
        number=1, author_side="brand", author_user_id=brand.user_id, price_cents=40000,
        currency="USD", deliverables=[{"platform": "tiktok", "deliverable_type": "short_video",
                                       "quantity": 1}],
        content_due=date.today() + timedelta(days=20), usage_rights="organic",
        revisions_included=revisions_included, expires_at=now + timedelta(days=3)))
    db.session.add(thread)
    db.session.flush()
    deal = Deal(thread_id=thread.id, campaign_id=campaign.id, brand_id=brand.id,
                creator_id=creator.id, state=DealState(state), price_cents=40000,
                currency="USD", deliverables=[{"platform": "tiktok",
                                               "deliverable_type": "short_video",
                                               "quantity": 1}],
                content_due=date.today() + timedelta(days=20), usage_rights="organic",
                revisions_included=revisions_included, revisions_used=0, agreed_at=now)
    for key, value in fields.items():
        setattr(deal, key, value)
    db.session.add(deal)
    db.session.commit()
    return deal


def event_count(deal_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(DealEvent)
                             .where(DealEvent.deal_id == deal_id))


def snapshot(deal: Deal) -> dict:
    """Every column of the deal row, re-read from the database."""
    db.session.expire_all()
    row = db.session.get(Deal, deal.id)
    return {c.key: getattr(row, c.key) for c in Deal.__table__.columns}

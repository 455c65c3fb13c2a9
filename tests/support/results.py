"""Builders for the results tests: a deal whose deliverables are posted, and metric snapshot
rows written straight to the database (what the monitoring jobs and the creator-report form
store)."""

from __future__ import annotations

from datetime import datetime, timedelta

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import Deal
from marketplace.models.deliverable import DealDeliverable, MetricSnapshot, SnapshotSource
from tests.support.deals import make_deal


def posted_deal(brand, creator, campaign, *, price_cents: int = 40000, posts: int = 1,
                state: str = "paid_out", live: bool = True,
                posted_at: datetime | None = None) -> Deal:
    """A deal with `posts` TikTok videos, linked (and confirmed live unless live=False)."""
    posted_at = posted_at or utcnow() - timedelta(days=2)
    deal = make_deal(brand, creator, campaign=campaign, state=state, price_cents=price_cents,
                     posts_required=True, approved_at=posted_at - timedelta(days=1),
                     posted_at=posted_at if live else None,
                     deliverables=[{"platform": "tiktok", "deliverable_type": "short_video",
                                    "quantity": posts}])
    for position in range(posts):
        db.session.add(DealDeliverable(
            deal_id=deal.id, position=position, platform="tiktok",
            deliverable_type="short_video", is_posted=True,
            live_url=f"https://www.tiktok.com/@{creator.handle}/video/{deal.id}{position}",
            post_id=f"{deal.id}{position}", post_handle=creator.handle,
            linked_at=posted_at - timedelta(hours=2),
            verified_at=posted_at if live else None,
            verified_via="platform" if live else None))
    db.session.commit()
    return deal


def posts_of(deal: Deal) -> list[DealDeliverable]:
    return sorted(db.session.get(Deal, deal.id).deliverable_items, key=lambda d: d.position)


def reading(deliverable: DealDeliverable, taken_at: datetime, *, source: str = "platform",
            slot: str | None = None, **numbers) -> MetricSnapshot:
    """One snapshot row; numbers not given stay NULL."""
    row = MetricSnapshot(deliverable_id=deliverable.id, source=source,
                         slot=slot if source == SnapshotSource.PLATFORM else None,
                         taken_at=taken_at, evidence_file="shot.png"
                         if source == SnapshotSource.CREATOR else None, **numbers)
    db.session.add(row)
    db.session.commit()
    return row

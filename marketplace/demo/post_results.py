"""Demo post histories: the live posts of the demo deals get the platform snapshots their
schedule would have taken by now (numbers growing with time), one post is taken down early
(through the real takedown path: both parties and the admins are told), and one Story carries
numbers reported by the creator with a screenshot (through the real report service).

The demo deals are all made "now", so each post is dated back a few days (its `verified_at`)
to give it a history; the snapshot rows of past slots are written directly."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from PIL import Image, ImageDraw
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import Deal, DealDeliverable, DealState
from marketplace.models.deliverable import MetricSnapshot, SnapshotSource
from marketplace.services.deals import monitoring, posts, reported_metrics
from marketplace.services.deals.reported_metrics import WATCH_TIME_TYPES

LIVE_STATES = (DealState.POSTED, DealState.PAID_OUT, DealState.COMPLETED)
AGES_DAYS = (2, 5, 9, 16, 31)  # how long ago each post went live (cycled)
NO_SAVES = frozenset({"tiktok"})  # TikTok's API gives no saves: left missing


@dataclass
class PostResults:
    posts: int = 0
    snapshots: int = 0
    taken_down: int = 0
    creator_reports: int = 0


def _numbers(rng: random.Random, item: DealDeliverable, hours: float, per_hour: float) -> dict:
    platform = item.platform
    views = int(per_hour * hours ** 0.75 * 10)
    reel = platform == "instagram" and item.deliverable_type in WATCH_TIME_TYPES
    return {"views": views, "likes": int(views * rng.uniform(0.04, 0.09)),
            "comments": int(views * rng.uniform(0.002, 0.006)),
            "shares": None if platform == "youtube" else int(views * rng.uniform(0.005, 0.02)),
            "saves": None if platform in NO_SAVES else int(views * rng.uniform(0.01, 0.03)),
            # Only Instagram Reels give an average watch time (per view, in ms).
            "avg_watch_time_ms": rng.randint(4_000, 15_000) if reel else None}


def _history(rng: random.Random, item: DealDeliverable, now: datetime, age: timedelta,
             until: datetime) -> int:
    """Date the post back by `age` and write the snapshots due before `until`."""
    item.verified_at = item.linked_at = now - age
    per_hour = rng.uniform(40, 400)
    written, next_at = 0, None
    for slot, offset in posts.snapshot_slots():
        at = item.verified_at + offset
        if at > until:
            next_at = at
            break
        db.session.add(MetricSnapshot(deliverable_id=item.id, source=SnapshotSource.PLATFORM,
                                      slot=slot, taken_at=at, **_numbers(
                                          rng, item, offset.total_seconds() / 3600,
                                          per_hour)))
        written += 1
    item.next_snapshot_at = next_at
    return written


# The steps before the posts, one a day, the approval a few hours before the first post.
_BEFORE_POSTING = {"agree": "agreed_at", "fund": "funded_at", "submit": "submitted_at",
                   "request_revision": None, "approve": "approved_at"}


def _date_back_to_posts(deal: Deal) -> None:
    """A deal whose posts were dated back: its earlier steps (offer accepted to approval) move
    back before the first post, a day apart, and the posting steps to the posts' own times,
    so the timeline and the tracker read in order. Steps after the posts (payout,
    completion) stay where they happened."""
    live = sorted(i.verified_at for i in posts.posted_items(deal) if i.verified_at)
    if not live:
        return
    events = sorted(deal.events, key=lambda e: e.id)
    before = [e for e in events if e.action in _BEFORE_POSTING]
    approve_at = live[0] - timedelta(hours=6)
    dated: set[str] = set()
    for steps_left, event in enumerate(reversed(before)):
        event.created_at = approve_at - timedelta(days=steps_left)
        column = _BEFORE_POSTING[event.action]
        if column is not None and column not in dated:  # the latest such step sets it
            setattr(deal, column, event.created_at)
            dated.add(column)
    links = iter(sorted(i.linked_at for i in posts.posted_items(deal) if i.linked_at))
    for event in events:
        if event.action == "add_post_link":
            event.created_at = next(links, live[-1])
        elif event.action == "confirm_live":
            event.created_at = live[-1]
    deal.posts_linked_at = deal.posted_at = live[-1]


def _screenshot(views: int) -> io.BytesIO:
    image = Image.new("RGB", (360, 640), (24, 24, 32))
    draw = ImageDraw.Draw(image)
    draw.text((24, 40), "Story insights", fill=(240, 240, 240))
    draw.text((24, 90), f"Views {views:,}", fill=(240, 240, 240))
    out = io.BytesIO()
    image.save(out, format="PNG")
    out.seek(0)
    return out


def seed_post_results(rng: random.Random, now: datetime | None = None, *,
                      brand_user_id: int | None = None) -> PostResults:
    """`brand_user_id`: the demo brand, whose post is the one taken down (seen on first start)."""
    now = now or utcnow()
    out = PostResults()
    deals = db.session.scalars(select(Deal).where(Deal.state.in_(LIVE_STATES))
                               .options(selectinload(Deal.deliverable_items))
                               .order_by(Deal.id)).all()
    items = [i for d in deals for i in posts.posted_items(d) if i.verified_at is not None]
    story = next((i for i in items if i.deliverable_type == "story"), None)
    story = story or next((i for i in items if i.platform == "instagram"), None)
    takedown = next((i for i in reversed(items) if i is not story
                     and i.deal.brand.user_id == brand_user_id), None)
    takedown = takedown or next((i for i in reversed(items) if i is not story), None)
    for n, item in enumerate(items):
        age = timedelta(days=AGES_DAYS[n % len(AGES_DAYS)], hours=rng.randint(0, 20))
        if item is takedown:
            age = timedelta(days=9)
            out.snapshots += _history(rng, item, now, age, now - timedelta(days=4))
        else:
            out.snapshots += _history(rng, item, now, age, now)
        out.posts += 1
    for deal in deals:
        _date_back_to_posts(deal)
    db.session.commit()
    if takedown is not None and monitoring.record_removal(takedown, now - timedelta(days=4)):
        out.taken_down += 1
    if story is not None:
        deal = story.deal
        views = rng.randint(1_500, 6_000)
        reported_metrics.report(deal.creator.user, deal, story.id,
                                {"views": views, "likes": None, "comments": None,
                                 "shares": rng.randint(5, 60), "saves": None},
                                _screenshot(views), story.verified_at + timedelta(hours=23))
        out.creator_reports += 1
    return out

"""Watching posted deliverables through their platforms, from the sweeper (`deadlines.run_all`).

- `check_posts_due`: a linked post not yet confirmed is read from the creator's connected
  account: live, by their own account, with the campaign's disclosure in the caption → verified;
  once every post of the deal is, the deal moves to posted (the payout follows). A wrong author
  or a missing disclosure is shown to both parties as a problem to fix; a platform failure is
  recorded and retried with backoff. No connected account: nothing (the brand confirms).
- `take_due_snapshots`: the numbers of a live post at each SNAPSHOT_OFFSETS_HOURS slot, once
  per slot, chosen by `next_snapshot_at` in the database (no delayed tasks).
- A post gone (PostNotFound) before its required live period ends is a takedown: `removed_at`,
  and both parties and the admins are told at once (`post_removed`).

Rows are claimed before any platform call (locked with SKIP LOCKED, then leased by moving their
due time forward and committing), so two workers never read the same post and no database lock
is held while waiting on the network. Nothing here runs inside a page request.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from dataclasses import replace
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from marketplace.models import Deal, DealDeliverable, DealState
from marketplace.models.deliverable import MetricSnapshot, SnapshotSource, VerifiedVia
from marketplace.platforms import PLATFORM_NAMES, PostNotFound, PostRef
from marketplace.platforms.errors import PlatformError
from marketplace.services.deals import posts, schedule
from marketplace.services.deals import state_machine as deals
from marketplace.services.errors import DomainError
from marketplace.services.platforms.links import parse_post_link
from marketplace.services.platforms.posts import NotConnected, PostReading, read_post
from marketplace.signals import deal_event

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=15)  # a claimed row is left alone this long (a crashed worker's too)
BATCH = 200  # rows claimed per transaction


# --------------------------------------------------------------------------- claiming rows

def _claim(condition, due_column, now: datetime, limit: int, *, due_only: bool = True
           ) -> list[int]:
    """Lock up to `limit` due rows (skipping rows another worker holds), lease them by moving
    `due_column` LEASE ahead, commit; returns their ids."""
    if due_only:
        condition = (*condition, due_column <= now)
    ids = list(db.session.scalars(
        select(DealDeliverable.id).where(*condition)
        .order_by(due_column, DealDeliverable.id).limit(limit)
        .with_for_update(skip_locked=True)))
    if ids:
        db.session.execute(
            DealDeliverable.__table__.update().where(DealDeliverable.id.in_(ids))
            .values({due_column.key: now + LEASE}))
    db.session.commit()
    return ids


def retry_delay(attempts: int) -> timedelta:
    """The wait before the next attempt after `attempts` failures: doubling from
    POST_CHECK_RETRY_MINUTES, capped at POST_CHECK_RETRY_MAX_MINUTES."""
    first = int(current_app.config.get("POST_CHECK_RETRY_MINUTES", 5))
    cap = int(current_app.config.get("POST_CHECK_RETRY_MAX_MINUTES", 360))
    return timedelta(minutes=min(cap, first * 2 ** max(0, min(attempts, 20) - 1)))


def _ref(item: DealDeliverable) -> PostRef:
    ref = parse_post_link(item.live_url, item.platform)
    if item.post_id and ref.post_id is None:
        ref = replace(ref, post_id=item.post_id, short_url=None)
    return replace(ref, platform_media_id=item.platform_media_id)


def _keep_ids(item: DealDeliverable, reading: PostReading) -> None:
    item.post_id = reading.ref.post_id or item.post_id
    item.platform_media_id = reading.ref.platform_media_id or item.platform_media_id


# --------------------------------------------------------------------------- verification

def _awaiting_check() -> tuple:
    return (DealDeliverable.is_posted.is_(True), DealDeliverable.live_url.is_not(None),
            DealDeliverable.verified_at.is_(None), DealDeliverable.removed_at.is_(None),
            DealDeliverable.deal_id.in_(select(Deal.id).where(Deal.state == DealState.APPROVED)))


def check_posts_due(now: datetime, limit: int = BATCH) -> int:
    """Check every linked, unverified post that is due (new links at once, failures after
    their backoff). Returns how many posts were verified."""
    _new_links_due(now)
    ids = _claim(_awaiting_check(), DealDeliverable.next_check_at, now, limit)
    return sum(_guarded(check_post, item_id, now, claimed=True) == "verified" for item_id in ids)


def _guarded(job, item_id: int, now: datetime, **kwargs) -> str:
    """Run one row's job; an unexpected error is logged and the row is left leased, so it is
    tried again when the lease ends, and the rest of the sweep goes on."""
    try:
        return job(item_id, now, **kwargs)
    except Exception:  # noqa: BLE001
        db.session.rollback()
        log.exception("monitoring %s failed for deliverable %s", job.__name__, item_id)
        return "failed"


def _new_links_due(now: datetime) -> None:
    """A new link has no next_check_at: make it due now, so one due-query covers both."""
    db.session.execute(DealDeliverable.__table__.update()
                       .where(*_awaiting_check(), DealDeliverable.next_check_at.is_(None))
                       .values(next_check_at=now))
    db.session.commit()


def check_post(deliverable_id: int, now: datetime, *, claimed: bool = False) -> str:
    """Read one linked post and record what the platform says. Returns "verified",
    "problem" (wrong author, no disclosure, not found), "retry" (platform failure),
    "not_connected" or "skipped" (nothing to check)."""
    if not claimed and not _claim((DealDeliverable.id == deliverable_id, *_awaiting_check()),
                                  DealDeliverable.next_check_at, now, 1, due_only=False):
        return "skipped"
    item = db.session.get(DealDeliverable, deliverable_id, populate_existing=True)
    if item is None or item.verified_at is not None or not item.live_url:
        return "skipped"
    deal = item.deal
    item.last_checked_at = now
    try:
        reading = read_post(deal.creator_id, _ref(item), with_metrics=False)
    except NotConnected:
        # The brand (or its silence) confirms instead; look again later in case they connect.
        item.next_check_at = now + retry_delay(99)
        db.session.commit()
        return "not_connected"
    except PostNotFound:
        return _problem(item, now, "The post could not be found on the creator's connected "
                        f"{PLATFORM_NAMES.get(item.platform, item.platform)} account: check "
                        "it is public and on their own account, or replace the link.")
    except (PlatformError, DomainError) as exc:
        item.check_attempts += 1
        item.check_error = str(getattr(exc, "message", exc))[:300]
        item.next_check_at = now + retry_delay(item.check_attempts)
        db.session.commit()
        return "retry"
    _keep_ids(item, reading)
    problem = _what_is_wrong(item, reading)
    if problem:
        return _problem(item, now, problem)
    posts.mark_live(item, now, VerifiedVia.PLATFORM)
    item.check_attempts = 0
    db.session.commit()
    if all(i.verified_at is not None for i in posts.posted_items(deal)):
        with suppress(DomainError):  # the brand confirmed in between: nothing left to do
            deals.perform(deal, deals.Action.CONFIRM_LIVE, None, now=now,
                          via=VerifiedVia.PLATFORM)
    return "verified"


def _what_is_wrong(item: DealDeliverable, reading: PostReading) -> str | None:
    name = PLATFORM_NAMES.get(item.platform, item.platform)
    if not reading.info.live:
        return f"The post is not public on {name} yet."
    if reading.by_creator is False:
        by = f"@{reading.info.author_handle}" if reading.info.author_handle else "another account"
        return (f"This post is by {by}, not by the creator's connected {name} account: "
                "link the post on your own account.")
    disclosure = (item.deal.campaign.required_disclosure or "").strip()
    if disclosure and disclosure.lower() not in (reading.info.caption or "").lower():
        return (f"The caption does not carry the required disclosure “{disclosure}”: edit the "
                "caption on the platform (Duet checks again).")
    return None


def _problem(item: DealDeliverable, now: datetime, text: str) -> str:
    """Record what is wrong (shown on the deal page); tell the parties once per new problem;
    check again after the backoff in case the creator fixes it."""
    new = item.check_problem != text
    item.check_problem = text[:300]
    item.check_attempts += 1
    item.next_check_at = now + retry_delay(item.check_attempts)
    db.session.commit()
    if new:
        deal_event.send(item.deal, event="post_problem", actor=None, note=text,
                        deliverable=item)
    return "problem"


# --------------------------------------------------------------------------- snapshots

def _being_watched() -> tuple:
    return (DealDeliverable.verified_at.is_not(None), DealDeliverable.removed_at.is_(None),
            DealDeliverable.next_snapshot_at.is_not(None))


def take_due_snapshots(now: datetime, limit: int = BATCH) -> int:
    """Take every snapshot that is due, in batches. Returns how many were stored."""
    taken = 0
    while True:
        ids = _claim(_being_watched(), DealDeliverable.next_snapshot_at, now, limit)
        for item_id in ids:
            taken += _guarded(take_snapshot, item_id, now) == "taken"
        if len(ids) < limit:
            return taken


def _slot_due(item: DealDeliverable, now: datetime, taken: set[str]
              ) -> tuple[str | None, datetime | None]:
    """(the slot to read now, or None; when the following slot is due, or None when done).
    A slot whose successor is already due is skipped: a late reading is not that slot's."""
    slots = posts.snapshot_slots()
    due = None
    for slot, offset in slots:
        at = item.verified_at + offset
        if at > now:
            return due, at
        if slot not in taken:
            due = slot
    return due, None


def take_snapshot(deliverable_id: int, now: datetime) -> str:
    """Read a claimed post's numbers for its due slot. Returns "taken", "removed", "retry",
    or "skipped"."""
    item = db.session.get(DealDeliverable, deliverable_id, populate_existing=True)
    if item is None or item.verified_at is None or item.removed_at is not None:
        return "skipped"
    taken = set(db.session.scalars(select(MetricSnapshot.slot).where(
        MetricSnapshot.deliverable_id == item.id, MetricSnapshot.slot.is_not(None))))
    slot, next_at = _slot_due(item, now, taken)
    if slot is None:
        item.next_snapshot_at = next_at
        db.session.commit()
        return "skipped"
    try:
        reading = read_post(item.deal.creator_id, _ref(item))
    except PostNotFound:
        record_removal(item, now)
        return "removed"
    except NotConnected:
        item.next_snapshot_at = next_at  # nothing to read with: the next slot may have a way
        db.session.commit()
        return "skipped"
    except (PlatformError, DomainError) as exc:
        item.check_attempts += 1
        item.check_error = str(getattr(exc, "message", exc))[:300]
        retry_at = now + retry_delay(item.check_attempts)
        item.next_snapshot_at = min(retry_at, next_at) if next_at else retry_at
        db.session.commit()
        return "retry"
    _keep_ids(item, reading)
    item.last_checked_at, item.check_attempts, item.check_error = now, 0, None
    item.next_snapshot_at = next_at
    metrics = reading.metrics
    db.session.add(MetricSnapshot(
        deliverable_id=item.id, source=SnapshotSource.PLATFORM, slot=slot, taken_at=now,
        views=metrics.views, likes=metrics.likes, comments=metrics.comments,
        shares=metrics.shares, saves=metrics.saves,
        avg_watch_time_ms=metrics.avg_watch_time_ms))
    try:
        db.session.commit()
    except IntegrityError:  # that slot was stored already: the unique key keeps one
        db.session.rollback()
        return "skipped"
    return "taken"


# --------------------------------------------------------------------------- takedowns

def record_removal(item: DealDeliverable, now: datetime) -> bool:
    """The post is gone: stop reading it; before its required live period ended, tell both
    parties and the admins at once. Returns whether it was early."""
    item.removed_at = now
    item.next_snapshot_at = None
    early = posts.taken_down_early(item)
    db.session.commit()
    if early:
        deal_event.send(item.deal, event="post_removed", actor=None, deliverable=item,
                        note=f"{item.label} was taken down before "
                             f"{schedule.format_when(posts.live_until(item))}.")
    return early

"""The posting step of a deal: the creator publishes each posted deliverable on their own
account and links it; the payout waits until every post is confirmed live (by the platform,
by the brand, or by the brand's silence for POST_CONFIRM_DAYS). The moves themselves
(`add_post_link`, `confirm_live`) are in the state machine; this module checks links, keeps
the deliverable rows, and is what the sweeper and the platform checks call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Deal, DealDeliverable, DealState, PlatformAccount
from marketplace.models.deliverable import UNPOSTED_TYPES, MetricSnapshot
from marketplace.platforms.urls import EXAMPLES as LINK_EXAMPLES
from marketplace.services.deals.schedule import format_when
from marketplace.services.errors import DomainError
from marketplace.services.platforms import accounts as social
from marketplace.services.platforms.links import parse_post_link
from marketplace.taxonomy import PLATFORMS

# What a link looks like, shown in the empty link field (the first example of each platform).
LINK_PLACEHOLDERS = {p: e.split(" ")[0].rstrip(",") for p, e in LINK_EXAMPLES.items()}
DEFAULT_OFFSETS_HOURS = (1, 24, 72, 168, 336, 720)
MAX_ITEMS = 20  # rows made from one deal's terms (quantities are capped by the offer form)


@dataclass(frozen=True)
class LinkedPost:
    url: str
    platform: str
    post_id: str | None  # None for a short link until the platform check resolves it
    handle: str | None


def make_rows(deal: Deal) -> None:
    """One row per piece of content owed, from the deal's frozen terms; marks whether the
    payout waits for posts. Called once, when the deal is made."""
    position = 0
    for term in deal.deliverables or []:
        for _ in range(max(1, int(term.get("quantity") or 1))):
            if position >= MAX_ITEMS:
                break
            kind = str(term.get("deliverable_type") or "")
            deal.deliverable_items.append(DealDeliverable(
                position=position, platform=str(term.get("platform") or ""),
                deliverable_type=kind, is_posted=kind not in UNPOSTED_TYPES))
            position += 1
    deal.posts_required = any(item.is_posted for item in deal.deliverable_items)


def ready_for_payout(deal: Deal) -> bool:
    """Content-only deals pay out at approval; the others once their posts are confirmed."""
    return not deal.posts_required or deal.posted_at is not None


def posted_items(deal: Deal) -> list[DealDeliverable]:
    return [item for item in deal.deliverable_items if item.is_posted]


def _creator_handle(deal: Deal, platform: str) -> str | None:
    """The creator's account on `platform`: the one connected by OAuth (verified), else the
    one on their profile."""
    return social.verified_handle(deal.creator_id, platform) or db.session.scalar(
        select(PlatformAccount.handle).where(PlatformAccount.creator_id == deal.creator_id,
                                             PlatformAccount.platform == platform))


def _same_handle(a: str, b: str) -> bool:
    return a.strip().lstrip("@").lower() == b.strip().lstrip("@").lower()


def check_link(deal: Deal, deliverable_id, url) -> tuple[DealDeliverable, LinkedPost]:
    """The deliverable a link is for and the parsed link, or a DomainError saying what a
    valid link looks like. Nothing is changed."""
    try:
        item_id = int(deliverable_id)
    except (TypeError, ValueError):
        raise DomainError("Choose which deliverable this post is for.", field="url") from None
    item = next((i for i in deal.deliverable_items if i.id == item_id), None)
    if item is None or not item.is_posted:
        raise DomainError("Choose which deliverable this post is for.", field="url")
    if item.verified_at is not None:
        raise DomainError("This post is already confirmed live.", field="url")
    if not item.needs_link and not str(url or "").strip():  # a Story: marked posted
        return item, LinkedPost("", item.platform, None, None)
    ref = parse_post_link(url, item.platform)
    name = PLATFORMS.get(item.platform, item.platform)
    expected = _creator_handle(deal, item.platform)
    if expected is None:
        raise DomainError(f"Add your {name} account to your profile first: the post must be "
                          "on your own account.", field="url")
    if ref.handle is not None and not _same_handle(ref.handle, expected):
        raise DomainError(f"This post is by @{ref.handle}, not by your {name} account "
                          f"@{expected.lstrip('@')}.", field="url")
    same = ref.url if ref.post_id is None else ref.post_id
    if any(i.id != item.id and i.platform == ref.platform
           and (i.post_id if i.post_id is not None else i.live_url) == same
           for i in deal.deliverable_items):
        raise DomainError("This post is already linked to another deliverable.", field="url")
    return item, LinkedPost(ref.url or ref.short_url or str(url).strip(), ref.platform,
                            ref.post_id, ref.handle or expected)


def store_link(deal: Deal, item: DealDeliverable, post: LinkedPost, now: datetime) -> None:
    """Record the link (replacing an earlier one); once every post is linked, the brand's
    checking time starts (`schedule.live_confirm_by`)."""
    item.live_url, item.post_id, item.post_handle = post.url or None, post.post_id, post.handle
    item.linked_at = now
    item.removed_at = None
    item.check_problem = item.check_error = item.platform_media_id = None
    item.check_attempts, item.next_check_at = 0, None  # the new link is checked next sweep
    if all(i.linked_at for i in posted_items(deal)):
        deal.posts_linked_at = now


def slot_name(hours: int) -> str:
    """"1h", "24h", "72h", then whole weeks and more as days ("7d", "14d", "30d")."""
    return f"{hours // 24}d" if hours >= 168 and hours % 24 == 0 else f"{hours}h"


def snapshot_slots() -> list[tuple[str, timedelta]]:
    """The snapshot schedule (SNAPSHOT_OFFSETS_HOURS) as (slot, offset from going live)."""
    hours = current_app.config.get("SNAPSHOT_OFFSETS_HOURS", DEFAULT_OFFSETS_HOURS)
    return [(slot_name(int(h)), timedelta(hours=int(h))) for h in sorted(set(hours))]


def mark_live(item: DealDeliverable, now: datetime, via: str) -> None:
    """The post is confirmed live: from now on its numbers are read on the snapshot schedule
    (the first reading is due at the first offset)."""
    item.verified_at, item.verified_via = now, via
    item.check_problem = item.check_error = None
    item.next_check_at = None
    slots = snapshot_slots()
    item.next_snapshot_at = now + slots[0][1] if slots else None


def silent_confirmations_due(now: datetime, confirm_days: int) -> list[int]:
    """Deals whose posts are all linked and whose brand said nothing for `confirm_days`."""
    return list(db.session.scalars(
        select(Deal.id).where(Deal.state == DealState.APPROVED, Deal.posts_required.is_(True),
                              Deal.posts_linked_at.is_not(None),
                              Deal.posts_linked_at <= now - timedelta(days=confirm_days))
        .order_by(Deal.id)))


def live_until(item: DealDeliverable) -> datetime | None:
    """The end of the post's required live period (the campaign's `live_days` after it was
    confirmed live); None while it is not live."""
    if item.verified_at is None:
        return None
    return item.verified_at + timedelta(days=item.deal.campaign.live_days)


def taken_down_early(item: DealDeliverable) -> bool:
    until = live_until(item)
    return item.removed_at is not None and until is not None and item.removed_at < until


def early_takedowns(deal: Deal) -> list[DealDeliverable]:
    return [i for i in deal.deliverable_items if i.is_posted and taken_down_early(i)]


def _figure(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def takedown_evidence(deal: Deal) -> str:
    """What the dispute record keeps about posts taken down early: when each went live and
    disappeared, and its last reading (a missing number is "—", never 0)."""
    lines = []
    for item in early_takedowns(deal):
        lines.append(f"{item.label}: {item.live_url} was confirmed live "
                     f"{format_when(item.verified_at)} and was gone at "
                     f"{format_when(item.removed_at)} (required until "
                     f"{format_when(live_until(item))}).")
        last = db.session.scalar(select(MetricSnapshot)
                                 .where(MetricSnapshot.deliverable_id == item.id)
                                 .order_by(MetricSnapshot.taken_at.desc()).limit(1))
        if last is None:
            lines.append("  No reading of its numbers was taken before it disappeared.")
        else:
            who = " (reported by the creator)" if last.source == "creator" else ""
            lines.append(f"  Last reading{who} {format_when(last.taken_at)}: "
                         f"views {_figure(last.views)}, likes {_figure(last.likes)}, "
                         f"comments {_figure(last.comments)}, shares {_figure(last.shares)}.")
    return "\n".join(lines)

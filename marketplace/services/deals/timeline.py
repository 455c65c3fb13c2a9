"""The deal page's timeline: every step of the state machine (DealEvent rows), every
reminder the deadline job sent (DealReminder rows) and what happened to each posted
deliverable (confirmed live and how, taken down, numbers reported by the creator), newest
first, each with its date. Deal steps are shown here — not posted into the chat.

Linking a post is a state-machine step (`add_post_link`), so it is already an event, one per
link. The post entries are read from the deliverable rows and their snapshots, which the deal
page has loaded with the deal (no query per post)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, bindparam, select

from marketplace.extensions import db
from marketplace.models import Deal, DealDeliverable
from marketplace.models.deliverable import MetricSnapshot, SnapshotSource, VerifiedVia
from marketplace.models.reminder import DealReminder
from marketplace.platforms import PLATFORM_NAMES
from marketplace.services.deals import posts
from marketplace.services.deals.schedule import format_when
from marketplace.services.deals.state_machine import ACTION_LABELS

REMINDER_LABELS = {
    "content_due_soon": ("Reminder: content due within 48 hours", "the creator"),
    "content_late": ("Content late: both sides were told", "both sides"),
    "review_closing": ("Reminder: review time ends within 24 hours", "the brand"),
    "review_window_closing": ("Reminder: reviews close within 3 days", "both sides"),
    "results_in": ("Results are in: the first week's numbers", "the brand"),
}
REPORTED_NUMBERS = (("views", "views"), ("likes", "likes"), ("comments", "comments"),
                    ("shares", "shares"), ("saves", "saves"))


@dataclass(frozen=True)
class Entry:
    at: datetime
    label: str
    who: str  # "by the brand", "sent to the creator", ...
    note: str = ""
    reminder: bool = False


def _actor(side: str) -> str:
    return "by Duet" if side == "system" else f"by the {side}"


# Built once (the deal page shows the timeline on every view).
_REMINDERS = select(DealReminder.kind, DealReminder.sent_at).where(
    DealReminder.deal_id == bindparam("deal_id", type_=Integer))


def entries(deal: Deal) -> list[Entry]:
    """What happened on this deal and when, newest first."""
    rows = [Entry(e.created_at, ACTION_LABELS.get(e.action, e.action), _actor(e.actor_side),
                  e.note) for e in deal.events]
    for kind, sent_at in db.session.execute(_REMINDERS, {"deal_id": deal.id}):
        label, to = REMINDER_LABELS.get(kind, (kind, ""))
        rows.append(Entry(sent_at, label, f"sent to {to}" if to else "", "", reminder=True))
    if deal.posts_required:  # a content-only deal has no posts (and its rows are not loaded)
        for item in posts.posted_items(deal):
            rows.extend(post_entries(item))
    order = sorted(range(len(rows)), key=lambda i: (rows[i].at, i), reverse=True)
    return [rows[i] for i in order]


# --------------------------------------------------------------------------- posts

def post_entries(item: DealDeliverable) -> list[Entry]:
    """One posted deliverable's moments: confirmed live (by the platform, the brand or the
    brand's silence), taken down (how early, and its last reading), each creator report."""
    rows: list[Entry] = []
    if item.verified_at is not None:
        rows.append(_live_entry(item))
    if item.removed_at is not None:
        rows.append(_takedown_entry(item))
    rows.extend(_report_entry(item, s) for s in item.snapshots
                if s.source == SnapshotSource.CREATOR)
    return rows


def _where(item: DealDeliverable) -> str:
    return f"{item.label}: {item.live_url}" if item.live_url else item.label


def _live_entry(item: DealDeliverable) -> Entry:
    platform = PLATFORM_NAMES.get(item.platform, item.platform)
    label, who = {
        VerifiedVia.PLATFORM: ("Post verified live", f"by Duet, on {platform}"),
        VerifiedVia.BRAND: ("Post confirmed live", "by the brand"),
        VerifiedVia.SILENCE: ("Post confirmed live",
                              "by Duet: the brand did not object within the checking time"),
    }.get(item.verified_via or "", ("Post confirmed live", ""))
    return Entry(item.verified_at, label, who, _where(item))


def _takedown_entry(item: DealDeliverable) -> Entry:
    """'Post taken down 12 days early — last reading 48,200 views'."""
    until = posts.live_until(item)
    if posts.taken_down_early(item):
        label = f"Post taken down {_how_early(until - item.removed_at)}"
        note = f"{_where(item)}. It had to stay up until {format_when(until)}."
    else:
        label = "Post taken down"
        note = f"{_where(item)}. Its required live period had ended."
    return Entry(item.removed_at, f"{label} — {_last_reading(item)}", "seen by Duet", note)


def _how_early(left: timedelta) -> str:
    """'12 days early' (to the nearest day), '5 hours early' under a day."""
    if left >= timedelta(hours=23, minutes=30):
        days = round(left / timedelta(days=1))
        return f"{days} day{'s' if days != 1 else ''} early"
    hours = round(left / timedelta(hours=1))
    return f"{hours} hour{'s' if hours != 1 else ''} early" if hours else "just before its end"


def _last_reading(item: DealDeliverable) -> str:
    """The post's last reading before it disappeared (snapshots are loaded in time order)."""
    before = [s for s in item.snapshots if s.taken_at <= item.removed_at]
    if not before:
        return "no reading was taken"
    last = before[-1]
    by = " (reported by the creator)" if last.source == SnapshotSource.CREATOR else ""
    if last.views is None:
        return f"the last reading{by} had no view count"
    return f"last reading {last.views:,} views{by}"


def _report_entry(item: DealDeliverable, snapshot: MetricSnapshot) -> Entry:
    given = [f"{getattr(snapshot, field):,} {name}" for field, name in REPORTED_NUMBERS
             if getattr(snapshot, field) is not None]
    return Entry(snapshot.taken_at, "Numbers reported", "by the creator, with a screenshot",
                 f"{item.label}: {', '.join(given)}")

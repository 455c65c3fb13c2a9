"""The deal page's timeline: every step of the state machine (DealEvent rows) and every
reminder the deadline job sent (DealReminder rows), newest first, each with its date. Deal
steps are shown here — not posted into the chat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Deal
from marketplace.models.reminder import DealReminder
from marketplace.services.deals.state_machine import ACTION_LABELS

REMINDER_LABELS = {
    "content_due_soon": ("Reminder: content due within 48 hours", "the creator"),
    "content_late": ("Content late: both sides were told", "both sides"),
    "review_closing": ("Reminder: review time ends within 24 hours", "the brand"),
    "review_window_closing": ("Reminder: reviews close within 3 days", "both sides"),
}


@dataclass(frozen=True)
class Entry:
    at: datetime
    label: str
    who: str  # "by the brand", "sent to the creator", ...
    note: str = ""
    reminder: bool = False


def _actor(side: str) -> str:
    return "by Duet" if side == "system" else f"by the {side}"


def entries(deal: Deal) -> list[Entry]:
    """What happened on this deal and when, newest first."""
    rows = [Entry(e.created_at, ACTION_LABELS.get(e.action, e.action), _actor(e.actor_side),
                  e.note) for e in deal.events]
    for reminder in db.session.scalars(select(DealReminder)
                                       .where(DealReminder.deal_id == deal.id)):
        label, to = REMINDER_LABELS.get(reminder.kind, (reminder.kind, ""))
        rows.append(Entry(reminder.sent_at, label, f"sent to {to}" if to else "", "",
                          reminder=True))
    order = sorted(range(len(rows)), key=lambda i: (rows[i].at, i), reverse=True)
    return [rows[i] for i in order]

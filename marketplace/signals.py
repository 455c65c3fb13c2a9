"""Signals that decouple the code that changes state from the code that reacts to it
(matching index, system messages, notifications, e-mail). Senders commit first, then send.

- creator_changed(profile), brand_changed(profile), campaign_changed(campaign)
- deal_event(deal_or_thread, event: str, actor: User | None, note: str = "", **extra):
  sent by the deal services after each committed step. `event` is one of
  "application_submitted", "application_withdrawn", "application_shortlisted",
  "application_declined", "offer_sent", "offer_countered", "offer_declined", "offer_accepted",
  "offer_expired", "deal_funded", "deal_submitted", "revision_requested", "deal_approved",
  "deal_auto_approved", "post_linked", "post_problem" (a platform check found the linked
  post by another account, without the disclosure, or missing; `deliverable=`), "post_removed"
  (a live post gone before its required live period ended; `deliverable=`),
  "deal_posted", "deal_paid_out", "deal_completed",
  "bonus_paid",
  "deal_cancelled",
  "cancel_proposed", "deal_disputed", "dispute_resolved", "deal_expired", "deal_late",
  "due_date_extended", "review_revealed", and the reminders "content_due_soon",
  "review_closing_soon", "review_window_closing" (with `deadline=`).
  `sender` is the Application, OfferThread or Deal concerned.
"""

from blinker import Namespace

_signals = Namespace()

creator_changed = _signals.signal("creator-changed")
brand_changed = _signals.signal("brand-changed")
campaign_changed = _signals.signal("campaign-changed")
deal_event = _signals.signal("deal-event")

"""In-app notifications (and the matching e-mail) for everything that waits on a user.

The deal_event subscriber decides who is waiting after each deal step; `notify` stores the
notification first and then tries the e-mail, so SMTP trouble never loses the notification.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from flask import current_app, has_request_context, url_for
from sqlalchemy import func, select, update

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import Role, User
from marketplace.models.notification import KINDS, Notification, NotificationPreference
from marketplace.services.deals import event_parties as deal_parties
from marketplace.services.errors import DomainError
from marketplace.services.messaging.mailer import send_mail

log = logging.getLogger(__name__)

MAX_TEXT = 300


def email_enabled(user: User, kind: str) -> bool:
    choice = db.session.scalar(select(NotificationPreference.email_enabled).where(
        NotificationPreference.user_id == user.id, NotificationPreference.kind == kind))
    return True if choice is None else bool(choice)


def preferences(user: User) -> dict[str, bool]:
    """kind -> e-mail on/off for every known kind (on unless switched off)."""
    rows = db.session.execute(
        select(NotificationPreference.kind, NotificationPreference.email_enabled)
        .where(NotificationPreference.user_id == user.id))
    chosen = {kind: enabled for kind, enabled in rows}
    return {kind: bool(chosen.get(kind, True)) for kind in KINDS}


def set_preferences(user: User, email_kinds: Iterable[str]) -> None:
    """E-mail on for exactly the kinds given; the others off."""
    wanted = set(email_kinds)
    unknown = wanted - KINDS.keys()
    if unknown:
        raise DomainError("Unknown notification type: " + ", ".join(sorted(unknown)),
                          field="email_kinds")
    existing = {p.kind: p for p in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    for kind in KINDS:
        pref = existing.get(kind) or NotificationPreference(user_id=user.id, kind=kind)
        pref.email_enabled = kind in wanted
        db.session.add(pref)
    db.session.commit()


def notify(user: User, kind: str, text: str, url: str = "") -> Notification:
    """Store an in-app notification, then e-mail it unless the user turned that kind off."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    note = Notification(user_id=user.id, kind=kind, text=text[:MAX_TEXT], url=url[:300])
    db.session.add(note)
    db.session.commit()
    if email_enabled(user, kind):
        base = (current_app.config.get("PUBLIC_URL") or (
            url_for("main.index", _external=True) if has_request_context() else "")).rstrip("/")
        link = f"\n\nOpen it on Duet: {base}{url}" if url else ""
        send_mail(user.email, f"Duet: {text[:120]}",
                  f"{text}{link}\n\nYou can choose which e-mails you get in your notification "
                  f"settings: {base}/notifications/settings\n")
    return note


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def list_query(user: User):
    return (select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))


def open_notification(user: User, notification_id: int) -> Notification | None:
    """Mark one of the user's notifications read; None when it is not theirs."""
    note = db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                        Notification.user_id == user.id))
    if note is not None and note.read_at is None:
        note.read_at = utcnow()
        db.session.commit()
    return note


def mark_all_read(user: User) -> int:
    result = db.session.execute(update(Notification)
                                .where(Notification.user_id == user.id,
                                       Notification.read_at.is_(None))
                                .values(read_at=utcnow()))
    db.session.commit()
    return result.rowcount or 0


# --------------------------------------------------------------------------- deal events

def _url(endpoint: str, **values: Any) -> str:
    """A link for a notification; "" where no URL can be built (a CLI job run without
    SERVER_NAME has no request to take the host from)."""
    try:
        return url_for(endpoint, **values)
    except RuntimeError:
        return ""


def _deal_url(parties: deal_parties.Parties, sender: Any = None, event: str = "") -> str:
    """The page where the recipient acts on this step (else the inbox)."""
    kind = type(sender).__name__
    if parties.deal_id is not None:
        return _url("deals.detail", deal_id=parties.deal_id)
    if kind == "OfferThread":
        return _url("deals.thread", thread_id=sender.id)
    if kind == "Application" and event in ("application_shortlisted", "application_declined"):
        return _url("deals.my_applications")
    if kind == "Application" and parties.campaign is not None:
        return _url("deals.applicants", campaign_id=parties.campaign.id)
    return _url("messages.inbox")


def _admins() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == Role.ADMIN)))


def _review_deadline(sender: Any, extra: dict) -> str:
    due = extra.get("review_by") or getattr(sender, "review_due_at", None) or (
        getattr(sender, "submitted_at", None) or utcnow()) + timedelta(
        days=current_app.config.get("APPROVAL_WINDOW_DAYS", 5))
    return due.strftime("%d %b %Y")


def recipients_for(event: str, sender: Any, actor: User | None, extra: dict
                   ) -> list[tuple[User, str, str]]:
    """(user, kind, text) for everyone this step now waits on."""
    p = deal_parties.parties_of(sender)
    if not p.complete:
        return []
    brand, creator = p.brand.user, p.creator.user
    title = f"“{p.campaign.title}”" if p.campaign is not None else "your deal"
    other = [u for u in (brand, creator) if actor is None or u.id != actor.id]

    table: dict[str, list[tuple[User, str, str]]] = {
        "application_submitted": [(brand, "application_received",
                                   f"{p.creator.display_name} applied to {title}.")],
        "application_shortlisted": [(creator, "application_update",
                                     f"{p.brand.company_name} shortlisted you for {title}.")],
        "application_declined": [(creator, "application_update",
                                  f"{p.brand.company_name} declined your application to {title}.")],
        "offer_sent": [(u, "offer_received", f"You received an offer for {title}.")
                       for u in other],
        "offer_countered": [(u, "offer_received", f"You received a counter-offer for {title}.")
                            for u in other],
        "offer_accepted": [(u, "offer_accepted",
                            f"Your offer for {title} was accepted."
                            + (" Fund the deal to get started." if u is brand else ""))
                           for u in other],
        "offer_declined": [(u, "offer_closed", f"Your offer for {title} was declined.")
                           for u in other],
        "offer_expired": [(u, "offer_closed", f"The offer for {title} expired.")
                          for u in (brand, creator)],
        "deal_funded": [(creator, "deal_funded",
                         f"The deal for {title} is funded: start creating.")],
        "deal_submitted": [(brand, "deal_submitted",
                            f"{p.creator.display_name} submitted content for {title}: "
                            f"review it by {_review_deadline(sender, extra)}.")],
        "revision_requested": [(creator, "revision_requested",
                                f"{p.brand.company_name} asked for a revision on {title}.")],
        "deal_approved": [(creator, "deal_approved", f"Your content for {title} was approved.")],
        "deal_auto_approved": [(creator, "deal_approved",
                                f"Your content for {title} was approved automatically.")],
        "deal_paid_out": [(creator, "deal_paid", f"You were paid for {title}.")],
        "deal_cancelled": [(u, "deal_closed", f"The deal for {title} was cancelled.")
                           for u in other],
        "cancel_proposed": [(u, "deal_closed", f"Cancelling the deal for {title} was proposed.")
                            for u in other],
        "deal_expired": [(u, "deal_closed", f"The deal for {title} expired.")
                         for u in (brand, creator)],
        "deal_disputed": [(u, "dispute", f"A dispute was opened on the deal for {title}.")
                          for u in [*other, *_admins()]],
        "dispute_resolved": [(u, "dispute", f"The dispute on the deal for {title} was resolved.")
                             for u in (brand, creator)],
        "deal_late": [(u, "deal_late", f"The deal for {title} is late.")
                      for u in (brand, creator)],
        "deal_completed": [(u, "review", f"The deal for {title} is complete: leave a review "
                                         f"within 14 days.") for u in (brand, creator)],
        "review_revealed": [(u, "review", f"Reviews for the deal for {title} are now visible.")
                            for u in (brand, creator)],
    }
    return table.get(event, [])


def _review_url(parties: deal_parties.Parties) -> str:
    if parties.deal_id is None:
        return ""
    return _url("reviews.write", deal_id=parties.deal_id)


def on_deal_event(sender: Any, event: str = "", actor: User | None = None, note: str = "",
                  **extra: Any) -> None:
    """deal_event subscriber; never raises (the deal step has already committed)."""
    try:
        parties = deal_parties.parties_of(sender)
        url = (_review_url(parties) if event == "deal_completed"
               else _deal_url(parties, sender, event))
        for user, kind, text in recipients_for(event, sender, actor, extra):
            notify(user, kind, text, url)
    except Exception:  # noqa: BLE001
        db.session.rollback()
        log.exception("could not notify about %s", event)

"""In-app notifications (and the matching e-mail) for everything that waits on a user.

The deal_event subscriber decides who is told after each deal step and what (`notices_for`);
`notify` stores the notification first and then tries the e-mail (an HTML and a plain-text
part, both rendered from templates/email/, linking to the exact page with an absolute URL),
so SMTP trouble never loses the notification. Every date comes from services/deals/schedule.py.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template, url_for
from sqlalchemy import case, func, select, update

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import Deal, Role, User
from marketplace.models.notification import KINDS, Notification, NotificationPreference
from marketplace.models.payment import Payment, PayoutAccount, Transfer
from marketplace.models.review import Review
from marketplace.money import format_money
from marketplace.services.deals import event_parties as deal_parties
from marketplace.services.deals import schedule
from marketplace.services.deals.schedule import format_when
from marketplace.services.errors import DomainError
from marketplace.services.messaging.mailer import Attachment, send_mail
from marketplace.services.payments.ledger import fee_breakdown

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


# --------------------------------------------------------------------------- links

def path_for(endpoint: str, **values: Any) -> str:
    """The path of a page, also where no request or SERVER_NAME is there to build URLs from
    (the reminder job run by cron)."""
    try:
        return url_for(endpoint, _external=False, **values)
    except RuntimeError:
        return current_app.url_map.bind("localhost").build(endpoint, values)


def absolute_url(path: str) -> str:
    """`path` on this site as a full address for e-mail: PUBLIC_URL when set, else the host
    of the request (or SERVER_NAME)."""
    base = current_app.config.get("PUBLIC_URL") or ""
    if not base:
        try:
            base = url_for("main.index", _external=True)
        except RuntimeError:
            base = f"http://localhost:{current_app.config.get('PORT', 5000)}"
    return base.rstrip("/") + path


# --------------------------------------------------------------------------- sending

@dataclass(frozen=True)
class Notice:
    """One notification for one person: the in-app line (also the e-mail subject), the page
    where they act, and what the e-mail adds (paragraphs, label/value facts, button label)."""

    user: User
    kind: str
    text: str
    url: str = ""
    details: tuple[str, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()
    action: str = "Open it on Duet"
    chart: Any = None  # a results Chart (title, alt, svg, data_uri) shown in the e-mail


def notify(user: User, kind: str, text: str, url: str = "", *, details: Iterable[str] = (),
           facts: Iterable[tuple[str, str]] = (), action: str = "Open it on Duet",
           chart: Any = None) -> Notification:
    """Store an in-app notification, then e-mail it unless the user turned that kind off.
    A `chart` is drawn in the HTML part and attached as an SVG file (mail programs that
    block data: images still get the picture)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    note = Notification(user_id=user.id, kind=kind, text=text[:MAX_TEXT], url=url[:300])
    db.session.add(note)
    db.session.commit()
    if email_enabled(user, kind):
        notice = Notice(user, kind, text, url, tuple(details), tuple(facts), action, chart)
        context = {"notice": notice, "link": absolute_url(url) if url else "",
                   "settings_link": absolute_url(path_for("notifications.settings"))}
        attachments = (Attachment("chart.svg", "image/svg+xml", chart.svg.encode()),
                       ) if chart is not None else ()
        send_mail(user.email, f"Duet: {text[:120]}",
                  render_template("email/notice.txt", **context),
                  html=render_template("email/notice.html", **context),
                  attachments=attachments)
    return note


def send_notice(notice: Notice) -> Notification:
    return notify(notice.user, notice.kind, notice.text, notice.url, details=notice.details,
                  facts=notice.facts, action=notice.action)


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def unread_counts(user: User, path: str) -> tuple[int, int]:
    """(unread notifications, how many of them point at `path`) in one query: the page at
    `path` marks the second ones read when it is shown (`mark_read_for_page`)."""
    total, here = db.session.execute(
        select(func.count(Notification.id), func.count(case((Notification.url == path, 1))))
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))).one()
    return int(total or 0), int(here or 0)


def unread_count_columns(user_id: int, path: str) -> tuple:
    """`unread_counts` as two scalar subqueries, to fetch in the same statement as the user."""
    unread = (Notification.user_id == user_id, Notification.read_at.is_(None))
    total = select(func.count(Notification.id)).where(*unread).scalar_subquery()
    here = select(func.count(Notification.id)).where(*unread, Notification.url == path)
    return total, here.scalar_subquery()


def mark_read_for_page(user: User, path: str) -> int:
    """Opening a page answers the notifications that point at it: one UPDATE."""
    result = db.session.execute(update(Notification)
                                .where(Notification.user_id == user.id,
                                       Notification.read_at.is_(None), Notification.url == path)
                                .values(read_at=utcnow()))
    db.session.commit()
    return result.rowcount or 0


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

def _deal_url(parties: deal_parties.Parties, sender: Any = None, event: str = "") -> str:
    """The page where the recipient acts on this step (else the inbox)."""
    kind = type(sender).__name__
    if parties.deal_id is not None:
        return path_for("deals.detail", deal_id=parties.deal_id)
    if kind == "OfferThread":
        return path_for("deals.thread", thread_id=sender.id)
    if kind == "Application" and event in ("application_shortlisted", "application_declined"):
        return path_for("deals.my_applications")
    if kind == "Application" and parties.campaign is not None:
        return path_for("deals.applicants", campaign_id=parties.campaign.id)
    return path_for("messages.inbox")


def _admins() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == Role.ADMIN)))


def _deal(sender: Any) -> Deal | None:
    return sender if isinstance(sender, Deal) else None


def _money(cents: int, currency: str) -> str:
    return format_money(cents, currency)


def _payout_ready(deal: Deal) -> bool:
    return bool(db.session.scalar(select(PayoutAccount.ready)
                                  .where(PayoutAccount.creator_id == deal.creator_id)))


def _expected_net(deal: Deal) -> str:
    """What the creator will receive (their share minus the creator fee), before the transfer
    exists: the payments ledger's fee rules on the payment's payout amount."""
    payment = db.session.scalar(select(Payment).where(Payment.deal_id == deal.id))
    gross = payment.payout_cents if payment is not None else deal.price_cents
    return _money(fee_breakdown(gross, deal.currency).creator_net, deal.currency)


class _Notices:
    """The notices for one deal step; one method per event (missing = nobody is told)."""

    def __init__(self, event: str, sender: Any, actor: User | None, note: str, extra: dict):
        self.p = deal_parties.parties_of(sender)
        self.event, self.sender, self.actor, self.note, self.extra = (
            event, sender, actor, note, extra)
        self.deal = _deal(sender)
        self.brand, self.creator = self.p.brand.user, self.p.creator.user
        self.brand_name, self.creator_name = self.p.brand.company_name, self.p.creator.display_name
        self.title = f"“{self.p.campaign.title}”" if self.p.campaign is not None else "your deal"
        self.others = [u for u in (self.brand, self.creator)
                       if actor is None or u.id != actor.id]
        self.url = _deal_url(self.p, sender, event)

    def all(self) -> list[Notice]:
        method = getattr(self, f"on_{self.event}", None)
        return method() if method is not None else []

    def _n(self, user: User, kind: str, text: str, **more: Any) -> Notice:
        return Notice(user, kind, text, more.pop("url", self.url), **more)

    def _due(self) -> str:
        return format_when(self.deal.content_due) if self.deal is not None else ""

    # --- applications and offers (negotiation) ---

    def on_application_submitted(self):
        return [self._n(self.brand, "application_received",
                        f"{self.creator_name} applied to {self.title}.")]

    def on_application_shortlisted(self):
        return [self._n(self.creator, "application_update",
                        f"{self.brand_name} shortlisted you for {self.title}.")]

    def on_application_declined(self):
        return [self._n(self.creator, "application_update",
                        f"{self.brand_name} declined your application to {self.title}.")]

    def on_offer_sent(self):
        return [self._n(u, "offer_received", f"You received an offer for {self.title}.")
                for u in self.others]

    def on_offer_countered(self):
        return [self._n(u, "offer_received", f"You received a counter-offer for {self.title}.")
                for u in self.others]

    def on_offer_accepted(self):
        return [self._n(u, "offer_accepted", f"Your offer for {self.title} was accepted."
                        + (" Fund the deal to get started." if u is self.brand else ""))
                for u in self.others]

    def on_offer_declined(self):
        return [self._n(u, "offer_closed", f"Your offer for {self.title} was declined.")
                for u in self.others]

    def on_offer_expired(self):
        return [self._n(u, "offer_closed", f"The offer for {self.title} expired.")
                for u in (self.brand, self.creator)]

    # --- the deal ---

    def on_deal_funded(self):
        if self.deal is None:
            return [self._n(self.creator, "deal_funded",
                            f"The deal for {self.title} is funded: start creating.")]
        due = self._due()
        notices = [self._n(
            self.creator, "deal_funded",
            f"Funds secured for {self.title}: start creating. Content due {due}.",
            details=(f"{self.brand_name}'s payment is held safely by Duet and released to you "
                     "when the content is approved.",),
            facts=(("Content due", f"{due} (end of the day, UTC)"),), action="Open the deal")]
        payment = db.session.scalar(select(Payment).where(Payment.deal_id == self.deal.id))
        if payment is not None and payment.funded:
            amount = _money(payment.amount_cents, payment.currency)
            notices.append(self._n(
                self.brand, "payment_received",
                f"Payment received: {amount} for {self.title}. Your invoice is ready.",
                url=path_for("payments.invoice", deal_id=self.deal.id),
                details=("Duet holds the money until you approve the content; if the deal is "
                         "cancelled, you get it back.",
                         f"{self.creator_name} can start now; the content is due {due}."),
                facts=(("Amount paid", amount), ("Content due", due)),
                action="View your invoice"))
        return notices

    def on_deal_submitted(self):
        review_by = schedule.review_by(self.deal) if self.deal is not None else None
        if review_by is None:
            return [self._n(self.brand, "deal_submitted",
                            f"{self.creator_name} submitted content for {self.title}: "
                            "review it soon.")]
        by = format_when(review_by)
        return [self._n(
            self.brand, "deal_submitted",
            f"{self.creator_name} submitted content for {self.title}: review it by {by}.",
            details=("Approve it or request a revision. If you do nothing by then, it is "
                     f"approved automatically and the payment is released to "
                     f"{self.creator_name}.",),
            facts=(("Review by", by),), action="Review the submission")]

    def on_revision_requested(self):
        text = f"{self.brand_name} asked for a revision on {self.title}."
        if self.deal is None:
            return [self._n(self.creator, "revision_requested", text)]
        due = self._due()
        return [self._n(self.creator, "revision_requested", f"{text} Resubmit by {due}.",
                        details=(f"What should change: {self.note}",) if self.note else (),
                        facts=(("Content due", due),), action="Open the deal")]

    def _approved(self, how: str):
        text = f"Your content for {self.title} was approved{how}."
        if self.deal is None:
            return [self._n(self.creator, "deal_approved", text)]
        net = _expected_net(self.deal)
        if self.deal.posts_required:
            by = format_when(schedule.post_due(self.deal))
            return [self._n(self.creator, "deal_approved",
                            f"{text} Post it on your account and add the live links by {by}.",
                            details=(f"You are paid {net} as soon as the posts are confirmed "
                                     "live.",),
                            facts=(("Post by", by), ("Your payout", net)),
                            action="Add the live links")]
        if not _payout_ready(self.deal):
            return [self._n(self.creator, "deal_approved",
                            f"{text} Set up your payout account to receive {net}.",
                            url=path_for("payments.payouts"),
                            details=("The payout goes out as soon as your payout account is "
                                     "ready.",),
                            facts=(("Your payout", net),), action="Set up payouts")]
        arrival = format_when(schedule.payout_arrival(self.deal), with_time=False)
        return [self._n(self.creator, "deal_approved", f"{text} Your payout of {net} is on "
                        "its way.", facts=(("Your payout", net), ("Expected in your bank",
                                                                   f"around {arrival}")))]

    def on_deal_approved(self):
        return self._approved("")

    def on_deal_auto_approved(self):
        return self._approved(" automatically")

    def on_bonus_paid(self):
        return [self._n(self.creator, "deal_paid",
                        f"{self.note} Thank you for {self.title}! It goes to your payout "
                        "account (less the Duet fee).", url=path_for("payments.payouts"),
                        action="See your payouts")]

    def on_post_linked(self):
        if self.deal is None or self.deal.posts_linked_at is None:
            return []  # the brand hears once, when every post is linked
        by = format_when(schedule.live_confirm_by(self.deal))
        return [self._n(self.brand, "deal_posts",
                        f"{self.creator_name} posted and linked everything for {self.title}: "
                        f"check the posts are live by {by}.",
                        details=("If you do nothing by then, the posts count as confirmed and "
                                 f"the payment is released to {self.creator_name}.",),
                        facts=(("Check by", by),), action="Check the posts")]

    def on_deal_posted(self):
        if self.deal is None:
            return []
        notices = []
        if self.actor is None:  # confirmed by the platform or by the brand's silence
            notices.append(self._n(self.brand, "deal_posts",
                                   f"The posts for {self.title} are confirmed live; the payment "
                                   f"is released to {self.creator_name}."))
        if not _payout_ready(self.deal):
            notices.append(self._n(self.creator, "deal_posts",
                                   f"Your posts for {self.title} are confirmed live. Set up your "
                                   "payout account to receive the payment.",
                                   url=path_for("payments.payouts"), action="Set up payouts"))
        return notices

    def on_post_problem(self):
        item = self.extra.get("deliverable")
        what = item.label if item is not None else "A post"
        return [
            self._n(self.creator, "post_problem",
                    f"Duet could not verify your post for {self.title}: {self.note}",
                    details=(f"{what}: fix it on the platform or replace the link; Duet checks "
                             "again on its own.",), action="Fix the post"),
            self._n(self.brand, "post_problem",
                    f"{self.creator_name}'s post for {self.title} could not be verified: "
                    f"{self.note}",
                    details=("You can still confirm the posts by hand on the deal page.",),
                    action="Check the posts")]

    def on_post_removed(self):
        item = self.extra.get("deliverable")
        what = item.label if item is not None else "A post"
        facts = ()
        if item is not None and item.removed_at is not None:
            facts = (("Post", item.live_url or what), ("Gone at", format_when(item.removed_at)))
        text = (f"{what} for {self.title} was taken down before its required live period "
                "ended.")
        return [self._n(self.brand, "post_removed", text,
                        details=("You can open a dispute from the deal page; the last reading "
                                 "and the time it disappeared are attached.",),
                        facts=facts, action="Open the deal"),
                self._n(self.creator, "post_removed", text,
                        details=("Put the post back up, or talk to the brand: it may open a "
                                 "dispute.",), facts=facts, action="Open the deal"),
                *[self._n(u, "post_removed", f"{text} ({self.creator_name} for "
                          f"{self.brand_name})", facts=facts) for u in _admins()]]

    def on_deal_paid_out(self):
        transfer = (db.session.scalar(select(Transfer).where(Transfer.deal_id == self.deal.id))
                    if self.deal is not None else None)
        if transfer is None:
            return [self._n(self.creator, "deal_paid", f"You were paid for {self.title}.")]
        net = _money(transfer.amount_cents, transfer.currency)
        fee = _money(transfer.creator_fee_cents, transfer.currency)
        gross = _money(transfer.amount_cents + transfer.creator_fee_cents, transfer.currency)
        arrival = format_when(schedule.payout_arrival(self.deal), with_time=False)
        return [self._n(
            self.creator, "deal_paid",
            f"You were paid {net} for {self.title}. Expected in your bank around {arrival}.",
            url=path_for("payments.payouts"),
            details=(f"{gross} deal price − {fee} Duet fee = {net}, sent to your payout "
                     "account.",),
            facts=(("Paid to you", net), ("Duet fee", fee),
                   ("Expected in your bank", f"around {arrival}")),
            action="See your payouts")]

    def on_deal_cancelled(self):
        text = f"The deal for {self.title} was cancelled."
        if self.extra.get("action") == "cancel_late" and self.deal is not None:
            text = (f"{self.brand_name} cancelled the deal for {self.title}: the content was due "
                    f"{self._due()} and had not arrived.")
        return [self._n(u, "deal_closed", text) for u in self.others]

    def on_cancel_proposed(self):
        return [self._n(u, "deal_closed", f"Cancelling the deal for {self.title} was proposed.")
                for u in self.others]

    def on_deal_expired(self):
        return [self._n(u, "deal_closed", f"The deal for {self.title} expired.")
                for u in (self.brand, self.creator)]

    def on_deal_disputed(self):
        return [self._n(u, "dispute", f"A dispute was opened on the deal for {self.title}.")
                for u in [*self.others, *_admins()]]

    def on_dispute_resolved(self):
        return [self._n(u, "dispute", f"The dispute on the deal for {self.title} was resolved.")
                for u in (self.brand, self.creator)]

    def on_due_date_extended(self):
        return [self._n(self.creator, "deal_late",
                        f"{self.brand_name} moved the content due date for {self.title} to "
                        f"{self._due()}.", facts=(("Content due", self._due()),),
                        action="Open the deal")]

    def on_deal_late(self):
        if self.deal is None:
            return [self._n(u, "deal_late", f"The deal for {self.title} is late.")
                    for u in (self.brand, self.creator)]
        due = self._due()
        return [
            self._n(self.brand, "deal_late",
                    f"The content for {self.title} was due {due} and has not arrived. You can "
                    "extend the due date or cancel with a full refund.",
                    details=(f"Give {self.creator_name} more time with a new due date, or "
                             "cancel the deal: everything you paid is refunded.",),
                    facts=(("Content was due", due),), action="Extend or cancel"),
            self._n(self.creator, "deal_late",
                    f"Your content for {self.title} was due {due} and is late: submit it as "
                    "soon as you can.",
                    details=(f"{self.brand_name} may now extend the due date or cancel the deal "
                             "with a full refund.",),
                    facts=(("Content was due", due),), action="Submit your content"),
        ]

    def on_content_due_soon(self):
        due = self._due()
        return [self._n(self.creator, "deadline_reminder",
                        f"Reminder: your content for {self.title} is due {due}.",
                        details=("Submit it by the end of that day (UTC) so the brand can review "
                                 "it and you get paid on time.",),
                        facts=(("Content due", due),), action="Submit your content")]

    def on_review_closing_soon(self):
        by = format_when(schedule.review_by(self.deal))
        return [self._n(self.brand, "deadline_reminder",
                        f"Reminder: review the content for {self.title} by {by}.",
                        details=("After that it is approved automatically and the payment is "
                                 f"released to {self.creator_name}.",),
                        facts=(("Review by", by),), action="Review the submission")]

    def _review_link(self) -> str:
        return path_for("reviews.write", deal_id=self.p.deal_id) if self.p.deal_id else self.url

    def on_deal_completed(self):
        closes = (schedule.review_window_closes_at(self.deal) if self.deal is not None
                  else None)
        by = f" by {format_when(closes)}" if closes else ""
        return [self._n(u, "review", f"The deal for {self.title} is complete: leave a "
                        f"review{by}.", url=self._review_link(), action="Leave a review")
                for u in (self.brand, self.creator)]

    def on_review_window_closing(self):
        closes = format_when(schedule.review_window_closes_at(self.deal))
        written = set(db.session.scalars(select(Review.author_side)
                                         .where(Review.deal_id == self.deal.id)))
        waiting = [u for side, u in (("brand", self.brand), ("creator", self.creator))
                   if side not in written]
        return [self._n(u, "review", f"Reviews for {self.title} close on {closes}: leave "
                        "yours.", url=self._review_link(), facts=(("Reviews close", closes),),
                        action="Leave a review") for u in waiting]

    def on_review_revealed(self):
        return [self._n(u, "review", f"Reviews for the deal for {self.title} are now visible.")
                for u in (self.brand, self.creator)]


def notices_for(event: str, sender: Any, actor: User | None, note: str = "",
                **extra: Any) -> list[Notice]:
    """Everyone this step concerns, with what to tell them."""
    if not deal_parties.parties_of(sender).complete:
        return []
    return _Notices(event, sender, actor, note, extra).all()


def on_deal_event(sender: Any, event: str = "", actor: User | None = None, note: str = "",
                  **extra: Any) -> None:
    """deal_event subscriber; never raises (the deal step has already committed)."""
    try:
        for notice in notices_for(event, sender, actor, note, **extra):
            send_notice(notice)
    except Exception:  # noqa: BLE001
        db.session.rollback()
        log.exception("could not notify about %s", event)

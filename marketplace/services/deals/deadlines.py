"""Time-driven deal work: run every minute by the job queue's sweeper (`duet.sweep_deadlines`
in `marketplace/jobs/periodic.py`, sent by the one beat), or by hand with
`flask deals run-jobs`.

Every job selects only rows that still need the change, then claims each row with
`SELECT ... FOR UPDATE SKIP LOCKED` (a row another runner is working on is left to it) and
re-checks under the services' row locks, so running the jobs twice (or several runners at
once) changes nothing the second time and no row is done twice.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace import taxonomy
from marketplace.extensions import db
from marketplace.models import (
    Application,
    Campaign,
    Deal,
    DealState,
    DeclineReason,
    OfferThread,
    ThreadStatus,
)
from marketplace.models.application import UNDECIDED
from marketplace.models.deliverable import VerifiedVia
from marketplace.models.reminder import DealReminder
from marketplace.services.deals import (
    applications,
    library,
    monitoring,
    offers,
    posts,
    results_mail,
    reviews,
    schedule,
    usage_codes,
)
from marketplace.services.deals import state_machine as deals
from marketplace.services.deals.parties import now_or, setting
from marketplace.services.errors import DomainError
from marketplace.services.messaging import notifications
from marketplace.signals import deal_event

log = logging.getLogger(__name__)


def auto_approve_due(now: datetime) -> int:
    ids = db.session.scalars(select(Deal.id).where(
        Deal.state == DealState.SUBMITTED, Deal.auto_approve_at <= now)).all()
    return _perform_each(ids, DealState.SUBMITTED, deals.Action.AUTO_APPROVE, now)


def expire_unfunded(now: datetime) -> int:
    ids = db.session.scalars(select(Deal.id).where(
        Deal.state == DealState.AGREED, Deal.agreed_at <= schedule.unfunded_cutoff(now))).all()
    return _perform_each(ids, DealState.AGREED, deals.Action.EXPIRE, now)


def claim_row(model, row_id: int, *conditions):
    """Lock one due row for this runner, or None when another runner holds it (it does that
    one) or it is no longer due. SKIP LOCKED on PostgreSQL; SQLite has one writer anyway."""
    row = db.session.execute(
        select(model).where(model.id == row_id, *conditions)
        .with_for_update(skip_locked=True).execution_options(populate_existing=True)).scalar()
    if row is None:
        db.session.rollback()  # end the transaction: nothing to do here
    return row


def confirm_silent_posts(now: datetime) -> int:
    """Posts the brand did not object to within POST_CONFIRM_DAYS of the last link count as
    confirmed live (the payout follows), so a creator is never stuck waiting."""
    ids = posts.silent_confirmations_due(now, setting("POST_CONFIRM_DAYS"))
    return _perform_each(ids, DealState.APPROVED, deals.Action.CONFIRM_LIVE, now,
                         via=VerifiedVia.SILENCE)


def _perform_each(ids: list[int], state: DealState, action: deals.Action, now: datetime,
                  **payload) -> int:
    done = 0
    for deal_id in ids:
        deal = claim_row(Deal, deal_id, Deal.state == state)
        if deal is None:
            continue
        try:
            deals.perform(deal, action, None, now=now, **payload)
            done += 1
        except DomainError:  # someone acted in between: nothing left to do
            continue
    return done


def expire_offers(now: datetime) -> int:
    ids = db.session.scalars(select(OfferThread.id).where(
        OfferThread.status == ThreadStatus.OPEN, OfferThread.expires_at <= now)).all()
    done = 0
    for thread_id in ids:
        thread = claim_row(OfferThread, thread_id, OfferThread.status == ThreadStatus.OPEN)
        if thread is not None:
            done += offers.expire(thread, now=now)
    return done


def decline_past_decision_date(now: datetime) -> int:
    rows = db.session.scalars(
        select(Application).join(Campaign, Application.campaign_id == Campaign.id)
        .where(Application.status.in_(UNDECIDED), Campaign.decision_date.is_not(None),
               Campaign.decision_date < now.date())
    ).all()
    done = 0
    for application in rows:
        try:
            applications.decline(None, application, DeclineReason.DECISION_DATE_PASSED, now=now)
            done += 1
        except DomainError:
            continue
    return done


def _unsent(rows: list[Deal], kind: str, deadline_of) -> list[Deal]:
    """The deals among `rows` whose `kind` reminder about their current deadline is not
    recorded yet (one query)."""
    if not rows:
        return []
    sent = set(db.session.execute(select(DealReminder.deal_id, DealReminder.deadline).where(
        DealReminder.kind == kind, DealReminder.deal_id.in_([d.id for d in rows]))).all())
    return [d for d in rows if (d.id, deadline_of(d)) not in sent]


def _remind(rows: list[Deal], kind: str, deadline_of, event: str, now: datetime,
            mark=None) -> int:
    """Record each reminder (its own commit: the unique key turns a second runner's insert
    into an IntegrityError, so it is skipped, never sent twice), then announce it through
    deal_event. Returns how many were sent."""
    sent = 0
    for deal in _unsent(rows, kind, deadline_of):
        deadline = deadline_of(deal)
        if claim_row(Deal, deal.id) is None:  # another runner is reminding about this deal
            continue
        db.session.add(DealReminder(deal_id=deal.id, kind=kind, deadline=deadline, sent_at=now))
        if mark is not None:
            mark(deal)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            continue
        deal_event.send(deal, event=event, actor=None, note="", deadline=deadline)
        sent += 1
    return sent


def remind_content_due_soon(now: datetime) -> int:
    """Tell the creator 48 hours before the content is due (once per due date)."""
    rows = db.session.scalars(select(Deal).where(
        Deal.state.in_(schedule.OWES_CONTENT), schedule.content_due_soon_clause(now))).all()
    return _remind(list(rows), "content_due_soon", schedule.content_due_at, "content_due_soon",
                   now)


def flag_late(now: datetime) -> int:
    """Mark deals whose content is overdue and tell both sides, once per due date (the brand
    learns it may now extend the date or cancel with a full refund)."""
    rows = db.session.scalars(select(Deal).where(
        Deal.state.in_(schedule.OWES_CONTENT), schedule.content_late_clause(now))).all()

    def mark(deal: Deal) -> None:
        deal.is_late = True
        deal.last_reminded_at = now

    return _remind(list(rows), "content_late", schedule.content_due_at, "deal_late", now, mark)


def remind_review_closing(now: datetime) -> int:
    """Tell the brand 24 hours before its review time ends (auto-approval then approves and
    releases the payment), once per submission."""
    rows = db.session.scalars(select(Deal).where(
        Deal.state == DealState.SUBMITTED, schedule.review_closing_soon_clause(now))).all()
    return _remind(list(rows), "review_closing", schedule.review_by, "review_closing_soon", now)


def remind_review_window_closing(now: datetime) -> int:
    """Tell both sides 3 days before the review window of a completed deal closes (the
    notice goes to whoever has not reviewed yet)."""
    rows = db.session.scalars(select(Deal).where(
        Deal.state == DealState.COMPLETED, schedule.review_window_closing_clause(now))).all()
    return _remind(list(rows), "review_window_closing", schedule.review_window_closes_at,
                   "review_window_closing", now)


def notify_usage_ending(now: datetime) -> int:
    """Tell the brand, once per deal, that paid use of delivered content ends within 7 days.
    The deal row is locked and `usage_notice_sent_at` is stored in the same commit as the
    notification, so a second run (or a second runner) sends nothing."""
    ending = library.rights_status_clause(library.RightsStatus.ENDING, now)
    ids = db.session.scalars(select(Deal.id).where(
        Deal.state.in_(library.LIBRARY_STATES), Deal.usage_notice_sent_at.is_(None),
        ending)).all()
    sent = 0
    for deal_id in ids:
        deal = db.session.execute(
            select(Deal).where(Deal.id == deal_id, Deal.usage_notice_sent_at.is_(None))
            .with_for_update(skip_locked=True).execution_options(populate_existing=True)
        ).scalar()
        end = library.rights_end(deal) if deal is not None else None
        if end is None:
            db.session.rollback()
            continue
        deal.usage_notice_sent_at = now
        ends = schedule.format_when(end, with_time=False)
        text = (f"Paid use of {deal.creator.display_name}'s content for "
                f"“{deal.campaign.title}” ends on {ends}. Renew the rights with the creator "
                "or stop paid promotion by then.")
        facts = [("Creator", deal.creator.display_name), ("Campaign", deal.campaign.title),
                 ("Usage rights", taxonomy.USAGE_RIGHTS.get(deal.usage_rights, "")),
                 ("Paid use ends", schedule.format_when(end))]
        try:  # notify commits the notification together with usage_notice_sent_at
            notifications.notify(
                deal.brand.user, "usage_rights", text,
                notifications.path_for("library.index", campaign=deal.campaign_id),
                facts=facts, action="Open the content library")
        except Exception:  # noqa: BLE001  (the next run tries again)
            db.session.rollback()
            log.exception("could not send the usage notice for deal %s", deal_id)
            continue
        sent += 1
    return sent


def run_all(now: datetime | None = None) -> dict[str, int]:
    """Run every job once; returns how many rows each one changed."""
    now = now_or(now)
    return {
        "auto_approved": auto_approve_due(now),
        "posts_verified": monitoring.check_posts_due(now),
        "posts_confirmed": confirm_silent_posts(now),
        "snapshots_taken": monitoring.take_due_snapshots(now),
        "deals_expired": expire_unfunded(now),
        "offers_expired": expire_offers(now),
        "applications_declined": decline_past_decision_date(now),
        "due_soon_reminders": remind_content_due_soon(now),
        "late_reminders": flag_late(now),
        "review_closing_reminders": remind_review_closing(now),
        "review_window_reminders": remind_review_window_closing(now),
        "reviews_revealed": reviews.reveal_due_reviews(now),
        "usage_notices": notify_usage_ending(now),
        "usage_code_reminders": usage_codes.remind_expiring(now),
        "results_mails": results_mail.send_results_in(now),
    }

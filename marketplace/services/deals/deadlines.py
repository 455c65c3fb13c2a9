"""Time-driven deal work, run by `flask deals run-jobs` (cron: every few minutes).

Every job selects only rows that still need the change and re-checks under the services'
row locks, so running the jobs twice (or two runners at once) changes nothing the second time.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import url_for
from sqlalchemy import or_, select

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
from marketplace.services.deals import applications, library, offers, reviews
from marketplace.services.deals import state_machine as deals
from marketplace.services.deals.parties import now_or, setting
from marketplace.services.errors import DomainError
from marketplace.services.messaging import notifications
from marketplace.signals import deal_event

log = logging.getLogger(__name__)

REMIND_EVERY = timedelta(days=1)
LATE_STATES = (DealState.FUNDED, DealState.REVISION_REQUESTED)


def auto_approve_due(now: datetime) -> int:
    ids = db.session.scalars(select(Deal.id).where(
        Deal.state == DealState.SUBMITTED, Deal.auto_approve_at <= now)).all()
    return _perform_each(ids, deals.Action.AUTO_APPROVE, now)


def expire_unfunded(now: datetime) -> int:
    cutoff = now - timedelta(days=setting("DEAL_FUNDING_DAYS"))
    ids = db.session.scalars(select(Deal.id).where(
        Deal.state == DealState.AGREED, Deal.agreed_at <= cutoff)).all()
    return _perform_each(ids, deals.Action.EXPIRE, now)


def _perform_each(ids: list[int], action: deals.Action, now: datetime) -> int:
    done = 0
    for deal_id in ids:
        deal = db.session.get(Deal, deal_id)
        try:
            deals.perform(deal, action, None, now=now)
            done += 1
        except DomainError:  # someone acted in between: nothing left to do
            continue
    return done


def expire_offers(now: datetime) -> int:
    threads = db.session.scalars(select(OfferThread).where(
        OfferThread.status == ThreadStatus.OPEN, OfferThread.expires_at <= now)).all()
    return sum(offers.expire(thread, now=now) for thread in threads)


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


def flag_late(now: datetime) -> int:
    """Mark deals whose content is overdue; remind both sides at most once a day."""
    rows = db.session.scalars(
        select(Deal).where(
            Deal.state.in_(LATE_STATES), Deal.content_due < now.date(),
            or_(Deal.last_reminded_at.is_(None), Deal.last_reminded_at <= now - REMIND_EVERY),
        ).with_for_update()
    ).all()
    for deal in rows:
        deal.is_late = True
        deal.last_reminded_at = now
    db.session.commit()
    for deal in rows:
        deal_event.send(deal, event="deal_late", actor=None,
                        note=f"The content was due on {deal.content_due:%d %b %Y}.")
    return len(rows)


def _library_url(campaign_id: int) -> str:
    try:
        return url_for("library.index", campaign=campaign_id, _external=False)
    except RuntimeError:  # a CLI run without SERVER_NAME: the notice goes without a link
        return ""


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
        text = (f"Paid use of {deal.creator.display_name}'s content for "
                f"“{deal.campaign.title}” ends on {end:%d %b %Y}. Renew the rights with "
                "the creator or stop paid promotion by then.")
        try:  # notify commits the notification together with usage_notice_sent_at
            notifications.notify(deal.brand.user, "usage_rights", text,
                                 _library_url(deal.campaign_id))
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
        "deals_expired": expire_unfunded(now),
        "offers_expired": expire_offers(now),
        "applications_declined": decline_past_decision_date(now),
        "late_reminders": flag_late(now),
        "reviews_revealed": reviews.reveal_due_reviews(now),
        "usage_notices": notify_usage_ending(now),
    }

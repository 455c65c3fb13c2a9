"""The "results are in" e-mail: a week after a deal's posts went live, the brand gets the
headline numbers and the views chart. Run by the deals sweeper (`deadlines.run_all`) and sent
once per deal: the `deal_reminders` row (kind "results_in") is committed before sending, so a
second runner's insert fails on the unique key and sends nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from marketplace.models import Deal
from marketplace.models.reminder import DealReminder
from marketplace.services.deals import result_charts, results, schedule
from marketplace.services.messaging import notifications

KIND = "results_in"


def headline_facts(figures: results.Figures) -> list[tuple[str, str]]:
    """Label/value lines for the e-mail; a creator's numbers say so, a missing one is "—"."""
    suffix = f" ({results.REPORTED_LABEL})" if figures.reported else ""

    def count(n: int | None) -> str:
        return "—" if n is None else f"{n:,}{suffix}"

    share = "—" if figures.engagement_rate is None else f"{figures.engagement_rate:.1%}"
    return [("Views", count(figures.views)), ("Engagements", count(figures.engagements)),
            ("Engagement rate", share),
            ("Cost per 1,000 views", figures.money(figures.cpm_cents)),
            ("Cost per engagement", figures.money(figures.cpe_cents)),
            ("Price", figures.money(figures.spend_cents))]


def due_deals(now: datetime) -> list[Deal]:
    """Deals whose posts went live a week ago (and not more than two: an old deal found by a
    first run is not mailed late), not yet told (two queries)."""
    rows = list(db.session.scalars(select(Deal).where(
        Deal.posted_at.is_not(None), schedule.results_due_clause(now),
        ~schedule.results_due_clause(now - schedule.RESULTS_AFTER),
        Deal.state.not_in(results.UNCOUNTED_STATES))))
    if not rows:
        return []
    sent = set(db.session.scalars(select(DealReminder.deal_id).where(
        DealReminder.kind == KIND, DealReminder.deal_id.in_([d.id for d in rows]))))
    return [deal for deal in rows if deal.id not in sent]


def send_results_in(now: datetime) -> int:
    sent = 0
    for deal in due_deals(now):
        db.session.add(DealReminder(deal_id=deal.id, kind=KIND,
                                    deadline=schedule.results_due_at(deal), sent_at=now))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            continue
        result = results.deal_results(deal)
        notifications.notify(
            deal.brand.user, "results", f"The results are in for {result.creator_name}'s "
            f"posts in {deal.campaign.title}",
            notifications.path_for("deals.results", deal_id=deal.id),
            details=[f"A week after the posts went live, here is what they achieved so far. "
                     f"Numbers marked \"{results.REPORTED_LABEL}\" were typed in by the "
                     f"creator with a screenshot."],
            facts=headline_facts(result.figures), action="See the results",
            chart=result_charts.views_chart(result.posts))
        sent += 1
    return sent

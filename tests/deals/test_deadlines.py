"""`flask deals run-jobs`: each job does its work once; a second run changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import (
    Application,
    ApplicationStatus,
    Deal,
    DealEvent,
    DealState,
    MatchEvent,
    ThreadStatus,
)
from marketplace.services.deals import applications, offers
from marketplace.services.deals import deadlines as deal_jobs
from marketplace.signals import deal_event
from tests.support import factories
from tests.support.deals import make_deal, terms

PITCH = "I film a calm morning routine that fits your serum."


@pytest.fixture
def events():
    seen = []

    def listener(sender, **kw):
        seen.append(kw["event"])

    deal_event.connect(listener)
    yield seen
    deal_event.disconnect(listener)


def state(deal_id: int) -> DealState:
    db.session.expire_all()
    return db.session.get(Deal, deal_id).state


def test_auto_approve_due_submissions_once(app_ctx, events):
    now = utcnow()
    due = make_deal(state="submitted", auto_approve_at=now - timedelta(minutes=1))
    not_due = make_deal(state="submitted", auto_approve_at=now + timedelta(hours=1))
    assert deal_jobs.run_all(now)["auto_approved"] == 1
    assert state(due.id) == DealState.APPROVED
    assert state(not_due.id) == DealState.SUBMITTED
    assert deal_jobs.run_all(now)["auto_approved"] == 0
    events_rows = db.session.scalars(select(DealEvent).where(DealEvent.deal_id == due.id)).all()
    assert [(e.action, e.actor_side) for e in events_rows] == [("auto_approve", "system")]
    assert events.count("deal_auto_approved") == 1


def test_auto_approve_default_is_three_days(app_ctx):
    brand, creator = factories.make_brand(), factories.make_creator()
    deal = make_deal(brand, creator, state="funded")
    from marketplace.services.deals import state_machine as deals
    deals.perform(deal, "submit", creator.user, post_links=["https://www.tiktok.com/@a/video/1"],
                  caption="#ad")
    assert deal.auto_approve_at - deal.submitted_at == timedelta(days=3)
    assert deal_jobs.run_all(deal.submitted_at + timedelta(days=2))["auto_approved"] == 0
    assert deal_jobs.run_all(deal.submitted_at + timedelta(days=3))["auto_approved"] == 1


def test_expire_unfunded_deals(app_ctx):
    now = utcnow()
    old = make_deal(agreed_at=now - timedelta(days=7, minutes=1))
    fresh = make_deal(agreed_at=now - timedelta(days=6))
    funded_old = make_deal(state="funded", agreed_at=now - timedelta(days=30))
    assert deal_jobs.run_all(now)["deals_expired"] == 1
    assert state(old.id) == DealState.EXPIRED
    assert state(fresh.id) == DealState.AGREED
    assert state(funded_old.id) == DealState.FUNDED
    assert deal_jobs.run_all(now)["deals_expired"] == 0


def test_expire_offers(app_ctx, events):
    brand, creator = factories.make_brand(), factories.make_creator()
    campaign = factories.make_campaign(brand)
    thread = offers.invite(brand.user, campaign, creator, terms(campaign))
    assert deal_jobs.run_all(utcnow())["offers_expired"] == 0
    later = utcnow() + timedelta(hours=73)
    assert deal_jobs.run_all(later)["offers_expired"] == 1
    db.session.refresh(thread)
    assert thread.status == ThreadStatus.EXPIRED
    assert deal_jobs.run_all(later)["offers_expired"] == 0
    assert events.count("offer_expired") == 1


def test_decision_date_auto_declines(app_ctx, events):
    brand = factories.make_brand()
    campaign = factories.make_campaign(brand)
    a, b, c = (factories.make_creator() for _ in range(3))
    pending = applications.apply(a.user, campaign, pitch=PITCH, proposed_price_cents=100)
    shortlisted = applications.apply(b.user, campaign, pitch=PITCH, proposed_price_cents=100)
    applications.shortlist(brand.user, shortlisted)
    withdrawn = applications.apply(c.user, campaign, pitch=PITCH, proposed_price_cents=100)
    applications.withdraw(c.user, withdrawn)
    campaign.decision_date = date.today()
    db.session.commit()
    now = utcnow()
    assert deal_jobs.run_all(now)["applications_declined"] == 0  # on the date: still open
    tomorrow = now + timedelta(days=1)
    assert deal_jobs.run_all(tomorrow)["applications_declined"] == 2
    db.session.expire_all()
    rows = {r.id: r for r in db.session.scalars(select(Application))}
    for app_id in (pending.id, shortlisted.id):
        assert rows[app_id].status == ApplicationStatus.DECLINED
        assert rows[app_id].decline_reason == "decision_date_passed"
    assert rows[withdrawn.id].status == ApplicationStatus.WITHDRAWN
    assert deal_jobs.run_all(tomorrow)["applications_declined"] == 0
    declined_logs = db.session.scalar(select(func.count()).select_from(MatchEvent)
                                      .where(MatchEvent.event == "declined"))
    assert declined_logs == 2


def test_late_deals_flagged_and_reminded_once(app_ctx, events):
    now = utcnow()
    late = make_deal(state="funded", content_due=date.today() - timedelta(days=1))
    on_time = make_deal(state="funded", content_due=date.today() + timedelta(days=5))
    submitted = make_deal(state="submitted", content_due=date.today() - timedelta(days=1),
                          auto_approve_at=now + timedelta(days=2))
    assert deal_jobs.run_all(now)["late_reminders"] == 1
    db.session.expire_all()
    assert db.session.get(Deal, late.id).is_late
    assert not db.session.get(Deal, on_time.id).is_late
    assert not db.session.get(Deal, submitted.id).is_late
    # Once per due date: neither hours nor days later is the same deal reminded again.
    assert deal_jobs.run_all(now + timedelta(hours=5))["late_reminders"] == 0
    assert deal_jobs.run_all(now + timedelta(days=1))["late_reminders"] == 0
    assert events.count("deal_late") == 1


def test_running_twice_changes_nothing(app_ctx):
    now = utcnow()
    make_deal(state="submitted", auto_approve_at=now - timedelta(hours=1))
    make_deal(agreed_at=now - timedelta(days=9))
    make_deal(state="funded", content_due=date.today() - timedelta(days=3))
    first = deal_jobs.run_all(now)
    assert sum(first.values()) == 3

    def dump():
        db.session.expire_all()
        deals_ = [(d.id, d.state, d.is_late, d.last_reminded_at)
                  for d in db.session.scalars(select(Deal).order_by(Deal.id))]
        return deals_, db.session.scalar(select(func.count()).select_from(DealEvent))

    before = dump()
    assert set(deal_jobs.run_all(now).values()) == {0}
    assert dump() == before


def test_cli_run_jobs(runner):
    make_deal(state="submitted", auto_approve_at=utcnow() - timedelta(hours=1))
    result = runner.invoke(args=["deals", "run-jobs"])
    assert result.exit_code == 0, result.output
    assert "auto approved: 1" in result.output
    result = runner.invoke(args=["deals", "run-jobs"])
    assert "auto approved: 0" in result.output

"""services/deals/schedule.py: every deal date from the deal's own fields (and settings), the
lateness rule, the tracker's steps, and the one date format people see."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Deal, DealState
from marketplace.services.deals import schedule
from tests.support.deals import make_deal

T0 = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # agreed
DUE = date(2026, 12, 10)


def deal_in(state: str, **fields) -> Deal:
    """A deal row in memory: the schedule reads fields only."""
    values = dict(state=DealState(state), agreed_at=T0, content_due=DUE, price_cents=40000,
                  currency="USD")
    values.update(fields)
    return Deal(**values)


@pytest.fixture
def app(make_app):
    return make_app(DEAL_FUNDING_DAYS=7, AUTO_APPROVE_DAYS=3, PAYOUT_ARRIVAL_DAYS=2,
                    REVIEW_WINDOW_DAYS=14, MAIL_ENABLED=False)


# --------------------------------------------------------------------------- formatting

def test_one_format_for_dates_and_moments(app_ctx):
    assert schedule.format_when(date(2026, 12, 2)) == "02 Dec 2026"
    moment = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
    assert schedule.format_when(moment) == "02 Dec 2026, 14:00 UTC"
    assert schedule.format_when(moment, with_time=False) == "02 Dec 2026"
    assert schedule.format_when(None) == "—"
    # A moment given in another zone is written in UTC.
    from zoneinfo import ZoneInfo
    paris = datetime(2026, 12, 2, 15, 30, tzinfo=ZoneInfo("Europe/Paris"))
    assert schedule.format_when(paris) == "02 Dec 2026, 14:30 UTC"


def test_when_filter_is_the_same_function(app, app_ctx):
    from flask import render_template_string
    moment = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
    assert render_template_string("{{ m|when }}", m=moment) == "02 Dec 2026, 14:00 UTC"
    assert render_template_string("{{ d|when }}", d=DUE) == "10 Dec 2026"


def test_countdown(app_ctx):
    now = T0
    assert schedule.countdown(now + timedelta(days=2, hours=3), now) == "in 2 days 3 hours"
    assert schedule.countdown(now + timedelta(hours=5), now) == "in 5 hours"
    assert schedule.countdown(now + timedelta(days=1), now) == "in 1 day"
    assert schedule.countdown(now - timedelta(seconds=1), now) == "overdue"


# --------------------------------------------------------------------------- each date

def test_funding_deadline_is_agreed_plus_funding_days(app_ctx):
    assert schedule.funding_deadline(deal_in("agreed")) == T0 + timedelta(days=7)
    assert schedule.unfunded_cutoff(T0 + timedelta(days=7)) == T0


def test_funding_days_setting_is_respected(make_app):
    with make_app(DEAL_FUNDING_DAYS=3).app_context():
        assert schedule.funding_deadline(deal_in("agreed")) == T0 + timedelta(days=3)


def test_content_is_due_at_the_end_of_its_day_utc(app_ctx):
    deal = deal_in("funded")
    assert schedule.content_due_at(deal) == datetime(2026, 12, 11, 0, 0, tzinfo=UTC)
    last_minute = datetime(2026, 12, 10, 23, 59, 59, tzinfo=UTC)
    assert not schedule.is_content_late(deal, last_minute)
    assert schedule.is_content_late(deal, datetime(2026, 12, 11, 0, 0, tzinfo=UTC))
    # Only while content is owed: a submitted or approved deal is never late.
    for state in ("submitted", "approved", "agreed", "cancelled"):
        assert not schedule.is_content_late(deal_in(state), datetime(2027, 1, 1, tzinfo=UTC))
    assert schedule.is_content_late(deal_in("revision_requested"),
                                    datetime(2026, 12, 12, tzinfo=UTC))


def test_sql_lateness_agrees_with_the_python_rule(app_ctx):
    """The job's SQL filter and the page's rule must call the same deals late."""
    today = datetime.now(UTC).date()
    rows = [make_deal(state="funded", content_due=today + timedelta(days=d))
            for d in (-2, -1, 0, 1, 2, 3)]
    for now in (datetime.combine(today, datetime.min.time(), tzinfo=UTC),
                datetime.combine(today, datetime.max.time(), tzinfo=UTC),
                datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=UTC)):
        late_sql = set(db.session.scalars(select(Deal.id).where(
            Deal.id.in_([d.id for d in rows]), schedule.content_late_clause(now))))
        assert late_sql == {d.id for d in rows if schedule.is_content_late(d, now)}
        soon_sql = set(db.session.scalars(select(Deal.id).where(
            Deal.id.in_([d.id for d in rows]), schedule.content_due_soon_clause(now))))
        assert soon_sql == {d.id for d in rows
                            if now < schedule.content_due_at(d)
                            <= now + schedule.REMIND_CONTENT_BEFORE}


def test_review_by_is_the_auto_approval_moment(app_ctx):
    submitted_at = T0 + timedelta(days=3)
    assert schedule.auto_approve_after(submitted_at) == submitted_at + timedelta(days=3)
    deal = deal_in("submitted", submitted_at=submitted_at,
                   auto_approve_at=schedule.auto_approve_after(submitted_at))
    assert schedule.review_by(deal) == deal.auto_approve_at
    assert schedule.expected_approval(deal) == deal.auto_approve_at
    assert schedule.review_by(deal_in("revision_requested")) is None


def test_expected_approval_and_payout_arrival(app_ctx):
    funded = deal_in("funded", funded_at=T0)
    # Not submitted yet: at the latest, submitted at the end of the due day, then 3 days.
    assert schedule.expected_approval(funded) == datetime(2026, 12, 14, tzinfo=UTC)
    assert schedule.payout_arrival(funded) == datetime(2026, 12, 16, tzinfo=UTC)
    # Once the due date has passed, the estimate starts from now, never from the past.
    later = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)
    assert schedule.expected_approval(funded, later) == later + timedelta(days=3)
    assert schedule.payout_arrival(funded, later) == later + timedelta(days=5)
    approved_at = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
    approved = deal_in("approved", approved_at=approved_at)
    assert schedule.payout_arrival(approved) == approved_at + timedelta(days=2)
    paid_at = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
    paid = deal_in("paid_out", approved_at=approved_at, paid_out_at=paid_at)
    assert schedule.payout_arrival(paid) == paid_at + timedelta(days=2)
    assert schedule.payout_arrival(deal_in("cancelled")) is None


def test_payout_arrival_days_setting(make_app):
    with make_app(PAYOUT_ARRIVAL_DAYS=5).app_context():
        paid_at = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
        assert schedule.payout_arrival(deal_in("paid_out", paid_out_at=paid_at)) == (
            paid_at + timedelta(days=5))


def test_review_window(app_ctx):
    completed_at = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    done = deal_in("completed", completed_at=completed_at)
    assert schedule.review_window_closes_at(done) == completed_at + timedelta(days=14)
    assert schedule.review_window_closes_at(deal_in("paid_out")) is None
    from marketplace.services.deals import reviews
    assert reviews.window_closes_at(done) == schedule.review_window_closes_at(done)


# --------------------------------------------------------------------------- the tracker

def steps(tracker) -> dict:
    return {s.key: s for s in tracker.steps}


def test_tracker_agreed(app_ctx):
    tracker = schedule.tracker(deal_in("agreed"), now=T0 + timedelta(days=1))
    s = steps(tracker)
    assert [step.key for step in tracker.steps] == ["agreed", "funded", "submitted", "approved",
                                                    "paid_out", "reviewed"]
    assert s["agreed"].done_at == T0 and s["agreed"].status == "done"
    assert s["funded"].current and s["funded"].expected_at == T0 + timedelta(days=7)
    assert s["submitted"].expected_at == DUE and s["submitted"].status == "upcoming"
    assert tracker.halt is None and not any(step.late for step in tracker.steps)
    assert s["funded"].late is False
    late = schedule.tracker(deal_in("agreed"), now=T0 + timedelta(days=7, seconds=1))
    assert steps(late)["funded"].late


def test_tracker_funded_then_late(app_ctx):
    deal = deal_in("funded", funded_at=T0 + timedelta(hours=1))
    s = steps(schedule.tracker(deal, now=datetime(2026, 12, 10, 12, tzinfo=UTC)))
    assert s["funded"].done_at == deal.funded_at
    assert s["submitted"].current and not s["submitted"].late
    assert s["approved"].expected_at == datetime(2026, 12, 14, tzinfo=UTC)
    assert s["paid_out"].expected_at == datetime(2026, 12, 14, tzinfo=UTC)
    assert "16 Dec 2026" in s["paid_out"].note
    s = steps(schedule.tracker(deal, now=datetime(2026, 12, 11, 0, 1, tzinfo=UTC)))
    assert s["submitted"].late and s["submitted"].current


def test_tracker_submitted_revision_and_approved(app_ctx):
    sub_at = datetime(2026, 12, 8, 9, tzinfo=UTC)
    submitted = deal_in("submitted", funded_at=T0, submitted_at=sub_at,
                        auto_approve_at=sub_at + timedelta(days=3))
    s = steps(schedule.tracker(submitted, now=sub_at))
    assert s["submitted"].done_at == sub_at
    assert s["approved"].current and s["approved"].expected_at == submitted.auto_approve_at
    assert s["approved"].due_word == "by"
    revising = deal_in("revision_requested", funded_at=T0, submitted_at=sub_at)
    s = steps(schedule.tracker(revising, now=sub_at))
    assert s["submitted"].done_at is None and s["submitted"].current
    assert "Revision requested" in s["submitted"].note
    approved = deal_in("approved", funded_at=T0, submitted_at=sub_at,
                       approved_at=sub_at + timedelta(hours=5))
    s = steps(schedule.tracker(approved, now=sub_at + timedelta(hours=6)))
    assert s["approved"].done_at == approved.approved_at
    assert s["paid_out"].current and s["paid_out"].expected_at == approved.approved_at


def test_tracker_completed_and_reviews(app_ctx):
    completed_at = datetime(2026, 12, 9, tzinfo=UTC)
    done = deal_in("completed", funded_at=T0, submitted_at=T0, approved_at=T0,
                   paid_out_at=completed_at, completed_at=completed_at)
    s = steps(schedule.tracker(done, now=completed_at))
    assert s["reviewed"].current
    assert s["reviewed"].expected_at == completed_at + timedelta(days=14)
    reviewed_at = completed_at + timedelta(days=1)
    s = steps(schedule.tracker(done, now=reviewed_at, reviewed_at=reviewed_at))
    assert s["reviewed"].done_at == reviewed_at and not any(x.current for x in s.values())
    s = steps(schedule.tracker(done, now=completed_at + timedelta(days=15)))
    assert not s["reviewed"].current and "closed" in s["reviewed"].note


@pytest.mark.parametrize("state, at_field, label", [
    ("cancelled", "cancelled_at", "Cancelled on"), ("expired", "expired_at", "Expired on"),
    ("disputed", "disputed_at", "In dispute since"),
])
def test_tracker_halted(app_ctx, state, at_field, label):
    at = T0 + timedelta(days=2)
    deal = deal_in(state, funded_at=T0 + timedelta(days=1), **{at_field: at})
    tracker = schedule.tracker(deal, now=at)
    assert tracker.halt.headline == f"{label} {schedule.format_when(at)}"
    assert tracker.halt.at == at
    s = steps(tracker)
    assert s["funded"].done_at == deal.funded_at  # what happened keeps its date
    assert all(step.expected_at is None and not step.current
               for step in tracker.steps if step.done_at is None)


def test_deadline_settings_come_from_the_environment(tmp_path):
    from marketplace import config

    settings = config.load({"AUTO_APPROVE_DAYS": "5", "DEAL_FUNDING_DAYS": "9",
                            "OFFER_TTL_HOURS": "24", "DUET_INSTANCE": str(tmp_path)})
    assert (settings["AUTO_APPROVE_DAYS"], settings["DEAL_FUNDING_DAYS"],
            settings["OFFER_TTL_HOURS"]) == (5, 9, 24)
    assert config.load({"DUET_INSTANCE": str(tmp_path)})["AUTO_APPROVE_DAYS"] == 3

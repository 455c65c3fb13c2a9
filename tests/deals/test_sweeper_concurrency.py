"""The deadline sweeper with several runners at once (PostgreSQL): each due row is claimed
with FOR UPDATE SKIP LOCKED, so a row another runner holds is skipped, not waited for, and
every deal is auto-approved (and reminded) exactly once however many sweeps run together."""

from __future__ import annotations

import threading
from datetime import date, timedelta

from sqlalchemy import func, select

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import Deal, DealEvent
from marketplace.models.reminder import DealReminder
from marketplace.services.deals import deadlines
from tests.deals.test_deal_races import pg_only, run_concurrently  # noqa: F401  (fixture)
from tests.support import factories
from tests.support.deals import make_deal

N = 8


def _due_deals(now):
    brand, creator = factories.make_brand(), factories.make_creator()
    approve = [make_deal(brand, creator, state="submitted",
                         auto_approve_at=now - timedelta(minutes=5)).id for _ in range(N)]
    remind = [make_deal(brand, creator, state="funded",
                        content_due=date.today() + timedelta(days=1)).id for _ in range(N)]
    return approve, remind


def test_two_concurrent_sweeps_do_each_row_once(app, app_ctx, pg_only):  # noqa: F811
    now = utcnow()
    approve, remind = _due_deals(now)
    results = run_concurrently(app, 2, lambda _: deadlines.run_all(now))
    assert all(isinstance(r, dict) for r in results), results
    assert sum(r["auto_approved"] for r in results) == N
    assert sum(r["due_soon_reminders"] for r in results) == N
    db.session.expire_all()
    per_deal = dict(db.session.execute(
        select(DealEvent.deal_id, func.count()).where(DealEvent.action == "auto_approve")
        .group_by(DealEvent.deal_id)).all())
    assert per_deal == {deal_id: 1 for deal_id in approve}
    reminded = db.session.scalars(select(DealReminder.deal_id)
                                  .where(DealReminder.kind == "content_due_soon")).all()
    assert sorted(reminded) == sorted(remind)


def test_a_row_another_runner_holds_is_skipped_not_waited_for(app, app_ctx,
                                                               pg_only):  # noqa: F811
    now = utcnow()
    held_id, free_id = (make_deal(state="submitted", auto_approve_at=now - timedelta(minutes=1)).id
                        for _ in range(2))
    locked, release = threading.Event(), threading.Event()

    def hold_the_row():
        with app.app_context():
            db.session.execute(select(Deal).where(Deal.id == held_id).with_for_update())
            locked.set()
            release.wait(30)
            db.session.rollback()
            db.session.remove()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert locked.wait(30)
        assert deadlines.auto_approve_due(now) == 1  # returns at once: the held row skipped
        db.session.expire_all()
        states = {d.id: d.state for d in db.session.scalars(select(Deal))}
        assert states[held_id] == "submitted" and states[free_id] != "submitted"
    finally:
        release.set()
        holder.join(30)
    assert deadlines.auto_approve_due(now) == 1  # the next sweep does it
    db.session.expire_all()
    assert db.session.get(Deal, held_id).state != "submitted"

"""Invitations and versioned offers: turns, expiry, accept-once, counters, diff, decline."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import (
    ApplicationStatus,
    Deal,
    DealState,
    MatchEvent,
    OfferThread,
    OfferVersion,
    ThreadStatus,
)
from marketplace.services.deals import applications, offers
from marketplace.services.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from marketplace.signals import deal_event
from tests.support import factories
from tests.support.deals import terms


@pytest.fixture
def setup(app_ctx):
    brand = factories.make_brand()
    creator = factories.make_creator()
    campaign = factories.make_campaign(brand)
    return brand, creator, campaign


@pytest.fixture
def events():
    seen = []

    def listener(sender, **kw):
        seen.append(kw["event"])

    deal_event.connect(listener)
    yield seen
    deal_event.disconnect(listener)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_invite_creates_thread_version_one_and_logs(setup, events):
    brand, creator, campaign = setup
    thread = offers.invite(brand.user, campaign, creator, terms(campaign))
    assert thread.status == ThreadStatus.OPEN
    assert [v.number for v in thread.versions] == [1]
    v1 = thread.versions[0]
    assert v1.author_side == "brand"
    assert v1.expires_at - v1.created_at == timedelta(hours=72)
    assert db.session.scalar(select(MatchEvent.event)) == "invited"
    assert events == ["offer_sent"]


def test_offer_ttl_is_configurable(make_app):
    app = make_app(OFFER_TTL_HOURS=5)
    with app.app_context():
        brand, creator = factories.make_brand(), factories.make_creator()
        campaign = factories.make_campaign(brand)
        thread = offers.invite(brand.user, campaign, creator, terms(campaign))
        assert thread.expires_at - thread.created_at == timedelta(hours=5)
        db.session.remove()


def test_one_open_thread_per_campaign_and_creator(setup):
    brand, creator, campaign = setup
    offers.invite(brand.user, campaign, creator, terms(campaign))
    with pytest.raises(Conflict, match="already have an open offer"):
        offers.invite(brand.user, campaign, creator, terms(campaign))
    assert count(OfferThread) == 1


def test_invite_to_foreign_or_closed_campaign_refused(setup):
    brand, creator, campaign = setup
    other = factories.make_campaign(factories.make_brand())
    with pytest.raises(NotAllowed):
        offers.invite(brand.user, other, creator, terms(other))
    draft = factories.make_campaign(brand, status="draft")
    with pytest.raises(DomainError, match="open campaigns"):
        offers.invite(brand.user, draft, creator, terms(draft))
    with pytest.raises(NotAllowed):
        offers.invite(creator.user, campaign, creator, terms(campaign))
    assert count(OfferThread) == 0 and count(MatchEvent) == 0


@pytest.mark.parametrize("changes,field", [
    ({"price_cents": 0}, "price"),
    ({"price_cents": -5}, "price"),
    ({"price_cents": "100"}, "price"),
    ({"price_cents": 10**12}, "price"),
    ({"currency": "EUR"}, "price"),
    ({"deliverables": []}, "deliverables"),
    ({"deliverables": [{"platform": "myspace", "deliverable_type": "post", "quantity": 1}]},
     "deliverables"),
    ({"deliverables": [{"platform": "tiktok", "deliverable_type": "poem", "quantity": 1}]},
     "deliverables"),
    ({"deliverables": [{"platform": "tiktok", "deliverable_type": "post", "quantity": 0}]},
     "deliverables"),
    ({"deliverables": [{"platform": "tiktok", "deliverable_type": "post", "quantity": 99}]},
     "deliverables"),
    ({"content_due": date.today() - timedelta(days=1)}, "content_due"),
    ({"content_due": date.today() + timedelta(days=800)}, "content_due"),
    ({"content_due": None}, "content_due"),
    ({"usage_rights": "forever"}, "usage_rights"),
    ({"revisions_included": 11}, "revisions_included"),
    ({"revisions_included": -1}, "revisions_included"),
    ({"message": "x" * 2001}, "message"),
])
def test_invite_bad_terms(setup, changes, field):
    brand, creator, campaign = setup
    with pytest.raises(DomainError) as exc:
        offers.invite(brand.user, campaign, creator, terms(campaign, **changes))
    assert exc.value.field == field and exc.value.message
    assert count(OfferThread) == 0 and count(MatchEvent) == 0


def test_counter_increments_version_and_switches_turn(setup, events):
    brand, creator, campaign = setup
    thread = offers.invite(brand.user, campaign, creator, terms(campaign))
    with pytest.raises(NotAllowed, match="other side"):
        offers.counter(brand.user, thread, terms(campaign, price_cents=45000))
    v2 = offers.counter(creator.user, thread, terms(campaign, price_cents=55000))
    assert v2.number == 2 and v2.author_side == "creator"
    v3 = offers.counter(brand.user, thread, terms(campaign, price_cents=50000))
    assert v3.number == 3
    assert thread.latest_number == 3 and thread.latest_author_side == "brand"
    assert events == ["offer_sent", "offer_countered", "offer_countered"]


def test_diff_versions(setup):
    brand, creator, campaign = setup
    thread = offers.invite(brand.user, campaign, creator, terms(campaign))
    v2 = offers.counter(creator.user, thread, terms(
        campaign, price_cents=55000, revisions_included=2,
        deliverables=[{"platform": "tiktok", "deliverable_type": "short_video", "quantity": 2}]))
    diff = offers.diff_versions(thread.versions[0], v2)
    assert diff == [
        ("Price", "$400.00", "$550.00"),
        ("Deliverables", "1 × TikTok Short video (15-60 s)", "2 × TikTok Short video (15-60 s)"),
        ("Revisions included", "1", "2"),
    ]
    assert offers.diff_versions(None, v2) == []
    assert offers.diff_versions(v2, v2) == []


def test_only_non_author_accepts_once(setup, events):
    brand, creator, campaign = setup
    thread = offers.invite(brand.user, campaign, creator, terms(campaign))
    with pytest.raises(NotAllowed, match="only the other side"):
        offers.accept(brand.user, thread)
    outsider = factories.make_creator()
    with pytest.raises(NotAllowed):
        offers.accept(outsider.user, thread)
    deal = offers.accept(creator.user, thread)
    assert deal.state == DealState.AGREED and deal.price_cents == 40000
    assert deal.thread_id == thread.id and deal.revisions_included == 1
    assert [e.action for e in deal.events] == ["agree"]
    assert thread.status == ThreadStatus.ACCEPTED
    with pytest.raises(Conflict, match="already accepted"):
        offers.accept(creator.user, thread)
    assert count(Deal) == 1
    assert "accepted" in db.session.scalars(select(MatchEvent.event)).all()
    assert events[-1] == "offer_accepted"


def test_deal_freezes_latest_version(setup):
    brand, creator, campaign = setup
    thread = offers.invite(brand.user, campaign, creator, terms(campaign))
    offers.counter(creator.user, thread, terms(campaign, price_cents=61000, usage_rights="paid_30"))
    deal = offers.accept(brand.user, thread)
    assert (deal.price_cents, deal.usage_rights) == (61000, "paid_30")


def test_expired_offer_cannot_be_accepted_or_countered(setup):
    brand, creator, campaign = setup
    thread = offers.invite(brand.user, campaign, creator, terms(campaign))
    later = utcnow() + timedelta(hours=73)
    with pytest.raises(InvalidTransition, match="expired"):
        offers.accept(creator.user, thread, now=later)
    with pytest.raises(InvalidTransition, match="expired"):
        offers.counter(creator.user, thread, terms(campaign), now=later)
    assert count(Deal) == 0 and count(OfferVersion) == 1
    assert offers.expire(thread, now=later) is True
    assert offers.expire(thread, now=later) is False
    assert thread.status == ThreadStatus.EXPIRED


@pytest.mark.parametrize("reason,note", [("", ""), ("bogus", ""), ("decision_date_passed", ""),
                                         ("budget", "x" * 501)])
def test_decline_bad_input(setup, reason, note):
    brand, creator, campaign = setup
    thread = offers.invite(brand.user, campaign, creator, terms(campaign))
    with pytest.raises(DomainError):
        offers.decline(creator.user, thread, reason, note)
    db.session.refresh(thread)
    assert thread.status == ThreadStatus.OPEN


def test_decline_records_reason_and_logs(setup, events):
    brand, creator, campaign = setup
    thread = offers.invite(brand.user, campaign, creator, terms(campaign))
    offers.decline(creator.user, thread, "budget", "My rate for this is $900.")
    assert thread.status == ThreadStatus.DECLINED
    assert thread.decline_reason_label == "Budget does not fit"
    assert thread.declined_by_side == "creator"
    assert "declined" in db.session.scalars(select(MatchEvent.event)).all()
    with pytest.raises(InvalidTransition):
        offers.accept(creator.user, thread)
    assert events[-1] == "offer_declined"
    # a new thread may be opened after the old one closed
    offers.invite(brand.user, campaign, creator, terms(campaign))


def test_withdraw_only_by_brand(setup):
    brand, creator, campaign = setup
    thread = offers.invite(brand.user, campaign, creator, terms(campaign))
    with pytest.raises(NotAllowed):
        offers.withdraw(creator.user, thread)
    offers.withdraw(brand.user, thread)
    assert thread.status == ThreadStatus.WITHDRAWN


def test_offer_from_application_links_and_marks_offered(setup):
    brand, creator, campaign = setup
    app_ = applications.apply(creator.user, campaign, pitch="I film skincare every morning.",
                              package_ids=[creator.packages[0].id])
    thread = offers.make_offer(brand.user, app_, terms(campaign))
    assert thread.application_id == app_.id
    assert app_.status == ApplicationStatus.OFFERED
    with pytest.raises(InvalidTransition):
        offers.make_offer(brand.user, app_, terms(campaign))


def test_invite_links_pending_application(setup):
    brand, creator, campaign = setup
    app_ = applications.apply(creator.user, campaign, pitch="I film skincare every morning.",
                              proposed_price_cents=35000)
    thread = offers.invite(brand.user, campaign, creator, terms(campaign))
    assert thread.application_id == app_.id and app_.status == ApplicationStatus.OFFERED


def test_prefill_from_campaign(setup):
    _, _, campaign = setup
    t = offers.OfferTerms.from_campaign(campaign)
    assert t.price_cents == campaign.budget_max_cents
    assert t.deliverables == [{"platform": "tiktok", "deliverable_type": "short_video",
                               "quantity": 1}]
    assert t.content_due == campaign.content_due


def test_database_allows_one_open_thread_per_pair(app_ctx):
    """The partial unique index itself (not just the service check) stops a second open
    negotiation for the same campaign and creator; closed threads do not count."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    from marketplace.models import OfferThread, ThreadStatus
    from tests.support.factories import make_brand, make_campaign, make_creator

    brand = make_brand()
    campaign = make_campaign(brand)
    creator = make_creator()

    def thread(status):
        return OfferThread(campaign_id=campaign.id, brand_id=brand.id, creator_id=creator.id,
                           status=status)

    db.session.add_all([thread(ThreadStatus.DECLINED), thread(ThreadStatus.DECLINED),
                        thread(ThreadStatus.OPEN)])
    db.session.commit()
    db.session.add(thread(ThreadStatus.OPEN))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()

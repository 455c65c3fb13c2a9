"""Applications: apply rules, uniqueness (DB constraint), withdraw, shortlist, decline."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from marketplace.models import Application, ApplicationStatus, MatchEvent, Package
from marketplace.services.deals import applications
from marketplace.services.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from tests.support import factories

PITCH = "I film a calm morning routine that fits your serum."


@pytest.fixture
def setup(app_ctx):
    brand = factories.make_brand()
    creator = factories.make_creator()
    campaign = factories.make_campaign(brand)
    return brand, creator, campaign


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Application))


def test_apply_with_package_uses_its_price(setup):
    _, creator, campaign = setup
    app_ = applications.apply(creator.user, campaign, pitch=PITCH,
                              package_ids=[creator.packages[0].id])
    assert app_.status == ApplicationStatus.PENDING
    assert app_.proposed_price_cents == 30000 and app_.currency == "USD"
    assert db.session.scalar(select(MatchEvent.event)) == "applied"


def test_apply_with_custom_price(setup):
    _, creator, campaign = setup
    app_ = applications.apply(creator.user, campaign, pitch=PITCH, proposed_price_cents=45000)
    assert app_.proposed_price_cents == 45000 and app_.package_ids == []


def test_second_application_is_a_conflict(setup):
    _, creator, campaign = setup
    applications.apply(creator.user, campaign, pitch=PITCH, proposed_price_cents=45000)
    with pytest.raises(Conflict, match="already applied"):
        applications.apply(creator.user, campaign, pitch=PITCH, proposed_price_cents=45000)
    assert count() == 1


def test_database_enforces_one_application(setup):
    _, creator, campaign = setup
    for _ in range(2):
        db.session.add(Application(campaign_id=campaign.id, creator_id=creator.id, pitch=PITCH,
                                   proposed_price_cents=100, currency="USD"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_foreign_package_refused(setup):
    _, creator, campaign = setup
    other = factories.make_creator()
    with pytest.raises(DomainError) as exc:
        applications.apply(creator.user, campaign, pitch=PITCH,
                           package_ids=[other.packages[0].id])
    assert exc.value.field == "package_ids"
    assert count() == 0


@pytest.mark.parametrize("kwargs,field", [
    ({"pitch": ""}, "pitch"),
    ({"pitch": "too short"}, "pitch"),
    ({"pitch": "x" * 2001}, "pitch"),
    ({"package_ids": [], "proposed_price_cents": None}, "package_ids"),
    ({"package_ids": [999999]}, "package_ids"),
    ({"package_ids": ["1"]}, "package_ids"),
    ({"proposed_price_cents": 0}, "proposed_price"),
    ({"proposed_price_cents": -100}, "proposed_price"),
    ({"proposed_price_cents": 10**12}, "proposed_price"),
])
def test_apply_bad_input(setup, kwargs, field):
    _, creator, campaign = setup
    args = {"pitch": PITCH, "package_ids": [], "proposed_price_cents": 20000, **kwargs}
    with pytest.raises(DomainError) as exc:
        applications.apply(creator.user, campaign, **args)
    assert exc.value.field == field
    assert count() == 0
    assert db.session.scalar(select(func.count()).select_from(MatchEvent)) == 0


def test_only_open_campaigns_before_deadline(setup):
    brand, creator, campaign = setup
    draft = factories.make_campaign(brand, status="draft")
    with pytest.raises(InvalidTransition, match="not accepting"):
        applications.apply(creator.user, draft, pitch=PITCH, proposed_price_cents=100)
    with pytest.raises(InvalidTransition, match="deadline"):
        applications.apply(creator.user, campaign, pitch=PITCH, proposed_price_cents=100,
                           today=campaign.application_deadline + timedelta(days=1))
    with pytest.raises(NotAllowed):
        applications.apply(brand.user, campaign, pitch=PITCH, proposed_price_cents=100)
    assert count() == 0


def test_package_in_other_currency_needs_custom_price(setup):
    _, creator, campaign = setup
    pkg = Package(creator_id=creator.id, title="EU reel", platform="instagram",
                  deliverable_type="short_video", price_cents=10000, currency="EUR")
    db.session.add(pkg)
    db.session.commit()
    with pytest.raises(DomainError, match="custom price"):
        applications.apply(creator.user, campaign, pitch=PITCH, package_ids=[pkg.id])


def test_withdraw(setup):
    _, creator, campaign = setup
    app_ = applications.apply(creator.user, campaign, pitch=PITCH, proposed_price_cents=100)
    other = factories.make_creator()
    with pytest.raises(NotAllowed):
        applications.withdraw(other.user, app_)
    applications.withdraw(creator.user, app_)
    assert app_.status == ApplicationStatus.WITHDRAWN
    with pytest.raises(InvalidTransition):
        applications.withdraw(creator.user, app_)


def test_shortlist_and_decline_with_reason(setup):
    brand, creator, campaign = setup
    app_ = applications.apply(creator.user, campaign, pitch=PITCH, proposed_price_cents=100)
    with pytest.raises(NotAllowed):
        applications.shortlist(factories.make_brand().user, app_)
    with pytest.raises(NotAllowed):
        applications.shortlist(creator.user, app_)
    applications.shortlist(brand.user, app_)
    assert app_.status == ApplicationStatus.SHORTLISTED
    applications.decline(brand.user, app_, "audience", "We need a UK audience this time.")
    db.session.expire_all()
    app_ = db.session.get(Application, app_.id)
    assert app_.status == ApplicationStatus.DECLINED
    assert app_.decline_reason_label == "Audience does not match"
    assert app_.decline_note == "We need a UK audience this time."
    assert app_.decided_at is not None
    events = db.session.scalars(select(MatchEvent.event).order_by(MatchEvent.id)).all()
    assert events == ["applied", "declined"]


@pytest.mark.parametrize("reason,note", [("", ""), ("nope", ""), ("decision_date_passed", ""),
                                         ("budget", "n" * 501)])
def test_decline_bad_input(setup, reason, note):
    brand, creator, campaign = setup
    app_ = applications.apply(creator.user, campaign, pitch=PITCH, proposed_price_cents=100)
    with pytest.raises(DomainError):
        applications.decline(brand.user, app_, reason, note)
    db.session.expire_all()
    assert db.session.get(Application, app_.id).status == ApplicationStatus.PENDING


def test_decision_date_column_exists(setup):
    _, _, campaign = setup
    campaign.decision_date = date.today()
    db.session.commit()
    db.session.expire_all()
    assert campaign.decision_date == date.today()

"""Paid-usage codes: the creator adds the Spark Ads code or the Instagram partnership-ad
permission with its end date; the brand sees it on the deal and in the library with a
countdown, and both are reminded once before it ends."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import Notification, UsageCode
from marketplace.services.deals import deadlines, schedule, usage_codes
from marketplace.services.errors import DomainError, NotAllowed
from tests.conftest import _logged_in
from tests.support import factories
from tests.support.library import delivered

CODE = "#SparkAd7Hq2Lp9xWc3"


def codes() -> int:
    return db.session.scalar(select(func.count(UsageCode.id)))


def ends(days: int) -> date:
    return date.today() + timedelta(days=days)


def test_creator_adds_a_code_and_the_brand_sees_it_with_its_end(app_ctx, brand, creator,
                                                              creator_client, brand_client):
    deal = delivered(brand, creator, usage="paid_30")
    response = creator_client.post(f"/deals/{deal.id}/usage-codes", data={
        "platform": "tiktok", "code": CODE, "expires_on": ends(30).isoformat()})
    assert response.status_code == 302
    page = brand_client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert CODE in page and f"Ends {schedule.format_when(ends(30))}" in page
    library = brand_client.get("/library").get_data(as_text=True)
    assert CODE in library and "TikTok Spark Ads code" in library and "in 30 days" in library


def test_a_second_code_for_the_platform_replaces_the_first(app_ctx, brand, creator):
    deal = delivered(brand, creator, usage="paid_90")
    usage_codes.add(deal, creator.user, "tiktok", CODE, ends(10))
    usage_codes.add(deal, creator.user, "tiktok", CODE + "v2", ends(40))
    usage_codes.add(deal, creator.user, "instagram", "", ends(20))
    rows = usage_codes.codes_for([deal.id])[deal.id]
    assert [(r.platform, r.code, r.expires_on) for r in rows] == [
        ("instagram", "", ends(20)), ("tiktok", CODE + "v2", ends(40))]


@pytest.mark.parametrize("platform, code, expires_on, field", [
    ("tiktok", "", ends(10), "code"),
    ("tiktok", "has spaces in it", ends(10), "code"),
    ("tiktok", "x" * 201, ends(10), "code"),
    ("youtube", CODE, ends(10), "platform"),
    ("tiktok", CODE, date.today(), "expires_on"),
    ("tiktok", CODE, ends(400), "expires_on"),
    ("tiktok", CODE, "2027-01-01", "expires_on"),
    ("tiktok", CODE, None, "expires_on"),
])
def test_bad_codes_are_refused_and_change_nothing(app_ctx, brand, creator, platform, code,
                                                  expires_on, field):
    deal = delivered(brand, creator, usage="paid_30")
    with pytest.raises(DomainError) as refused:
        usage_codes.add(deal, creator.user, platform, code, expires_on)
    assert refused.value.field == field and codes() == 0


def test_only_the_creator_of_a_paid_approved_deal(app_ctx, app, brand, creator):
    organic = delivered(brand, creator, usage="organic")
    with pytest.raises(DomainError, match="paid usage rights"):
        usage_codes.add(organic, creator.user, "tiktok", CODE, ends(5))
    paid = delivered(brand, creator, usage="paid_30")
    with pytest.raises(NotAllowed):
        usage_codes.add(paid, brand.user, "tiktok", CODE, ends(5))
    stranger = _logged_in(app, factories.make_creator().user)
    assert stranger.post(f"/deals/{paid.id}/usage-codes", data={
        "platform": "tiktok", "code": CODE, "expires_on": ends(5).isoformat()}).status_code == 404
    assert codes() == 0


def test_form_errors_are_400_beside_the_field(app_ctx, brand, creator, creator_client):
    deal = delivered(brand, creator, usage="paid_30")
    response = creator_client.post(f"/deals/{deal.id}/usage-codes", data={
        "platform": "tiktok", "code": "no good", "expires_on": "not a date"})
    assert response.status_code == 400 and codes() == 0
    assert b"invalid-feedback" in response.data


def test_brand_and_creator_are_reminded_once_before_it_ends(app_ctx, brand, creator):
    deal = delivered(brand, creator, usage="paid_30")
    usage_codes.add(deal, creator.user, "tiktok", CODE, ends(5))
    far = delivered(brand, factories.make_creator(), usage="paid_30")
    usage_codes.add(far, far.creator.user, "tiktok", CODE, ends(30))
    now = utcnow()
    assert deadlines.run_all(now)["usage_code_reminders"] == 1
    assert deadlines.run_all(now)["usage_code_reminders"] == 0
    texts = db.session.scalars(select(Notification.text).where(
        Notification.kind == "usage_rights")).all()
    assert len(texts) == 2 and all(schedule.format_when(ends(5)) in t for t in texts)
    # A new code (a new end date) gets its own reminder.
    usage_codes.add(deal, creator.user, "tiktok", CODE + "2", ends(6))
    assert deadlines.run_all(now)["usage_code_reminders"] == 1

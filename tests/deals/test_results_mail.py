"""The "results are in" e-mail: sent to the brand by the sweeper a week after the posts went
live, once per deal, with the headline numbers (creator reports labelled, missing as "—")
and the views chart in the HTML part and as an SVG attachment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import Notification
from marketplace.models.reminder import DealReminder
from marketplace.services.deals import deadlines, results_mail, schedule
from tests.support import factories
from tests.support.messaging import eml_files, smtp  # noqa: F401  (fixture)
from tests.support.results import posted_deal, posts_of, reading


@pytest.fixture
def app(make_app, smtp):  # noqa: F811
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp["port"], MAIL_ENABLED=True,
                    MAIL_SUPPRESS_SEND=False, MAIL_OUTBOX_DIR=str(smtp["outbox"]))


@pytest.fixture
def deal(app_ctx, brand):
    campaign = factories.make_campaign(brand, title="Glow drop")
    creator = factories.make_creator("ana", display_name="Ana Lopez")
    posted_at = utcnow() - timedelta(days=3)
    deal = posted_deal(brand, creator, campaign, price_cents=40000, posts=2,
                       posted_at=posted_at)
    first, second = posts_of(deal)
    reading(first, posted_at + timedelta(hours=1), slot="1h", views=1000, likes=90)
    reading(first, posted_at + timedelta(days=1), slot="24h", views=4000, likes=300)
    reading(second, posted_at + timedelta(days=2), source="creator", views=1000, likes=20)
    return deal


def test_sent_once_a_week_after_the_posts_went_live(deal, smtp):  # noqa: F811
    due = schedule.results_due_at(deal)
    assert due == deal.posted_at + timedelta(days=7)
    assert deadlines.run_all(due - timedelta(minutes=1))["results_mails"] == 0
    assert deadlines.run_all(due + timedelta(hours=1))["results_mails"] == 1
    assert deadlines.run_all(due + timedelta(hours=2))["results_mails"] == 0
    assert results_mail.send_results_in(due + timedelta(days=1)) == 0

    mails = [m for m in eml_files(smtp["outbox"]) if deal.brand.user.email in str(m["To"])]
    assert len(mails) == 1
    mail = mails[0]
    assert "results are in" in str(mail["Subject"]) and "Ana Lopez" in str(mail["Subject"])
    plain = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "Views: 5,000 (reported by the creator)" in plain
    assert "Cost per 1,000 views: $80.00" in plain
    assert "Engagement rate: 6.4%" in plain  # (300 + 20) / 5,000
    assert '<img src="data:image/svg+xml;base64,' in html and 'alt="Line chart' in html
    assert f"/deals/{deal.id}/results" in plain
    svgs = [p for p in mail.iter_attachments() if p.get_content_type() == "image/svg+xml"]
    assert len(svgs) == 1 and b"<svg" in svgs[0].get_content()

    reminders = db.session.scalars(select(DealReminder).where(
        DealReminder.kind == "results_in")).all()
    assert [(r.deal_id, r.deadline) for r in reminders] == [(deal.id, due)]
    note = db.session.scalar(select(Notification).where(Notification.kind == "results"))
    assert note.user_id == deal.brand.user_id


def test_missing_numbers_say_so(app_ctx, brand, smtp):  # noqa: F811
    campaign = factories.make_campaign(brand)
    deal = posted_deal(brand, factories.make_creator(), campaign,
                       posted_at=utcnow() - timedelta(days=8))
    assert results_mail.send_results_in(utcnow()) == 1
    (mail,) = eml_files(smtp["outbox"])
    plain = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Views: —" in plain and "Cost per 1,000 views: —" in plain
    assert "reported by the creator)" not in plain
    assert not [p for p in mail.iter_attachments() if p.get_content_type() == "image/svg+xml"]
    assert deal.id


def test_old_and_unposted_deals_are_not_mailed(app_ctx, brand):
    campaign = factories.make_campaign(brand)
    posted_deal(brand, factories.make_creator(), campaign,
                posted_at=utcnow() - timedelta(days=20))  # a first run finds an old deal
    posted_deal(brand, factories.make_creator(), campaign, live=False, state="approved")
    assert results_mail.send_results_in(utcnow()) == 0


def test_the_mail_is_on_the_deal_timeline_in_words(deal, smtp):  # noqa: F811
    from marketplace.services.deals import timeline

    deadlines.run_all(schedule.results_due_at(deal) + timedelta(hours=1))
    entries = [e for e in timeline.entries(deal) if e.reminder]
    assert [(e.label, e.who) for e in entries] == [
        ("Results are in: the first week's numbers", "sent to the brand")]

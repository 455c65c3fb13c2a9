"""Proactive notices about a deal, in-app and by e-mail through a REAL local SMTP server: the
date in each notice is the deal's own deadline (through the schedule), every e-mail has an
HTML and a plain-text part linking to the exact page with an absolute URL, the reminder job
sends each reminder exactly once, and opening a page marks its notifications read."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models.notification import Notification
from marketplace.models.reminder import DealReminder
from marketplace.services.deals import deadlines as deal_jobs
from marketplace.services.deals import reviews
from marketplace.services.deals import state_machine as deals
from marketplace.services.deals.schedule import format_when
from marketplace.services.messaging import notifications
from tests.support.deals import make_deal
from tests.support.messaging import eml_files, smtp  # noqa: F401  (fixture)

DAY = timedelta(days=1)


@pytest.fixture
def app(make_app, smtp):  # noqa: F811
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp["port"], MAIL_ENABLED=True,
                    MAIL_SUPPRESS_SEND=False, MAIL_OUTBOX_DIR=str(smtp["outbox"]),
                    AUTO_APPROVE_DAYS=3, REVIEW_WINDOW_DAYS=14)


@pytest.fixture
def sent(smtp):  # noqa: F811  (the SMTP server's port and outbox)
    return smtp


def notes_for(user) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def mails_to(smtp_info, user) -> list:  # noqa: F811
    return [m for m in eml_files(smtp_info["outbox"]) if user.email in str(m["To"])]


def parts(mail) -> tuple[str, str]:
    """(plain text, html) of an e-mail with a multipart/alternative body; both must be there."""
    assert "multipart/alternative" in [part.get_content_type() for part in mail.walk()]
    plain = mail.get_body(preferencelist=("plain",))
    html = mail.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    return plain.get_content().replace("\r\n", "\n"), html.get_content()


# --------------------------------------------------------------------------- dates = deal's own

def test_submitted_notice_review_by_is_the_auto_approval_date(app_ctx, sent, brand, creator):
    """Defect: the notice said "review it by 04 Dec" (its own 5-day window) while the deal
    auto-approves on 02 Dec."""
    deal = make_deal(brand, creator, state="funded")
    deals.perform(deal, "submit", creator.user, post_links=["https://www.tiktok.com/@a/video/1"],
                  caption="Loving it #ad")
    db.session.refresh(deal)
    by = format_when(deal.auto_approve_at)
    assert deal.auto_approve_at == deal.submitted_at + timedelta(days=3)
    [note] = notes_for(brand.user)
    assert note.text.endswith(f"review it by {by}.")
    [mail] = mails_to(sent, brand.user)
    plain, html = parts(mail)
    assert f"review it by {by}" in plain and f"review it by {by}" in html
    assert f"Review by: {by}" in plain
    link = f"http://localhost/deals/{deal.id}"
    assert f"Review the submission: {link}\n" in plain and f'href="{link}"' in html


def test_funded_notice_gives_the_content_due_date(app_ctx, sent, brand, creator):
    due = date.today() + timedelta(days=12)
    deal = make_deal(brand, creator, state="agreed", content_due=due)
    deals.perform(deal, "fund", None)
    [note] = notes_for(creator.user)
    assert note.text == (f"Funds secured for “{deal.campaign.title}”: start creating. "
                         f"Content due {format_when(due)}.")
    plain, html = parts(mails_to(sent, creator.user)[0])
    assert f"Content due: {format_when(due)} (end of the day, UTC)" in plain
    assert f"http://localhost/deals/{deal.id}" in plain and format_when(due) in html


def test_revision_notice_carries_the_note_and_due_date(app_ctx, sent, brand, creator):
    deal = make_deal(brand, creator, state="submitted", auto_approve_at=utcnow() + DAY)
    deals.perform(deal, "request_revision", brand.user, note="Show the bottle in the first 3s.")
    [note] = notes_for(creator.user)
    assert note.text.endswith(f"Resubmit by {format_when(deal.content_due)}.")
    plain, html = parts(mails_to(sent, creator.user)[0])
    assert "What should change: Show the bottle in the first 3s." in plain
    assert "Show the bottle in the first 3s." in html


def test_completed_notice_gives_the_review_window_end(app_ctx, brand, creator):
    deal = make_deal(brand, creator, state="paid_out", paid_out_at=utcnow())
    deals.perform(deal, "complete", None)
    db.session.refresh(deal)
    closes = format_when(reviews.window_closes_at(deal))
    assert closes == format_when(deal.completed_at + timedelta(days=14))
    for user in (brand.user, creator.user):
        [note] = notes_for(user)
        assert note.text.endswith(f"leave a review by {closes}.")
        assert note.url == f"/deals/{deal.id}/review"


def test_html_is_escaped_but_text_part_is_not(app_ctx, sent, brand, creator):
    deal = make_deal(brand, creator, state="submitted", auto_approve_at=utcnow() + DAY)
    deals.perform(deal, "request_revision", brand.user, note="Use <b>bold</b> & the logo")
    plain, html = parts(mails_to(sent, creator.user)[0])
    assert "Use <b>bold</b> & the logo" in plain
    assert "Use &lt;b&gt;bold&lt;/b&gt; &amp; the logo" in html


# --------------------------------------------------------------------------- reminders, once

def run_twice(now):
    first, second = deal_jobs.run_all(now), deal_jobs.run_all(now)
    return first, second


def test_content_due_in_48_hours_reminds_the_creator_once(app_ctx, sent, brand, creator):
    now = utcnow()
    soon = make_deal(brand, creator, state="funded", content_due=(now + DAY).date())
    make_deal(state="funded", content_due=(now + 5 * DAY).date())  # not yet
    first, second = run_twice(now)
    assert (first["due_soon_reminders"], second["due_soon_reminders"]) == (1, 0)
    [note] = notes_for(creator.user)
    assert note.kind == "deadline_reminder"
    assert note.text.endswith(f"is due {format_when(soon.content_due)}.")
    [mail] = mails_to(sent, creator.user)
    plain, html = parts(mail)
    link = f"http://localhost/deals/{soon.id}"
    assert f"Submit your content: {link}\n" in plain and f'href="{link}"' in html
    assert deal_jobs.run_all(now + timedelta(hours=10))["due_soon_reminders"] == 0
    assert len(notes_for(creator.user)) == 1 and len(mails_to(sent, creator.user)) == 1


def test_late_content_tells_both_once_and_the_brand_its_options(app_ctx, sent, brand, creator):
    due = date.today() - DAY
    deal = make_deal(brand, creator, state="funded", content_due=due)
    first, second = run_twice(utcnow())
    assert (first["late_reminders"], second["late_reminders"]) == (1, 0)
    [to_brand] = notes_for(brand.user)
    [to_creator] = notes_for(creator.user)
    assert f"was due {format_when(due)}" in to_brand.text
    assert "extend the due date or cancel with a full refund" in to_brand.text
    assert f"was due {format_when(due)}" in to_creator.text
    assert len(mails_to(sent, brand.user)) == len(mails_to(sent, creator.user)) == 1
    # A new due date gets reminders of its own (the deadline is part of the key).
    deals.perform(deal, "extend_due_date", brand.user, content_due=date.today())
    assert deal_jobs.run_all(utcnow() + 2 * DAY)["late_reminders"] == 1
    assert db.session.scalar(select(func.count(DealReminder.id)).where(
        DealReminder.kind == "content_late")) == 2


def test_review_closing_in_24_hours_reminds_the_brand_once(app_ctx, sent, brand, creator):
    now = utcnow()
    deal = make_deal(brand, creator, state="submitted", submitted_at=now - 2 * DAY,
                     auto_approve_at=now + timedelta(hours=20))
    make_deal(state="submitted", auto_approve_at=now + timedelta(hours=30))  # not yet
    first, second = run_twice(now)
    assert (first["review_closing_reminders"], second["review_closing_reminders"]) == (1, 0)
    [note] = notes_for(brand.user)
    assert note.text.endswith(f"by {format_when(deal.auto_approve_at)}.")
    plain, _ = parts(mails_to(sent, brand.user)[0])
    assert "approved automatically and the payment is released" in plain
    assert notes_for(creator.user) == []


def test_review_window_closing_reminds_whoever_has_not_reviewed(app_ctx, sent, brand, creator):
    now = utcnow()
    deal = make_deal(brand, creator, state="completed", completed_at=now - 12 * DAY)
    make_deal(state="completed", completed_at=now - 5 * DAY)  # closes in 9 days: not yet
    reviews.write_review(deal, creator.user, 5, "Clear brief, paid fast.")
    first, second = run_twice(now)
    assert (first["review_window_reminders"], second["review_window_reminders"]) == (1, 0)
    [note] = notes_for(brand.user)
    closes = format_when(deal.completed_at + timedelta(days=14))
    assert note.text.endswith(f"close on {closes}: leave yours.")
    assert note.url == f"/deals/{deal.id}/review"
    assert [n.kind for n in notes_for(creator.user)] == []


def test_reminders_are_on_the_deal_timeline(app_ctx, brand, creator, creator_client):
    deal = make_deal(brand, creator, state="funded", content_due=date.today() - DAY)
    deal_jobs.run_all(utcnow())
    page = creator_client.get(f"/deals/{deal.id}").get_data(as_text=True)
    timeline = page[page.index("Timeline"):]
    assert "Content late: both sides were told" in timeline


# --------------------------------------------------------------------------- read on open

def test_opening_the_page_marks_its_notifications_read(app_ctx, brand, creator, creator_client):
    """Defect 6: notifications stayed "new" after their page was opened."""
    deal = make_deal(brand, creator, state="agreed")
    deals.perform(deal, "fund", None)
    other = notifications.notify(creator.user, "deal_paid", "Elsewhere", "/payouts")
    theirs = notifications.notify(brand.user, "deal_paid", "Brand's", f"/deals/{deal.id}")
    assert notifications.unread_count(creator.user) == 2
    html = creator_client.get(f"/deals/{deal.id}").get_data(as_text=True)
    # The navbar already counts only what is still unread after this page.
    assert 'id="nav-unread-notifications">1<' in html
    db.session.expire_all()
    assert notifications.unread_count(creator.user) == 1
    assert db.session.get(Notification, other.id).read_at is None
    assert db.session.get(Notification, theirs.id).read_at is None  # another user's


def test_a_page_that_fails_marks_nothing(app_ctx, brand, creator, creator_client):
    note = notifications.notify(creator.user, "deal_paid", "Missing", "/deals/999999")
    assert creator_client.get("/deals/999999").status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is None


def test_marking_read_costs_one_update_and_none_when_nothing_points_here(app_ctx, brand,
                                                                         creator,
                                                                         creator_client):
    deal = make_deal(brand, creator, state="funded")
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    def updates_during(path: str) -> list[str]:
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert creator_client.get(path).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return [s for s in statements if s.lstrip().upper().startswith("UPDATE NOTIFICATIONS")]

    assert updates_during(f"/deals/{deal.id}") == []
    notifications.notify(creator.user, "deal_funded", "Start", f"/deals/{deal.id}")
    assert len(updates_during(f"/deals/{deal.id}")) == 1
    assert notifications.unread_count(creator.user) == 0


def test_cron_job_without_a_request_links_with_public_url(make_app, sent):
    """`flask deals run-jobs` runs from cron: no request, no SERVER_NAME. Links must still be
    the exact page, absolute, on the public address."""
    cron = make_app(SERVER_NAME=None, PUBLIC_URL="https://duet.example/",
                    MAIL_SERVER="127.0.0.1", MAIL_PORT=sent["port"], MAIL_ENABLED=True,
                    MAIL_SUPPRESS_SEND=False)
    with cron.app_context():
        from tests.support import factories
        brand, creator = factories.make_brand(), factories.make_creator()
        deal = make_deal(brand, creator, state="funded", content_due=date.today() - DAY)
        result = cron.test_cli_runner().invoke(args=["deals", "run-jobs"])
        assert result.exit_code == 0 and "late reminders: 1" in result.output
        [note] = notes_for(creator.user)
        assert note.url == f"/deals/{deal.id}"
        plain, html = parts(mails_to(sent, creator.user)[0])
        assert f"https://duet.example/deals/{deal.id}\n" in plain
        assert f'href="https://duet.example/deals/{deal.id}"' in html
        db.session.remove()

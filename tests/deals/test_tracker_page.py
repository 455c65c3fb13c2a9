"""The deal page's tracker and "Next step" banner in every state, for each side: the dates
shown are the deal's own (funding deadline, content due, auto-approval, payout arrival, review
window), late steps say so in words, stopped deals say why, and the banner offers the action.
Also the brand's late-content actions (extend the due date, cancel with a full refund)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import Deal, DealState
from marketplace.models.notification import Notification
from marketplace.models.payment import PayoutAccount
from marketplace.services.deals import reviews
from marketplace.services.deals.schedule import format_when
from tests.support.deals import make_deal, snapshot

DAY = timedelta(days=1)


@pytest.fixture
def app(make_app):
    return make_app(MAIL_ENABLED=False, DEAL_FUNDING_DAYS=7, AUTO_APPROVE_DAYS=3,
                    PAYOUT_ARRIVAL_DAYS=2, REVIEW_WINDOW_DAYS=14)


def page(client, deal) -> str:
    response = client.get(f"/deals/{deal.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def tracker_html(html: str) -> str:
    start = html.index('class="card shadow-sm mb-3 deal-tracker"')
    return html[start:html.index("</section>", start)]


def step_html(html: str, key: str) -> str:
    tracker = tracker_html(html)
    start = tracker.rindex("<li", 0, tracker.index(f'data-step="{key}"'))
    return tracker[start:tracker.index("</li>", start)]


def banner(html: str) -> str:
    start = html.index('id="next-step"')
    return html[start:html.index('class="row g-4"', start)]


def text(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def deal_at(brand, creator, state: str, **fields) -> Deal:
    return make_deal(brand, creator, state=state, **fields)


# --------------------------------------------------------------------------- each state

def test_agreed(app_ctx, brand, creator, brand_client, creator_client):
    deal = deal_at(brand, creator, "agreed")
    deadline = format_when(deal.agreed_at + timedelta(days=7))
    html = page(brand_client, deal)
    assert text(step_html(html, "agreed")).startswith("Agreed")
    assert format_when(deal.agreed_at, with_time=False) in step_html(html, "agreed")
    funded = step_html(html, "funded")
    assert 'aria-current="step"' in funded and f"By {deadline}" in text(funded)
    assert f"Due {format_when(deal.content_due)}" in text(step_html(html, "submitted"))
    b = banner(html)
    assert f"Fund the deal by {deadline}" in text(b) and "Who You" in text(b)
    assert f'href="/deals/{deal.id}/pay"' in b and "Fund this deal" in b
    c = banner(page(creator_client, deal))
    assert f"Waiting for {brand.company_name} to fund the deal (by {deadline})" in text(c)
    assert "/pay" not in c


def test_funded_and_then_late(app_ctx, brand, creator, brand_client, creator_client):
    due = date.today() + timedelta(days=5)
    deal = deal_at(brand, creator, "funded", funded_at=utcnow(), content_due=due)
    html = page(creator_client, deal)
    submitted = step_html(html, "submitted")
    assert 'aria-current="step"' in submitted and f"Due {format_when(due)}" in text(submitted)
    assert "Late" not in text(submitted)
    # Expected approval = end of the due day + 3 days; the payout arrives 2 days after that.
    end_of_due = datetime.combine(due + DAY, datetime.min.time(), tzinfo=UTC)
    assert format_when(end_of_due + 3 * DAY, with_time=False) in step_html(html, "approved")
    assert f"Arrives around {format_when(end_of_due + 5 * DAY, with_time=False)}" in text(
        step_html(html, "paid_out"))
    b = banner(html)
    assert f"submit it by {format_when(due)}" in text(b) and 'href="#delivery"' in b
    assert "Submit content" in b

    deal.content_due = date.today() - DAY
    db.session.commit()
    html = page(creator_client, deal)
    assert "Late" in text(step_html(html, "submitted"))  # in words, not only red
    assert "is late" in text(banner(html))
    b = banner(page(brand_client, deal))
    assert "has not arrived" in text(b)
    assert "Extend the due date" in b and "Cancel with a full refund" in b
    assert f'action="/deals/{deal.id}/due-date"' in b


def test_submitted_shows_review_by_auto_approval(app_ctx, brand, creator, brand_client,
                                                 creator_client):
    submitted_at = utcnow() - timedelta(hours=2)
    deal = deal_at(brand, creator, "submitted", funded_at=submitted_at - DAY,
                   submitted_at=submitted_at, auto_approve_at=submitted_at + 3 * DAY)
    by = format_when(deal.auto_approve_at)
    html = page(brand_client, deal)
    approved = step_html(html, "approved")
    assert 'aria-current="step"' in approved and f"By {by}" in text(approved)
    assert format_when(submitted_at, with_time=False) in step_html(html, "submitted")
    b = banner(html)
    assert f"by {by}" in text(b) and "Review the submission" in b
    assert f"approved automatically on {by}" in text(banner(page(creator_client, deal)))


def test_revision_requested(app_ctx, brand, creator, creator_client):
    deal = deal_at(brand, creator, "revision_requested", funded_at=utcnow() - 2 * DAY,
                   submitted_at=utcnow() - DAY)
    html = page(creator_client, deal)
    submitted = step_html(html, "submitted")
    assert 'aria-current="step"' in submitted and "Revision requested" in text(submitted)
    assert "Submit your revision" in banner(html)


def test_approved_without_payout_account_links_to_payout_setup(app_ctx, brand, creator,
                                                                brand_client, creator_client):
    """Defect 1: "the payout goes out as soon as your payout account is ready", no link."""
    approved_at = utcnow() - timedelta(hours=1)
    deal = deal_at(brand, creator, "approved", funded_at=approved_at - 3 * DAY,
                   submitted_at=approved_at - DAY, approved_at=approved_at)
    html = page(creator_client, deal)
    assert format_when(approved_at, with_time=False) in step_html(html, "approved")
    assert 'aria-current="step"' in step_html(html, "paid_out")
    b = banner(html)
    assert "Set up your payout account" in text(b) and 'href="/payouts"' in b
    assert "finish setting up payouts" in text(banner(page(brand_client, deal)))
    db.session.add(PayoutAccount(creator_id=creator.id, stripe_account_id="acct_ready1",
                                 ready=True))
    db.session.commit()
    b = banner(page(creator_client, deal))
    assert 'href="/payouts"' not in b
    assert format_when(approved_at + 2 * DAY, with_time=False) in text(b)


def test_paid_out_shows_arrival(app_ctx, brand, creator, creator_client):
    paid = utcnow() - timedelta(hours=3)
    deal = deal_at(brand, creator, "paid_out", funded_at=paid - 4 * DAY,
                   submitted_at=paid - 2 * DAY, approved_at=paid, paid_out_at=paid)
    html = page(creator_client, deal)
    assert f"Arrives around {format_when(paid + 2 * DAY, with_time=False)}" in text(
        step_html(html, "paid_out"))
    assert 'aria-current="step"' in step_html(html, "reviewed")


def test_completed_offers_leave_a_review_until_reviewed_or_closed(app_ctx, brand, creator,
                                                                  brand_client,
                                                                  creator_client):
    """Defect 8: a completed deal did not offer to leave a review."""
    done = utcnow() - DAY
    deal = deal_at(brand, creator, "completed", funded_at=done - 4 * DAY,
                   submitted_at=done - 2 * DAY, approved_at=done, paid_out_at=done,
                   completed_at=done)
    closes = format_when(done + 14 * DAY)
    for client in (brand_client, creator_client):
        html = page(client, deal)
        b = banner(html)
        assert "Leave a review" in b and f'href="/deals/{deal.id}/review"' in b
        assert f"by {closes}" in text(b)
        assert f"By {closes}" in text(step_html(html, "reviewed"))
        review_page = client.get(f"/deals/{deal.id}/review").get_data(as_text=True)
        assert f"Reviews close on {closes}." in review_page  # the same date everywhere
    reviews.write_review(deal, brand.user, 5, "Lovely work.")
    html = page(brand_client, deal)
    assert "Leave a review" not in banner(html) and "You reviewed this deal" in banner(html)
    assert format_when(utcnow(), with_time=False) in step_html(html, "reviewed")
    assert "Leave a review" in banner(page(creator_client, deal))
    deal.completed_at = utcnow() - 15 * DAY
    db.session.commit()
    b = banner(page(creator_client, deal))
    assert "Leave a review" not in b and "review window closed" in text(b)


@pytest.mark.parametrize("state, field, label", [
    ("cancelled", "cancelled_at", "Cancelled on"),
    ("expired", "expired_at", "Expired on"),
    ("disputed", "disputed_at", "In dispute since"),
])
def test_stopped_deals_say_so(app_ctx, brand, creator, brand_client, state, field, label):
    at = utcnow() - DAY
    deal = deal_at(brand, creator, state, **{field: at},
                   **({"funded_at": at - DAY} if state != "expired" else {}))
    html = page(brand_client, deal)
    tracker = text(tracker_html(html))
    assert f"{label} {format_when(at)}" in tracker
    assert 'aria-current="step"' not in tracker_html(html)
    assert ("Paused" if state == "disputed" else "Not reached") in text(
        step_html(html, "submitted"))
    # The tracker says it; a "Next step" banner only where something is still to happen.
    assert ('id="next-step"' in html) == (state == "disputed")


def test_deal_page_query_budget(app_ctx, brand, creator, brand_client):
    done = utcnow() - DAY
    deal = deal_at(brand, creator, "completed", funded_at=done, submitted_at=done,
                   approved_at=done, paid_out_at=done, completed_at=done)
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        page(brand_client, deal)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) <= 16, "\n".join(statements)  # 15 measured; no UPDATE


# --------------------------------------------------------------------------- late actions

@pytest.fixture
def late(app_ctx, brand, creator):
    return deal_at(brand, creator, "funded", funded_at=utcnow() - 10 * DAY,
                   content_due=date.today() - 2 * DAY, is_late=True)


def test_brand_extends_the_due_date(late, creator, brand_client, creator_client):
    new_due = date.today() + timedelta(days=5)
    r = brand_client.post(f"/deals/{late.id}/due-date", data={"content_due": new_due.isoformat()})
    assert r.status_code == 302
    db.session.expire_all()
    deal = db.session.get(Deal, late.id)
    assert (deal.content_due, deal.is_late, deal.state) == (new_due, False, DealState.FUNDED)
    note = db.session.scalars(db.select(Notification).where(
        Notification.user_id == creator.user.id)).one()
    assert format_when(new_due) in note.text
    html = page(creator_client, deal)
    assert "Due date extended" in html and f"Due {format_when(new_due)}" in text(
        step_html(html, "submitted"))


@pytest.mark.parametrize("value", ["", "not-a-date", "1e308", "99999-12-31", "2026-02-30",
                                   (date.today() - 5 * DAY).isoformat()])
def test_extend_due_date_bad_input_changes_nothing(late, brand_client, value):
    before = snapshot(late)
    r = brand_client.post(f"/deals/{late.id}/due-date", data={"content_due": value})
    assert r.status_code == 400
    assert snapshot(late) == before


def test_only_the_brand_extends_and_strangers_get_404(late, creator_client, login_as):
    from tests.support import factories
    before = snapshot(late)
    creator_client.post(f"/deals/{late.id}/due-date",
                        data={"content_due": (date.today() + 9 * DAY).isoformat()})
    assert snapshot(late) == before
    stranger = login_as(factories.make_brand().user)
    assert stranger.post(f"/deals/{late.id}/due-date",
                         data={"content_due": "2030-01-01"}).status_code == 404
    assert stranger.post(f"/deals/{late.id}/cancel-late").status_code == 404
    assert snapshot(late) == before


def test_brand_cancels_late_deal(late, brand_client):
    r = brand_client.post(f"/deals/{late.id}/cancel-late")
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Deal, late.id).state == DealState.CANCELLED


def test_cancel_late_refused_while_on_time(app_ctx, brand, creator, brand_client):
    deal = deal_at(brand, creator, "funded", funded_at=utcnow(),
                   content_due=date.today() + 3 * DAY)
    before = snapshot(deal)
    r = brand_client.post(f"/deals/{deal.id}/cancel-late", follow_redirects=True)
    assert "The content is not late" in r.get_data(as_text=True)
    assert snapshot(deal) == before

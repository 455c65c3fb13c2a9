"""The deal panels of /dashboard (defect 8: the brand dashboard showed no deals, spend or past
creators; the creator dashboard no deals, due dates or earnings)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.models import (
    Dispute,
    LedgerEntry,
    LedgerKind,
    Payment,
    PaymentStatus,
    PayoutAccount,
)
from marketplace.services import payments
from marketplace.services.deals import schedule
from marketplace.services.deals import state_machine as deals
from marketplace.services.deals.dashboard import spend_this_month
from tests.payments.conftest import stripe_base, stripe_server  # noqa: F401  (fixtures)
from tests.support import factories
from tests.support.deals import make_deal
from tests.support.library import count_queries, delivered
from tests.support.payments import ready_payout_account, saved_card

WHEN = "%d %b %Y, %H:%M UTC"
DAY = "%d %b %Y"


def actions(html: str) -> list[tuple[str, int]]:
    return [(a, int(d)) for a, d in re.findall(r'data-action="(\w+)" data-deal="(\d+)"', html)]


def plain(html: str) -> str:
    """The page's text without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def step(html: str, state: str) -> int:
    match = re.search(rf'data-state="{state}".*?step-count[^>]*>(\d+)<', html, re.S)
    assert match, state
    return int(match.group(1))


def stat(html: str, name: str) -> str:
    match = re.search(rf'id="stat-{name}">(.*?)</div>\s*<div class="small', html, re.S)
    assert match, name
    return re.sub(r"<[^>]+>|\s+", " ", match.group(1)).strip()


def dispute(deal, side: str, response: str = "") -> None:
    db.session.add(Dispute(deal_id=deal.id, opened_by_side=side, response=response,
                           statement="The video never shows the product at all."))
    db.session.commit()


def charge(deal, cents: int, when, kind=LedgerKind.CHARGE) -> None:
    db.session.add(LedgerEntry(deal_id=deal.id, kind=kind, amount_cents=cents, currency="USD",
                               stripe_object_id=f"obj_{deal.id}_{kind}_{cents}_{when:%s}",
                               created_at=when))
    db.session.commit()


# --- brands -------------------------------------------------------------------------------

def test_brand_sees_what_waits_on_them_with_due_dates(app_ctx, brand, brand_client):
    now = utcnow()
    c = [factories.make_creator() for _ in range(7)]
    fund = make_deal(brand, c[0], state="agreed", agreed_at=now - timedelta(days=1))
    review = make_deal(brand, c[1], state="submitted", submitted_at=now,
                       auto_approve_at=now + timedelta(days=2))
    answer = make_deal(brand, c[2], state="disputed")
    dispute(answer, "creator")
    cancel = make_deal(brand, c[3], state="funded", cancel_proposed_by="creator",
                       cancel_proposed_at=now)
    # Not the brand's move: the creator works, the brand's own dispute, an answered one.
    make_deal(brand, c[4], state="funded")
    mine = make_deal(brand, c[5], state="disputed")
    dispute(mine, "brand")
    answered = make_deal(brand, c[6], state="disputed")
    dispute(answered, "creator", response="We did show it at 0:12, see the link.")
    make_deal(factories.make_brand(), c[0], state="agreed")  # someone else's

    html = brand_client.get("/dashboard").get_data(as_text=True)
    assert actions(html) == [("review", review.id), ("fund", fund.id), ("dispute", answer.id),
                             ("cancel", cancel.id)]  # soonest due first, no deadline last
    assert f"Due {schedule.funding_deadline(fund):{WHEN}}" in plain(html)
    assert f"Due {review.auto_approve_at:{WHEN}}" in plain(html)
    assert f'href="/deals/{fund.id}/pay">Fund</a>' in html
    assert f'href="/deals/{review.id}">Review</a>' in html
    assert "Answer the cancellation proposal" in html and "Answer the dispute" in html
    assert stat(html, "actions") == "4" and stat(html, "review") == "1"
    assert 'style="' not in html


def test_brand_sees_deals_by_step_and_creators_worked_with(app_ctx, brand, brand_client):
    maya = factories.make_creator(display_name="Maya Chen")
    leo = factories.make_creator(display_name="Leo Park")
    for state in ("agreed", "funded", "funded", "submitted", "cancelled", "expired"):
        make_deal(brand, factories.make_creator(), state=state)
    delivered(brand, maya, approved_at=utcnow() - timedelta(days=30))
    last_maya = delivered(brand, maya, approved_at=utcnow() - timedelta(days=3))
    last_leo = delivered(brand, leo, state="approved", approved_at=utcnow() - timedelta(days=9))
    delivered(factories.make_brand(), factories.make_creator(display_name="Not Mine"))
    html = brand_client.get("/dashboard").get_data(as_text=True)
    expected = {"agreed": 1, "funded": 2, "submitted": 1, "approved": 1, "completed": 2,
                "cancelled": 1, "expired": 1}
    for state, n in expected.items():
        assert step(html, state) == n, state
    assert 'data-state="disputed"' not in html  # empty unusual steps are left out
    assert 'href="/deals/?state=funded"' in html
    worked = re.findall(r'past-creator" data-creator="(\w+)"', html)
    assert worked == [maya.handle, leo.handle]  # most recent approval first
    assert "2 deals · last approved" in html and "Not Mine" not in html
    for creator, deal in ((maya, last_maya), (leo, last_leo)):
        assert f'href="/deals/invite?creator={creator.handle}&amp;again={deal.id}"' in html


def test_spend_this_month_sums_the_ledger_charges(app_ctx, brand, brand_client):
    now = utcnow()
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    a, b = (make_deal(brand, factories.make_creator(), state="funded") for _ in range(2))
    charge(a, 10500, month_start)
    charge(b, 21000, now)
    charge(b, 99900, month_start - timedelta(seconds=1))  # last month
    charge(a, -5000, now, kind=LedgerKind.REFUND)
    charge(a, 500, now, kind=LedgerKind.BRAND_FEE)
    charge(make_deal(state="funded"), 7777, now)  # another brand's
    assert spend_this_month(brand, now) == {"USD": 31500}
    html = brand_client.get("/dashboard").get_data(as_text=True)
    assert stat(html, "spend") == "$315.00"
    assert f"charged in {now:%B %Y}" in html


def test_new_brand_sees_empty_states(app_ctx, brand, brand_client):
    html = brand_client.get("/dashboard").get_data(as_text=True)
    assert "No deals yet" in html and 'href="/creators/"' in html
    assert stat(html, "spend") == "$0.00" and stat(html, "actions") == "0"
    assert "a one-click “Hire again”" in html
    assert "No campaigns yet" in html


def test_brand_dashboard_query_budget_does_not_grow_with_deals(app_ctx, brand, brand_client):
    factories.make_campaign(brand)
    delivered(brand, factories.make_creator())
    few = count_queries(brand_client, "/dashboard")
    now = utcnow()
    for i, state in enumerate(("agreed", "funded", "submitted", "revision_requested",
                               "approved", "disputed", "cancelled", "agreed", "submitted")):
        deal = make_deal(brand, factories.make_creator(), state=state,
                         auto_approve_at=now + timedelta(days=i),
                         cancel_proposed_by="creator" if i == 1 else None)
        if state == "disputed":
            dispute(deal, "creator")
        charge(deal, 1000 + i, now)
    for _ in range(8):
        delivered(brand, factories.make_creator())
    many = count_queries(brand_client, "/dashboard")
    assert many == few and many <= 16, (few, many)


# --- creators ------------------------------------------------------------------------------

def test_creator_sees_what_waits_on_them_and_upcoming_dates(app_ctx, creator, creator_client):
    today = utcnow().date()
    b = [factories.make_brand(company_name=f"Brand {i}") for i in range(6)]
    submit = make_deal(b[0], creator, state="funded", content_due=today + timedelta(days=9))
    revise = make_deal(b[1], creator, state="revision_requested",
                       content_due=today + timedelta(days=4))
    late = make_deal(b[2], creator, state="funded", content_due=today - timedelta(days=1))
    answer = make_deal(b[3], creator, state="disputed")
    dispute(answer, "brand")
    waiting = make_deal(b[4], creator, state="agreed")
    reviewed = make_deal(b[5], creator, state="submitted",
                         auto_approve_at=utcnow() + timedelta(days=1))
    make_deal(b[0], factories.make_creator(), state="funded")  # another creator's

    html = creator_client.get("/dashboard").get_data(as_text=True)
    assert actions(html) == [("submit", late.id), ("revise", revise.id), ("submit", submit.id),
                             ("dispute", answer.id)]
    assert f"Due {submit.content_due:{DAY}}" in plain(html)
    assert f"Due {late.content_due:{DAY}} overdue" in plain(html)
    assert "Submit the revision" in html and f'href="/deals/{revise.id}">Revise</a>' in html
    upcoming = [int(d) for d in re.findall(r'upcoming-item" data-deal="(\d+)"', html)]
    assert upcoming[:3] == [late.id, reviewed.id, revise.id]
    assert waiting.id in upcoming and answer.id not in upcoming
    assert f"Brand funds by {schedule.funding_deadline(waiting):{WHEN}}" in plain(html)
    assert f"Approved automatically by {reviewed.auto_approve_at:{WHEN}}" in plain(html)


def test_creator_without_deals_or_payout_account(creator, creator_client):
    html = creator_client.get("/dashboard").get_data(as_text=True)
    assert "No deals in progress" in html and "No earnings yet" in html
    assert 'href="/payouts">Set up payouts</a>' in html
    assert 'id="upcoming-dates"' not in html
    assert 'style="' not in html


def test_creator_with_a_ready_payout_account(app_ctx, creator, creator_client):
    db.session.add(PayoutAccount(creator_id=creator.id, stripe_account_id="acct_ready",
                                 ready=True))
    db.session.commit()
    html = creator_client.get("/dashboard").get_data(as_text=True)
    assert "Payouts are set up" in html and 'href="/payouts"' not in html.split(
        'id="payout-status"')[1].split("</section>")[0]


def test_creator_dashboard_query_budget_does_not_grow_with_deals(app_ctx, creator,
                                                                 creator_client):
    make_deal(state="funded", creator=creator)
    few = count_queries(creator_client, "/dashboard")
    for i, state in enumerate(("agreed", "funded", "submitted", "revision_requested",
                               "disputed", "approved", "completed", "funded")):
        deal = make_deal(state=state, creator=creator,
                         auto_approve_at=utcnow() + timedelta(days=i))
        if state == "disputed":
            dispute(deal, "brand")
        status = PaymentStatus.HELD if i % 2 else PaymentStatus.PAYOUT_PENDING
        db.session.add(Payment(deal_id=deal.id, payment_intent_id=f"pi_{deal.id}",
                               status=status, amount_cents=4200, price_cents=4000,
                               currency="USD", payout_cents=4000))
    db.session.commit()
    many = count_queries(creator_client, "/dashboard")
    assert many == few and many <= 20, (few, many)


# --- with the local Stripe: real charges, holds and payouts -----------------------------------

@pytest.fixture
def stripe_app(make_app, stripe_server):  # noqa: F811
    return make_app(STRIPE_API_BASE=stripe_server, STRIPE_SECRET_KEY="sk_test_duet",
                    STRIPE_WEBHOOK_SECRET="whsec_duet_test", BRAND_FEE_BPS=500,
                    CREATOR_FEE_BPS=1000, MAIL_SUPPRESS_SEND=True)


def test_spend_and_earnings_follow_the_real_money(stripe_app, login_as):
    with stripe_app.app_context():
        brand, creator = factories.make_brand(), factories.make_creator()
        card = saved_card(brand.user)
        approved = make_deal(brand, creator, state="agreed", price_cents=50000)
        held = make_deal(brand, creator, state="agreed", price_cents=20000)
        for deal in (approved, held):
            assert payments.fund(deal, brand.user, card).status == "funded"
        db.session.refresh(approved)
        deals.perform(approved, "submit", creator.user,
                      post_links=["https://www.tiktok.com/@maker/video/1"],
                      caption="Done #ad")
        deals.perform(approved, "approve", brand.user)  # no payout account yet: pending

        brand_html = login_as(brand.user).get("/dashboard").get_data(as_text=True)
        assert stat(brand_html, "spend") == "$735.00"  # 500 + 200, plus the 5 % brand fee
        creator_client = login_as(creator.user)
        html = creator_client.get("/dashboard").get_data(as_text=True)
        assert re.search(r'data-bucket="held">\$180\.00<', html)  # 200 - 10 % fee
        assert re.search(r'data-bucket="pending_setup">\$450\.00<', html)
        assert re.search(r'data-bucket="paid">\$0\.00<', html)
        assert 'href="/payouts">Set up payouts</a>' in html

        ready_payout_account(creator)
        assert payments.send_pending_payouts(creator.id) == 1
        html = creator_client.get("/dashboard").get_data(as_text=True)
        assert re.search(r'data-bucket="pending_setup">\$0\.00<', html)
        assert re.search(r'data-bucket="paid">\$450\.00<', html)
        assert "Payouts are set up" in html
        db.session.remove()
